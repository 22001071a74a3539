"""A tiny data set with the awkward cases the app must explain rather than fail on.

- network "Solo" has one practice (Q1), "Pair" two, "Trio" three;
- indicator ALPHA has a target; BETA has none; GAMMA has data for one practice only in the
  latest month (too few for a funnel plot or a league table); DELTA has no data at all;
- Q1 has no ALPHA value in the latest month (its network has no data there).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.data.load import load_dataset, write_dataset

MONTHS = [dt.date(2025, m, 1) for m in range(1, 7)]
LATEST = MONTHS[-1]
NETWORKS = {"T1": "Solo", "T2": "Pair", "T3": "Trio"}
PRACTICES = {
    "Q1": ("Only Surgery", "T1"),
    "Q2": ("Pair One Practice", "T2"),
    "Q3": ("Pair Two Practice", "T2"),
    "Q4": ("Trio North", "T3"),
    "Q5": ("Trio South", "T3"),
    "Q6": ("Trio West", "T3"),
}
INDICATORS = [
    # id, name, care package, target, amber, network target
    ("ALPHA", "Alpha screening", "Pack one", 0.8, 0.7, 0.8),
    ("BETA", "Beta without target", "Pack two", None, None, None),
    ("GAMMA", "Gamma sparse", "Pack three", 0.5, None, None),
    ("DELTA", "Delta not collected yet", "Pack four", 0.9, 0.8, None),
]


def tiny_tables() -> dict[str, pl.DataFrame]:
    networks = pl.DataFrame(
        {
            "network_id": list(NETWORKS),
            "network_name": list(NETWORKS.values()),
            "parent_area": ["Tiny borough"] * len(NETWORKS),
        }
    )
    practices = pl.DataFrame(
        {
            "practice_id": list(PRACTICES),
            "practice_name": [p[0] for p in PRACTICES.values()],
            "network_id": [p[1] for p in PRACTICES.values()],
            "list_size": [4000 + 1000 * i for i in range(len(PRACTICES))],
            "share_name": [True] * len(PRACTICES),
        },
        schema_overrides={"list_size": pl.Int64},
    )
    indicators = pl.DataFrame(
        {
            "indicator_id": [i[0] for i in INDICATORS],
            "name": [i[1] for i in INDICATORS],
            "care_package": [i[2] for i in INDICATORS],
            "description": [None] * len(INDICATORS),
            "polarity": ["high"] * len(INDICATORS),
            "target": [i[3] for i in INDICATORS],
            "amber_threshold": [i[4] for i in INDICATORS],
            "network_target": [i[5] for i in INDICATORS],
            "source": ["netcompare tests"] * len(INDICATORS),
        },
        schema_overrides={
            "description": pl.String,
            "target": pl.Float64,
            "amber_threshold": pl.Float64,
            "network_target": pl.Float64,
        },
    )
    rows = []
    for m, month in enumerate(MONTHS):
        for p, practice in enumerate(PRACTICES):
            den = 60 + 20 * p + 3 * m
            for k, (indicator, *_rest) in enumerate(INDICATORS):
                if indicator == "DELTA":
                    continue
                if indicator == "ALPHA" and practice == "Q1" and month == LATEST:
                    continue
                if indicator == "GAMMA" and month == LATEST and practice != "Q2":
                    continue
                num = int(den * (0.55 + 0.05 * p + 0.02 * m + 0.03 * k))
                rows.append((practice, indicator, month, min(num, den), den, p))
    values = pl.DataFrame(
        rows,
        schema={
            "practice_id": pl.String,
            "indicator_id": pl.String,
            "period": pl.Date,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "exceptions": pl.Int64,
        },
        orient="row",
    )
    return {
        "networks": networks,
        "practices": practices,
        "indicators": indicators,
        "values": values,
    }


def write_tiny(folder: Path) -> Path:
    """Write the tiny data set as CSV files into ``folder``."""
    return write_dataset(
        folder,
        tiny_tables(),
        metadata={"name": "Tiny test borough", "source": "netcompare tests (invented)"},
    )


def load_tables(folder: Path, tables: dict[str, pl.DataFrame], name: str = "Test") -> DataSet:
    """Write ``tables`` as CSV files and load them as the app does (validated, indexed)."""
    return load_dataset(
        write_dataset(folder, tables, metadata={"name": name, "source": "netcompare tests"})
    )


def load_tiny(folder: Path) -> DataSet:
    """The tiny data set, loaded as the app loads it."""
    return load_dataset(write_tiny(folder))
