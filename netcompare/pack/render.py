"""Charts rendered in worker processes while the pack is built and laid out.

vl-convert holds Python's interpreter lock while it draws, so threads cannot overlap it with
the pack's own work; two worker processes can. Inside ``with rendering():`` every
:class:`~netcompare.pack.model.Figure` made is sent to a worker as soon as it exists (its
Vega-Lite spec, a plain dict), and the PDF and HTML renderers take the SVG and PNG when they
reach it. The workers are started with "spawn" (never "fork": the app's server has threads),
import nothing but vl-convert, and are stopped when the block ends. Outside the block, or if a
worker fails, a figure is rendered in this process, exactly the same way.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import multiprocessing
import os
import sys
import types
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

FONT_DIR = Path(__file__).resolve().parent / "fonts"
WORKERS = 2

_POOL: contextvars.ContextVar[ProcessPoolExecutor | None] = contextvars.ContextVar(
    "netcompare_pack_pool", default=None
)


@functools.cache
def register_fonts() -> None:
    """Make the bundled DejaVu fonts available to vl-convert (once per process)."""
    import vl_convert

    vl_convert.register_font_directory(str(FONT_DIR))


def render_chart(spec: dict[str, Any], scale: float) -> tuple[str, bytes]:
    """A Vega-Lite spec as SVG, and as PNG drawn from that SVG at ``scale``."""
    import vl_convert

    register_fonts()
    svg = vl_convert.vegalite_to_svg(spec)
    return svg, vl_convert.svg_to_png(svg, scale=scale)


def submit(spec: dict[str, Any], scale: float) -> Future | None:
    """Send a chart to this block's workers; None outside ``rendering()``."""
    pool = _POOL.get()
    if pool is None:
        return None
    try:
        return pool.submit(render_chart, spec, scale)
    except RuntimeError:  # the pool is shutting down or broken: render here instead
        return None


def _ready() -> bool:
    return True


def _start_workers(pool: ProcessPoolExecutor, count: int) -> None:
    """Start every worker now, with no ``__main__`` for them to re-run.

    A "spawn" worker first re-imports the parent's main script, unless it is a package's
    ``__main__``: in the app's server that script is ``app.py`` (Streamlit runs a page as
    ``__main__``), which a worker must never run. While the workers start, ``__main__`` is a
    bare module (no file, no spec), so they import only what a task needs; it is put back at
    once (unless a page run replaced it meanwhile, as Streamlit does for each run).
    """
    saved = sys.modules.get("__main__")
    bare = types.ModuleType("__main__")
    sys.modules["__main__"] = bare
    try:
        # one task per worker, submitted while none is idle yet: each submit starts a worker
        # process there and then (concurrent.futures spawns them in submit)
        for _ in range(count):
            pool.submit(_ready)
    finally:
        if sys.modules.get("__main__") is bare and saved is not None:
            sys.modules["__main__"] = saved


@contextlib.contextmanager
def rendering(workers: int = WORKERS) -> Iterator[None]:
    """Render the figures made inside the block in ``workers`` processes (fewer on a
    machine with fewer cores; none with one core)."""
    count = min(workers, os.cpu_count() or 1)
    if count < 2:
        yield
        return
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"))
    try:
        _start_workers(pool, count)
    except (OSError, RuntimeError):  # no processes here: every figure drawn in this one
        pool.shutdown(wait=False, cancel_futures=True)
        yield
        return
    token = _POOL.set(pool)
    try:
        yield
    finally:
        _POOL.reset(token)
        pool.shutdown(wait=True, cancel_futures=True)
