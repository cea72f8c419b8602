"""A small line chart as SVG, for the plots beside docs/performance.md.

Written here rather than taken from matplotlib: the bench plots a handful of points per figure,
and a plotting library (with numpy, fonts and a backend) is a heavy dependency for that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

Point = tuple[float, float]

WIDTH, HEIGHT = 780, 360
LEFT, RIGHT, TOP, BOTTOM = 72, 250, 40, 52
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _ticks(low: float, high: float, log: bool) -> list[float]:
    if log:
        first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
        return [10.0**e for e in range(first, last + 1)]
    span = high - low or 1.0
    step = 10 ** math.floor(math.log10(span / 4))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= 6:
            step *= factor
            break
    start = math.floor(low / step) * step
    return [start + i * step for i in range(int((high - start) / step) + 2)]


def _label(value: float) -> str:
    if value >= 1000 and value == int(value):
        return f"{value:,.0f}"
    if value >= 10 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:g}"


def line_chart(
    path: Path,
    title: str,
    x_label: str,
    y_label: str,
    series: Sequence[tuple[str, Sequence[Point]]],
    *,
    log_x: bool = True,
    log_y: bool = False,
    goal: tuple[float, str] | None = None,
) -> None:
    """Write ``series`` (name, points) as lines with markers; ``goal`` is a dashed line."""
    points = [p for _, pts in series for p in pts if all(math.isfinite(v) for v in p)]
    xs = [x for x, _ in points]
    ys = [y for _, y in points] + ([goal[0]] if goal else [])
    if log_y:
        ys = [y for y in ys if y > 0]
    x_low, x_high = min(xs), max(xs)
    y_low, y_high = (min(ys), max(ys)) if log_y else (0.0, max(ys) * 1.1 or 1.0)
    if log_x and x_low == x_high:
        x_low, x_high = x_low / 10, x_high * 10
    x_ticks = _ticks(x_low, x_high, log_x)
    y_ticks = _ticks(y_low, y_high, log_y)
    x_low, x_high = min(x_ticks[0], x_low), max(x_ticks[-1], x_high)
    y_low, y_high = min(y_ticks[0], y_low), max(y_ticks[-1], y_high)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def fx(x: float) -> float:
        if log_x:
            return LEFT + plot_w * (math.log10(x) - math.log10(x_low)) / (
                math.log10(x_high) - math.log10(x_low) or 1
            )
        return LEFT + plot_w * (x - x_low) / ((x_high - x_low) or 1)

    def fy(y: float) -> float:
        if log_y:
            y = max(y, y_low)
            frac = (math.log10(y) - math.log10(y_low)) / (
                (math.log10(y_high) - math.log10(y_low)) or 1
            )
        else:
            frac = (y - y_low) / ((y_high - y_low) or 1)
        return TOP + plot_h * (1 - frac)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="14">{escape(title)}</text>',
    ]
    for t in x_ticks:
        if x_low <= t <= x_high:
            x = fx(t)
            out.append(
                f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" stroke="#ddd"/>'
            )
            out.append(
                f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{_label(t)}</text>'
            )
    for t in y_ticks:
        if y_low <= t <= y_high:
            y = fy(t)
            out.append(
                f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
            )
            out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_label(t)}</text>')
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#333"/>'
    )
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 12}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
    )
    out.append(
        f'<text x="16" y="{TOP + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {TOP + plot_h / 2})">{escape(y_label)}</text>'
    )
    legend_y = TOP + 8
    if goal is not None:
        y = fy(goal[0])
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#444" '
            'stroke-dasharray="6 4"/>'
        )
        out.append(
            f'<text x="{LEFT + plot_w + 8}" y="{y + 4:.1f}" fill="#444">{escape(goal[1])}</text>'
        )
    for i, (name, pts) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        good = [p for p in pts if all(math.isfinite(v) for v in p) and (not log_y or p[1] > 0)]
        if not good:
            continue
        coords = " ".join(f"{fx(x):.1f},{fy(y):.1f}" for x, y in good)
        if len(good) > 1:
            out.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        if len(good) <= 20:
            for x, y in good:
                out.append(f'<circle cx="{fx(x):.1f}" cy="{fy(y):.1f}" r="3.5" fill="{colour}"/>')
        out.append(
            f'<line x1="{LEFT + plot_w + 8}" y1="{legend_y + 14:.1f}" x2="{LEFT + plot_w + 24}" '
            f'y2="{legend_y + 14:.1f}" stroke="{colour}" stroke-width="3"/>'
        )
        out.append(f'<text x="{LEFT + plot_w + 28}" y="{legend_y + 18:.1f}">{escape(name)}</text>')
        legend_y += 18
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
