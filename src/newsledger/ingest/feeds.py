"""RSS / Atom feeds → the articles they link to, parsed with feedparser.

feedparser reads every RSS version, Atom 0.3/1.0 and RDF, survives the malformed XML real feeds
are full of, resolves relative links and normalises dates. A feed lists articles; it is not one:
each entry's link is fetched as an article page, its publication date carried to
`RawDoc.published`. Something that is not a feed (an HTML page, a broken file) is one Failure.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import feedparser

from newsledger.model import Failure, RawDoc

# The root element of a feed, after an optional XML declaration, comments and processing
# instructions: how a feed served as text/html (it happens) is still recognised.
_FEED_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--.*?-->|<\?[^>]*>|<!DOCTYPE[^>]*>)\s*)*"
    rb"<(?:rss|feed|(?:\w+:)?RDF)\b", re.S | re.I)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed: the article it links to, its title and publication date (YYYY-MM-DD)."""

    link: str | None
    title: str | None
    published: str | None


def looks_like_feed(data: bytes) -> bool:
    """Whether the bytes start like an RSS, Atom or RDF document."""
    return bool(_FEED_ROOT.match(data[:4096]))


def _date(raw: object, parsed: time.struct_time | None) -> str | None:
    """The entry's publication date as YYYY-MM-DD *in the feed's own time zone*.

    feedparser's `published_parsed` is converted to UTC, which moves a story published at
    00:30 +02:00 to the day before; the date the newsroom printed is the local one, so the raw
    RFC 822 / ISO 8601 string is read first and the UTC value is only the fallback.
    """
    if isinstance(raw, str) and raw.strip():
        text = raw.strip()
        try:
            return email.utils.parsedate_to_datetime(text).date().isoformat()
        except (TypeError, ValueError, IndexError):
            pass
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            pass
    if not parsed:
        return None
    return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"


def parse_feed(data: bytes, url: str | None = None, content_type: str | None = None
               ) -> list[FeedEntry] | str:
    """The entries of a feed, or the reason it is not one (a str).

    Bytes are passed to feedparser, never a string: given a string that looks like a URL,
    feedparser would fetch it itself, outside our Fetcher's limits.
    """
    headers = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url  # the base for relative entry links
    try:
        parsed = feedparser.parse(data, response_headers=headers)
    except Exception as exc:  # feedparser is lenient; a crash inside it is still just a bad feed
        return f"not an RSS/Atom feed (the parser failed: {type(exc).__name__})"
    if not parsed.entries and not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        return "not an RSS/Atom feed" + (f" ({problem})" if problem else "")
    return [FeedEntry(link=(e.get("link") or "").strip() or None, title=e.get("title") or None,
                      published=_date(e.get("published"), e.get("published_parsed")))
            for e in parsed.entries]


def iter_feed(data: bytes, *, source: str, origin: str, fetch_article: Callable[[str, str | None],
              RawDoc | Failure], url: str | None = None, content_type: str | None = None,
              seen: Callable[[str], bool] | None = None) -> Iterator[RawDoc | Failure]:
    """The articles a feed links to, fetched by `fetch_article(link, published)` in feed order.

    `source` names the feed (its path or URL) in Failures; links already in the ledger (`seen`)
    and links repeated within the feed are not fetched again.
    """
    entries = parse_feed(data, url, content_type)
    if isinstance(entries, str):
        yield Failure(source, source, "feed", entries)
        return
    done: set[str] = set()
    for n, entry in enumerate(entries, 1):
        if entry.link is None:
            title = f" ({entry.title!r})" if entry.title else ""
            yield Failure(f"{source}#{n}", source, "feed", f"feed entry {n}{title} has no link")
            continue
        if entry.link in done or (seen is not None and seen(entry.link)):
            continue
        done.add(entry.link)
        yield fetch_article(entry.link, entry.published)
