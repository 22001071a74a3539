"""The meeting pack as one self-contained HTML file: it opens offline, in any browser.

Everything is inside the file: the CSS is inline, each chart is the app's Altair chart
rendered to SVG by vl-convert and embedded as a ``data:image/svg+xml`` image (an SVG in an
``<img>`` runs no script and fetches nothing), and no ``src`` or ``href`` points outside the
file. Every text from data or notes is escaped with :func:`html.escape`, so a practice name
or a note reading ``<img src=…>`` is shown as those characters.

Sized for a projector: 20 px body text, 1200 px wide at most, one indicator per section with
a page break before each when printed.
"""

from __future__ import annotations

import base64
from html import escape

from netcompare.pack.model import (
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
from netcompare.text import strip_bidi

CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Source Sans Pro", Arial, Helvetica, sans-serif;
  font-size: 20px; line-height: 1.45; color: #141414; background: #fff; margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 64px; }
header.cover h1 { font-size: 2.3em; margin: 0.2em 0 0.1em; }
header.cover p.subtitle { font-size: 1.2em; color: #444; margin: 0 0 1em; }
h2 { font-size: 1.6em; margin: 1.6em 0 0.5em; border-bottom: 3px solid #0b4f8a;
  padding-bottom: 0.15em; }
h3 { font-size: 1.2em; margin: 1.2em 0 0.4em; }
p { margin: 0.4em 0 0.7em; }
p.lead { font-size: 1.15em; font-weight: bold; }
p.caption { font-size: 0.8em; color: #444; }
p.warning { background: #fdf0e1; color: #782000; font-weight: bold; padding: 0.5em 0.8em;
  border-left: 6px solid #b34a00; }
p.note-header { font-size: 0.85em; color: #444; font-weight: bold; margin: 1em 0 0.1em 1em; }
p.note { background: #f0f4fa; padding: 0.5em 0.8em; margin-left: 1em; white-space: pre-wrap;
  border-left: 4px solid #0b4f8a; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 0.3em; font-size: 0.8em; }
th, td { text-align: left; padding: 0.3em 0.5em; border-bottom: 1px solid #bbb;
  vertical-align: top; overflow-wrap: break-word; }
th { background: #e1e6ee; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.bold td { font-weight: bold; }
figure { margin: 0.8em 0; }
figure img { max-width: 100%; height: auto; display: block; }
nav ol { columns: 2; font-size: 0.85em; }
nav a { color: #0b4f8a; }
footer { margin-top: 3em; font-size: 0.8em; color: #444; border-top: 1px solid #bbb; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section.new-page { break-before: page; }
  figure, table, p.note { break-inside: avoid; }
  nav { display: none; }
}
"""

STYLE_CLASSES = {
    CAPTION: "caption",
    LEAD: "lead",
    NOTE: "note",
    NOTE_HEADER: "note-header",
    WARNING: "warning",
}


def _text(text: str) -> str:
    """Plain text as HTML: bidi controls removed, every markup character escaped."""
    return escape(strip_bidi(text), quote=True)


def _paragraph(p: Paragraph) -> str:
    if p.style == SUBHEADING:
        return f"<h3>{_text(p.text)}</h3>"
    cls = STYLE_CLASSES.get(p.style)
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{_text(p.text)}</p>"


def _table(t: Table) -> str:
    if not t.rows:
        return ""

    def cls(i: int) -> str:
        names = ["num"] if i in t.numeric_columns else []
        if i in t.count_columns:
            names.append("count")
        return f' class="{" ".join(names)}"' if names else ""

    head = "".join(f'<th{cls(i)} scope="col">{_text(c)}</th>' for i, c in enumerate(t.columns))
    body = []
    for r, row in enumerate(t.rows):
        row_cls = ' class="bold"' if r in t.bold_rows else ""
        cells = "".join(f"<td{cls(i)}>{_text(c)}</td>" for i, c in enumerate(row))
        body.append(f"<tr{row_cls}>{cells}</tr>")
    out = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    if t.caption:
        out += _paragraph(Paragraph(t.caption, CAPTION))
    return out


def _figure(f: Figure) -> str:
    svg = base64.b64encode(f.svg().encode("utf-8")).decode("ascii")
    return f'<figure><img src="data:image/svg+xml;base64,{svg}" alt="{_text(f.summary)}"></figure>'


def _section(section: Section, first: bool) -> str:
    parts = []
    for block in section.blocks:
        if isinstance(block, Paragraph):
            parts.append(_paragraph(block))
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Figure):
            parts.append(_figure(block))
    body = "\n".join(parts)
    if first:
        return body
    cls = "new-page" if section.new_page else ""
    anchor = f' id="{_text(section.anchor)}"' if section.anchor else ""
    return f'<section class="{cls}"{anchor}>\n<h2>{_text(section.heading)}</h2>\n{body}\n</section>'


def pack_html(pack: MeetingPack) -> str:
    """The pack as one HTML document (a string): inline CSS, charts as embedded SVG."""
    render_all(pack.figures(), "svg")
    contents = "".join(
        f'<li><a href="#{_text(s.anchor)}">{_text(s.heading)}</a></li>'
        for s in pack.sections[1:]
        if s.anchor
    )
    cover = _section(pack.sections[0], True) if pack.sections else ""
    rest = "\n".join(_section(s, False) for s in pack.sections[1:])
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="netcompare">
<title>{_text(pack.title)} · {_text(pack.period_label)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header class="cover">
<h1>{_text(pack.title)}</h1>
<p class="subtitle">{_text(pack.subtitle)}</p>
</header>
{cover}
<nav aria-label="Contents"><h2>Contents</h2><ol>{contents}</ol></nav>
{rest}
<footer><p>{_text(pack.footer)} · prepared {pack.prepared:%d %B %Y} with netcompare</p></footer>
</main>
</body>
</html>
"""
