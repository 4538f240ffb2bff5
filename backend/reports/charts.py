"""Bar charts as server-rendered SVG geometry (pwa/templates/staff/partials/bar_chart.html draws it).

No JavaScript: the page's SVG is complete as sent. Each chart has a title and a table of the same
figures next to it (for screen readers, and for anyone who wants the exact numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 72, 12, 16, 64
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
TICKS = 4
MAX_X_LABELS = 6
# Contrast against white >= 4.5:1 (more than the 3:1 graphics need): DKFDS blue and a dark orange.
COLOURS = ("#0059b3", "#a14800")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str          # the value, for a <title> tooltip


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    y_label: str
    x_label: str
    series: list[tuple[str, str]]    # (name, colour), shown as a legend when more than one
    bars: list[Bar]
    ticks: list[Tick]
    x_labels: list[XLabel]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_w: int = PLOT_W
    plot_h: int = PLOT_H


def nice_step(value: float) -> float:
    """The smallest 1, 2 or 5 x 10^k (at least 1: counts, kroner and hours are whole) not below
    ``value``: tick steps a reader can add up, and whole-number tick labels."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return 10.0 * power


def bar_chart(chart_id: str, title: str, y_label: str, x_label: str, categories: Sequence[str],
              series: Sequence[tuple[str, Sequence[float | None]]], fmt: Callable[[float], str]) -> Chart:
    """Grouped bars: one group per category (month), one bar per series; None is no bar."""
    values = [v for _name, vs in series for v in vs if v is not None]
    top = TICKS * nice_step(max(values, default=0) / TICKS)
    n = max(1, len(categories))
    group_w = PLOT_W / n
    bar_w = group_w * 0.7 / max(1, len(series))
    bars = []
    for s, (_name, vs) in enumerate(series):
        for i, value in enumerate(vs):
            if value is None:
                continue
            h = PLOT_H * value / top
            x = LEFT + i * group_w + group_w * 0.15 + s * bar_w
            bars.append(Bar(round(x, 1), round(TOP + PLOT_H - h, 1), round(bar_w, 1), round(h, 1),
                            COLOURS[s % len(COLOURS)], fmt(value)))
    ticks = [Tick(round(TOP + PLOT_H - PLOT_H * k / TICKS, 1), fmt(top * k / TICKS)) for k in range(TICKS + 1)]
    every = math.ceil(n / MAX_X_LABELS)
    x_labels = [XLabel(round(LEFT + (i + 0.5) * group_w, 1), label)
                for i, label in enumerate(categories) if i % every == 0]
    return Chart(chart_id, title, y_label, x_label,
                 [(name, COLOURS[s % len(COLOURS)]) for s, (name, _vs) in enumerate(series)],
                 bars, ticks, x_labels)
