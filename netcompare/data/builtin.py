"""The data sets that ship with netcompare, selectable in the app by a short key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class BuiltinDataset:
    key: str
    label: str
    path: Path


BUILTIN_DATASETS: tuple[BuiltinDataset, ...] = (
    BuiltinDataset("sample", "Riverbank sample borough (fictional)", PROJECT_ROOT / "sample_data"),
    BuiltinDataset(
        "england-prevalence-2223",
        "England QOF prevalence 2022-23",
        PROJECT_ROOT / "datasets" / "england-qof-prevalence-2022-23",
    ),
    BuiltinDataset(
        "west-sussex-imms-1922",
        "West Sussex childhood immunisations 2019/20–2021/22",
        PROJECT_ROOT / "datasets" / "west-sussex-immunisations-2019-22",
    ),
)

DEFAULT_DATASET = "sample"


def builtin_datasets() -> list[BuiltinDataset]:
    """Built-in data sets present in this checkout."""
    return [d for d in BUILTIN_DATASETS if d.path.is_dir()]


def builtin_path(key: str) -> Path:
    """The folder of a built-in data set (KeyError if there is none by that key)."""
    for d in BUILTIN_DATASETS:
        if d.key == key:
            return d.path
    raise KeyError(key)
