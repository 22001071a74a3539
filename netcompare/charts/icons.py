"""Making Data Count icons, drawn as SVG: variation (what the latest point shows) and
assurance (can the process meet its target?). After NHS England's Making Data Count icons as
used by NHSRplotthedots' ``geom_ptd_icon``: a coloured ring, a small run of dots, a letter.
"""

from __future__ import annotations

from html import escape

from netcompare.charts.common import MDC_COLOURS

VARIATION_TEXT = {
    "improvement_high": ("Special cause improvement (high)", "H", "improvement"),
    "improvement_low": ("Special cause improvement (low)", "L", "improvement"),
    "concern_high": ("Special cause concern (high)", "H", "concern"),
    "concern_low": ("Special cause concern (low)", "L", "concern"),
    "neutral_high": ("Special cause, neither improvement nor concern (high)", "H", "neutral_high"),
    "neutral_low": ("Special cause, neither improvement nor concern (low)", "L", "neutral_low"),
    "common_cause": ("Common cause variation: no significant change", "", "common_cause"),
}
ASSURANCE_TEXT = {
    "pass": ("Consistently passing the target", "P", "#289DE0"),
    "fail": ("Consistently failing the target", "F", "#FAB428"),
    "inconsistent": ("Hit and miss: the target lies within the limits", "?", "#7B7D7D"),
    "none": ("No target: no assurance", "–", "#BBBBBB"),
}


def _dots(kind: str, colour: str) -> str:
    """A short run of dots inside the ring showing the direction of the signal."""
    if kind in ("improvement", "concern", "neutral_high", "neutral_low"):
        ys = [62, 58, 54, 44, 38] if not kind.endswith("low") else [38, 42, 46, 56, 62]
    else:
        ys = [50, 44, 54, 47, 52]
    xs = [26, 36, 46, 56, 66]
    dots = [
        f'<circle cx="{x}" cy="{y}" r="3.6" fill="{colour if i >= 3 else "#7B7D7D"}"/>'
        for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    ]
    return "".join(dots)


def variation_icon_svg(icon: str, size: int = 96) -> str:
    """SVG of a variation icon (one of the SPC engine's ``variation_icon`` names)."""
    title, letter, kind = VARIATION_TEXT.get(icon, VARIATION_TEXT["common_cause"])
    colour = MDC_COLOURS.get(kind, MDC_COLOURS["common_cause"])
    letter_y = 82 if kind.endswith("low") or icon.endswith("_low") else 30
    text = (
        f'<text x="50" y="{letter_y}" text-anchor="middle" font-family="Arial" '
        f'font-size="18" font-weight="bold" fill="{colour}">{letter}</text>'
        if letter
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" role="img" aria-label="{escape(title)}"><title>{escape(title)}'
        f'</title><circle cx="50" cy="50" r="44" fill="white" stroke="{colour}" '
        f'stroke-width="7"/>{_dots(kind, colour)}{text}</svg>'
    )


def assurance_icon_svg(assurance: str, size: int = 96) -> str:
    """SVG of an assurance icon: pass (P), fail (F), inconsistent (?), none."""
    title, letter, colour = ASSURANCE_TEXT.get(assurance, ASSURANCE_TEXT["none"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" role="img" aria-label="{escape(title)}"><title>{escape(title)}'
        f'</title><circle cx="50" cy="50" r="44" fill="white" stroke="{colour}" '
        f'stroke-width="7"/><line x1="20" y1="40" x2="80" y2="40" stroke="#D55E00" '
        f'stroke-width="3" stroke-dasharray="6 4"/><text x="50" y="72" text-anchor="middle" '
        f'font-family="Arial" font-size="34" font-weight="bold" fill="{colour}">{letter}</text>'
        f"</svg>"
    )


def variation_words(icon: str) -> str:
    return VARIATION_TEXT.get(icon, VARIATION_TEXT["common_cause"])[0]


def assurance_words(assurance: str) -> str:
    return ASSURANCE_TEXT.get(assurance, ASSURANCE_TEXT["none"])[0]
