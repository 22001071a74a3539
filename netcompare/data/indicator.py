"""One indicator of a data set: its name, care package, polarity and targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from netcompare.types import Polarity

DEFAULT_PERIOD_TYPE = "month"


@dataclass(frozen=True)
class Indicator:
    """A row of the ``indicators`` table (netcompare.data.schema), typed.

    Targets and thresholds are proportions 0-1, or None when the indicator has none.
    ``period_type`` says how often values come ("month" unless the table says otherwise).
    ``numerator_definition``, ``denominator_definition`` and ``licence`` are the optional
    words of its definition (None where the table has no such column or leaves it empty).
    """

    indicator_id: str
    name: str
    care_package: str
    description: str | None
    polarity: Polarity
    target: float | None
    amber_threshold: float | None
    network_target: float | None
    source: str | None
    period_type: str = DEFAULT_PERIOD_TYPE
    numerator_definition: str | None = None
    denominator_definition: str | None = None
    licence: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, object]) -> Indicator:
        """From a named row of the indicators table; optional columns may be absent."""

        def proportion(column: str) -> float | None:
            value = row.get(column)
            return None if value is None else float(cast(float, value))

        def text(column: str) -> str | None:
            value = row.get(column)
            return None if value is None else str(value)

        return cls(
            indicator_id=str(row["indicator_id"]),
            name=str(row["name"]),
            care_package=str(row["care_package"]),
            description=text("description"),
            polarity=cast(Polarity, str(row.get("polarity") or "high")),
            target=proportion("target"),
            amber_threshold=proportion("amber_threshold"),
            network_target=proportion("network_target"),
            source=text("source"),
            period_type=str(row.get("period_type") or DEFAULT_PERIOD_TYPE),
            numerator_definition=text("numerator_definition"),
            denominator_definition=text("denominator_definition"),
            licence=text("licence"),
        )
