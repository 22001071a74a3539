"""Importers: public files in their real formats -> the canonical tables, with a report.

Each importer reads paths or uploaded bytes and returns an :class:`ImportResult` (the four
tables, an :class:`ImportReport` of what was read and left out, and the data set's metadata)
without writing anything; save it with :func:`netcompare.data.load.write_dataset`.

- :func:`import_qof`: NHS Digital QOF ACHIEVEMENT / PREVALENCE / MAPPING files.
- :func:`import_fingertips`: an OHID Fingertips CSV export (practices or PCNs).
- :func:`import_mapped_csv`: any practice-level CSV, with a :class:`CsvMapping` of its columns.
"""

from netcompare.data.importers.fingertips import import_fingertips
from netcompare.data.importers.inputs import InputFile, peek_csv
from netcompare.data.importers.mapped_csv import CsvMapping, csv_columns, import_mapped_csv
from netcompare.data.importers.qof import import_qof
from netcompare.data.importers.report import ImportReport, ImportResult
from netcompare.data.inputs import parse_period

__all__ = [
    "CsvMapping",
    "ImportReport",
    "ImportResult",
    "InputFile",
    "csv_columns",
    "import_fingertips",
    "import_mapped_csv",
    "import_qof",
    "parse_period",
    "peek_csv",
]
