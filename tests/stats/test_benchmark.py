"""Benchmark comparison and RAG: Fingertips semantics and public vectors (METHODS.md 3-4)."""

from __future__ import annotations

import numpy as np
import pytest

from netcompare.errors import UserError
from netcompare.stats.benchmark import compare_with_benchmark, rag

BENCHMARKS = np.array([3.0, 2.8, 2.6, 2.4, 2.2])


def _two_level(polarity: str) -> list[str]:
    # Fingertips tests: CI 99.8 [2.3, 2.9], 95 [2.5, 2.7], value 2.6
    k = BENCHMARKS.size
    return list(
        compare_with_benchmark(
            np.full(k, 2.6),
            BENCHMARKS,
            np.full(k, 2.5),
            np.full(k, 2.7),
            np.full(k, 2.3),
            np.full(k, 2.9),
            polarity=polarity,
        )
    )


def test_two_levels_low_is_good_public_vector():
    assert _two_level("low") == ["best", "better", "similar", "worse", "worst"]


def test_two_levels_high_is_good_public_vector():
    assert _two_level("high") == ["worst", "worse", "similar", "better", "best"]


def test_two_levels_neutral():
    assert _two_level("neutral") == ["lower", "lower", "similar", "higher", "higher"]


def test_two_level_bands_are_inclusive():
    # benchmark exactly on lower95 is similar; exactly on lower99.8 is better
    out = compare_with_benchmark(
        [2.6, 2.6], [2.5, 2.3], [2.5, 2.5], [2.7, 2.7], [2.3, 2.3], [2.9, 2.9]
    )
    assert list(out) == ["similar", "better"]


def test_one_level():
    out = compare_with_benchmark([0.5, 0.5, 0.5, 0.5], [0.5, 0.3, 0.7, 0.6], 0.4, 0.6)
    assert list(out) == ["similar", "better", "worse", "similar"]
    out = compare_with_benchmark([0.5, 0.5], [0.3, 0.7], 0.4, 0.6, polarity="low")
    assert list(out) == ["worse", "better"]
    out = compare_with_benchmark([0.5, 0.5], [0.3, 0.7], 0.4, 0.6, polarity="neutral")
    assert list(out) == ["higher", "lower"]


def test_missing_gives_none():
    out = compare_with_benchmark([np.nan, 0.5], 0.4, [np.nan, 0.45], [np.nan, 0.55])
    assert list(out) == [None, "better"]


def test_unknown_polarity():
    with pytest.raises(UserError):
        compare_with_benchmark([0.5], 0.4, [0.45], [0.55], polarity="up")


def test_rag_single_target_public_vectors():
    # Fingertips single-target vectors: target 10
    assert list(rag([9, 10, 11], 10, polarity="low")) == ["green", "green", "red"]
    assert list(rag([9, 10, 11], 10, polarity="high")) == ["red", "green", "green"]


def test_rag_amber_band():
    assert list(rag([0.96, 0.95, 0.92, 0.9, 0.89], 0.95, 0.9)) == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
    ]
    # mirrored for lower is better: amber threshold above the target
    assert list(rag([0.1, 0.15, 0.2, 0.21], 0.15, 0.2, polarity="low")) == [
        "green",
        "green",
        "amber",
        "red",
    ]


def test_rag_without_target_is_none_and_missing_value_is_missing():
    assert list(rag([0.5, np.nan], None)) == ["none", None]
    assert list(rag([0.5, np.nan], 0.4)) == ["green", None]


def test_rag_amber_on_wrong_side_is_an_error():
    with pytest.raises(UserError, match="amber"):
        rag([0.5], 0.8, 0.9)
    with pytest.raises(UserError, match="amber"):
        rag([0.5], 0.2, 0.1, polarity="low")


def test_rag_ci_variant():
    values = [0.97, 0.96, 0.88, 0.85]
    lower = [0.955, 0.93, 0.85, 0.80]
    upper = [0.985, 0.98, 0.91, 0.89]
    by_value = rag(values, 0.95, 0.9)
    by_ci = rag(values, 0.95, 0.9, lower95=lower, upper95=upper, use_ci=True)
    assert list(by_value) == ["green", "green", "red", "red"]
    # green only when the whole CI clears the target; red only when it all falls short
    assert list(by_ci) == ["green", "amber", "amber", "red"]
