"""Small SVG charts for the reports, built as text (no plotting library needed).

Every label is XML-escaped, so names from input files cannot inject markup. The
same SVG is embedded in the PDF and saved next to the reports for slides. Value labels
follow the reports' one number rule (:func:`zcf.report.numbers.fmt_number`), and a chart
is as wide as its content needs: one site gives a narrow chart, not a full-width bar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from zcf.report.numbers import fmt_number

FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, DejaVu Sans, sans-serif"
PALETTE = ["#1f5f8b", "#3f9b6e", "#e0a030", "#c0504d", "#7a5ea8", "#4bacc6", "#8c8c8c", "#9bbb59", "#f79646", "#2c4d75"]
INK = "#333333"
GRID = "#dddddd"


@dataclass
class Chart:
    name: str  # file stem when saved (scope_split.svg)
    title: str
    svg: str


FULL_WIDTH = 620  # px: the text width of an A4 page at 96 px per inch, less a margin
SLOT = 100  # px per bar of a column chart


def _num(value: float) -> str:
    return fmt_number(value)


def width_for(count: int, per_item: int = SLOT, fixed: int = 90, least: int = 300) -> int:
    """A chart's width for ``count`` bars: narrow for one or two, never wider than the page."""
    return max(least, min(FULL_WIDTH, fixed + count * per_item))


def _text(x, y, content, size=10, anchor="start", weight="normal", fill=INK, rotate=None) -> str:
    transform = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-family="{FONT}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}"{transform}>{escape(str(content))}</text>')


def _svg(width: int, height: int, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">' + "".join(body) + "</svg>")


def text_width(label: str, size: float = 10) -> float:
    """The width a label takes, estimated: a Chinese character is about one em, a Latin one about 0.56 em."""
    return sum(size if ord(c) >= 0x2E80 else size * 0.56 for c in str(label))


def _shorten(label: str, room: float, size: float = 10) -> str:
    """``label`` cut with "…" so that it fits ``room`` pixels at ``size``."""
    label = str(label)
    if text_width(label, size) <= room:
        return label
    while label and text_width(label + "…", size) > room:
        label = label[:-1]
    return label + "…"


def hbar(items: list[tuple[str, float]], unit: str, width: int = FULL_WIDTH, bar: int = 18) -> str:
    """Horizontal bars, largest first as given; the value is printed at each bar's end."""
    items = [(label, value) for label, value in items if value is not None]
    label_width = min(280, max((text_width(label) for label, _ in items), default=0) + 12)
    height = 20 + len(items) * (bar + 8) + 24
    top = max((v for _, v in items), default=0) or 1
    plot = width - label_width - 90
    body = []
    for i, (label, value) in enumerate(items):
        y = 14 + i * (bar + 8)
        length = max(0.0, value) / top * plot
        body.append(_text(label_width - 6, y + bar * 0.7, _shorten(label, label_width - 8), anchor="end"))
        body.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" fill="{PALETTE[0]}"/>')
        body.append(_text(label_width + length + 4, y + bar * 0.7, _num(value)))
    body.append(_text(width - 4, height - 6, unit, size=9, anchor="end", fill="#777777"))
    return _svg(width, height, body)


def vbar_stacked(categories: list[str], series: dict[str, list[float]], unit: str, width: int | None = None,
                 height: int = 260) -> str:
    """Vertical stacked bars, one per category, with a legend; as wide as the bars need."""
    width = width or width_for(len(categories))
    left, bottom, top_margin = 70, 46, 26
    plot_w, plot_h = width - left - 10, height - bottom - top_margin
    totals = [sum(max(0.0, s[i]) for s in series.values()) for i in range(len(categories))]
    top = _nice(max(totals, default=0) or 1)
    body = _axis(left, top_margin, plot_w, plot_h, top, unit)
    slot = plot_w / max(1, len(categories))
    bar_w = min(60, slot * 0.6)
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        y = top_margin + plot_h
        for k, values in enumerate(series.values()):
            h = max(0.0, values[i]) / top * plot_h
            y -= h
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{PALETTE[k % 10]}"/>')
        body.append(_text(x + bar_w / 2, top_margin + plot_h + 14, _shorten(category, slot - 4, 9), size=9, anchor="middle"))
    body += _legend(list(series), left, height - 14)
    return _svg(width, height, body)


def lines_chart(x_labels: list[str], series: dict[str, list[float | None]], unit: str, width: int = FULL_WIDTH,
                height: int = 260) -> str:
    """One line per series over the x labels (months), with a legend."""
    left, bottom, top_margin = 70, 46, 26
    plot_w, plot_h = width - left - 10, height - bottom - top_margin
    values = [v for s in series.values() for v in s if v is not None]
    top = _nice(max(values, default=0) or 1)
    body = _axis(left, top_margin, plot_w, plot_h, top, unit)
    step = plot_w / max(1, len(x_labels) - 1)
    for i, label in enumerate(x_labels):
        body.append(_text(left + step * i, top_margin + plot_h + 14, label, size=9, anchor="middle"))
    for k, points in enumerate(series.values()):
        coords = [(left + step * i, top_margin + plot_h - (v / top * plot_h)) for i, v in enumerate(points) if v is not None]
        if not coords:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[k % 10]}" stroke-width="2"/>')
        for x, y in coords:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{PALETTE[k % 10]}"/>')
    body += _legend(list(series), left, height - 14)
    return _svg(width, height, body)


def pareto(items: list[tuple[str, float]], unit: str, width: int | None = None, height: int = 290,
           mark: float | None = None) -> str:
    """Bars sorted descending with the cumulative share as a line (right axis, 0–100 %); ``mark``: a dashed
    line at that share (0.8 for "N suppliers make 80 %")."""
    width = width or width_for(len(items), per_item=36, fixed=120)
    left, right, bottom, top_margin = 70, 40, 90, 20
    plot_w, plot_h = width - left - right, height - bottom - top_margin
    total = sum(v for _, v in items) or 1
    top = _nice(max((v for _, v in items), default=0) or 1)
    body = _axis(left, top_margin, plot_w, plot_h, top, unit)
    slot = plot_w / max(1, len(items))
    cumulative = 0.0
    points = []
    for i, (label, value) in enumerate(items):
        x = left + slot * i
        h = value / top * plot_h
        body.append(f'<rect x="{x + slot * 0.15:.1f}" y="{top_margin + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{h:.1f}" fill="{PALETTE[0]}"/>')
        body.append(_text(x + slot / 2, top_margin + plot_h + 10, _shorten(label, 110, 8), size=8, anchor="end", rotate=-45))
        cumulative += value
        points.append((x + slot / 2, top_margin + plot_h - cumulative / total * plot_h))
    body.append('<polyline points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                + f'" fill="none" stroke="{PALETTE[3]}" stroke-width="2"/>')
    if mark is not None:
        y = top_margin + plot_h - mark * plot_h
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" stroke="{PALETTE[3]}" '
                    'stroke-width="0.8" stroke-dasharray="4 3"/>')
    for share in (0, 0.5, 0.8, 1.0):
        y = top_margin + plot_h - share * plot_h
        body.append(_text(width - right + 4, y + 3, f"{share:.0%}", size=8, fill=PALETTE[3]))
    return _svg(width, height, body)


def trend(years: list[str], values: list[float | None], unit: str, target: tuple[str, float] | None = None,
          width: int | None = None, height: int = 250) -> str:
    """Bars per year; a dashed target line and a marker at the target year when given."""
    labels = list(years) + ([target[0]] if target and target[0] not in years else [])
    series_values = list(values) + ([None] if target and target[0] not in years else [])
    width = width or width_for(len(labels))
    left, bottom, top_margin = 70, 40, 20
    plot_w, plot_h = width - left - 10, height - bottom - top_margin
    top = _nice(max([v for v in series_values if v is not None] + ([target[1]] if target else []), default=1) or 1)
    body = _axis(left, top_margin, plot_w, plot_h, top, unit)
    slot = plot_w / max(1, len(labels))
    for i, (label, value) in enumerate(zip(labels, series_values)):
        x = left + slot * i + slot * 0.2
        if value is not None:
            h = value / top * plot_h
            body.append(f'<rect x="{x:.1f}" y="{top_margin + plot_h - h:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" '
                        f'fill="{PALETTE[0]}"/>')
            body.append(_text(x + slot * 0.3, top_margin + plot_h - h - 3, _num(value), size=8, anchor="middle"))
        body.append(_text(x + slot * 0.3, top_margin + plot_h + 14, label, size=9, anchor="middle"))
    if target:
        y = top_margin + plot_h - target[1] / top * plot_h
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{PALETTE[3]}" '
                    'stroke-dasharray="5,3" stroke-width="1.5"/>')
        body.append(_text(left + plot_w - 2, y - 4, _num(target[1]), size=9, anchor="end", fill=PALETTE[3]))
    return _svg(width, height, body)


def _nice(value: float) -> float:
    """A round upper bound for an axis (1, 2, 2.5, 5 × 10^n)."""
    exponent = math.floor(math.log10(value)) if value > 0 else 0
    for step in (1, 2, 2.5, 5, 10):
        bound = step * 10**exponent
        if bound >= value:
            return bound
    return 10 ** (exponent + 1)


def _axis(left, top, width, height, upper, unit) -> list[str]:
    body = []
    for i in range(5):
        value = upper * i / 4
        y = top + height - height * i / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>')
        body.append(_text(left - 4, y + 3, _num(value), size=8, anchor="end"))
    body.append(_text(4, top - 8, unit, size=9, fill="#777777"))
    return body


def _legend(names: list[str], x: float, y: float) -> list[str]:
    body = []
    for k, name in enumerate(names):
        body.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="9" height="9" fill="{PALETTE[k % 10]}"/>')
        shown = _shorten(name, 150, 9)
        body.append(_text(x + 12, y, shown, size=9))
        x += 24 + text_width(shown, 9)
    return body
