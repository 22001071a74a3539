"""Problems found in a user's data: where they are and what is wrong.

A :class:`Problem` always names the file (or table), the row (line number in a CSV file, row
number in a Parquet file or SQL table) or the practice/indicator/period it concerns, and what
is wrong in words a user can act on. Errors stop a load; warnings are shown by the app.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from netcompare.errors import UserError

ERROR = "error"
WARNING = "warning"

# How many example rows a rule lists before summarising the rest as a count.
EXAMPLES_PER_RULE = 10


@dataclass(frozen=True)
class Problem:
    """One problem in the data, with enough context to find and fix it."""

    file: str
    message: str
    row: int | None = None  # CSV line number (header = 1), or 1-based row in Parquet/SQL
    severity: str = ERROR

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        return f"{where}: {self.message}"


@dataclass
class ProblemList:
    """Problems collected while loading a data set."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, file: str, message: str, row: int | None = None) -> None:
        self.problems.append(Problem(file, message, row, ERROR))

    def warning(self, file: str, message: str, row: int | None = None) -> None:
        self.problems.append(Problem(file, message, row, WARNING))

    def rows(
        self,
        file: str,
        rule: str,
        rows: Sequence[int],
        details: Sequence[str],
        severity: str = ERROR,
    ) -> None:
        """Report a rule broken on many rows: the first examples, then a count of the rest."""
        for row, detail in zip(rows[:EXAMPLES_PER_RULE], details[:EXAMPLES_PER_RULE], strict=False):
            self.problems.append(Problem(file, f"{rule}: {detail}", row, severity))
        extra = len(rows) - EXAMPLES_PER_RULE
        if extra > 0:
            self.problems.append(
                Problem(file, f"{rule}: {extra:,} more rows like this", None, severity)
            )

    def each(
        self,
        file: str,
        what: str,
        rows: Sequence[int],
        messages: Sequence[str],
        severity: str = ERROR,
    ) -> None:
        """Report rows that each have their own message: the first examples, then a count of
        the rest ("``what``: 12 more rows like this")."""
        for row, message in zip(
            rows[:EXAMPLES_PER_RULE], messages[:EXAMPLES_PER_RULE], strict=False
        ):
            self.problems.append(Problem(file, message, row, severity))
        extra = len(rows) - EXAMPLES_PER_RULE
        if extra > 0:
            self.problems.append(
                Problem(file, f"{what}: {extra:,} more rows like this", None, severity)
            )

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise DataValidationError(self.errors, self.warnings)


class DataValidationError(UserError):
    """A data set that cannot be loaded, with every error found (and the warnings)."""

    def __init__(self, errors: Iterable[Problem], warnings: Iterable[Problem] = ()) -> None:
        self.errors = list(errors)
        self.warnings = list(warnings)
        lines = [f"{len(self.errors)} problem(s) stop this data set from loading:"]
        lines += [f"  - {p}" for p in self.errors]
        super().__init__("\n".join(lines))
