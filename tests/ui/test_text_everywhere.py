"""Everything a page shows from data or notes goes through ``literal()``.

Streamlit renders Markdown (and its own directives and shortcodes) in titles, headers,
captions, alerts, expander and tab labels, widget labels, radio options and help tooltips. A
practice name, an indicator name, a data set's name, a problem message quoting a cell, a
note's author: any of them reaching those unescaped would be rendered. This test reads the
source of the app's pages and UI modules and fails on any such call whose text is not a plain
constant or built only from constants, numbers and ``literal(...)``. (The browser test with a
hostile data set checks the result on the rendered pages.)
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "netcompare" / "ui").glob("*.py")]
)

# Streamlit calls whose first argument (body or label) is rendered as Markdown.
MARKDOWN_FIRST_ARG = {
    "title", "header", "subheader", "caption", "markdown", "write", "info", "warning",
    "error", "success", "toast", "expander", "metric", "popover", "button", "download_button",
    "link_button", "page_link", "checkbox", "toggle", "radio", "selectbox", "multiselect",
    "text_input", "text_area", "number_input", "date_input", "slider", "select_slider",
    "segmented_control", "pills", "file_uploader", "form_submit_button", "status", "badge",
}  # fmt: skip
# Keyword arguments rendered as Markdown.
MARKDOWN_KEYWORDS = {"help", "label", "body", "placeholder_markdown"}
# Widgets whose options (as format_func gives them) are rendered as Markdown.
MARKDOWN_OPTIONS = {"radio", "pills", "segmented_control", "select_slider", "tabs"}
# Functions whose result is safe text.
SAFE_CALLS = {"literal", "literal_lines", "note_header_markdown", "note_markdown"}


def _constants(tree: ast.Module) -> set[str]:
    """Module-level names bound to a string constant (e.g. a CSS block written in the file)."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _safe(node: ast.expr, constants: frozenset[str] = frozenset()) -> bool:
    """Text built only from constants, numbers with a format, and literal(...) calls."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.JoinedStr):
        return all(_safe(v, constants) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        spec = node.format_spec
        numeric = spec is not None and any(
            isinstance(v, ast.Constant) and v.value and v.value[-1] in ",d%f" for v in spec.values
        )
        return numeric or _safe(node.value, constants)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in SAFE_CALLS or (name in {"len", "int", "round"})
    if isinstance(node, ast.BinOp):
        return _safe(node.left, constants) and _safe(node.right, constants)
    if isinstance(node, ast.IfExp):
        return _safe(node.body, constants) and _safe(node.orelse, constants)
    if isinstance(node, ast.BoolOp):
        return all(_safe(v, constants) for v in node.values)
    return False


def _streamlit_call(node: ast.Call) -> str | None:
    func = node.func
    # st.x(...), st.sidebar.x(...), col.x(...) for any container: the method name decides.
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def unsafe_calls() -> list[str]:
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = frozenset(_constants(tree))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _streamlit_call(node)
            if name not in MARKDOWN_FIRST_ARG:
                continue
            args = list(node.args[:1]) + [
                k.value for k in node.keywords if k.arg in MARKDOWN_KEYWORDS
            ]
            if name in MARKDOWN_OPTIONS:
                for k in node.keywords:
                    if k.arg == "format_func":
                        # The options as shown: a lambda's body, or an unknown function.
                        args.append(k.value.body if isinstance(k.value, ast.Lambda) else k.value)
                if name == "tabs" and node.args and isinstance(node.args[0], ast.List):
                    args.extend(node.args[0].elts)
                    args.remove(node.args[0])
            for arg in args:
                if isinstance(arg, ast.Starred) or _safe(arg, constants):
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append(f"{where} {name}({ast.unparse(arg)[:70]})")
    return found


def test_every_markdown_text_is_a_constant_or_literal():
    assert unsafe_calls() == []
