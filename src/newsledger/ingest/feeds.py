"""RSS / Atom feeds → the articles they link to, parsed with feedparser.

feedparser reads every RSS version, Atom 0.3/1.0 and RDF, survives the malformed XML real feeds
are full of, applies xml:base and normalises dates. A feed lists articles; it is not one: each
entry's link is fetched as an article page, its publication date carried to `RawDoc.published`.
Something that is not a feed (an HTML page, a broken file) is one Failure.

Relative entry links are resolved against the first base the feed gives: its own xml:base (applied
by feedparser), then — for RSS, which defines no base and whose relative links are written against
the site — the channel's site link, then the URL the feed was fetched from; for Atom, whose spec
makes the document's URL the base, the feed URL comes before its alternate link. A local feed file
has no URL, so its site link is what makes "/2025/06/story" fetchable.

When the page cannot be had (a dead link, a refused address, an offline run with `--no-fetch`) and
the entry carries the article itself — full content (`content:encoded`, Atom `content`) of at least
`MIN_CONTENT_WORDS` words, or a summary of at least `MIN_SUMMARY_WORDS` (a teaser is shorter) — that
content becomes the document, flagged `from_feed_content` with the reason the page was not used.
"""

from __future__ import annotations

import email.utils
import html
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from newsledger.model import Evidence, Failure, Flag, RawDoc

# The root element of a feed, after an optional XML declaration, comments and processing
# instructions: how a feed served as text/html (it happens) is still recognised.
_FEED_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--.*?-->|<\?[^>]*>|<!DOCTYPE[^>]*>)\s*)*"
    rb"<(?:rss|feed|(?:\w+:)?RDF)\b", re.S | re.I)
_HTTP = re.compile(r"^https?://[^\s/?#]+", re.I)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_TAG = re.compile(r"<[^>]*>")
_EMAIL_NAME = re.compile(r"^\S+@\S+\s*\((.+)\)$")
MIN_CONTENT_WORDS = 50  # full content shorter than this is a stub ("Read more…"), not the article
MIN_SUMMARY_WORDS = 150  # a description this long is the article, not a teaser (teasers: 20-80 words)
NOT_FETCHED = "not fetched (--no-fetch)"  # the reason a fetch was not even tried


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed: the article it links to (absolute, or as written when no base makes it
    so), its title and publication date (YYYY-MM-DD), and the article's own text when the entry
    carries it (`content` is HTML; `content_from` says which element it came from)."""

    link: str | None
    title: str | None
    published: str | None
    content: str | None = None
    content_from: str | None = None  # "full content" | "summary (412 words)"
    author: str | None = None


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


def _words(markup: str) -> int:
    return len(html.unescape(_TAG.sub(" ", markup)).split())


def _as_html(value: str, media: str | None) -> str:
    """Entry content as HTML: text/plain content is escaped, its blank lines made paragraphs."""
    if media == "text/plain":
        return "".join(f"<p>{html.escape(p.strip())}</p>" for p in re.split(r"\n\s*\n", value) if p.strip())
    return value


def _content(entry: Any) -> tuple[str, str] | None:
    """The article's text carried by the entry, as (HTML, where from), or None when it has only a
    teaser: the longest full content of MIN_CONTENT_WORDS words, else a summary of MIN_SUMMARY_WORDS."""
    best: tuple[int, str] | None = None
    for part in entry.get("content") or []:
        value = part.get("value") or ""
        n = _words(value)
        if n >= MIN_CONTENT_WORDS and (best is None or n > best[0]):
            best = (n, _as_html(value, part.get("type")))
    if best is not None:
        return best[1], "full content"
    summary = entry.get("summary") or ""
    n = _words(summary)
    if n >= MIN_SUMMARY_WORDS:
        return _as_html(summary, (entry.get("summary_detail") or {}).get("type")), f"summary ({n:,} words)"
    return None


def _author(value: object) -> str | None:
    """The name in an entry's author: RSS writes "ann@example.org (Ann Lee)"; a bare address is no name."""
    if not isinstance(value, str) or not value.strip():
        return None
    m = _EMAIL_NAME.match(value.strip())
    name = m.group(1).strip() if m else value.strip()
    return None if "@" in name and " " not in name else name


def _resolve(link: str, bases: list[str]) -> str:
    """`link` made absolute against the first http(s) base (unchanged when it is absolute already,
    or when no base is one)."""
    if _SCHEME.match(link):
        return link
    for base in bases:
        if _HTTP.match(base):
            return urljoin(base, link)
    return link


def parse_feed(data: bytes, url: str | None = None, content_type: str | None = None
               ) -> list[FeedEntry] | str:
    """The entries of a feed, or the reason it is not one (a str).

    Bytes are passed to feedparser, never a string: given a string that looks like a URL,
    feedparser would fetch it itself, outside our Fetcher's limits. The feed's URL is not given to
    feedparser as its base: relative links are resolved here, in the order the module doc explains.
    """
    try:
        parsed = feedparser.parse(data, response_headers={"content-type": content_type or "application/xml"})
    except Exception as exc:  # feedparser is lenient; a crash inside it is still just a bad feed
        return f"not an RSS/Atom feed (the parser failed: {type(exc).__name__})"
    if not parsed.entries and not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        return "not an RSS/Atom feed" + (f" ({problem})" if problem else "")
    site = (parsed.feed.get("link") or "").strip()
    if site and url:
        site = urljoin(url, site)
    bases = [url or "", site] if str(parsed.get("version") or "").startswith("atom") else [site, url or ""]
    entries = []
    for e in parsed.entries:
        link = (e.get("link") or "").strip() or None
        content = _content(e)
        entries.append(FeedEntry(
            link=_resolve(link, bases) if link else None, title=e.get("title") or None,
            published=_date(e.get("published"), e.get("published_parsed")),
            content=content[0] if content else None, content_from=content[1] if content else None,
            author=_author(e.get("author"))))
    return entries


def iter_feed(data: bytes, *, source: str, origin: str, fetch_article: Callable[[str, str | None],
              RawDoc | Failure], url: str | None = None, content_type: str | None = None,
              seen: Callable[[str], bool] | None = None) -> Iterator[RawDoc | Failure]:
    """The articles a feed links to, fetched by `fetch_article(link, published)` in feed order;
    an entry whose page cannot be had but which carries the article is that content, flagged.

    `source` names the feed (its path or URL) in Failures; links already in the ledger (`seen`)
    and links repeated within the feed are not fetched again.
    """
    entries = parse_feed(data, url, content_type)
    if isinstance(entries, str):
        yield Failure(source, source, "feed", entries)
        return
    done: set[str] = set()
    for n, entry in enumerate(entries, 1):
        where = f"{source}#{n}"
        if entry.link is None or not _SCHEME.match(entry.link):  # other schemes: the fetcher says why not
            reason = (f"feed entry {n}" + (f" ({entry.title!r})" if entry.title else "") + " has no link"
                      if entry.link is None else
                      f"feed entry {n} has a relative link {entry.link[:200]!r} and the feed gives no base "
                      "to resolve it against (no xml:base, site link or feed URL)")
            yield _from_content(entry, where, origin, reason) if entry.content else \
                Failure(where, source, "feed", reason)
            continue
        if entry.link in done or (seen is not None and seen(entry.link)):
            continue
        done.add(entry.link)
        got = fetch_article(entry.link, entry.published)
        if isinstance(got, Failure) and entry.content:
            got = _from_content(entry, entry.link, origin, got.reason)
        yield got


def _from_content(entry: FeedEntry, doc_id: str, origin: str, why: str) -> RawDoc:
    """The entry's own content as the article, flagged with the reason the page was not used."""
    title = html.escape(entry.title or "")
    author = f'<meta name="author" content="{html.escape(entry.author)}">' if entry.author else ""
    page = (f"<!doctype html><html><head><title>{title}</title>{author}</head><body><article>"
            f"{f'<h1>{title}</h1>' if title else ''}{entry.content}</article></body></html>")
    url = entry.link if entry.link and _HTTP.match(entry.link) else None
    unused = ("the article page was not fetched (--no-fetch)" if why == NOT_FETCHED
              else f"the article page could not be fetched ({why})" if url else why)
    flag = Flag(code="from_feed_content",
                message=f"{unused}: the text is the feed entry's {entry.content_from}, which may be shorter "
                "than the page or differ from it",
                evidence=(Evidence(text=entry.link or doc_id, note=why),))
    return RawDoc(id=doc_id, html=page, url=url, published=entry.published, format="html", origin=origin,
                  flags=(flag,))
