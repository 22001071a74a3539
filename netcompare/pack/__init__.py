"""The meeting pack: one network's period as a PDF and a self-contained HTML file.

``build_pack`` collects the content from the views (a plain :class:`MeetingPack` value);
``pack_pdf`` and ``pack_html`` render that same content. See :mod:`netcompare.pack.build`.

The names are imported on first use, so that a chart-rendering worker process
(:mod:`netcompare.pack.render`) imports vl-convert and nothing else.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netcompare.pack.build import build_pack, default_indicators
    from netcompare.pack.html import pack_html
    from netcompare.pack.model import MeetingPack
    from netcompare.pack.pdf import pack_pdf
    from netcompare.pack.render import rendering

_WHERE = {
    "MeetingPack": "netcompare.pack.model",
    "build_pack": "netcompare.pack.build",
    "default_indicators": "netcompare.pack.build",
    "pack_html": "netcompare.pack.html",
    "pack_pdf": "netcompare.pack.pdf",
    "rendering": "netcompare.pack.render",
}

__all__ = [
    "MeetingPack",
    "build_pack",
    "default_indicators",
    "pack_html",
    "pack_pdf",
    "rendering",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'netcompare.pack' has no attribute {name!r}")
