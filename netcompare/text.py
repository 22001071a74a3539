"""Text from data and notes, shown as text: never as Markdown, HTML or a Streamlit directive.

Streamlit renders Markdown in titles, headers, captions, alerts, expander and tab labels,
radio options, metric labels and help tooltips (Streamlit docs, ``st.markdown``: "GitHub-
flavored Markdown", emoji shortcodes, ``:material/icon:``, ``:color[text]`` and
``:color-badge[text]`` directives, ``$`` LaTeX). A practice name, indicator name, author or tag
is typed by someone else, so before it reaches any of those it goes through :func:`literal`:

* Markdown syntax is backslash-escaped (CommonMark 0.31 section 2.4, "Backslash escapes": any
  ASCII punctuation character may be escaped), so ``![x](http://…)`` is that text and never an
  image the browser fetches, and ``<b>`` is never HTML;
* a WORD JOINER (U+2060, invisible and zero-width; Unicode Standard Annex #14) follows every
  ``:`` and ``@`` and sits inside ``www.``: Streamlit expands ``:material/…:`` icons and
  ``:smile:`` shortcodes in the text *after* escapes are resolved, and GitHub's autolink
  extension turns ``http://…``, ``www.…`` and ``a@b.org`` into links (GFM spec 0.29,
  section 6.9 "Autolinks (extension)") whatever the escapes, so only a character between the
  parts stops them;
* bidirectional control characters are removed (:func:`strip_bidi`): a right-to-left override
  would show a practice's name reversed (Unicode Technical Report #36, "Bidirectional Text
  Spoofing"; the "Trojan Source" attacks, CVE-2021-42574).

:func:`literal` is for Markdown contexts only. Plain-text contexts (table cells, selectbox
options, chart text, CSV files) get :func:`strip_bidi` where the text is read, at load time.
"""

from __future__ import annotations

import re

# Unicode's explicit directional formatting characters (UAX #9 section 2): embeddings,
# overrides, isolates and their terminators, and the implicit marks LRM, RLM and ALM.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
BIDI_PATTERN = "[" + BIDI_CONTROLS + "]"
_BIDI = re.compile(BIDI_PATTERN)

WORD_JOINER = "\u2060"

# Escaped wherever they appear: emphasis, code, links and images, HTML and autolinks,
# strikethrough, LaTeX maths, tables, and the backslash itself.
_ALWAYS = set("\\`*_[]<>~$|")
# Escaped only where they act: block syntax at the start of a line (lists, headings, quotes,
# setext underlines, numbered items) and "&" where it would start an entity reference.
_LINE_START = re.compile(r"^(\s*)([-+=#>])")
_NUMBERED = re.compile(r"^(\s*\d+)([.)])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# Shortcodes, directives and autolinks: a word joiner after a colon or at-sign that is
# followed by what would continue one (":smile:", ":red\\[" once escaped, ":material/",
# "http://", "a@b.org"), and inside "www." (case-insensitive, as GFM matches it).
_AFTER = re.compile(r"([:@])(?=[\w/+\-\\])")
_WWW = re.compile(r"(?i)(www)(\.)")


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters (see the module docstring)."""
    return _BIDI.sub("", text)


def escape_markdown(text: str) -> str:
    """``text`` with Markdown syntax backslash-escaped, so it renders as typed (one paragraph
    per blank-line-separated block; :func:`escape_markdown_lines` keeps line breaks).

    Used for files written as Markdown (the notes export); for anything Streamlit renders,
    use :func:`literal`, which also stops Streamlit's own shortcodes and GFM autolinks.
    """
    lines = []
    for line in text.split("\n"):
        escaped = "".join("\\" + ch if ch in _ALWAYS else ch for ch in line)
        escaped = _ENTITY.sub(r"\\&", escaped)
        escaped = _LINE_START.sub(r"\1\\\2", escaped)
        escaped = _NUMBERED.sub(r"\1\\\2", escaped)
        lines.append(escaped)
    return "\n".join(lines)


def _unlink(escaped: str) -> str:
    escaped = _AFTER.sub(r"\1" + WORD_JOINER, escaped)
    return _WWW.sub(r"\1" + WORD_JOINER + r"\2", escaped)


def literal(text: object) -> str:
    """``text`` (anything: it is turned into a string) made safe for a Streamlit Markdown
    context: shown exactly as written, on one paragraph per blank-line-separated block."""
    return _unlink(escape_markdown(strip_bidi(str(text))))


def literal_lines(text: object, indent: str = "") -> str:
    """:func:`literal` keeping the line breaks of ``text`` (Markdown hard breaks), each line
    prefixed by ``indent``."""
    return _unlink(escape_markdown_lines(strip_bidi(str(text)), indent))


def escape_markdown_lines(text: str, indent: str = "") -> str:
    """Escaped ``text`` keeping its line breaks (hard breaks), each line prefixed ``indent``."""
    out = []
    lines = escape_markdown(text.replace("\r\n", "\n")).split("\n")
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        # A backslash at the end of a line is a hard line break in CommonMark; not before a
        # blank line or at the end, where it would show.
        hard = "\\" if line.strip() and nxt.strip() else ""
        out.append(f"{indent}{line.lstrip()}{hard}" if line.strip() else "")
    return "\n".join(out)
