"""Every page on a hostile data set with hostile notes (issue 13, point 3), in AppTest: every
element the page sends (titles, headers, captions, alerts, labels, options, help) carries
the hostile text only in escaped form, and shows it as typed; every CSV download is safe in
a spreadsheet. (tests/browser/test_hostile_browser.py checks the rendered pages and their
requests in Chromium.)"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import polars as pl
import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from netcompare.data.load import load_dataset
from netcompare.notes import open_notes_store
from tests.app.apptest_reading import drawn_charts, no_exception, shown
from tests.app.conftest import APP
from tests.app.test_csv_downloads import RISKY
from tests.hostile import RLO, write_hostile_dataset, write_hostile_notes

PAGES = [
    "pages/overview.py",
    "pages/league.py",
    "pages/funnel.py",
    "pages/trends.py",
    "pages/networks.py",
    "pages/notes.py",
    "pages/data.py",
    "pages/profile.py",
]
# What the hostile text would be if it reached Markdown unescaped.
LIVE_MARKUP = [
    re.escape(m)
    for m in (
        "![x](",
        ":material/",
        ":red[",
        ":blue-badge[",
        ":smile:",
        "**bold**",
        "`code`",
        "$x^2$",
        "[click](",
        "http://",
        "www.",
        "a@b",
        RLO,
    )
] + [r"(?<!\\)<img", r"(?<!\\)<script"]


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hostile data set as NETCOMPARE_DATA, the notes store seeded with hostile notes."""
    folder = write_hostile_dataset(tmp_path / "hostile")
    url = f"sqlite:///{tmp_path / 'hostile-notes.db'}"
    open_notes_store(url, seed=write_hostile_notes(tmp_path / "notes.csv")).close()
    monkeypatch.setenv("NETCOMPARE_DATA", str(folder))
    monkeypatch.setenv("NETCOMPARE_DB_URL", url)
    return folder


def _markdown_fields(at: AppTest) -> list[str]:
    """Every text field of every element of the last run (protobuf text, UTF-8)."""

    def walk(node: object) -> list[str]:
        proto = getattr(node, "proto", None)
        out = [text_format.MessageToString(proto, as_utf8=True)] if proto is not None else []
        for child in getattr(node, "children", {}).values():
            out.extend(walk(child))
        return out

    return walk(at._tree)


def _run(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["network"] = "N1"
    at.run()
    at.switch_page(page).run()
    no_exception(at)
    return at


@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_reaches_every_page_escaped(hostile: Path, page: str) -> None:
    at = _run(page)
    sent = "\n".join(_markdown_fields(at))
    # Markdown elements and labels (the Markdown kinds; table cells and chart data are
    # plain text and carry the names as they are, which is right).
    markdown = (
        [
            str(e.value)
            for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning")
            for e in getattr(at, kind)
        ]
        + [str(e.label) for e in at.expander]
        + [str(e.label) for e in at.radio]
    )
    live = [(m, text) for text in markdown for m in LIVE_MARKUP if re.search(m, text)]
    assert not live, live[:5]
    assert RLO not in sent


def test_titles_and_notes_show_the_hostile_text_as_typed(hostile: Path) -> None:
    data = load_dataset(hostile)
    [name] = data.indicators.filter(pl.col("indicator_id") == "IMM_MMR1")["name"].to_list()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"network": "ALL", "indicator": "IMM_MMR1"})
    at.run()
    at.switch_page("pages/league.py").run()
    no_exception(at)
    assert shown(at.title[0].value) == f"League table: {name}"
    at.switch_page("pages/notes.py").run()
    no_exception(at)
    headers = [shown(str(m.value)) for m in at.markdown]
    # A hostile author shown literally in a note header (seeded authors are hostile(500+i)).
    assert any(":red[Danger] Colour" in h or "![x](http://127.0.0.1:9/img" in h for h in headers)
    bodies = [t.value for t in at.text]
    assert any("line three" in b for b in bodies)  # bodies are plain st.text


@pytest.mark.parametrize("page", PAGES)
def test_every_download_is_safe_in_a_spreadsheet(
    hostile: Path,
    downloads: dict[str, bytes],
    page: str,
) -> None:
    _run(page)
    csvs = {n: d for n, d in downloads.items() if n.endswith(".csv")}
    for data in csvs.values():
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
            for cell in row:
                if cell.startswith(RISKY):
                    float(cell)  # only a number may start with a sign
    if page in ("pages/league.py", "pages/data.py"):
        assert csvs, f"{page} offers no CSV download"


def test_hostile_interventions_on_trends_stay_text(hostile: Path) -> None:
    """The sample's dated note for P003 / MMR1, with a hostile body, is drawn on the Trends
    charts and judged under "Did it work?": its label and the verdict words are escaped where
    Markdown renders, its full text is plain text, and the chart carries it as data."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"network": "N1", "indicator": "IMM_MMR1", "practice": "P003"})
    at.run()
    at.switch_page("pages/trends.py").run()
    no_exception(at)
    assert "Did it work?" in [shown(h.value) for h in at.header]
    markdown = [str(m.value) for m in at.markdown]
    live = [(m, text) for text in markdown for m in LIVE_MARKUP if re.search(m, text)]
    assert not live, live[:5]
    verdicts = [shown(t) for t in markdown if shown(t).startswith("Since “")]
    assert verdicts, markdown
    bodies = [t.value for t in at.text if "line three" in t.value]
    assert bodies  # the note's full text, as typed
    carried = [
        json.dumps(c.spec, ensure_ascii=False)
        + json.dumps([f.to_dicts() for f in (c.top_data, *c.datasets.values()) if f is not None])
        for c in drawn_charts(at)
    ]
    # on the trend chart and the SPC chart: the full hostile text as data, for the hover
    assert sum(json.dumps(bodies[0], ensure_ascii=False)[1:-1] in c for c in carried) == 2
