"""Charts as SVG drawn on the server: no script, no internet, readable at any width (a viewBox).

Every text in a chart (outlet names, labels) is escaped here, since the SVG goes into the page as
markup. Colours and sizes are presentation attributes, never `style` (the pages' CSP forbids inline
styles).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 40
# Beyond this many series the legend and colours stop telling them apart: the rest are summed as "other".
MAX_SERIES = 8


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _ticks(top: float) -> list[float]:
    if top <= 0:
        return [0.0]
    step = 10 ** (len(str(int(top))) - 1) if top >= 1 else 0.1
    while top / step > 5:
        step *= 2
    ticks, value = [], 0.0
    while value <= top * 1.0001:
        ticks.append(round(value, 6))
        value += step
    return ticks


def _number(value: float) -> str:
    return f"{value:g}" if value < 1 else f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def series_chart(
    x_labels: Sequence[str], series: dict[str, dict[str, float]], title: str, kind: str = "line", chart_id: str = "chart",
) -> Markup:
    """A chart of several series over shared categories (months, weeks): lines, or stacked bars.
    `series` maps a name to {x label: value}; the largest MAX_SERIES are drawn, the others summed."""
    names = sorted(series, key=lambda n: -sum(series[n].values()))
    if len(names) > MAX_SERIES:
        other: dict[str, float] = {}
        for name in names[MAX_SERIES - 1:]:
            for x, v in series[name].items():
                other[x] = other.get(x, 0) + v
        series = {**{n: series[n] for n in names[: MAX_SERIES - 1]}, "(other)": other}
        names = [*names[: MAX_SERIES - 1], "(other)"]
    n = max(len(x_labels), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    if kind == "bar":
        stacked = [sum(series[name].get(x, 0) for name in names) for x in x_labels]
        top = max(stacked, default=0)
    else:
        top = max((v for s in series.values() for v in s.values()), default=0)
    ticks = _ticks(top)
    scale_top = max(ticks[-1], top) or 1

    def y(value: float) -> float:
        return TOP + plot_h - value / scale_top * plot_h

    def x(index: int) -> float:
        return LEFT + (index + 0.5) * plot_w / n

    legend_h = 16 * ((len(names) + 2) // 3)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + legend_h}" role="img"'
        f' class="chart" id="{_e(chart_id)}" data-testid="{_e(chart_id)}" aria-labelledby="{_e(chart_id)}-title">',
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>',
    ]
    for tick in ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11">{_e(_number(tick))}</text>')
    every = max(1, n // 8)
    for i, label in enumerate(x_labels):
        if i % every == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11">{_e(label)}</text>')
    bar_w = max(1.0, plot_w / n * 0.8)
    base = dict.fromkeys(x_labels, 0.0)
    for k, name in enumerate(names):
        colour = PALETTE[k % len(PALETTE)]
        values = series[name]
        if kind == "bar":
            for i, label in enumerate(x_labels):
                value = values.get(label, 0)
                if not value:
                    continue
                y0, y1 = y(base[label]), y(base[label] + value)
                base[label] += value
                parts.append(
                    f'<rect x="{x(i) - bar_w / 2:.1f}" y="{y1:.1f}" width="{bar_w:.1f}" height="{max(0.5, y0 - y1):.1f}"'
                    f' fill="{colour}"><title>{_e(name)} {_e(label)}: {_e(_number(value))}</title></rect>'
                )
        else:
            points = [(x(i), y(values.get(label, 0))) for i, label in enumerate(x_labels)]
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for (px, py), label in zip(points, x_labels, strict=True):
                if label in values:
                    parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}">'
                                 f'<title>{_e(name)} {_e(label)}: {_e(_number(values[label]))}</title></circle>')
        lx, ly = LEFT + (k % 3) * 220, HEIGHT + 4 + 16 * (k // 3)
        parts.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14}" y="{ly + 9}" font-size="12">{_e(_short(name))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(text: str, length: int = 28) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def timeline_chart(
    points: Sequence[tuple[str, str, str, str]], title: str, chart_id: str = "timeline",
) -> Markup:
    """Reports on a date × outlet grid: `points` are (ISO time, outlet, label, href to our own page)."""
    dated = [p for p in points if p[0]]
    outlets = sorted({p[1] for p in dated})
    if not dated:
        return Markup("")
    times = sorted(p[0] for p in dated)
    from datetime import datetime

    def moment(value: str) -> float:
        return datetime.fromisoformat(value).timestamp()

    lo, hi = moment(times[0]), moment(times[-1])
    span = (hi - lo) or 1.0
    left = 150
    row_h = 24
    height = TOP + row_h * len(outlets) + BOTTOM
    plot_w = WIDTH - left - RIGHT - 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" class="chart"'
        f' id="{_e(chart_id)}" data-testid="{_e(chart_id)}" aria-labelledby="{_e(chart_id)}-title">',
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>',
    ]
    for i, outlet in enumerate(outlets):
        cy = TOP + row_h * i + row_h / 2
        parts.append(f'<line x1="{left}" x2="{WIDTH - RIGHT}" y1="{cy}" y2="{cy}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{cy + 4}" text-anchor="end" font-size="12">{_e(_short(outlet, 14))}</text>')
    for label, at in ((times[0][:16].replace("T", " "), left), (times[-1][:16].replace("T", " "), WIDTH - RIGHT)):
        anchor = "start" if at == left else "end"
        parts.append(f'<text x="{at}" y="{height - BOTTOM + 18}" text-anchor="{anchor}" font-size="11">{_e(label)}</text>')
    for when, outlet, label, href in dated:
        cx = left + 5 + (moment(when) - lo) / span * plot_w
        cy = TOP + row_h * outlets.index(outlet) + row_h / 2
        parts.append(f'<a href="{_e(href)}"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{PALETTE[0]}">'
                     f'<title>{_e(when[:16])} {_e(outlet)}: {_e(label)}</title></circle></a>')
    parts.append("</svg>")
    return Markup("".join(parts))
