"""Names for the small sets of values passed between layers (checked by type checkers)."""

from __future__ import annotations

from typing import Literal

# Which direction is better for an indicator (netcompare.data.schema.POLARITIES).
Polarity = Literal["high", "low", "neutral"]
# The funnel plot methods (netcompare.stats.funnel.FUNNEL_METHODS).
FunnelMethod = Literal["arcsine-od", "arcsine", "wilson"]
# What practices are compared with: all practices, the chosen network, or the target.
Benchmark = Literal["all", "network", "target"]
# Which direction of change is an improvement on an SPC chart (netcompare.stats.spc.IMPROVEMENTS).
Improvement = Literal["increase", "decrease", "neutral"]
