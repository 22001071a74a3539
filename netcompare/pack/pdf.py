"""The meeting pack as an A4 portrait PDF, with fpdf2 and the bundled DejaVu Sans.

Why fpdf2: it is a pure-Python wheel (``pip install fpdf2``; its dependencies fontTools,
Pillow and defusedxml are wheels too), so a laptop with no browser, LaTeX, Cairo or Pango
makes the same PDF as a server. It embeds TrueType fonts as subsets (only the glyphs used),
wraps table cells, repeats a table's heading row on each page and writes a PDF outline.
Charts arrive as PNG images rendered by vl-convert from the app's own Altair charts.

Text is drawn in DejaVu Sans (``netcompare/pack/fonts``, licence there), which covers Latin,
Greek, Cyrillic, the arrows and symbols the app uses (✔ ▲ ✖ ◆ ↑ ↓ → Σ φ τ²) and much more.
A character the font lacks (an emoji, a CJK ideograph in a note) is drawn as U+FFFD "�"
instead of failing or vanishing silently (:func:`printable`); bidirectional controls and other
control characters are removed first.

Layout for a projector as much as for paper: headings 20-28 pt, body 11 pt, tables 8 pt
with long names wrapped, a page break before each indicator, and the network, period and page
number in every footer.
"""

from __future__ import annotations

import contextlib
import functools
import io
import struct
import unicodedata
from collections.abc import Iterator

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from fpdf.image_parsing import SETTINGS as IMAGE_SETTINGS

from netcompare.pack.model import (
    BODY,
    CAPTION,
    LEAD,
    NOTE,
    NOTE_HEADER,
    SUBHEADING,
    WARNING,
    Figure,
    MeetingPack,
    Paragraph,
    Section,
    Table,
    render_all,
)
from netcompare.pack.render import FONT_DIR
from netcompare.text import strip_bidi

REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FAMILY = "DejaVu"
REPLACEMENT = "\ufffd"

MARGIN = 12.0  # mm
FOOTER_HEIGHT = 12.0
INK = (20, 20, 20)
GREY = (85, 85, 85)
WARN_INK = (120, 30, 0)
WARN_FILL = (253, 240, 225)
NOTE_FILL = (240, 244, 250)
HEAD_FILL = (225, 230, 238)

SIZES = {
    BODY: 11.0,
    LEAD: 13.5,
    CAPTION: 8.5,
    NOTE: 11.0,
    NOTE_HEADER: 9.0,
    WARNING: 10.5,
    SUBHEADING: 14.0,
}
TABLE_SIZE = 8.0


@functools.cache
def _covered() -> frozenset[int]:
    """The code points both bundled fonts can draw."""
    from fontTools.ttLib import TTFont

    points: set[int] | None = None
    for path in (REGULAR, BOLD):
        cmap = set(TTFont(path, lazy=True).getBestCmap())
        points = cmap if points is None else points & cmap
    return frozenset(points or ())


def printable(text: str) -> str:
    """``text`` as the PDF can draw it: bidi and control characters removed (tabs become
    spaces, line breaks kept), every character the font lacks replaced by U+FFFD."""
    covered = _covered()
    out = []
    for ch in strip_bidi(text).replace("\r\n", "\n").replace("\t", " "):
        if ch == "\n":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(ch if ord(ch) in covered else REPLACEMENT)
    return "".join(out)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG image, from its header (IHDR)."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


class _PackPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = printable(footer_text)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + FOOTER_HEIGHT)
        self.add_font(FAMILY, "", str(REGULAR))
        self.add_font(FAMILY, "B", str(BOLD))
        self.set_font(FAMILY, "", SIZES[BODY])
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-(MARGIN + 4))
        self.set_font(FAMILY, "", 8.5)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*INK)

    @property
    def bottom(self) -> float:
        return self.h - MARGIN - FOOTER_HEIGHT

    def room(self) -> float:
        return self.bottom - self.get_y()

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit on this one."""
        if self.room() < height:
            self.add_page()


def _paragraph(pdf: _PackPDF, p: Paragraph) -> None:
    size = SIZES.get(p.style, SIZES[BODY])
    text = printable(p.text)
    line = size * 0.5
    bold = p.style in (LEAD, SUBHEADING, NOTE_HEADER, WARNING)
    pdf.set_font(FAMILY, "B" if bold else "", size)
    if p.style == SUBHEADING:
        pdf.need(22)
        pdf.ln(3)
    elif p.style == NOTE_HEADER:
        pdf.need(20)
        pdf.ln(1.5)
    colour = {CAPTION: GREY, NOTE_HEADER: GREY, WARNING: WARN_INK}.get(p.style, INK)
    pdf.set_text_color(*colour)
    fill = {WARNING: WARN_FILL, NOTE: NOTE_FILL}.get(p.style)
    indent = 4.0 if p.style in (NOTE, NOTE_HEADER) else 0.0
    pdf.set_x(pdf.l_margin + indent)
    if fill:
        pdf.set_fill_color(*fill)
    pdf.multi_cell(
        pdf.epw - indent,
        line,
        text,
        fill=bool(fill),
        align="L",
        padding=(1.5, 2) if fill else 0,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*INK)
    pdf.ln(1.0 if p.style in (NOTE_HEADER,) else 2.0)


def _table(pdf: _PackPDF, t: Table) -> None:
    if not t.rows:
        return
    pdf.set_font(FAMILY, "", TABLE_SIZE)
    widths = t.widths or tuple(1.0 for _ in t.columns)
    align = tuple("RIGHT" if i in t.numeric_columns else "LEFT" for i in range(len(t.columns)))
    pdf.need(20)
    pdf.set_fill_color(255, 255, 255)  # rows are not filled (the colour of a note would be)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        text_align=align,
        line_height=TABLE_SIZE * 0.5,
        padding=1.0,
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
        borders_layout="HORIZONTAL_LINES",
        first_row_as_headings=True,
        repeat_headings=1,
    ) as table:
        head = table.row()
        for name in t.columns:
            head.cell(printable(name))
        for i, cells in enumerate(t.rows):
            row = table.row()
            style = FontFace(emphasis="BOLD") if i in t.bold_rows else None
            for cell in cells:
                row.cell(printable(cell), style=style)
    pdf.ln(1.5)
    if t.caption:
        _paragraph(pdf, Paragraph(t.caption, CAPTION))
    else:
        pdf.ln(1.5)


@contextlib.contextmanager
def _fast_images() -> Iterator[None]:
    """Images compressed at zlib level 1 while this PDF is written: charts are flat colour,
    so the file is hardly larger, and writing it is several times faster than level 6."""
    saved = IMAGE_SETTINGS.compression_level
    IMAGE_SETTINGS.compression_level = 1
    try:
        yield
    finally:
        IMAGE_SETTINGS.compression_level = saved


def _figure_size(pdf: _PackPDF, f: Figure) -> tuple[float, float]:
    """The chart's width and height on the page (mm): the page's width, or less when that
    would be taller than a page."""
    px_w, px_h = png_size(f.png())
    width = pdf.epw
    height = width * px_h / px_w
    full = pdf.bottom - pdf.t_margin
    if height > full:
        width, height = width * full / height, full
    return width, height


# A chart that does not fit the rest of a page is drawn smaller to fit, down to this share of
# its size (its text stays ~7 pt or more), rather than leave most of the page empty.
MIN_SHRINK = 0.68
HEADING_MM = 15.0  # a subheading's height, kept with the chart it heads
KEEP_MM = 14.0  # room kept under a chart for the first lines of its words


def _fitted(pdf: _PackPDF, f: Figure, room: float) -> tuple[float, float] | None:
    """The chart's size to fit ``room`` mm of height on this page, or None (a new page)."""
    width, height = _figure_size(pdf, f)
    if height + 2 <= room:
        return width, height
    shrink = (room - 2) / height
    if shrink >= MIN_SHRINK:
        return width * shrink, height * shrink
    return None


def _figure(pdf: _PackPDF, f: Figure, keep: float = 0.0) -> None:
    """Draw a chart, with ``keep`` mm left below it on the same page (for its words)."""
    png = f.png()
    size = _fitted(pdf, f, pdf.room() - keep)
    if size is None:
        pdf.add_page()
        size = _figure_size(pdf, f)
    width, height = size
    x = pdf.l_margin + (pdf.epw - width) / 2
    pdf.image(io.BytesIO(png), x=x, w=width, h=height, alt_text=printable(f.summary))
    pdf.set_y(pdf.get_y() + 2)


def _heading(pdf: _PackPDF, text: str) -> None:
    pdf.need(50)
    pdf.start_section(printable(text), level=0)
    pdf.set_font(FAMILY, "B", 20)
    pdf.multi_cell(0, 9, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _cover(pdf: _PackPDF, pack: MeetingPack) -> None:
    pdf.add_page()
    pdf.start_section("Cover", level=0)
    pdf.set_font(FAMILY, "B", 28)
    pdf.multi_cell(0, 12, printable(pack.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 15)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(0, 8, printable(pack.subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.ln(4)


def _section(pdf: _PackPDF, section: Section, first: bool) -> None:
    if not first:
        if section.new_page:
            pdf.add_page()
        else:
            pdf.ln(4)
        _heading(pdf, section.heading)
    blocks = section.blocks
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if isinstance(block, Paragraph) and block.style == SUBHEADING:
            # keep a heading with what it heads: a chart's height, or a table's first rows
            if isinstance(following, Figure):
                after = blocks[i + 2] if i + 2 < len(blocks) else None
                keep = HEADING_MM + (KEEP_MM if isinstance(after, Paragraph) else 0.0)
                if _fitted(pdf, following, pdf.room() - keep) is None:
                    pdf.add_page()
            elif isinstance(following, Table):
                pdf.need(45)
            else:
                pdf.need(28)
        if isinstance(block, Paragraph):
            _paragraph(pdf, block)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Figure):
            _figure(pdf, block, keep=KEEP_MM if isinstance(following, Paragraph) else 0.0)


def pack_pdf(pack: MeetingPack) -> bytes:
    """The pack as PDF bytes (A4 portrait)."""
    render_all(pack.figures(), "png")
    pdf = _PackPDF(pack.footer)
    pdf.set_title(printable(pack.title))
    pdf.set_subject(printable(pack.subtitle))
    pdf.set_creator("netcompare")
    pdf.set_lang("en-GB")
    with _fast_images():
        _cover(pdf, pack)
        for i, section in enumerate(pack.sections):
            _section(pdf, section, first=i == 0)
        return bytes(pdf.output())
