"""A hostile data set and hostile notes: the sample borough with every text field replaced by
Markdown, HTML, Streamlit directives and shortcodes, autolinks, bidirectional controls and
spreadsheet formulas (issue 13, point 3).

Every name is different, so a test can say which one leaked. Anything that would make a
browser fetch points at ``127.0.0.1:9`` (the discard port; not the app's server), so a test
recording requests sees it; the codes (practice, network and indicator ids) and the numbers
stay those of the sample, so every page has something to draw.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
OFF_SERVER = "127.0.0.1:9"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "LLIH" shows as "HILL"
SKULL = "skull"  # a Material icon the app itself never uses

# Each is a template: {n} makes it unique. Together they cover Markdown images, links and
# emphasis, raw HTML, Streamlit's icons, colour and badge directives, emoji shortcodes, LaTeX,
# GFM autolinks, bidi overrides and the formula prefixes = + - @ tab and carriage return.
HOSTILE = [
    f"![x](http://{OFF_SERVER}/img{{n}}.png) Image {{n}}",
    f"<img src=http://{OFF_SERVER}/html{{n}}.png> Html {{n}}",
    f":material/{SKULL}: Icon {{n}}",
    ":red[Danger] Colour {n}",
    ":blue-badge[Verified] Badge {n}",
    f'=HYPERLINK("http://{OFF_SERVER}/f{{n}}","go") Formula {{n}}',
    f"{RLO}LLIH Reversed {{n}}",
    "**bold** _it_ `code` $x^2$ Emphasis {n}",
    f"[click](http://{OFF_SERVER}/link{{n}}) Link {{n}}",
    "www.evil.example a@b.example :smile: Autolink {n}",
    "+SUM(1) Plus {n}",
    "-2+3 Minus {n}",
    "@cmd At {n}",
    "\tTab {n}",
    "# Heading {n}",
    "<script>alert(1)</script> Script {n}",
]


def hostile(n: int) -> str:
    """The ``n``-th hostile name (cycling through :data:`HOSTILE`)."""
    return HOSTILE[n % len(HOSTILE)].format(n=n)


def write_hostile_dataset(folder: Path) -> Path:
    """The sample data set with hostile names, care packages, descriptions, sources and
    areas, written to ``folder`` (a data-set folder the app loads); returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(10_000))
    networks = pl.read_csv(SAMPLE / "networks.csv", infer_schema=False)
    networks = networks.with_columns(
        network_name=pl.Series([hostile(next(counter)) for _ in range(networks.height)]),
        parent_area=pl.lit(hostile(next(counter))),
    )
    practices = pl.read_csv(SAMPLE / "practices.csv", infer_schema=False)
    practices = practices.with_columns(
        practice_name=pl.Series([hostile(next(counter)) for _ in range(practices.height)])
    )
    indicators = pl.read_csv(SAMPLE / "indicators.csv", infer_schema=False)
    packages = {
        p: hostile(next(counter)) for p in indicators["care_package"].unique(maintain_order=True)
    }
    indicators = indicators.with_columns(
        name=pl.Series([hostile(next(counter)) for _ in range(indicators.height)]),
        care_package=pl.col("care_package").replace_strict(packages),
        description=pl.Series([hostile(next(counter)) for _ in range(indicators.height)]),
        source=pl.lit(hostile(next(counter))),
    )
    networks.write_csv(folder / "networks.csv")
    practices.write_csv(folder / "practices.csv")
    indicators.write_csv(folder / "indicators.csv")
    shutil.copy(SAMPLE / "values.csv", folder / "values.csv")
    meta = {
        "name": hostile(next(counter)),
        "source": hostile(next(counter)),
        "licence": hostile(next(counter)),
    }
    (folder / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def write_hostile_notes(path: Path) -> Path:
    """The sample notes with hostile authors, bodies, tags and action owners (a notes CSV to
    seed from); the sample's actions and dated notes keep their dates, so the hostile text
    is also drawn on the trend and SPC charts as interventions."""
    with (SAMPLE / "notes.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        row["author"] = hostile(500 + i).replace("\t", " ")
        row["body"] = hostile(600 + i) + "\n" + hostile(700 + i) + "\nline three"
        row["tags"] = ";".join([hostile(800 + i)[:30], "recall"])
        if row.get("owner"):
            row["owner"] = hostile(900 + i).replace("\t", " ")[:80]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
