"""The one judgement every page gives a practice: which funnel method and benchmark decide
whether it is better, similar or worse.

The Funnel plot page draws the choice (selectboxes with keys ``method`` and ``benchmark``,
kept in the URL); every other page reads the same choice, with the same defaults
(over-dispersion adjusted arcsine around all practices), and says which one its verdicts use.
When these choices move into the shared sidebar, only this module changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from netcompare.stats.funnel import FUNNEL_METHODS
from netcompare.text import literal
from netcompare.types import Benchmark, FunnelMethod
from netcompare.ui.linked import linked_choice
from netcompare.views.compare import FUNNEL_BENCHMARKS
from netcompare.views.format import BENCHMARK_WORDS, METHOD_LABELS, judgement_words

KEY_METHOD = "method"
KEY_BENCHMARK = "benchmark"
DEFAULT_METHOD: FunnelMethod = "arcsine-od"
DEFAULT_BENCHMARK: Benchmark = "all"
# Widget state is dropped on a page that does not draw the widget: the last choice is kept
# here too, so the next page (and its reruns) use it.
_KEPT = "_judgement_choice"


@dataclass(frozen=True)
class Judgement:
    """The method and benchmark the verdicts of this run use."""

    method: FunnelMethod
    benchmark: Benchmark

    @property
    def words(self) -> str:
        """The caption every page shows: what better / similar / worse mean."""
        benchmark = BENCHMARK_WORDS[self.benchmark]
        return judgement_words(METHOD_LABELS[self.method], benchmark[:1].lower() + benchmark[1:])


def _valid(method: object, benchmark: object) -> Judgement | None:
    if method in FUNNEL_METHODS and benchmark in FUNNEL_BENCHMARKS:
        return Judgement(method, benchmark)  # type: ignore[arg-type]
    return None


def current_judgement() -> Judgement:
    """The choice in force, without drawing anything (defaults if none was made)."""
    state = st.session_state
    live = _valid(state.get(KEY_METHOD), state.get(KEY_BENCHMARK))
    if live is not None:
        return live
    kept = state.get(_KEPT)
    if isinstance(kept, Judgement):
        return kept
    return Judgement(DEFAULT_METHOD, DEFAULT_BENCHMARK)


def judgement_choice(*, draw: bool = False, caption: bool = True) -> Judgement:
    """The method and benchmark every verdict on the page uses.

    ``draw`` shows the two selectboxes (the Funnel plot page); other pages read the same
    choice. ``caption`` says, under them, which method and benchmark the verdicts use.
    """
    chosen = current_judgement()
    if draw:
        left, right = st.columns(2)
        benchmark = linked_choice(
            left.selectbox,
            "Centre line (benchmark)",
            FUNNEL_BENCHMARKS,
            key=KEY_BENCHMARK,
            format_func=BENCHMARK_WORDS.get,
            default=DEFAULT_BENCHMARK,
            initial=chosen.benchmark,
        )
        method = linked_choice(
            right.selectbox,
            "Method",
            FUNNEL_METHODS,
            key=KEY_METHOD,
            format_func=METHOD_LABELS.get,
            default=DEFAULT_METHOD,
            initial=chosen.method,
        )
        chosen = Judgement(method, benchmark)
    st.session_state[_KEPT] = chosen
    if caption:
        judgement_caption(chosen, chosen_here=draw)
    return chosen


def judgement_caption(judgement: Judgement, *, chosen_here: bool = False) -> None:
    """Say which method and benchmark the page's verdicts use (and where to change them)."""
    st.caption(
        literal(judgement.words + ("" if chosen_here else " Change them on the Funnel plot page."))
    )
