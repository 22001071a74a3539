"""Charts as files: PNG for slides and minutes, SVG for print, rendered without a browser.

Streamlit hides Vega-Embed's own "save as" menu, so the app offers download buttons that
render the same Vega-Lite spec with vl-convert (a self-contained Vega renderer).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import vl_convert

# Width given to charts that stretch to their container on screen.
EXPORT_WIDTH = 1000


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec = chart.to_dict()
    if spec.get("width") == "container":
        spec["width"] = EXPORT_WIDTH
    spec.setdefault("background", "white")
    return spec


def chart_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document."""
    return vl_convert.vegalite_to_svg(_spec(chart))


def chart_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as a PNG image (``scale`` 2 gives a sharp image on a projector)."""
    return vl_convert.vegalite_to_png(_spec(chart), scale=scale)
