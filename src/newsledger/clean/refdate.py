"""The date the text speaks from: `reference_date`, against which "on Friday" is resolved.

Normally it is `published`. Re-posts, though, carry the date they were copied, while the text
still speaks from the original day. When the page holds evidence of an earlier date — a Unix
timestamp or a date path in an image/asset URL, a date in the article URL, a dateline — and the
weekday words of the text agree with that date better than with the stated one, the earlier date
becomes the reference date and a `stale_date` flag cites the evidence. Without such agreement we
keep the stated date: a timestamp alone may just be when a photo was uploaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from newsledger.model import Article, Evidence, Flag

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_RE = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")
_URL_RE = re.compile(r"https?://[^\s\"'<>]+")
# 10-digit Unix seconds (2001-09-09 .. 2286) or 13-digit milliseconds, standing alone between
# non-digits — CDNs put upload times into asset paths ("…/1.7626674.1757103755!/…").
_UNIX_RE = re.compile(r"(?<![\d])(1\d{9})(\d{3})?(?![\d])")
# Date paths: /2025/09/05/, /2025-09-05/, /20250905/ or _20250905_ inside a URL.
_PATH_DATE_RE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})([/_-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)")
_MONTHS = {m: i for i, ms in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")), 1) for m in ms}
# A dateline opening a paragraph: "MOSCOW, Sept. 5 (Reuters) -" or "KYIV, Ukraine, March 3 —".
_DATELINE_RE = re.compile(
    r"(?m)^[A-Z][A-Z .'’-]{2,40}(?:, [A-Z][A-Za-z .]+)?,\s+([A-Z][a-z]{2,8})\.?\s+(\d{1,2})\b"
    r"(?:,?\s+(\d{4}))?[^\n]{0,40}?(?:\)\s*)?[-–—]")
MAX_AGE = timedelta(days=2 * 365)  # older "evidence" is more likely an archive photo than a re-post


@dataclass(frozen=True, slots=True)
class _Candidate:
    day: date
    evidence: Evidence


def _asset_urls(article: Article) -> list[tuple[str, int | None]]:
    """URLs that may carry an original date, with their offset in `text` when they appear there."""
    found: dict[str, int | None] = {}
    for m in _URL_RE.finditer(article.text):
        found.setdefault(m.group(0), m.start())
    for u in (*article.images, article.url):
        if u:
            found.setdefault(u, None)
    return list(found.items())


def _candidates(article: Article, published: date) -> list[_Candidate]:
    out: list[_Candidate] = []
    earliest = published - MAX_AGE

    def add(day: date, text: str, note: str, start: int | None) -> None:
        if earliest <= day < published:
            end = start + len(text) if start is not None else None
            out.append(_Candidate(day, Evidence(text=text, note=note, start=start, end=end)))

    for url, start in _asset_urls(article):
        for m in _UNIX_RE.finditer(url):
            secs = int(m.group(1))
            try:
                day = datetime.fromtimestamp(secs, tz=UTC).date()
            except (OverflowError, OSError, ValueError):
                continue
            add(day, url, f"Unix time {secs} in a URL = {day.isoformat()} ({WEEKDAYS[day.weekday()]})", start)
        for m in _PATH_DATE_RE.finditer(url):
            try:
                day = date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
            except ValueError:
                continue
            add(day, url, f"date {m.group(0)} in a URL path = {day.isoformat()} "
                f"({WEEKDAYS[day.weekday()]})", start)
    for m in _DATELINE_RE.finditer(article.masked_text()):
        month = _MONTHS.get(m.group(1).lower().rstrip("."))
        if not month:
            continue
        year = int(m.group(3)) if m.group(3) else published.year
        try:
            day = date(year, month, int(m.group(2)))
        except ValueError:
            continue
        if not m.group(3) and day > published:
            day = day.replace(year=year - 1)
        add(day, m.group(0), f"dateline = {day.isoformat()} ({WEEKDAYS[day.weekday()]})", m.start())
    return out


def settle_reference_date(article: Article) -> Article:
    """Set `reference_date`: the stated date, or an earlier one the evidence and weekdays agree on."""
    if not article.published:
        return replace(article, reference_date=None)
    try:
        published = date.fromisoformat(article.published)
    except ValueError:
        return replace(article, reference_date=None)
    candidates = _candidates(article, published)
    if not candidates:
        return replace(article, reference_date=article.published)
    kept = article.masked_text()
    mentions = [(m.group(1), m.start(), m.end()) for m in _WEEKDAY_RE.finditer(kept)]
    counts = {d: sum(1 for w, _, _ in mentions if w == d) for d in WEEKDAYS}
    stated = counts[WEEKDAYS[published.weekday()]]
    # The best candidate: most weekday words agreeing with it, then the latest date.
    best = max(candidates, key=lambda c: (counts[WEEKDAYS[c.day.weekday()]], c.day))
    weekday = WEEKDAYS[best.day.weekday()]
    if counts[weekday] == 0 or counts[weekday] <= stated:
        return replace(article, reference_date=article.published)
    support = [c.evidence for c in candidates if c.day == best.day]
    words = [Evidence(text=w, note=f"the text speaks of {w}", start=s, end=e)
             for w, s, e in mentions if w == weekday]
    stated_ev = [article.published_evidence] if article.published_evidence else []
    message = (f"the stated date {published.isoformat()} ({WEEKDAYS[published.weekday()]}) looks like a "
               f"re-post date: {support[0].note}, and the text speaks of {weekday} {counts[weekday]}× "
               f"(of the stated weekday {stated}×). Relative dates resolve against {best.day.isoformat()}.")
    flag = Flag(code="stale_date", message=message, evidence=(*support, *words, *stated_ev))
    return replace(article, reference_date=best.day.isoformat(), flags=(*article.flags, flag))
