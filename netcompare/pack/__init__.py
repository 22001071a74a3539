"""The meeting pack: one network's period as a PDF and a self-contained HTML file.

``build_pack`` collects the content from the views (a plain :class:`MeetingPack` value);
``pack_pdf`` and ``pack_html`` render that same content. See :mod:`netcompare.pack.build`.
"""

from __future__ import annotations

from netcompare.pack.build import build_pack, default_indicators
from netcompare.pack.html import pack_html
from netcompare.pack.model import MeetingPack
from netcompare.pack.pdf import pack_pdf

__all__ = ["MeetingPack", "build_pack", "default_indicators", "pack_html", "pack_pdf"]
