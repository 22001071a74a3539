"""What an importer read, what it built, and what it left out and why.

Every importer returns an :class:`ImportResult`: the four canonical tables plus an
:class:`ImportReport`. Nothing is dropped silently: each row the importer could not use is in
``report.left_out`` with its file, row (the line number a user sees in a spreadsheet, header =
1) and reason; everything else worth knowing (an encoding fallback, rounded numerators, a
practice listed under two networks) is a note.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.data.importers.expressions import text_format
from netcompare.data.schema import TABLE_NAMES

# Columns of the left-out table.
LEFT_OUT_SCHEMA = pl.Schema(
    {"file": pl.String(), "row": pl.Int64(), "what": pl.String(), "reason": pl.String()}
)

# How many examples a printed summary shows for each reason.
EXAMPLES_PER_REASON = 3


@dataclass(frozen=True)
class FileRead:
    """One input file: its name, how many data rows it had, and how it was read."""

    name: str
    rows: int
    layout: str = ""  # e.g. "regional 2022-23 layout", "GP practices"
    encoding: str = "utf-8"


@dataclass
class ImportReport:
    """Counts of what was read and imported, every left-out row, and notes."""

    importer: str
    files: list[FileRead] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    practices: int = 0
    networks: int = 0
    indicators: int = 0
    values: int = 0
    periods: list[dt.date] = field(default_factory=list)
    _left_out: list[pl.DataFrame] = field(default_factory=list, repr=False)

    @property
    def rows_read(self) -> int:
        """Data rows read over all input files (headers not counted)."""
        return sum(f.rows for f in self.files)

    def set_layout(self, layout: str) -> None:
        """Describe the last file read (its layout or year), once its columns are known."""
        self.files[-1] = dataclasses.replace(self.files[-1], layout=layout)

    def note(self, message: str) -> None:
        """Record something the user should know (a warning or a decision taken)."""
        if message not in self.notes:
            self.notes.append(message)

    def leave_out(self, frame: pl.DataFrame, reason: str | None = None) -> None:
        """Record rows left out: ``frame`` has file, row, what (and reason unless given)."""
        if frame.height == 0:
            return
        if reason is not None:
            frame = frame.with_columns(pl.lit(reason).alias("reason"))
        self._left_out.append(
            frame.select(
                pl.col("file").cast(pl.String),
                pl.col("row").cast(pl.Int64),
                pl.col("what").cast(pl.String),
                pl.col("reason").cast(pl.String),
            )
        )

    @property
    def left_out(self) -> pl.DataFrame:
        """Every row left out, in file and row order: file, row, what, reason."""
        if not self._left_out:
            return pl.DataFrame(schema=LEFT_OUT_SCHEMA)
        return pl.concat(self._left_out).sort("file", "row", nulls_last=True, maintain_order=True)

    def left_out_by_reason(self) -> pl.DataFrame:
        """Left-out rows counted by reason (most frequent first), with the first example."""
        left = self.left_out
        if left.height == 0:
            return pl.DataFrame(
                schema={"reason": pl.String(), "rows": pl.UInt32(), "example": pl.String()}
            )
        return (
            left.group_by("reason", maintain_order=True)
            .agg(
                pl.len().alias("rows"),
                text_format("{}, row {}: {}", "file", pl.col("row").cast(pl.String), "what")
                .first()
                .alias("example"),
            )
            .sort("rows", descending=True, maintain_order=True)
        )

    def finish(self, tables: dict[str, pl.DataFrame]) -> None:
        """Fill the counts from the tables that were built."""
        values = tables["values"]
        self.practices = tables["practices"].height
        self.networks = tables["networks"].height
        self.indicators = tables["indicators"].height
        self.values = values.height
        self.periods = sorted(values.get_column("period").unique().to_list())

    def summary_lines(self) -> list[str]:
        """The report as short lines of text, for the command line and the app."""
        lines = []
        for f in self.files:
            extra = [x for x in (f.layout, None if f.encoding == "utf-8" else f.encoding) if x]
            how = f" ({'; '.join(extra)})" if extra else ""
            lines.append(f"read {f.name}: {f.rows:,} rows{how}")
        periods = ", ".join(p.isoformat() for p in self.periods) or "none"
        lines.append(
            f"imported {self.values:,} values: {self.practices:,} practices in "
            f"{self.networks:,} networks, {self.indicators:,} indicators, "
            f"{len(self.periods)} period(s) ({periods})"
        )
        left = self.left_out
        if left.height:
            lines.append(f"left out {left.height:,} rows:")
            for reason, rows, _example in self.left_out_by_reason().rows():
                examples = left.filter(pl.col("reason") == reason).head(EXAMPLES_PER_REASON)
                shown = "; ".join(
                    f"{file}, row {row}: {what}" if row is not None else f"{file}: {what}"
                    for file, row, what in examples.select("file", "row", "what").rows()
                )
                lines.append(f"  {rows:,} x {reason} (e.g. {shown})")
        else:
            lines.append("left out: nothing")
        lines.extend(f"note: {n}" for n in self.notes)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.summary_lines())


@dataclass(frozen=True)
class ImportResult:
    """The canonical tables an importer built, its report, and the data set's metadata."""

    tables: dict[str, pl.DataFrame]
    report: ImportReport
    metadata: dict[str, str]

    def __post_init__(self) -> None:
        missing = [t for t in TABLE_NAMES if t not in self.tables]
        if missing:
            raise ValueError(f"an import result needs every table; missing {missing}")

    def to_dataset(self) -> DataSet:
        """The tables checked by the same validation as :func:`load_dataset`, in memory.

        Raises :class:`~netcompare.data.problems.DataValidationError` if they would not load
        (a bug in an importer, since importers leave out every row that breaks a rule).
        """
        from netcompare.data.load import dataset_from_tables

        return dataset_from_tables(
            self.tables,
            source=self.metadata.get("source", self.report.importer),
            name=self.metadata.get("name", self.report.importer),
            licence=self.metadata.get("licence"),
            labels={t: f"imported {t}" for t in TABLE_NAMES},
            first_row=2,  # the lines of the CSV files write_dataset would write
        )
