"""Small-number suppression for the anonymised meeting pack.

The rule (:data:`RULE_WORDS`, printed on the pack): a count of 1 to 4 patients is shown as
"<5", and every value that would reveal it is suppressed: the row's other count, its rate, the
rate's confidence interval and everything read from the rate (rank, RAG rating, verdict,
change). So is a row whose patients *not* counted in the numerator (denominator minus
numerator) number 1 to 4: its two counts would reveal that small count by subtraction. A row
so suppressed is left out of every chart, and the pack says how many were.
Zero is not suppressed (it reveals no one), nor are counts of 5 or more.

This is the primary-suppression threshold the NHS uses for published small numbers (NHS
Digital / NHS England, "Disclosure control" in the statistical publications: counts 1-7 in
HES, 1-4 in many primary care publications; Office for National Statistics, "Statistical
disclosure control for tables", secondary suppression of values that would let a suppressed
cell be worked out). The pack shows no network totals of counts, only rates, so a suppressed
practice's counts cannot be worked out by subtraction from a total.

Only what is *shown* is suppressed: every calculation (funnel limits, averages, ranks, SPC
limits, verdicts) is made by the views on the real numbers before this rule is applied.
"""

from __future__ import annotations

from dataclasses import dataclass

LOW = 1
HIGH = 4
SHOWN_AS = "<5"
SUPPRESSED = "*"

RULE_NAME = "Small-number suppression (counts 1–4)"
RULE_WORDS = (
    "Counts 1–4 shown as <5, and any value that would reveal them (the rate, its interval, the "
    "other count of the same row) suppressed, shown as *; so are the counts of a row whose "
    "denominator minus numerator is 1–4. Ranks, RAG ratings, verdicts and "
    "changes of such a row are suppressed too, and the row is left out of every chart. All "
    "calculations (limits, averages, ranks, verdicts) use the real numbers."
)


@dataclass(frozen=True)
class SuppressionRule:
    """Counts from ``low`` to ``high`` (inclusive) are small."""

    low: int = LOW
    high: int = HIGH
    shown_as: str = SHOWN_AS
    suppressed: str = SUPPRESSED
    name: str = RULE_NAME
    words: str = RULE_WORDS

    def is_small(self, count: int | float | None) -> bool:
        """Whether a count is small enough to identify someone (1-4 by default)."""
        return count is not None and count == count and self.low <= count <= self.high

    def applies(self, numerator: int | float | None, denominator: int | float | None) -> bool:
        """Whether a row with these counts is suppressed: either count small, or the
        difference (the patients not counted in the numerator) small."""
        gap = None if numerator is None or denominator is None else denominator - numerator
        return self.is_small(numerator) or self.is_small(denominator) or self.is_small(gap)

    def counts_text(
        self, numerator: int | float | None, denominator: int | float | None
    ) -> tuple[str, str]:
        """The two counts as the anonymised pack shows them."""
        if not self.applies(numerator, denominator):
            return count_text(numerator), count_text(denominator)
        return (
            self.shown_as if self.is_small(numerator) else self.suppressed,
            self.shown_as if self.is_small(denominator) else self.suppressed,
        )


DEFAULT_RULE = SuppressionRule()


def count_text(count: int | float | None) -> str:
    """A count as a table shows it: "1,234"; "–" when missing."""
    if count is None or count != count:
        return "–"
    return f"{int(count):,}"
