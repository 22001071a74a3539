"""The meeting pack as a plain value: sections of paragraphs, tables and figures.

:func:`netcompare.pack.build.build_pack` fills it from the views; :mod:`netcompare.pack.pdf`
and :mod:`netcompare.pack.html` render the same value, block by block, so the PDF and the HTML
file say the same things. Every string here is plain text (from data or notes as typed): the
HTML renderer escapes it, the PDF renderer draws it as text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import altair as alt

from netcompare.pack.render import register_fonts, submit

# Paragraph styles, as both renderers know them.
BODY = "body"
CAPTION = "caption"  # small grey text under a chart or table
LEAD = "lead"  # a larger first paragraph (the cover, a section's verdict)
NOTE = "note"  # a note's text (what a practice does, a question, an action)
NOTE_HEADER = "note_header"  # who and when, above a note
WARNING = "warning"  # something the reader must not miss (notes unavailable, suppression)
SUBHEADING = "subheading"

STYLES = (BODY, CAPTION, LEAD, NOTE, NOTE_HEADER, WARNING, SUBHEADING)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of plain text."""

    text: str
    style: str = BODY


@dataclass(frozen=True)
class Table:
    """A table of text cells, as shown; ``count_columns`` are the columns holding counts of
    patients (numerators, denominators), which the anonymised pack's rule applies to."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None  # relative column widths (None: equal)
    count_columns: tuple[int, ...] = ()
    numeric_columns: tuple[int, ...] = ()  # right-aligned
    bold_rows: tuple[int, ...] = ()  # e.g. the network's own row
    caption: str | None = None

    def column(self, name: str) -> list[str]:
        """The cells of one column, top to bottom."""
        i = self.columns.index(name)
        return [row[i] for row in self.rows]


# The charts' text in the pack: the PDF's own font, bundled, with every symbol the charts use
# (◆ ✔ ▲ ✖). The app's font (Source Sans) is served by Streamlit and is not on a laptop;
# without a font of its own vl-convert falls back glyph by glyph, to a serif for "◆".
CHART_FONT = "DejaVu Sans"


# 900 px across A4's 186 mm: ~120 dpi. The charts use the app's presentation sizes (18 px
# labels, about 10 pt on the page), so that is sharp enough on paper and more than a projector
# shows (an A4 page on a 768 px high screen is ~65 dpi); each 0.1 more costs ~0.1 s a pack.
PNG_SCALE = 1.0


@dataclass(frozen=True, eq=False)
class Figure:
    """A chart: the same Altair chart the app draws, rendered when a renderer asks.

    ``png()`` and ``svg()`` render once each (vl-convert) and keep the result: the PDF takes
    the PNG, the HTML file the SVG. ``summary`` is the chart's one-sentence summary (its text
    alternative) and ``width`` the width in pixels it is drawn at (0: the chart's own).
    """

    chart: alt.TopLevelMixin
    summary: str
    width: int = 720
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Inside ``netcompare.pack.render.rendering()``: drawn by a worker from now on.
        future = submit(self.spec, PNG_SCALE)
        if future is not None:
            self._cache["future"] = future

    def _from_worker(self) -> bool:
        """Take the worker's SVG and PNG, if one drew them (False: draw here)."""
        future = self._cache.pop("future", None)
        if future is None:
            return False
        try:
            svg, png = future.result()
        except Exception:  # a worker that died: the same drawing in this process
            return False
        self._cache["svg"], self._cache[f"png{PNG_SCALE}"] = svg, png
        return True

    @property
    def spec(self) -> dict[str, Any]:
        """The Vega-Lite spec as rendered (the chart's data included)."""
        if "spec" not in self._cache:
            # Not validated again (the app's charts are, by their tests), and sized on the
            # dict: ``properties()`` would deep-copy the chart and its data first.
            spec = self.chart.to_dict(validate=False)
            if self.width:
                spec["width"] = self.width
            elif spec.get("width") == "container":
                spec["width"] = 720
            spec.setdefault("background", "white")
            spec.setdefault("config", {})["font"] = CHART_FONT
            self._cache["spec"] = spec
        return self._cache["spec"]

    def svg(self) -> str:
        """The chart as an SVG document (rendered once)."""
        if "svg" not in self._cache and not self._from_worker():
            import vl_convert

            register_fonts()
            self._cache["svg"] = vl_convert.vegalite_to_svg(self.spec)
        return self._cache["svg"]

    def png(self, scale: float = PNG_SCALE) -> bytes:
        """The chart as a PNG image, drawn from its SVG (rendered once per scale)."""
        key = f"png{scale}"
        if key not in self._cache and not (scale == PNG_SCALE and self._from_worker()):
            import vl_convert

            self._cache[key] = vl_convert.svg_to_png(self.svg(), scale=scale)
        return self._cache[key]


Block = Paragraph | Table | Figure

RENDER_THREADS = 2


def render_all(figures: list[Figure], kind: str) -> None:
    """Render every figure (``"png"`` or ``"svg"``) before a renderer walks the pack, two at
    a time: vl-convert releases the interpreter while it draws, so this is faster than one
    at a time on a machine with two or more cores."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(RENDER_THREADS) as pool:
        list(pool.map(lambda f: f.png() if kind == "png" else f.svg(), figures))


@dataclass(frozen=True)
class Section:
    """A part of the pack under one heading; ``new_page`` starts it on a new PDF page."""

    heading: str
    blocks: tuple[Block, ...]
    new_page: bool = True
    anchor: str = ""  # an id for the HTML file's contents links


@dataclass(frozen=True)
class MeetingPack:
    """Everything a meeting pack says, for one network and period."""

    network_id: str
    network_name: str
    period: dt.date
    period_label: str
    title: str
    subtitle: str
    anonymised: bool
    prepared: dt.date
    indicator_ids: tuple[str, ...]
    sections: tuple[Section, ...]
    footer: str  # network and period, on every PDF page
    # What the anonymised pack's practices are called and which rule was applied (None: named)
    suppression_rule: str | None = None
    # The practice names that must not appear anywhere in an anonymised pack (for checks)
    withheld_names: tuple[str, ...] = field(default=(), repr=False)

    def blocks(self) -> list[Block]:
        """Every block of every section, in order."""
        return [b for s in self.sections for b in s.blocks]

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks() if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks() if isinstance(b, Table)]
