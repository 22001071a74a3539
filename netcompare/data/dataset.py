"""A loaded, validated data set, indexed for fast slicing by indicator and period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from netcompare.data.indicator import Indicator
from netcompare.data.problems import Problem

# Sort order of the values table: every (indicator, period) slice is contiguous.
VALUES_ORDER = ("indicator_id", "period", "practice_id")


@dataclass(frozen=True)
class DataSet:
    """The four canonical tables plus where they came from and what was noticed.

    ``values`` is sorted by (indicator_id, period, practice_id); :meth:`slice` returns one
    indicator and period without scanning the table.
    """

    networks: pl.DataFrame
    practices: pl.DataFrame
    indicators: pl.DataFrame
    values: pl.DataFrame
    source: str
    name: str
    warnings: tuple[Problem, ...] = ()
    licence: str | None = None
    # Which version of the source these tables are (set by whoever knows: the app's loader
    # uses the files' sizes and times); with ``source`` the key of every cached view.
    version: str = ""
    _index: dict[tuple[str, dt.date], tuple[int, int]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # Set only on a data set redacted for one viewer (netcompare.access.redact): each
    # practice's letter ("Practice C"), given in code order before the hidden codes were
    # replaced, so letters stay the same on every page and for every viewer.
    letters: dict[str, str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        networks: pl.DataFrame,
        practices: pl.DataFrame,
        indicators: pl.DataFrame,
        values: pl.DataFrame,
        *,
        source: str,
        name: str,
        warnings: tuple[Problem, ...] = (),
        licence: str | None = None,
        presorted: bool = False,
    ) -> DataSet:
        """Sort the values (unless already sorted) and index each (indicator, period) run."""
        if not presorted:
            values = values.sort(list(VALUES_ORDER))
        runs = (
            values.select("indicator_id", "period")
            .with_row_index("offset")
            .group_by("indicator_id", "period", maintain_order=True)
            .agg(pl.col("offset").first(), pl.len().alias("length"))
        )
        index = {
            (ind, per): (int(off), int(n))
            for ind, per, off, n in runs.select("indicator_id", "period", "offset", "length").rows()
        }
        return cls(
            networks=networks,
            practices=practices,
            indicators=indicators,
            values=values,
            source=source,
            name=name,
            warnings=warnings,
            licence=licence,
            _index=index,
        )

    def rows_of_practices(
        self, practice_ids: Iterable[str], keys: Iterable[tuple[str, dt.date]]
    ) -> pl.DataFrame:
        """The rows of these practices in these (indicator, period) slices, slice by slice."""
        parts = [self.slice(indicator_id, period) for indicator_id, period in keys]
        parts = [part for part in parts if part.height]
        if not parts:
            return self.values.clear()
        wanted = pl.Series(list(practice_ids), dtype=pl.String).implode()
        return pl.concat(parts, rechunk=False).filter(pl.col("practice_id").is_in(wanted))

    def slice(self, indicator_id: str, period: dt.date) -> pl.DataFrame:
        """The values of one indicator in one period (empty frame if there are none)."""
        offset, length = self._index.get((indicator_id, period), (0, 0))
        return self.values.slice(offset, length)

    def periods(self, indicator_id: str | None = None) -> list[dt.date]:
        """Periods with data (for one indicator, or any), oldest first (a new list)."""
        return list(self._periods.get(indicator_id, ()))

    @cached_property
    def _periods(self) -> dict[str | None, tuple[dt.date, ...]]:
        by_indicator: dict[str | None, set[dt.date]] = {None: set()}
        for indicator_id, period in self._index:
            by_indicator.setdefault(indicator_id, set()).add(period)
            by_indicator[None].add(period)
        return {key: tuple(sorted(periods)) for key, periods in by_indicator.items()}

    @property
    def latest_period(self) -> dt.date | None:
        periods = self.periods()
        return periods[-1] if periods else None

    def indicator(self, indicator_id: str) -> Indicator:
        """One indicator (KeyError if unknown)."""
        row = self.indicators.filter(pl.col("indicator_id") == indicator_id)
        if row.height == 0:
            raise KeyError(indicator_id)
        return Indicator.from_row(row.row(0, named=True))

    def summary(self) -> dict[str, object]:
        """Counts a user wants to see first: what is loaded."""
        periods = self.periods()
        return {
            "name": self.name,
            "source": self.source,
            "networks": self.networks.height,
            "practices": self.practices.height,
            "indicators": self.indicators.height,
            "values": self.values.height,
            "periods": len(periods),
            "first_period": periods[0] if periods else None,
            "latest_period": periods[-1] if periods else None,
            "warnings": len(self.warnings),
        }
