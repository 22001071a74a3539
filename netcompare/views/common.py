"""Pieces every view shares: counts with or without exceptions, practice labels, captions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from netcompare.data.dataset import DataSet

ALL = "all"

# How practices are labelled: their names, their codes, or "Practice A, B, …".
LABEL_NAMES = "names"
LABEL_CODES = "codes"
LABEL_LETTERS = "letters"

SMALL_N = 10


@dataclass(frozen=True)
class ViewOptions:
    """What every view needs besides the indicator and period."""

    network_id: str = ALL  # the viewer's network ("their network"), or ALL
    net_of_exceptions: bool = False
    labels: str = LABEL_NAMES


@dataclass(frozen=True)
class PracticeRef:
    """A practice as a page links to it (its notes, its trend): id, label and network."""

    practice_id: str
    label: str
    network_id: str | None


def effective_counts(values: pl.DataFrame, net_of_exceptions: bool) -> pl.DataFrame:
    """Numerator and denominator as shown: all patients (default) or net of exceptions.

    Net of exceptions the denominator is ``denominator - exceptions`` (QOF's denominator);
    rows left with no patients get a null value rather than a division by zero.
    """
    den = pl.col("denominator")
    if net_of_exceptions:
        den = den - pl.col("exceptions").fill_null(0)
    return values.with_columns(
        den.alias("denominator"),
        pl.when(den > 0).then(pl.col("numerator") / den).otherwise(None).alias("value"),
    )


def _network_of_practice_code(data: DataSet) -> tuple[np.ndarray, pl.Series]:
    """For each practice code (see ``DataSet.practice_codes``), its network's position in
    ``data.networks`` (-1: none), and the network ids in that order."""
    _, ids = data.practice_codes()
    network_ids = data.networks.get_column("network_id")
    position = (
        pl.DataFrame({"practice_id": ids})
        .join(data.practices.select("practice_id", "network_id"), on="practice_id", how="left")
        .join(
            pl.DataFrame({"network_id": network_ids}).with_row_index("position"),
            on="network_id",
            how="left",
            maintain_order="left",
        )
        .get_column("position")
        .cast(pl.Int64)
        .fill_null(-1)
        .to_numpy()
    )
    # one more entry for rows whose practice is not defined (code = number of practices)
    return np.append(position, -1), network_ids


def network_totals(
    data: DataSet,
    indicator_ids: list[str],
    period: dt.date,
    net_of_exceptions: bool,
    *,
    only_with_patients: bool = False,
) -> pl.DataFrame:
    """Σ numerator and Σ denominator (as shown) per network and indicator in one period.

    Columns: network_id, indicator_id, practices (rows summed), numerator, denominator; only
    the (network, indicator) pairs with rows. ``only_with_patients`` leaves out rows with no
    patients left in the denominator. The sums run on integer codes (``np.bincount`` on each
    row's network and indicator position) instead of joining and grouping a quarter of a
    million rows by their text codes.
    """
    schema = {
        "network_id": pl.String,
        "indicator_id": pl.String,
        "practices": pl.UInt32,
        "numerator": pl.Int64,
        "denominator": pl.Int64,
    }
    parts = [(i, data.slice(i, period)) for i in indicator_ids]
    parts = [(i, p) for i, p in parts if p.height]
    if not parts:
        return pl.DataFrame(schema=schema)
    codes, _ = data.practice_codes()
    network_of, network_ids = data.memo(
        "network_of_practice_code", lambda: _network_of_practice_code(data)
    )
    counts = effective_counts(pl.concat([p for _, p in parts], rechunk=False), net_of_exceptions)
    numerator = counts.get_column("numerator").to_numpy()
    denominator = counts.get_column("denominator").to_numpy()
    row_codes = np.concatenate(
        [codes[o : o + n] for o, n in (data.slice_bounds(i, period) for i, _ in parts)]
    )
    network = network_of[row_codes]
    indicator = np.repeat(np.arange(len(parts)), [p.height for _, p in parts])
    keep = network >= 0
    if only_with_patients:
        keep &= denominator > 0
    cell = (network * len(parts) + indicator)[keep]
    size = network_ids.len() * len(parts)
    rows = np.bincount(cell, minlength=size)
    present = np.flatnonzero(rows)
    sums = {
        name: np.bincount(cell, weights=column[keep], minlength=size)[present]
        for name, column in (("numerator", numerator), ("denominator", denominator))
    }
    return pl.DataFrame(
        {
            "network_id": network_ids.gather(present // len(parts)),
            "indicator_id": pl.Series([i for i, _ in parts]).gather(present % len(parts)),
            "practices": rows[present],
            # whole counts, summed exactly in doubles (far below 2**53)
            "numerator": np.rint(sums["numerator"]).astype(np.int64),
            "denominator": np.rint(sums["denominator"]).astype(np.int64),
        },
        schema=schema,
    )


def _letters(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, … (spreadsheet column style)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _letters_for(count: int) -> list[str]:
    return [f"Practice {_letters(i)}" for i in range(count)]


def _labelled_practices(data: DataSet) -> pl.DataFrame:
    """Practices in code order with their letter and network name (computed once per data set)."""
    practices = data.practices.sort("practice_id")
    return practices.with_columns(pl.Series("letter", _letters_for(practices.height))).join(
        data.networks.select("network_id", "network_name"),
        on="network_id",
        how="left",
        maintain_order="left",
    )


def practice_labels(data: DataSet, options: ViewOptions) -> pl.DataFrame:
    """Each practice's label for this viewer: practice_id, label, network_id, network_name.

    A practice that does not share its name is always shown as a letter to anyone outside its
    own network (and when no network is chosen); with anonymise on, every practice is shown
    as a code or a letter. Letters follow practice code order, so they are stable across pages.
    """
    practices = data.memo("labelled_practices", lambda: _labelled_practices(data))
    own = pl.col("network_id") == options.network_id
    hidden = ~pl.col("share_name") & ~own
    if options.labels == LABEL_NAMES:
        label = pl.when(hidden).then(pl.col("letter")).otherwise(pl.col("practice_name"))
    elif options.labels == LABEL_CODES:
        label = pl.when(hidden).then(pl.col("letter")).otherwise(pl.col("practice_id"))
    else:
        label = pl.col("letter")
    return practices.select(
        "practice_id",
        label.alias("label"),
        "network_id",
        hidden.alias("hidden"),
        "network_name",
    )


def practice_network_map(data: DataSet) -> dict[str, str]:
    """``{practice_id: network_id}`` (computed once per data set; do not change it)."""
    return data.memo(
        "practice_network_map",
        lambda: dict(data.practices.select("practice_id", "network_id").iter_rows()),
    )


def network_name(data: DataSet, network_id: str) -> str:
    if network_id == ALL:
        return "All networks"
    row = data.networks.filter(pl.col("network_id") == network_id)
    return row.get_column("network_name").item(0) if row.height else network_id


def exceptions_words(net_of_exceptions: bool) -> str:
    return (
        "net of exceptions (excepted patients left out of the denominator)"
        if net_of_exceptions
        else "all patients (exceptions counted in the denominator)"
    )


def period_words(period: dt.date | None) -> str:
    return period.strftime("%b %Y") if period else "no period"


def package_words(care_package: str) -> str:
    return "all care packages" if care_package == ALL else care_package


def chart_caption(
    indicator_name: str,
    period: dt.date | None,
    *,
    benchmark: str,
    method: str,
    net_of_exceptions: bool,
    source: str,
) -> str:
    """The line every chart carries: what, when, compared with what, how, and which patients."""
    return (
        f"{indicator_name} · {period_words(period)} · Benchmark: {benchmark} · Method: {method}"
        f" · Denominator: {exceptions_words(net_of_exceptions)} · Source: {source}"
    )
