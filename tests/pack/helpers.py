"""Reading a meeting pack back: its PDF's text and words (poppler-utils), its HTML's tables,
images and references, and running the CLI."""

from __future__ import annotations

import base64
import csv
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


def run_cli(
    *args: str, db_url: str | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
    """``python -m netcompare ARGS`` from the project folder, with its own notes store."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NETCOMPARE_DEBUG", None)
    if db_url is not None:
        env["NETCOMPARE_DB_URL"] = db_url
    return subprocess.run(
        [sys.executable, "-m", "netcompare", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def pdf_text(path: Path) -> str:
    """The PDF's text in reading layout (``pdftotext -layout``)."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout, re.M).group(1))


@dataclass(frozen=True)
class Word:
    page: int
    left: float
    top: float
    right: float
    text: str


def pdf_words(path: Path) -> list[Word]:
    """Every word of the PDF with its page and position (``pdftotext -tsv``)."""
    out = subprocess.run(
        ["pdftotext", "-tsv", str(path), "-"], capture_output=True, text=True, check=True
    )
    words = []
    reader = csv.DictReader(io.StringIO(out.stdout), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row["level"] != "5" or row["text"].startswith("###"):
            continue
        left, width = float(row["left"]), float(row["width"])
        words.append(Word(int(row["page_num"]), left, float(row["top"]), left + width, row["text"]))
    return words


def count_cells_in_pdf(path: Path, headers: tuple[str, ...] = ("Numerator", "Denominator")):
    """The words printed under each count column heading of the PDF's tables: words on the
    same page, below the heading, right-aligned with it (counts are right-aligned)."""
    words = pdf_words(path)
    cells = []
    for head in (w for w in words if w.text in headers):
        below = [
            w
            for w in words
            if w.page == head.page
            and w.top > head.top + 2
            and abs(w.right - head.right) < 1.5
            and re.fullmatch(r"<5|\*|–|[\d,]+", w.text)
        ]
        cells += below
    return cells


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []  # (attribute, value) of src / href
        self.images: list[str] = []
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._cell_classes: list[str] = []
        self._row: list[tuple[str, list[str]]] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data") and value:
                self.refs.append((name, value))
        if tag == "img":
            self.images.append(values.get("src", ""))
        if tag == "table":
            self.tables.append({"head": [], "rows": []})
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
            self._cell_classes = (values.get("class") or "").split()

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(("".join(self._cell), self._cell_classes))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            table = self.tables[-1]
            if not table["head"]:
                table["head"] = [c for c, _ in self._row]
                table["head_classes"] = [k for _, k in self._row]
            else:
                table["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        self.text.append(data)


def read_html(html: str) -> _Html:
    parser = _Html()
    parser.feed(html)
    return parser


def html_svgs(html: str) -> list[str]:
    """The SVG documents embedded as data: images."""
    return [
        base64.b64decode(m).decode("utf-8")
        for m in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)
    ]


def html_count_cells(html: str) -> list[str]:
    """Every table cell marked as a count of patients (class "count")."""
    doc = read_html(html)
    return [
        text
        for table in doc.tables
        for row in table["rows"]
        for text, classes in row
        if "count" in classes
    ]
