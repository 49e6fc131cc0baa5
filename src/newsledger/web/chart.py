"""A timeline chart of an entity's quotes and events by day, as server-rendered SVG (no script).

Two labelled rows (quotes: circles, events: squares), so shape and label carry the meaning, not
colour. A marker's size grows with the count that day; a date known only to the month or year is
drawn hollow at the start of its period. Each marker links to that day in the list below it and
has a <title> (the tooltip and the accessible name).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 150
LEFT, RIGHT = 70, 20
VOL_HEIGHT = 140
ROWS = {"quote": 55, "event": 100}
_ISO = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def parse_day(value: str | None) -> tuple[date, bool] | None:
    """(first day of the period, exact?) for YYYY / YYYY-MM / YYYY-MM-DD; None when not a date."""
    m = _ISO.match(value or "")
    if not m:
        return None
    try:
        d = date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None
    return d, m.group(3) is not None


def day_anchor(value: str | None) -> str:
    """The id of a day's section in the entity page list ("d-2025-09-05", "d-undated")."""
    return f"d-{value}" if value and _ISO.match(value) else "d-undated"


NARROW = 360  # the phone-width drawing: same data, fewer ticks, type that stays readable


def responsive(draw: Callable[..., Markup], *args: Any, **kw: Any) -> Markup:
    """A chart drawn twice, full width and phone width; the stylesheet shows the one that fits (the
    other is display:none, so out of the accessibility tree too)."""
    wide = draw(*args, width=WIDTH, **kw)
    if not wide.startswith("<svg"):  # nothing to draw: say so once
        return wide
    return Markup(wide + draw(*args, width=NARROW, **kw))


def timeline_svg(items: Iterable[dict[str, Any]], label: str,
                 href: Callable[[str], str] | None = None, width: int = WIDTH) -> Markup:
    """SVG chart of timeline items (each with `type` quote|event and `date`). A marker links to its
    day's section: `href(anchor)`, or "#anchor" on the same page."""
    counts: Counter[tuple[str, str]] = Counter()
    for it in items:
        if parse_day(it.get("date")):
            counts[(it["type"], it["date"])] += 1
    title = f"Timeline of {label}: quotes and events by day"
    if not counts:
        return Markup(f'<p class="chart-empty">{escape(title)}: no dated quotes or events.</p>')
    days = {k: parse_day(k[1]) for k in counts}
    lo = min(d[0] for d in days.values() if d)
    hi = max(d[0] for d in days.values() if d)
    if lo == hi:
        lo, hi = lo - timedelta(days=1), hi + timedelta(days=1)
    span = (hi - lo).days
    left = LEFT if width > NARROW else 52
    plot = width - left - RIGHT
    size = "wide" if width > NARROW else "narrow"

    def x(d: date) -> float:
        return left + plot * (d - lo).days / span

    total = sum(counts.values())
    parts = [f'<svg class="timeline {size}" viewBox="0 0 {width} {HEIGHT}" role="img" '
             f'aria-labelledby="chart-title-{size} chart-desc-{size}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart-title-{size}">{escape(title)}</title>',
             f'<desc id="chart-desc-{size}">{total} dated items from {lo.isoformat()} to {hi.isoformat()}; '
             'circles are quotes, squares are events; hollow markers are dates known only to the '
             'month or year.</desc>']
    for kind, y in ROWS.items():
        parts.append(f'<text class="row-label" x="4" y="{y + 4}">{"Quotes" if kind == "quote" else "Events"}'
                     '</text>')
        parts.append(f'<line class="row-line" x1="{left}" y1="{y}" x2="{width - RIGHT}" y2="{y}"/>')
    ticks = _ticks(lo, hi, 6 if width > NARROW else 3)
    for j, t in enumerate(ticks):
        tx = x(t)
        anchor = "start" if j == 0 else "end" if j == len(ticks) - 1 else "middle"
        parts.append(f'<line class="tick" x1="{tx:.1f}" y1="125" x2="{tx:.1f}" y2="130"/>'
                     f'<text class="tick-label" x="{tx:.1f}" y="144" text-anchor="{anchor}">'
                     f'{t.isoformat()}</text>')
    for (kind, value), n in sorted(counts.items(), key=lambda kv: kv[0][1]):
        parsed = days[(kind, value)]
        assert parsed is not None
        d, exact = parsed
        cx, cy = x(d), ROWS[kind]
        r = 4 + 2.5 * math.sqrt(n)
        word = ("quote" if kind == "quote" else "event") + ("" if n == 1 else "s")
        tip = f"{value}: {n} {word}" + ("" if exact else " (date known only to the month/year)")
        css = f"pt {kind}" + ("" if exact else " approx")
        shape = (f'<circle class="{css}" cx="{cx:.1f}" cy="{cy}" r="{r:.1f}"/>' if kind == "quote" else
                 f'<rect class="{css}" x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r:.1f}" '
                 f'height="{2 * r:.1f}"/>')
        link = href(day_anchor(value)) if href else "#" + day_anchor(value)
        parts.append(f'<a href="{escape(link)}" data-count="{n}" data-kind="{kind}" '
                     f'data-date="{escape(value)}"><title>{escape(tip)}</title>{shape}</a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _ticks(lo: date, hi: date, most: int = 6) -> list[date]:
    span = (hi - lo).days
    step = max(1, math.ceil(span / (most - 1)))
    out = [lo + timedelta(days=i) for i in range(0, span + 1, step)]
    if out[-1] != hi and (hi - out[-1]).days > step / 2:
        out.append(hi)
    return out


def volume_svg(months: Sequence[tuple[str, int]], label: str,
               href: Callable[[str], str] | None = None, width: int = WIDTH) -> Markup:
    """Bar chart of how many items fall in each month ("YYYY-MM", count), oldest first, every month
    between the first and the last drawn (an empty month is a gap, not skipped). A bar links to
    `href(month)` (the same search narrowed to that month)."""
    have = {m: n for m, n in months if _MONTH.match(m)}
    if not have:
        return Markup(f'<p class="chart-empty">{escape(label)}: nothing dated to the month.</p>')
    first, last = min(have), max(have)
    y, m = int(first[:4]), int(first[5:7])
    series: list[tuple[str, int]] = []
    while f"{y:04d}-{m:02d}" <= last and len(series) < 600:  # 50 years at most
        key = f"{y:04d}-{m:02d}"
        series.append((key, have.get(key, 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    top = max(n for _, n in series)
    left = LEFT if width > NARROW else 44
    size = "wide" if width > NARROW else "narrow"
    plot_w, base, plot_h = width - left - RIGHT, VOL_HEIGHT - 30, VOL_HEIGHT - 50
    step = plot_w / len(series)
    total = sum(have.values())
    parts = [f'<svg class="volume {size}" viewBox="0 0 {width} {VOL_HEIGHT}" role="img" '
             f'aria-labelledby="vol-title-{size} vol-desc-{size}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="vol-title-{size}">{escape(label)}</title>',
             f'<desc id="vol-desc-{size}">{total:,} items by month from {first} to {last}; '
             f'the busiest month has {top:,}.</desc>',
             f'<text class="row-label" x="4" y="{base - plot_h + 4}">{top:,}</text>',
             f'<text class="row-label" x="4" y="{base}">0</text>',
             f'<line class="row-line" x1="{left}" y1="{base}" x2="{width - RIGHT}" y2="{base}"/>']
    for i, (key, n) in enumerate(series):
        if not n:
            continue
        h = max(1.0, plot_h * n / top)
        x = left + i * step
        bar = (f'<rect class="bar" x="{x + step * 0.1:.1f}" y="{base - h:.1f}"'
               f' width="{max(1.0, step * 0.8):.1f}" height="{h:.1f}"/>')
        tip = f"<title>{key}: {n:,}</title>"
        parts.append(f'<a href="{escape(href(key))}" data-month="{key}" data-count="{n}">{tip}{bar}</a>'
                     if href else f'<g data-month="{key}" data-count="{n}">{tip}{bar}</g>')
    every = max(1, len(series) // (5 if width > NARROW else 2))
    for j, (key, _) in enumerate(series):  # a label at the first and last month and a few between
        if j == 0 or j == len(series) - 1 or j % every == 0:
            if 0 < j < len(series) - 1 and len(series) - 1 - j < max(1, len(series) // 10):
                continue  # too close to the last label
            anchor = "start" if j == 0 else "end" if j == len(series) - 1 else "middle"
            parts.append(f'<text class="tick-label" x="{left + (j + 0.5) * step:.1f}" y="{VOL_HEIGHT - 12}"'
                         f' text-anchor="{anchor}">{key}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
