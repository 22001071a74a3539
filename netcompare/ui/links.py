"""What a link to a view says: stable codes in the URL, and how an old or foreign value is read.

A link names the data set by its key, the network, indicator and practice by their ids and the
period as ``2026-09`` (a month), ``2022`` (a calendar year) or ``2022-23`` (a financial year).
Links written before codes were used carry the labels the sidebar shows ("Canal Basin",
"Mar 2026"): :func:`resolve_code` still reads them, so an old link opens the same view.

Nothing here draws anything; :mod:`netcompare.ui.filters` asks these functions and shows the
result. Streamlit's own ``bind="query-params"`` writes a selectbox's ``format_func`` label into
the URL (streamlit issue #14224), which is why the sidebar does not use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from netcompare.views.format import period_label

PERIOD_MONTH = "month"
PERIOD_YEAR = "year"
PERIOD_FINANCIAL_YEAR = "financial_year"

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


def period_code(period: dt.date, period_type: str | None = PERIOD_MONTH) -> str:
    """The period as a link writes it: ``2026-09``, ``2022`` or ``2022-23`` (April to March)."""
    if period_type in (PERIOD_YEAR, PERIOD_FINANCIAL_YEAR):
        return period_label(period, period_type)
    return f"{period.year:04d}-{period.month:02d}"


def period_aliases(periods: Sequence[dt.date], period_type: str | None) -> dict[str, str]:
    """Every way a link may name a period (its code, the ISO date, the label an old link
    carried, "Sep 2026"), each mapped to the ISO date the period selectbox holds."""
    aliases: dict[str, str] = {}
    for p in periods:
        iso = p.isoformat()
        for name in (iso, p.strftime("%b %Y"), period_label(p, period_type or PERIOD_MONTH)):
            aliases.setdefault(name, iso)
        aliases[period_code(p, period_type)] = iso
    return aliases


def resolve_code(
    asked: str,
    codes: Sequence[str],
    labels: Mapping[str, str],
    aliases: Mapping[str, str] | None = None,
) -> str | None:
    """The option a link asks for: a code as it is, else a label (an old link), else an
    alias; then the same ignoring case. None when nothing matches, or when a label names more
    than one option (two practices of one name: only the code says which)."""
    if asked in codes:
        return asked
    known = set(codes)
    by_name: dict[str, str | None] = {}
    for code, label in labels.items():
        if code in known:
            by_name[label] = None if label in by_name and by_name[label] != code else code
    for name, code in (aliases or {}).items():
        if code in known:
            by_name.setdefault(name, code)
    if asked in by_name:
        return by_name[asked]
    folded: dict[str, str | None] = {}
    for name, code in [*((c, c) for c in codes), *by_name.items()]:
        if code is None:
            continue
        key = name.casefold()
        folded[key] = None if key in folded and folded[key] != code else code
    return folded.get(asked.casefold())


def read_switch(asked: str) -> bool | None:
    """A switch in a link: ``true``/``false`` (also 1/0, yes/no, on/off); None if neither."""
    word = asked.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None
