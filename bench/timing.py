"""Timing and memory helpers shared by the benchmark workers."""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def time_ms(fn: Callable[[], object]) -> float:
    """Wall-clock milliseconds of one call."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


@dataclass
class Samples:
    """Wall-clock and CPU milliseconds of each timed call.

    CPU time is the process's (all its threads): on a busy machine it shows the work a step
    did while its wall-clock time also counts waiting for a core.
    """

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def repeat_ms(fn: Callable[[], object], repeats: int, warmup: int = 1) -> Samples:
    """``warmup`` untimed calls, then ``repeats`` timed ones (milliseconds each).

    As ``timeit`` does, the cyclic garbage collector is off while timing (collected once
    before): a collection in the middle of a sub-millisecond step would time Python's
    bookkeeping, not the step. Frames and arrays are freed by reference counting anyway.
    """
    for _ in range(warmup):
        fn()
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    samples = Samples()
    try:
        for _ in range(max(1, repeats)):
            cpu = time.process_time()
            samples.wall.append(time_ms(fn))
            samples.cpu.append((time.process_time() - cpu) * 1000)
    finally:
        if enabled:
            gc.enable()
    return samples


def median(times: list[float]) -> float:
    return float(statistics.median(times))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (ru_maxrss: KB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # macOS reports bytes
    return peak / scale
