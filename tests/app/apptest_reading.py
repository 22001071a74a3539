"""Reading what an AppTest run drew: chart specs and their data, tables, and the expected
numbers computed independently from the sample data files with polars.

Altair charts arrive in AppTest as ``vega_lite_chart`` elements: a Vega-Lite JSON spec plus
the data, inline in each layer (``{"values": [...]}``) or as Arrow IPC bytes for the top-level
data. These helpers turn both into polars frames so tests can assert on what is drawn.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


@dataclass(frozen=True)
class DrawnChart:
    """One Altair chart as the browser would get it."""

    spec: dict[str, Any]
    top_data: pl.DataFrame | None  # the chart's own data (Arrow), if any
    datasets: dict[str, pl.DataFrame]  # named data sets the layers refer to (Arrow)

    @property
    def title(self) -> str:
        """The title (a long one, wrapped into lines by the chart, joined with spaces)."""
        title = self.spec.get("title", {})
        text = title.get("text", "") if isinstance(title, dict) else title
        return " ".join(text) if isinstance(text, list) else str(text)

    @property
    def subtitle(self) -> str:
        """The caption lines under the title, joined with spaces."""
        title = self.spec.get("title", {})
        lines = title.get("subtitle", []) if isinstance(title, dict) else []
        return " ".join([lines] if isinstance(lines, str) else lines)

    @property
    def layers(self) -> list[dict[str, Any]]:
        return self.spec.get("layer", [self.spec])

    def layer_data(self, i: int) -> pl.DataFrame:
        """The rows layer ``i`` draws (its own data, else the chart's top-level data)."""
        for data in (self.layers[i].get("data"), self.spec.get("data")):
            if not data:
                continue
            if data.get("values") is not None:
                return pl.DataFrame(data["values"], infer_schema_length=None)
            if data.get("name") in self.datasets:
                return self.datasets[data["name"]]
        if self.top_data is not None:
            return self.top_data
        raise AssertionError(f"layer {i} of {self.title!r} has no data")

    def layers_with_mark(self, mark: str) -> list[int]:
        out = []
        for i, layer in enumerate(self.layers):
            m = layer.get("mark")
            kind = m.get("type") if isinstance(m, dict) else m
            if kind == mark:
                out.append(i)
        return out

    def data_with_column(self, column: str) -> pl.DataFrame:
        """The largest layer data that has ``column`` (e.g. all the points, the limit curves)."""
        frames = [self.layer_data(i) for i in range(len(self.layers))]
        frames = [f for f in frames if column in f.columns]
        assert frames, f"no layer of {self.title!r} has a {column!r} column"
        return max(frames, key=lambda f: f.height)


def _arrow(data: bytes) -> pl.DataFrame | None:
    if not data:
        return None
    frame = pl.from_arrow(pa.ipc.open_stream(data).read_all())
    assert isinstance(frame, pl.DataFrame)
    return frame.drop([c for c in frame.columns if c.startswith("__index_level_")])


def drawn_charts(at: AppTest) -> list[DrawnChart]:
    """Every Altair chart of the page, in page order."""
    out = []
    for element in at.get("vega_lite_chart"):
        proto = element.proto
        datasets = {d.name: _arrow(d.data.data) for d in proto.datasets}
        out.append(DrawnChart(json.loads(proto.spec), _arrow(proto.data.data), datasets))
    return out


def chart_titled(at: AppTest, starts: str) -> DrawnChart:
    """The one chart whose title starts with ``starts``."""
    found = [c for c in drawn_charts(at) if c.title.startswith(starts)]
    titles = [c.title for c in drawn_charts(at)]
    assert len(found) == 1, f"expected one chart titled {starts!r}, got {titles}"
    return found[0]


def shown(markdown: str) -> str:
    """What a reader sees of Markdown that netcompare.text.literal() made safe: backslash
    escapes resolved, word joiners gone (AppTest reports the Markdown source)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown.replace("\u2060", ""))


def texts(at: AppTest, kind: str) -> list[str]:
    """The text of every element of one kind ("info", "caption", "warning", "error", …) as
    a reader sees it."""
    return [shown(str(e.value)) for e in getattr(at, kind)]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# --- the sample data, read independently of the app ------------------------------------------


def sample_table(name: str) -> pl.DataFrame:
    return pl.read_csv(SAMPLE / f"{name}.csv", try_parse_dates=True, infer_schema_length=None)


def latest_period() -> Any:
    return sample_table("values").get_column("period").max()


def expected_values(indicator_id: str, period: Any, *, net_of_exceptions: bool = False):
    """practice_id, numerator, denominator, value for one indicator and period."""
    values = sample_table("values").filter(
        (pl.col("indicator_id") == indicator_id) & (pl.col("period") == period)
    )
    den = pl.col("denominator")
    if net_of_exceptions:
        den = den - pl.col("exceptions").fill_null(0)
    return values.select(
        "practice_id",
        "numerator",
        den.alias("denominator"),
        (pl.col("numerator") / den).alias("value"),
    ).sort("practice_id")


def practice_network() -> pl.DataFrame:
    return sample_table("practices").join(sample_table("networks"), on="network_id")
