"""A loaded, validated data set, indexed for fast slicing by indicator and period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import polars as pl

from netcompare.data.indicator import Indicator
from netcompare.data.problems import Problem

T = TypeVar("T")

# Sort order of the values table: every (indicator, period) slice is contiguous.
VALUES_ORDER = ("indicator_id", "period", "practice_id")
# memo key of DataSet.practice_codes()
PRACTICE_CODES = "practice_codes"


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
    _index: dict[tuple[str, dt.date], tuple[int, int]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # Values derived once from these (immutable) tables, see memo(); never copied by replace().
    _memo: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)

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

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per data set and ``key``, for derived lookups every view needs.

        Only for a small, fixed set of keys (the memo is never evicted) and for values
        nobody mutates; safe under threads (at worst two sessions compute the same value).
        """
        try:
            return self._memo[key]  # type: ignore[return-value]
        except KeyError:
            value = compute()
            self._memo[key] = value
            return value

    def practice_codes(self) -> tuple[np.ndarray, pl.Series]:
        """Each values row's practice as a small integer, and the practice ids it indexes.

        The code is the rank of the practice id among the sorted ids (as the loader orders
        them). Kept from loading, or computed once; lets a view find a few practices' rows
        in a slice without comparing every row's text (see :meth:`rows_of_practices`).
        """
        return self.memo(PRACTICE_CODES, self._compute_practice_codes)

    def _compute_practice_codes(self) -> tuple[np.ndarray, pl.Series]:
        ids = self.practices.get_column("practice_id").drop_nulls().unique().sort()
        codes = self.values.select(
            pl.col("practice_id")
            .cast(pl.Enum(ids.to_list()), strict=False)
            .to_physical()
            .cast(pl.Int64)
            .fill_null(ids.len())  # not a defined practice: matches no practice
        )
        return codes.to_series().to_numpy(), ids

    def rows_of_practices(
        self, practice_ids: Iterable[str], keys: Iterable[tuple[str, dt.date]]
    ) -> pl.DataFrame:
        """The rows of these practices in these (indicator, period) slices.

        Slice by slice, in the slices' own (practice) order: the same rows, in the same order,
        as filtering the concatenated slices on ``practice_id``. Each slice is sorted by
        practice, so a network's handful of practices is found by binary search on the
        practice codes instead of comparing every row's text.
        """
        codes, ids = self.practice_codes()
        asked = pl.Series(list(practice_ids), dtype=pl.String)
        wanted = np.zeros(0, dtype=codes.dtype)
        if ids.len() and asked.len():
            positions = np.minimum(ids.search_sorted(asked).to_numpy(), ids.len() - 1)
            found = (ids.gather(positions) == asked).to_numpy()
            wanted = np.unique(positions[found]).astype(codes.dtype)
        sorted_slices = self.memo("slices_sorted_by_practice", self._slices_sorted_by_practice)
        rows = []
        for key in keys:
            offset, length = self._index.get(key, (0, 0))
            if not length or not wanted.size:
                continue
            block = codes[offset : offset + length]
            if sorted_slices:
                at = np.searchsorted(block, wanted)
                inside = at < length
                at, match = at[inside], wanted[inside]
                rows.append(at[block[at] == match] + offset)
            else:
                rows.append(np.flatnonzero(np.isin(block, wanted)) + offset)
        if not rows:
            return self.values.clear()
        return self.values[np.concatenate(rows)]

    def _slices_sorted_by_practice(self) -> bool:
        """Whether every (indicator, period) slice has strictly increasing practice codes."""
        codes, _ = self.practice_codes()
        if codes.size < 2:
            return True
        step_up = codes[1:] > codes[:-1]
        for offset, _ in self._index.values():
            if offset:
                step_up[offset - 1] = True  # a new slice starts: no order across slices
        return bool(step_up.all())

    def slice_bounds(self, indicator_id: str, period: dt.date) -> tuple[int, int]:
        """Where :meth:`slice` starts in ``values``, and its length ((0, 0) when empty)."""
        return self._index.get((indicator_id, period), (0, 0))

    def slice(self, indicator_id: str, period: dt.date) -> pl.DataFrame:
        """The values of one indicator in one period (empty frame if there are none)."""
        offset, length = self._index.get((indicator_id, period), (0, 0))
        return self.values.slice(offset, length)

    def periods(self, indicator_id: str | None = None) -> list[dt.date]:
        """Periods with data (for one indicator, or any), oldest first (a new list)."""
        return list(self.memo("periods", self._periods).get(indicator_id, ()))

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
