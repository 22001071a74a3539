"""compare_units: the one-call league table / funnel engine and its input validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from netcompare.errors import UserError
from netcompare.stats.compare import COMPARE_COLUMNS, compare_units

REF = Path(__file__).resolve().parents[1] / "reference_data"


@pytest.fixture(scope="module")
def phe() -> pl.DataFrame:
    return pl.read_csv(REF / "testdata_funnel_prop_inputs.csv").rename({"Area": "unit"})


def small() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit": ["A", "B", "C", "D", "E", "F"],
            "numerator": [90, 45, 160, 30, 700, 12],
            "denominator": [100, 60, 200, 50, 800, 40],
        }
    )


def test_columns_exact_and_types(phe):
    out, summary = compare_units(phe, draws=200)
    assert tuple(out.columns) == COMPARE_COLUMNS
    assert out.height == 303
    assert out["unit"].to_list() == phe["unit"].to_list()
    for column in ("outlier95", "outlier998", "comparison", "rag"):
        assert out.schema[column] == pl.String
    for column in ("quintile", "rank", "rank_lower", "rank_upper"):
        assert out.schema[column] == pl.Int64
    assert summary.n_units == 303 and summary.method == "arcsine-od"
    assert set(summary.as_dict()) == {
        "benchmark",
        "method",
        "phi",
        "tau2",
        "overdispersion_adjusted",
        "n_units",
    }


def test_wilson_method_matches_phe_labels(phe):
    out, summary = compare_units(phe, method="wilson", ranks=False)
    labels = phe["significance"].to_numpy()  # PHEindicatormethods' published labels
    expected95 = np.where(
        np.char.startswith(labels.astype(str), "High"),
        "high",
        np.where(np.char.startswith(labels.astype(str), "Low"), "low", "none"),
    )
    assert out["outlier95"].to_list() == list(expected95)
    assert summary.phi is None and summary.tau2 is None
    assert out["rank_lower"].null_count() == 303  # ranks=False skips the simulation


def test_values_intervals_and_pooled_benchmark():
    out, summary = compare_units(small(), draws=200)
    x = np.array([90, 45, 160, 30, 700, 12.0])
    n = np.array([100, 60, 200, 50, 800, 40.0])
    assert summary.benchmark == pytest.approx(x.sum() / n.sum())
    np.testing.assert_allclose(out["value"].to_numpy(), x / n)
    assert out["numerator"].dtype == pl.Int64
    lo, up = out["ci95_lower"].to_numpy(), out["ci95_upper"].to_numpy()
    assert np.all(lo <= x / n) and np.all(x / n <= up)
    assert np.all(out["ci998_lower"].to_numpy() <= lo)


def test_target_benchmark_and_rag():
    out, summary = compare_units(small(), benchmark=0.5, target=0.8, amber=0.7, draws=100)
    assert summary.benchmark == 0.5
    assert out["rag"].to_list() == ["green", "amber", "green", "red", "green", "red"]
    # against 0.5: A (0.9) is far above; F (12/40) is below with 0.5 between its 95% and
    # 99.8% upper limits
    assert out["comparison"][0] == "best" and out["comparison"][5] == "worse"


def test_polarity_low_reverses_rank_and_comparison():
    high, _ = compare_units(small(), ranks=False)
    low, _ = compare_units(small(), polarity="low", ranks=False)
    # values 0.9, 0.75, 0.8, 0.6, 0.875, 0.3
    assert high["rank"].to_list() == [1, 4, 3, 5, 2, 6]
    assert low["rank"].to_list() == [6, 3, 4, 2, 5, 1]
    swap = {"best": "worst", "better": "worse", "worse": "better", "worst": "best"}
    assert low["comparison"].to_list() == [swap.get(c, c) for c in high["comparison"].to_list()]
    neutral, _ = compare_units(small(), polarity="neutral", ranks=False)
    words = {"best": "higher", "better": "higher", "worse": "lower", "worst": "lower"}
    assert set(high["comparison"].to_list()) - {"similar"}  # something to translate
    assert neutral["comparison"].to_list() == [
        words.get(c, c) for c in high["comparison"].to_list()
    ]


def test_quintiles_need_five_units():
    out, _ = compare_units(small().head(4), ranks=False)
    assert out["quintile"].null_count() == 4
    out, _ = compare_units(small(), ranks=False)
    assert out["quintile"].null_count() == 0


def test_missing_counts_are_kept_as_missing_rows():
    f = pl.DataFrame(
        {"unit": ["A", "B", "C"], "numerator": ["5", "", "7"], "denominator": ["10", "10", "20"]}
    )
    out, summary = compare_units(f, draws=100)
    assert summary.n_units == 2
    row = out.row(1, named=True)
    assert row["unit"] == "B" and row["numerator"] is None and row["value"] is None
    assert row["outlier95"] is None and row["rank"] is None and row["funnel95_lower"] is None


@pytest.mark.parametrize(
    ("numerator", "denominator", "message", "where"),
    [
        (["5", "x"], ["10", "10"], "not numbers", "unit 'B' (line 3)"),
        (["-1", "3"], ["10", "10"], "negative", "unit 'A' (line 2)"),
        (["11", "3"], ["10", "10"], "numerator above denominator", "unit 'A' (line 2)"),
        (["0", "3"], ["0", "10"], "zero denominators", "unit 'A' (line 2)"),
    ],
)
def test_bad_counts_raise_user_error(numerator, denominator, message, where):
    f = pl.DataFrame({"unit": ["A", "B"], "numerator": numerator, "denominator": denominator})
    with pytest.raises(UserError, match=message) as err:
        compare_units(f, line_offset=2)
    # the message names the bad row, and only that one
    assert where in str(err.value)
    other = "unit 'A' (line 2)" if where.startswith("unit 'B'") else "unit 'B' (line 3)"
    assert other not in str(err.value)


def test_zero_denominator_can_be_treated_as_missing():
    f = pl.DataFrame({"unit": ["A", "B", "C"], "numerator": [0, 3, 4], "denominator": [0, 10, 9]})
    out, summary = compare_units(f, zero_denominator="missing", ranks=False)
    assert summary.n_units == 2 and out["value"][0] is None


def test_structural_errors():
    with pytest.raises(UserError, match="no unit column"):
        compare_units(small().rename({"unit": "practice"}))
    dup = pl.DataFrame({"unit": ["A", "A"], "numerator": [1, 2], "denominator": [5, 5]})
    with pytest.raises(UserError, match="repeat"):
        compare_units(dup)
    with pytest.raises(UserError, match="at least 2 units"):
        compare_units(small().head(1))
    with pytest.raises(UserError, match="between 0 and 1"):
        compare_units(small(), target=95)
    with pytest.raises(UserError, match="needs a target"):
        compare_units(small(), amber=0.5)
    with pytest.raises(UserError, match="unknown method"):
        compare_units(small(), method="poisson")


def test_rank_intervals_reproducible_with_seed():
    a, _ = compare_units(small(), seed=7, draws=300)
    b, _ = compare_units(small(), seed=7, draws=300)
    assert a["rank_lower"].to_list() == b["rank_lower"].to_list()
    assert a["rank_upper"].to_list() == b["rank_upper"].to_list()


def test_the_key_column_keeps_the_callers_name() -> None:
    frame = pl.DataFrame(
        {"practice_id": ["A", "B", "C"], "numerator": [5, 8, 9], "denominator": [10, 10, 10]}
    )
    out, _ = compare_units(frame, unit="practice_id", ranks=False)
    assert out.columns == ["practice_id", *COMPARE_COLUMNS[1:]]
    assert out.get_column("practice_id").to_list() == ["A", "B", "C"]
