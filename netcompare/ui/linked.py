"""A page's own choices (funnel method, SPC rule, notes filters) kept in the URL as codes.

Streamlit's ``bind="query-params"`` writes a widget's ``format_func`` label into the URL
(streamlit issue #14224), so a link would carry "Inverted Wilson, no over-dispersion
(PHEindicatormethods)" instead of ``wilson`` and a practice's name instead of its code. These
widgets read the link once per session (a code, or the label an old link carried, see
:func:`netcompare.ui.links.resolve_code`), say so when the link asks for something the page
does not offer, and write the chosen codes back after drawing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from netcompare.text import literal
from netcompare.ui.links import resolve_code

_READ = "_linked_read"  # the keys whose link this session has read


def _first_read(key: str) -> bool:
    read: set[str] = st.session_state.setdefault(_READ, set())
    if key in read:
        return False
    read.add(key)
    return True


def _warn(label: str, asked: str) -> None:
    st.warning(
        literal(f"This link asks for “{asked}” as {label.lower()}, which this page does not offer.")
    )


def _labels(options: Sequence[Any], format_func: Callable[[Any], str]) -> dict[str, str]:
    return {str(o): str(format_func(o)) for o in options}


def linked_choice(
    widget: Callable[..., Any],
    label: str,
    options: Sequence[Any],
    *,
    key: str,
    format_func: Callable[[Any], str] = str,
    default: Any = None,
    initial: Any = None,
    **kwargs: Any,
) -> Any:
    """``widget`` (``st.selectbox``, ``st.radio`` or a column's) whose value the URL holds
    as its code; ``default`` (else the first option) is left out of the URL. ``initial``
    (else the default) is the value shown before the user or a link chose one."""
    options = list(options)
    fallback = default if default in options else (options[0] if options else None)
    if _first_read(key) and key in st.query_params:
        asked = st.query_params[key]
        code = resolve_code(asked, [str(o) for o in options], _labels(options, format_func))
        if code is None:
            _warn(label, asked)
        else:
            st.session_state[key] = options[[str(o) for o in options].index(code)]
    if st.session_state.get(key) not in options:
        st.session_state[key] = initial if initial in options else fallback
    value = widget(label, options, key=key, format_func=format_func, **kwargs)
    if value is None or value == fallback:
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)
    return value


def linked_multiselect(
    widget: Callable[..., Any],
    label: str,
    options: Sequence[str],
    *,
    key: str,
    format_func: Callable[[str], str] = str,
    link_name: Callable[[str], str] = str,
    **kwargs: Any,
) -> list[str]:
    """A multiselect whose chosen codes the URL holds (one ``key=code`` each), each written
    as ``link_name`` says (a practice the screen shows as a letter: the letter)."""
    options = list(options)
    if _first_read(key) and key in st.query_params:
        chosen = []
        for asked in st.query_params.get_all(key):
            code = resolve_code(asked, options, _labels(options, format_func))
            if code is None:
                _warn(label, asked)
            elif code not in chosen:
                chosen.append(code)
        st.session_state[key] = chosen
    st.session_state[key] = [v for v in st.session_state.get(key) or [] if v in options]
    values = list(widget(label, options, key=key, format_func=format_func, **kwargs))
    written = [link_name(v) for v in values]
    if st.query_params.get_all(key) != written:
        if written:
            st.query_params[key] = written
        else:
            st.query_params.pop(key, None)
    return values
