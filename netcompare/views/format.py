"""Words and numbers as a clinician reads them: "3rd (1st–9th)", "94.1%", "+2.3 pts".

Every table a page shows is built here, from a view's frame: percentages, the ◆ "Yours"
marker, ▲/▼ directions, RAG symbols and the words for each choice. Nothing relies on colour
alone, and the same idea has the same words on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from netcompare.charts.common import RAG_SYMBOLS

YOURS = "◆"  # marks a practice (or network) of the viewer's chosen network
NOTES = "Notes"  # the notes count column, next to the practice's name (no emoji: no font)
SMALL_N_FLAG = "n < 10"

BENCHMARK_WORDS = {
    "all": "All practices",
    "area": "Practices in this area",
    "network": "This network",
    "target": "The target",
}

METHOD_LABELS = {
    "arcsine-od": "Spiegelhalter arcsine, over-dispersion adjusted (FunnelPlotR)",
    "arcsine": "Spiegelhalter arcsine, no over-dispersion adjustment",
    "wilson": "Inverted Wilson, no over-dispersion (PHEindicatormethods)",
}

SPC_CHART_WORDS = {"xmr": "XmR (Making Data Count)", "p": "p-chart (proportions)"}

COMPARISON_WORDS = {
    "best": "▲▲ significantly better (99.8%)",
    "better": "▲ better (95%)",
    "similar": "● similar",
    "worse": "▼ worse (95%)",
    "worst": "▼▼ significantly worse (99.8%)",
    "higher": "▲ higher",
    "lower": "▼ lower",
}

# Outside the funnel's 95% limits, and on which side.
FUNNEL_WORDS = {"high": "▲ above", "low": "▼ below", "none": "inside"}
DIRECTION_SYMBOLS = {"high": "▲", "low": "▼"}

# The one judgement of a practice, on every page: where it lies against the funnel plot's
# limits under the chosen method and benchmark (netcompare.views.compare.verdict).
VERDICT_WORDS = {
    "best": "▲▲ better (outside 99.8% limits)",
    "better": "▲ better (outside 95% limits)",
    "similar": "● similar (within limits)",
    "worse": "▼ worse (outside 95% limits)",
    "worst": "▼▼ worse (outside 99.8% limits)",
    # neutral indicators: no direction is better
    "much_higher": "▲▲ higher (outside 99.8% limits)",
    "higher": "▲ higher (outside 95% limits)",
    "lower": "▼ lower (outside 95% limits)",
    "much_lower": "▼▼ lower (outside 99.8% limits)",
}
VERDICT_COLUMN = "vs benchmark"
# The Wilson confidence-interval comparison, where it is still shown beside the verdict.
SECOND_METHOD_COLUMN = "vs benchmark (95% CI, second method)"
# The Fingertips recent trend marker (chi-square test for trend over the last 5 periods,
# netcompare.stats.trend), in Fingertips' own words with an arrow.
RECENT_TREND_WORDS = {
    "increasing_better": "↑ increasing & getting better",
    "increasing_worse": "↑ increasing & getting worse",
    "decreasing_better": "↓ decreasing & getting better",
    "decreasing_worse": "↓ decreasing & getting worse",
    "increasing": "↑ increasing",
    "decreasing": "↓ decreasing",
    "no_change": "→ no significant change",
    "cannot_be_calculated": "cannot be calculated",
}
RECENT_TREND_COLUMN = "Recent trend (5 periods)"
NO_TARGET = "no target"
NO_EARLIER = "–"  # a change with no earlier period to compare with

# How often an indicator's values come, as the indicators table says (period_type).
PERIOD_TYPE_WORDS = {
    "month": "monthly",
    "quarter": "quarterly",
    "year": "yearly",
    "financial_year": "yearly",
}


def period_label(period: dt.date | None, period_type: str = "month") -> str:
    """A period as the data has it: "Sep 2026" (month), "2022" (year), "2022-23" (financial
    year, April to March: a date from April starts that year's, January-March ends it)."""
    if period is None:
        return "no period"
    if period_type == "year":
        return f"{period.year}"
    if period_type == "financial_year":
        start = period.year if period.month >= 4 else period.year - 1
        return f"{start}-{(start + 1) % 100:02d}"
    if period_type == "quarter":
        return f"Q{(period.month - 1) // 3 + 1} {period.year}"
    return period.strftime("%b %Y")


def verdict_words(verdict: str | None) -> str:
    """The words for a verdict key ("better", "similar", …); "" when there is none."""
    return VERDICT_WORDS.get(verdict or "", "")


def judgement_words(method_label: str, benchmark_label: str) -> str:
    """What every page's better / similar / worse means, in one sentence."""
    return (
        "Better / similar / worse on every page: outside or inside the funnel plot's 95% and "
        f"99.8% limits ({method_label}), centred on {benchmark_label}."
    )


def percent_digits(values: Sequence[float | None] | pl.Series) -> int:
    """Decimals a percentage needs for these proportions to read apart: whole percents from
    10% up, one decimal below 10% (a 2.1% prevalence must not read "2%"), two below 1%."""
    present = [abs(v) for v in values if v is not None and v == v]
    if not present:
        return 1
    top = max(present)
    if top >= 0.10:
        return 0 if max(present) - min(present) >= 0.05 else 1
    return 1 if top >= 0.01 else 2


def percent_text(column: str, digits: int) -> pl.Expr:
    """A proportion as text with a % sign, "no data" when missing: "2.1%"."""
    return (
        pl.when(pl.col(column).is_null())
        .then(pl.lit("no data"))
        .otherwise(
            pl.format("{}%", (pl.col(column) * 100).round(digits).cast(pl.String))
            if digits
            else pl.format("{}%", (pl.col(column) * 100).round(0).cast(pl.Int64))
        )
    )


def ordinal(n: int | None) -> str:
    if n is None:
        return ""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_text(rank: int | None, lower: int | None, upper: int | None) -> str:
    """A rank with its 95% interval, e.g. "3rd (1st–9th)"."""
    if rank is None:
        return ""
    if lower is None or upper is None:
        return ordinal(rank)
    return f"{ordinal(rank)} ({ordinal(lower)}–{ordinal(upper)})"


def percent_words(value: float | None, digits: int = 1) -> str:
    """0.941 -> "94.1%"; None -> "no data"."""
    return "no data" if value is None else f"{value:.{digits}%}"


# --- column expressions --------------------------------------------------------------------------


def yours(column: str = "in_network") -> pl.Expr:
    """◆ for a row of the chosen network, else empty."""
    return pl.when(pl.col(column)).then(pl.lit(YOURS)).otherwise(pl.lit(""))


def percent(column: str) -> pl.Expr:
    """A proportion as a percentage (formatted by the page's column_config)."""
    return pl.col(column) * 100


def ci_text(lower: str = "ci95_lower", upper: str = "ci95_upper") -> pl.Expr:
    """A 95% interval in percent, e.g. "91.2–96.0"."""
    return pl.format("{}–{}", (pl.col(lower) * 100).round(1), (pl.col(upper) * 100).round(1))


def comparison_words(column: str = "comparison") -> pl.Expr:
    """The Wilson CI comparison (the second method) in words; "" when there is none."""
    return pl.col(column).replace_strict(COMPARISON_WORDS, default="")


def verdict_text(column: str = "verdict") -> pl.Expr:
    """The verdict (:data:`VERDICT_WORDS`) of each row; "" when there is none."""
    return pl.col(column).replace_strict(VERDICT_WORDS, default="")


def change_text(column: str = "change") -> pl.Expr:
    """A change in percentage points, "+2.3", or "–" with no earlier period."""
    return (
        pl.when(pl.col(column).is_null())
        .then(pl.lit(NO_EARLIER))
        .otherwise(
            pl.format(
                "{}{}",
                pl.when(pl.col(column) >= 0).then(pl.lit("+")).otherwise(pl.lit("")),
                (pl.col(column) * 100).round(1).cast(pl.String),
            )
        )
    )


def small_n_flag(column: str = "small_n") -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit(SMALL_N_FLAG)).otherwise(pl.lit(""))


def rag_text(column: str = "rag") -> pl.Expr:
    """ "✔ green", "▲ amber", …: the symbol and the word."""
    return pl.concat_str(
        pl.col(column).replace_strict(RAG_SYMBOLS, default=""), pl.lit(" "), pl.col(column)
    )


# --- the tables pages show -----------------------------------------------------------------------


def league_display(table: pl.DataFrame) -> pl.DataFrame:
    """The league table as shown (rows in the table's order; no ids).

    "vs benchmark" is the verdict every page gives (the funnel limits of the chosen method);
    the Wilson CI comparison follows it, labelled as the second method.
    """
    return table.select(
        pl.col("rank").alias("Rank"),
        pl.struct("rank", "rank_lower", "rank_upper")
        .map_elements(
            lambda r: rank_text(r["rank"], r["rank_lower"], r["rank_upper"]),
            return_dtype=pl.String,
        )
        .alias("Rank (95% interval)"),
        yours().alias("Yours"),
        pl.col("label").alias("Practice"),
        pl.col("network_name").alias("Network"),
        pl.col("numerator").alias("Numerator"),
        pl.col("denominator").alias("Denominator"),
        percent("value").alias("Value %"),
        ci_text().alias("95% CI %"),
        rag_text().alias("RAG"),
        verdict_text().alias(VERDICT_COLUMN),
        comparison_words().alias(SECOND_METHOD_COLUMN),
        change_text().alias("Change (pts)"),
        pl.col("recent_trend")
        .replace_strict(RECENT_TREND_WORDS, default="")
        .alias(RECENT_TREND_COLUMN),
        pl.col("trend").alias("Last 12 periods"),
        small_n_flag().alias("Flag"),
    )


def outliers_display(outliers: pl.DataFrame) -> pl.DataFrame:
    """Funnel outliers: ◆ before a practice of the chosen network, ▲ high / ▼ low."""
    return outliers.select(
        pl.concat_str(
            pl.when(pl.col("in_network")).then(pl.lit(f"{YOURS} ")).otherwise(pl.lit("")),
            pl.col("label"),
        ).alias("Practice"),
        percent_text("value", 1).alias("Value"),
        verdict_text().alias(VERDICT_COLUMN),
    )


def standouts_display(table: pl.DataFrame) -> pl.DataFrame:
    """Practices significantly better than the benchmark, as the Peer notes page lists them."""
    return table.select(
        yours().alias("Yours"),
        pl.col("label").alias("Practice"),
        pl.col("network_name").alias("Network"),
        percent("value").alias("Value %"),
        ci_text().alias("95% CI %"),
        verdict_text().alias(VERDICT_COLUMN),
        comparison_words().alias(SECOND_METHOD_COLUMN),
    )


def improved_display(table: pl.DataFrame, period_type: str = "month") -> pl.DataFrame:
    """The most improved practices: then, now and the change in percentage points."""
    return table.select(
        yours().alias("Yours"),
        pl.col("label").alias("Practice"),
        pl.col("network_name").alias("Network"),
        pl.col("baseline_period")
        .map_elements(lambda p: period_label(p, period_type), return_dtype=pl.String)
        .alias("From"),
        percent("baseline_value").alias("Then %"),
        percent("value").alias("Now %"),
        percent("change").alias("Change (pts)"),
        small_n_flag().alias("Flag"),
    )


def network_averages_display(networks: pl.DataFrame) -> pl.DataFrame:
    """Every network's pooled average and whether it meets the network target."""
    return networks.select(
        yours().alias("Yours"),
        pl.col("network_name").alias("Network"),
        pl.col("practices").alias("Practices"),
        percent("value").round(1).alias("Average %"),
        pl.when(pl.col("meets").is_null())
        .then(pl.lit(NO_TARGET))
        .when(pl.col("meets"))
        .then(pl.lit("✔ yes"))
        .otherwise(pl.lit("✖ no"))
        .alias("Meets target"),
    )


def incentives_display(table: pl.DataFrame) -> pl.DataFrame:
    """What each network is paid up front, has at risk, earns and does not earn."""
    return table.select(
        yours().alias("Yours"),
        pl.col("network_name").alias("Network"),
        pl.format("{} of {}", pl.col("met"), pl.col("targets")).alias("Targets met"),
        pl.col("upfront").alias("Up front £"),
        pl.col("at_risk").alias("At risk £"),
        pl.col("earned").alias("Earned at today's averages £"),
        pl.col("lost").alias("Not earned £"),
    )


def targets_met_display(counts: pl.DataFrame) -> pl.DataFrame:
    """Per practice, how many indicators are green, amber and red."""
    return counts.select(
        pl.col("label").alias("Practice"),
        pl.col("green").alias(f"{RAG_SYMBOLS['green']} green"),
        pl.col("amber").alias(f"{RAG_SYMBOLS['amber']} amber"),
        pl.col("red").alias(f"{RAG_SYMBOLS['red']} red"),
    )


def verdict_counts_display(counts: pl.DataFrame) -> pl.DataFrame:
    """Per practice, on how many indicators it is better, similar and worse than the
    benchmark (the verdict every page gives)."""
    return counts.select(
        pl.col("label").alias("Practice"),
        pl.col("better").alias("▲ better"),
        pl.col("similar").alias("● similar"),
        pl.col("worse").alias("▼ worse"),
    )


def with_note_counts(
    shown: pl.DataFrame, practice_ids: Sequence[str], counts: pl.DataFrame
) -> pl.DataFrame:
    """``shown`` with the notes count of each row's practice next to its "Practice" column.

    ``practice_ids`` are the rows' practices in order; ``counts`` has practice_id and n_notes
    (netcompare.notes); a practice without notes counts 0. If any count is unknown (null:
    the notes store is unavailable), the column is left empty rather than showing 0 notes.
    """
    known = counts.get_column("n_notes").null_count() == 0
    n_notes = (
        pl.DataFrame({"practice_id": list(practice_ids)}, schema={"practice_id": pl.String})
        .join(
            counts.select("practice_id", "n_notes"),
            on="practice_id",
            how="left",
            maintain_order="left",
        )
        .get_column("n_notes")
        .cast(pl.Int64)
        .alias(NOTES)
    )
    if known:
        n_notes = n_notes.fill_null(0)
    else:
        n_notes = pl.Series(NOTES, [None] * len(n_notes), dtype=pl.Int64)
    return shown.insert_column(shown.columns.index("Practice") + 1, n_notes)


# --- downloads -----------------------------------------------------------------------------------

# The first characters that make a spreadsheet read a cell as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell a spreadsheet would run as a formula (one starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) prefixed with a single quote, as
    OWASP's CSV-injection guidance advises; numbers and other cells are left as they are.
    (Peer notes are exported by :func:`netcompare.notes.exchange.notes_to_csv`, which applies
    the same rule and removes the quote again on import.)"""
    starts = "".join(FORMULA_STARTS).replace("-", r"\-")
    risky = f"^[{starts}]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(risky))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )


def csv_text(frame: pl.DataFrame) -> str:
    """The frame as CSV to download, made safe to open in a spreadsheet (:func:`csv_safe`);
    list columns (sparklines) are left out, as a CSV cell cannot hold them."""
    flat = frame.select(c for c, dtype in frame.schema.items() if not isinstance(dtype, pl.List))
    return csv_safe(flat).write_csv()
