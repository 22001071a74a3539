"""The closed sets of names the library passes around, as typing ``Literal`` aliases.

Each alias is the one definition of its set; where code needs the values themselves (to
validate input, to offer CLI or widget choices) it takes the tuple derived from the alias
with ``typing.get_args``, so the two can never disagree.

- :data:`Polarity`: which direction is better for an indicator (METHODS.md sections 3-5;
  Fingertips polarity).
- :data:`FunnelMethod`: the funnel-plot methods of ``netcompare.stats.funnel`` (FunnelPlotR
  0.6.0 arcsine with and without over-dispersion, PHEindicatormethods 2.1.0 inverted Wilson).
- :data:`Benchmark`: what a practice is compared with in the views (every practice, its area,
  its network, or the indicator's target); ``netcompare.views.compare`` names them
  ``BENCHMARK_ALL``, ``BENCHMARK_AREA``, ``BENCHMARK_NETWORK``, ``BENCHMARK_TARGET``.
- :data:`Improvement`: the SPC improvement direction (NHSRplotthedots 0.2.2
  ``improvement_direction``).
- :data:`PeriodType`: what one period of an indicator is (a month, a quarter, a calendar
  year or an April-March financial year such as QOF 2022-23).
- :data:`TwoInThreeRule`: which points the SPC two-in-three rule counts (NHSRplotthedots, or
  Making Data Count 2023).
"""

from __future__ import annotations

from typing import Literal, get_args

Polarity = Literal["high", "low", "neutral"]
FunnelMethod = Literal["arcsine-od", "arcsine", "wilson"]
Benchmark = Literal["all", "area", "network", "target"]
Improvement = Literal["increase", "decrease", "neutral"]
TwoInThreeRule = Literal["mdc2023", "ptd"]
PeriodType = Literal["month", "quarter", "year", "financial_year"]

POLARITIES: tuple[Polarity, ...] = get_args(Polarity)
FUNNEL_METHODS: tuple[FunnelMethod, ...] = get_args(FunnelMethod)
BENCHMARKS: tuple[Benchmark, ...] = get_args(Benchmark)
IMPROVEMENTS: tuple[Improvement, ...] = get_args(Improvement)
TWO_IN_THREE_VARIANTS: tuple[TwoInThreeRule, ...] = get_args(TwoInThreeRule)
PERIOD_TYPES: tuple[PeriodType, ...] = get_args(PeriodType)
