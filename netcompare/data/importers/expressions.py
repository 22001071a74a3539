"""Polars expressions the importers share: text built from columns.

(Numbers written as text are read by :func:`netcompare.data.inputs.number_value`.)
"""

from __future__ import annotations

import polars as pl


def text_format(template: str, *args: str | pl.Expr) -> pl.Expr:
    """Like ``pl.format``: each "{}" in ``template`` takes the next column (name or expression).

    Built from ``pl.concat_str`` because ``pl.format`` panics in polars 2.1 on some filtered
    frames of text read from CSV. As with ``pl.format``, a null argument gives a null result.
    """
    pieces = template.split("{}")
    if len(pieces) != len(args) + 1:
        raise ValueError(f"{template!r} needs {len(pieces) - 1} arguments, got {len(args)}")
    exprs: list[pl.Expr] = []
    for piece, arg in zip(pieces, [*args, None], strict=True):
        if piece:
            exprs.append(pl.lit(piece))
        if arg is not None:
            exprs.append(pl.col(arg) if isinstance(arg, str) else arg)
    return pl.concat_str(exprs)
