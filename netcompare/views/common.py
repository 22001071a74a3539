"""Pieces every view shares: counts with or without exceptions, practice labels, captions."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.views.format import period_label

ALL = "all"

# How practices are labelled: their names, their codes, or "Practice A, B, …".
LABEL_NAMES = "names"
LABEL_CODES = "codes"
LABEL_LETTERS = "letters"

SMALL_N = 10


@dataclass(frozen=True)
class ViewOptions:
    """What every view needs besides the indicator and period."""

    network_id: str = ALL  # the network shown ("their network" on a laptop), or ALL
    net_of_exceptions: bool = False
    labels: str = LABEL_NAMES
    # Signed in (netcompare.access): the networks whose practices this viewer sees named,
    # whatever network is shown; an empty set names nobody. None: no sign-in, where the
    # network shown is the viewer's own.
    own_networks: frozenset[str] | None = None

    def restricted(self) -> ViewOptions:
        """These options with their labels as the access rules allow: a signed-in viewer in
        no network sees letters only."""
        if self.own_networks is not None and not self.own_networks:
            return ViewOptions(self.network_id, self.net_of_exceptions, LABEL_LETTERS, frozenset())
        return self


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
    the (network, indicator) pairs with rows, of practices that belong to a network.
    ``only_with_patients`` leaves out rows with no patients left in the denominator.
    """
    schema = {
        "network_id": pl.String,
        "indicator_id": pl.String,
        "practices": pl.UInt32,
        "numerator": pl.Int64,
        "denominator": pl.Int64,
    }
    parts = [data.slice(i, period) for i in indicator_ids]
    parts = [p for p in parts if p.height]
    if not parts:
        return pl.DataFrame(schema=schema)
    counts = effective_counts(pl.concat(parts, rechunk=False), net_of_exceptions)
    if only_with_patients:
        counts = counts.filter(pl.col("denominator") > 0)
    return (
        counts.join(data.practices.select("practice_id", "network_id"), on="practice_id")
        .filter(pl.col("network_id").is_not_null())
        .group_by("network_id", "indicator_id")
        .agg(
            pl.len().alias("practices"),
            pl.col("numerator").sum(),
            pl.col("denominator").sum(),
        )
        .cast(schema)
        .select(list(schema))
    )


def _letters(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, … (spreadsheet column style)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


@functools.lru_cache(maxsize=8)
def _letters_for(count: int) -> tuple[str, ...]:
    # Kept per count (a few data sets): 8 ms for England's 6,400 practices, and every view
    # labels practices (the overview once per indicator for its verdicts).
    return tuple(f"Practice {_letters(i)}" for i in range(count))


def _labelled_practices(data: DataSet) -> pl.DataFrame:
    """Practices in code order with their letter and network name (in a data set redacted
    for a viewer, the letters it was given before its hidden codes were replaced)."""
    practices = data.practices.sort("practice_id")
    if data.letters is not None:
        letter = pl.col("practice_id").replace_strict(data.letters, return_dtype=pl.String)
        practices = practices.with_columns(letter.alias("letter"))
    else:
        practices = practices.with_columns(
            pl.Series("letter", _letters_for(practices.height), dtype=pl.String)
        )
    return practices.join(
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

    Signed in (``options.own_networks`` set), "own network" means the viewer's own networks
    from the access rules, never the network shown; a viewer in no network sees every
    practice as a letter (``hidden`` for all of them, so no link or download names one).
    """
    practices = _labelled_practices(data)
    if options.own_networks is None:
        own = pl.col("network_id") == options.network_id
        hidden = ~pl.col("share_name") & ~own
    elif options.own_networks:
        own = pl.col("network_id").is_in(sorted(options.own_networks))
        hidden = ~pl.col("share_name") & ~own
    else:
        hidden = pl.lit(True)
        options = options.restricted()
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
    """``{practice_id: network_id}``."""
    return dict(data.practices.select("practice_id", "network_id").iter_rows())


def practice_link_names(data: DataSet, options: ViewOptions) -> dict[str, str]:
    """How a link names each practice: its code, except where this viewer sees a letter
    (anonymised, or a practice that does not share its name): there the letter, so a link
    gives away no more than the screen."""
    shown = practice_labels(data, options).select(
        "practice_id",
        pl.when(pl.col("hidden") | pl.lit(options.labels == LABEL_LETTERS))
        .then(pl.col("label"))
        .otherwise(pl.col("practice_id")),
    )
    return dict(shown.iter_rows())


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


def period_words(period: dt.date | None, period_type: str = "month") -> str:
    """A period as the data has it (:func:`netcompare.views.format.period_label`)."""
    return period_label(period, period_type)


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
    period_type: str = "month",
) -> str:
    """The line every chart carries: what, when, compared with what, how, and which patients."""
    return (
        f"{indicator_name} · {period_words(period, period_type)} · Benchmark: {benchmark}"
        f" · Method: {method}"
        f" · Denominator: {exceptions_words(net_of_exceptions)} · Source: {source}"
    )
