"""Charts drawn by worker processes: the same drawing as in-process, and a worker never
re-runs the parent's main script (in the app's server that is app.py)."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import altair as alt
import pytest

from netcompare.pack.model import Figure
from netcompare.pack.render import rendering


def chart() -> alt.Chart:
    data = alt.Data(values=[{"x": "◆ Practice A", "y": 3}, {"x": "Practice B", "y": 5}])
    return alt.Chart(data).mark_bar().encode(x="x:N", y="y:Q").properties(title="Bars")


def test_a_worker_draws_the_chart_and_never_runs_the_main_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "main-was-run"
    script = tmp_path / "app_like.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('ran')\n", encoding="utf-8")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)  # what Streamlit's __main__ looks like: a script
    monkeypatch.setitem(sys.modules, "__main__", fake_main)

    with rendering():
        drawn = Figure(chart(), "two bars", width=300)
        assert "future" in drawn._cache  # sent to a worker
        svg, png = drawn.svg(), drawn.png()
    assert sys.modules["__main__"] is fake_main  # put back
    assert not marker.exists()
    here = Figure(chart(), "two bars", width=300)
    assert "future" not in here._cache  # outside the block: drawn in this process
    assert svg == here.svg()
    assert png.startswith(b"\x89PNG") and png == here.png()
    assert "◆ Practice A" in svg
