"""Words and numbers as a clinician reads them: "3rd (1st–9th)", "94.1%", "+2.3 pts"."""

from __future__ import annotations

import polars as pl

from netcompare.charts.common import RAG_SYMBOLS


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


COMPARISON_WORDS = {
    "best": "▲▲ significantly better (99.8%)",
    "better": "▲ better (95%)",
    "similar": "● similar",
    "worse": "▼ worse (95%)",
    "worst": "▼▼ significantly worse (99.8%)",
    "higher": "▲ higher",
    "lower": "▼ lower",
}


def league_display(table: pl.DataFrame) -> pl.DataFrame:
    """The league table as shown: words and symbols, so nothing relies on colour alone."""
    return table.select(
        pl.col("rank").alias("Rank"),
        pl.struct("rank", "rank_lower", "rank_upper")
        .map_elements(
            lambda r: rank_text(r["rank"], r["rank_lower"], r["rank_upper"]),
            return_dtype=pl.String,
        )
        .alias("Rank (95% interval)"),
        pl.when(pl.col("in_network")).then(pl.lit("◆")).otherwise(pl.lit("")).alias("Yours"),
        pl.col("label").alias("Practice"),
        pl.col("network_name").alias("Network"),
        pl.col("numerator").alias("Numerator"),
        pl.col("denominator").alias("Denominator"),
        (pl.col("value") * 100).alias("Value %"),
        pl.format(
            "{}–{}",
            (pl.col("ci95_lower") * 100).round(1),
            (pl.col("ci95_upper") * 100).round(1),
        ).alias("95% CI %"),
        pl.concat_str(
            pl.col("rag").replace_strict(RAG_SYMBOLS, default=""), pl.lit(" "), pl.col("rag")
        ).alias("RAG"),
        pl.col("comparison").replace_strict(COMPARISON_WORDS, default=None).alias("vs benchmark"),
        (pl.col("change") * 100).alias("Change (pts)"),
        pl.col("trend").alias("Last 12 periods"),
        pl.when(pl.col("small_n")).then(pl.lit("n < 10")).otherwise(pl.lit("")).alias("Flag"),
        "practice_id",
    )
