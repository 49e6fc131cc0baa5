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
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 150
LEFT, RIGHT = 70, 20
ROWS = {"quote": 55, "event": 100}
_ISO = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


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


def timeline_svg(items: Iterable[dict[str, Any]], label: str) -> Markup:
    """SVG chart of timeline items (each with `type` quote|event and `date`)."""
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
    plot = WIDTH - LEFT - RIGHT

    def x(d: date) -> float:
        return LEFT + plot * (d - lo).days / span

    total = sum(counts.values())
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart-title">{escape(title)}</title>',
             f'<desc id="chart-desc">{total} dated items from {lo.isoformat()} to {hi.isoformat()}; '
             'circles are quotes, squares are events; hollow markers are dates known only to the '
             'month or year.</desc>']
    for kind, y in ROWS.items():
        parts.append(f'<text class="row-label" x="4" y="{y + 4}">{"Quotes" if kind == "quote" else "Events"}'
                     '</text>')
        parts.append(f'<line class="row-line" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}"/>')
    ticks = _ticks(lo, hi)
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
        parts.append(f'<a href="#{escape(day_anchor(value))}" data-count="{n}" data-kind="{kind}" '
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
