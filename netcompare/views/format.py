"""Words and numbers as a clinician reads them: "3rd (1st–9th)", "94.1%", "+2.3 pts".

Every table a page shows is built here, from a view's frame: percentages, the ◆ "Yours"
marker, ▲/▼ directions, RAG symbols and the words for each choice. Nothing relies on colour
alone, and the same idea has the same words on every page.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from netcompare.charts.common import RAG_SYMBOLS

YOURS = "◆"  # marks a practice (or network) of the viewer's chosen network
NOTES = "💬 Notes"  # the notes count column, next to the practice's name
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
    return pl.col(column).replace_strict(COMPARISON_WORDS, default=None)


def small_n_flag(column: str = "small_n") -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit(SMALL_N_FLAG)).otherwise(pl.lit(""))


def rag_text(column: str = "rag") -> pl.Expr:
    """ "✔ green", "▲ amber", …: the symbol and the word."""
    return pl.concat_str(
        pl.col(column).replace_strict(RAG_SYMBOLS, default=""), pl.lit(" "), pl.col(column)
    )


# --- the tables pages show -----------------------------------------------------------------------


def league_display(table: pl.DataFrame) -> pl.DataFrame:
    """The league table as shown (rows in the table's order; no ids)."""
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
        comparison_words().alias("vs benchmark"),
        percent("change").alias("Change (pts)"),
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
        percent("value").round(1).alias("%"),
        pl.concat_str(
            pl.col("direction").replace_strict(DIRECTION_SYMBOLS, default=""),
            pl.lit(" "),
            pl.col("status"),
        ).alias("Limits"),
    )


def standouts_display(table: pl.DataFrame) -> pl.DataFrame:
    """Practices significantly better than the benchmark, as the Peer notes page lists them."""
    return table.select(
        yours().alias("Yours"),
        pl.col("label").alias("Practice"),
        pl.col("network_name").alias("Network"),
        percent("value").alias("Value %"),
        ci_text().alias("95% CI %"),
        comparison_words().alias("vs benchmark"),
        pl.col("outlier95").replace_strict(FUNNEL_WORDS, default="").alias("Funnel 95%"),
    )


def improved_display(table: pl.DataFrame) -> pl.DataFrame:
    """The most improved practices: then, now and the change in percentage points."""
    return table.select(
        yours().alias("Yours"),
        pl.col("label").alias("Practice"),
        pl.col("network_name").alias("Network"),
        pl.col("baseline_period").dt.strftime("%b %Y").alias("From"),
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
        pl.col("meets").alias("Meets target"),
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


def with_note_counts(
    shown: pl.DataFrame, practice_ids: Sequence[str], counts: pl.DataFrame
) -> pl.DataFrame:
    """``shown`` with the notes count of each row's practice next to its "Practice" column.

    ``practice_ids`` are the rows' practices in order; ``counts`` has practice_id and n_notes
    (netcompare.notes); a practice without notes counts 0.
    """
    n_notes = (
        pl.DataFrame({"practice_id": list(practice_ids)}, schema={"practice_id": pl.String})
        .join(
            counts.select("practice_id", "n_notes"),
            on="practice_id",
            how="left",
            maintain_order="left",
        )
        .get_column("n_notes")
        .fill_null(0)
        .cast(pl.Int64)
        .alias(NOTES)
    )
    return shown.insert_column(shown.columns.index("Practice") + 1, n_notes)
