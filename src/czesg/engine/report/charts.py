"""Small SVG charts for printed reports (no script: WeasyPrint draws them as they are)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 240
HEIGHT = 110
_BAR = "#17715a"
_MUTED = "#9fb3bd"
_TEXT = "#1d2a33"
_FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"  # the page's font: no extra font to embed


def bar_chart(labels: Sequence[str], values: Sequence[float | None], shown: Sequence[str],
              *, title: str = "") -> str:
    """A bar chart: one bar per label (a gap where the value is None), each labelled with its
    ``shown`` text; ``title`` becomes the SVG's accessible title."""
    count = max(len(labels), 1)
    known = [v for v in values if v is not None]
    top = max((abs(v) for v in known), default=0.0) or 1.0
    slot = (WIDTH - 20) / count
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart">'
             f"<title>{escape(title)}</title>",
             f'<line x1="10" y1="{HEIGHT - 20}" x2="{WIDTH - 10}" y2="{HEIGHT - 20}" '
             f'stroke="{_MUTED}" stroke-width="0.5"/>']
    for i, (label, value, text) in enumerate(zip(labels, values, shown, strict=True)):
        x = 10 + i * slot + slot * 0.2
        width = slot * 0.6
        if value is not None:
            height = max(abs(value) / top * (HEIGHT - 45), 0.5)
            y = HEIGHT - 20 - height
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                         f'height="{height:.1f}" fill="{_BAR}"/>')
            parts.append(f'<text x="{x + width / 2:.1f}" y="{y - 3:.1f}" font-size="7" '
                         f'text-anchor="middle" font-family="{_FONT}" fill="{_TEXT}">{escape(text)}</text>')
        parts.append(f'<text x="{x + width / 2:.1f}" y="{HEIGHT - 8}" font-size="7" '
                     f'text-anchor="middle" font-family="{_FONT}" fill="{_TEXT}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def position_strip(values: Sequence[float], own: float, *, title: str = "") -> str:
    """A strip of peers' values as ticks with the enterprise's own value marked."""
    low, high = min([*values, own]), max([*values, own])
    span = (high - low) or 1.0

    def x_of(value: float) -> float:
        return 10 + (value - low) / span * (WIDTH - 20)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="36" '
             f'viewBox="0 0 {WIDTH} 36" role="img" class="chart">'
             f"<title>{escape(title)}</title>",
             f'<line x1="10" y1="18" x2="{WIDTH - 10}" y2="18" stroke="{_MUTED}" '
             f'stroke-width="0.5"/>']
    for value in values:
        parts.append(f'<line x1="{x_of(value):.1f}" y1="12" x2="{x_of(value):.1f}" y2="24" '
                     f'stroke="{_MUTED}" stroke-width="1"/>')
    parts.append(f'<circle cx="{x_of(own):.1f}" cy="18" r="4" fill="{_BAR}"/>')
    parts.append("</svg>")
    return "".join(parts)
