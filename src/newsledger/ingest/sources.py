"""`iter_sources`: every source a newsroom or researcher has → RawDoc | Failure, in order.

What each argument is decides how it is read:

- a folder: walked recursively in sorted order; documents (`.txt`, `.html`/`.htm`/`.xhtml`,
  `.jsonl`, their `.gz` variants) and WARC archives (`.warc`, `.warc.gz`) are read; hidden files
  and folders and every other type are skipped. A folder never causes a network request: feeds
  and URL lists are read only when named explicitly.
- a file: by its name — a document or JSONL as above, a WARC, a feed (`.rss`, `.atom`, `.xml`),
  a URL list (`.urls`, or a `.txt` whose every non-empty, non-`#` line is one http(s) URL and
  nothing else — real article text never passes that test). Another type is a Failure.
- `http://` / `https://`: fetched; a feed if the response is one, else an article page.
- `-`: stdin, one document (as `analyze` reads it).

Every RawDoc carries `origin` = the argument it came from. `seen(locator)` (a URL, a path, or
path:line) is True for what the ledger already holds: such URLs are not fetched again — resuming
after a crash re-downloads nothing — and such files are not read again.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from newsledger.ingest import files
from newsledger.ingest.compressed import capped_lines, read_capped
from newsledger.ingest.feeds import NOT_FETCHED, iter_feed, looks_like_feed
from newsledger.ingest.files import (
    _HTML_SNIFF,
    DEFAULT_MAX_BYTES,
    _is_binary,
    read_file,
    read_gzip_file,
    read_jsonl_file,
)
from newsledger.ingest.warc import read_warc
from newsledger.ingest.web import FEED_TYPES, HTML_TYPES, TEXT_TYPES, Fetched, Fetcher
from newsledger.model import Failure, RawDoc, locator

log = logging.getLogger(__name__)

DOC_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
URL_LIST_SUFFIXES = (".urls",)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+\S*$", re.I)
_URL_LINE_LIMIT = 8192  # longer than any URL a browser accepts

Seen = Callable[[str], bool]


def kind_of(name: str) -> str | None:
    """What a file is by its name: doc, gzdoc, jsonl, warc, feed, urls, or None (unsupported)."""
    low = name.lower()
    if low.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if low.endswith(WARC_SUFFIXES):
        return "warc"
    if low.endswith(DOC_SUFFIXES):
        return "doc"
    if low.endswith(".gz") and low[:-3].endswith(DOC_SUFFIXES):
        return "gzdoc"
    if low.endswith(FEED_SUFFIXES):
        return "feed"
    if low.endswith(URL_LIST_SUFFIXES):
        return "urls"
    return None


class _LazyFetcher:
    """The run's one Fetcher, made on first use (a run over files never opens a client). With
    `no_fetch` nothing is ever fetched: every URL is the Failure "not fetched (--no-fetch)"."""

    def __init__(self, fetcher: Fetcher | None, max_bytes: int, allow_private: bool,
                 no_fetch: bool = False) -> None:
        self._fetcher = fetcher
        self._own: Fetcher | None = None
        self._max_bytes, self._allow_private = max_bytes, allow_private
        self._no_fetch = no_fetch

    def fetch(self, url: str) -> Fetched | Failure:
        if self._no_fetch:
            return Failure(url, url, "fetch", NOT_FETCHED)
        if self._fetcher is None:
            self._own = self._fetcher = Fetcher(max_bytes=self._max_bytes, allow_private=self._allow_private)
        return self._fetcher.fetch(url)

    def close(self) -> None:
        if self._own is not None:
            self._own.close()


def iter_sources(sources: Iterable[str], *, max_bytes: int = DEFAULT_MAX_BYTES, allow_private: bool = False,
                 seen: Seen | None = None, fetcher: Fetcher | None = None,
                 no_fetch: bool = False) -> Iterator[RawDoc | Failure]:
    """All documents of all sources, in argument order; each bad one is a Failure, never raised.

    `fetcher` (its own limits, rate and `allow_private`) is used for every URL; without one, a
    default Fetcher with `max_bytes` and `allow_private` is made when the first URL comes.
    `no_fetch`: no request at all — a feed's entries give their own content (flagged), and URL
    arguments and the lines of URL lists are failures "not fetched (--no-fetch)".
    """
    for _origin, item in iter_sources_tagged(sources, max_bytes=max_bytes, allow_private=allow_private,
                                             seen=seen, fetcher=fetcher, no_fetch=no_fetch):
        yield item


def missing_paths(sources: Iterable[str]) -> list[str]:
    """The SOURCE arguments that name a local path that is not there (URLs and '-' are not paths): a
    typo to report before anything is created, rather than an empty run. A path that cannot even be
    looked at (in a folder without search permission) is named with its reason, never a traceback."""
    import errno

    missing = []
    for s in sources:
        if s == "-" or _URL.match(s):
            continue
        try:
            os.stat(s)
        except (FileNotFoundError, NotADirectoryError):
            missing.append(s)
        except OSError as exc:  # EACCES, ELOOP, ENAMETOOLONG
            missing.append(s if exc.errno == errno.ELOOP else f"{s} ({exc.strerror or exc})")
    return missing


def count_documents(sources: Iterable[str], budget: float = 2.0) -> int | None:
    """How many documents the SOURCEs hold, when that is cheap to know: files and folders of
    documents and JSONL (lines counted). None when a source cannot be counted beforehand (stdin, a URL,
    a feed, a WARC, a URL list) or counting takes longer than `budget` seconds: progress then shows no
    total rather than a wrong one."""
    import stat
    import time

    from newsledger.ingest.files import open_regular

    t0 = time.monotonic()
    total = 0

    def count(path: Path) -> int | None:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return 1  # one failure to come
        if not stat.S_ISREG(mode):
            return 1  # a FIFO, a device, a folder that cannot be read: one failure each, never opened
        kind = kind_of(path.name)
        if kind in ("doc", "gzdoc"):
            return 0 if path.suffix.lower() in (".txt", ".text") and _is_url_list(path, 1 << 20) else 1
        if kind == "jsonl" and not path.name.lower().endswith(".gz"):
            n = 0
            try:
                with open_regular(path) as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        n += block.count(b"\n")
                        if time.monotonic() - t0 > budget:
                            return None
            except OSError:
                return 1
            return n
        return None

    for source in sources:
        if source == "-" or _URL.match(source):
            return None
        path = Path(source)
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except OSError:
            is_dir = False
        files = _walk(path) if is_dir else [path]
        for f in files:
            n = count(f)
            if n is None or time.monotonic() - t0 > budget:
                return None
            total += n
    return total


def iter_sources_tagged(sources: Iterable[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
                        allow_private: bool = False, seen: Seen | None = None,
                        fetcher: Fetcher | None = None,
                        no_fetch: bool = False) -> Iterator[tuple[str, RawDoc | Failure]]:
    """`iter_sources`, each item paired with the source argument it came from — a Failure has
    no `origin` field, and the ledger's Outcome needs one for failures too."""
    web = _LazyFetcher(fetcher, max_bytes, allow_private, no_fetch)
    try:
        for source in sources:
            for item in _source(source, max_bytes, seen, web):
                yield files.safe_label(source), item  # a name that is not UTF-8 can still be stored
    finally:
        web.close()


def _source(source: str, max_bytes: int, seen: Seen | None, web: _LazyFetcher) -> Iterator[RawDoc | Failure]:
    if source == "-":
        yield _with_origin(read_file("-", max_bytes), source)
        return
    if _URL.match(source):
        if not _HTTP_URL.match(source):
            yield Failure(source, source, "fetch", "unsupported URL: only http:// and https:// are fetched")
            return
        yield from _url(source, source, seen, web)
        return
    path = Path(source)
    try:
        path.stat()
    except OSError as exc:  # missing, a loop, or a folder on the way we may not enter
        yield Failure(path.name or source, files.safe_label(source), "read",
                      "no such file or folder" if isinstance(exc, FileNotFoundError)
                      else f"cannot read: {exc.strerror or exc}")
        return
    if path.is_dir():
        for file in _walk(path):
            yield from _file(str(file), source, kind_of(file.name), max_bytes, seen, web)
    elif path.is_file():
        kind = kind_of(path.name)
        if kind is None:
            yield Failure(path.stem or path.name, source, "read", f"unsupported file type {path.suffix!r}: "
                          "expected .txt, .html, .htm, .jsonl (or .gz of these), .warc, .warc.gz, "
                          ".rss, .atom, .xml or .urls")
            return
        if kind == "doc" and path.suffix.lower() in (".txt", ".text") and _is_url_list(path, max_bytes):
            kind = "urls"
        yield from _file(source, source, kind, max_bytes, seen, web)
    elif path.exists():
        yield Failure(path.name, source, "read", files.not_regular(path.stat().st_mode))
    else:
        yield Failure(path.name, source, "read", "no such file or folder")


def _walk(root: Path) -> list[Path]:
    """Documents and archives under `root`, sorted by path; hidden entries and other types skipped,
    symlinked folders not followed. Listed for `_file` to check and report, in their place: every
    entry named like a document whatever it is (a FIFO, a device, a dangling link), and every folder
    that cannot be listed (`root` itself included)."""
    found: list[Path] = []
    skipped = 0
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            found.append(folder)  # `_file` says why: "cannot read folder: Permission denied"
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:  # a symlink loop: a file to `_file`, which reports it
                is_dir = False
            if is_dir and not entry.is_symlink():
                pending.append(Path(entry.path))
            elif not is_dir and kind_of(entry.name) in ("doc", "gzdoc", "jsonl", "warc"):
                found.append(Path(entry.path))
            else:
                skipped += 1
    if skipped:
        log.info("%s: skipped %d entries that are not documents, WARC archives or folders", root, skipped)
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def _with_origin(item: RawDoc | Failure, origin: str) -> RawDoc | Failure:
    return dataclasses.replace(item, origin=origin) if isinstance(item, RawDoc) else item


def _file(path: str, origin: str, kind: str | None, max_bytes: int, seen: Seen | None,
          web: _LazyFetcher) -> Iterator[RawDoc | Failure]:
    """One file (or a folder the walk could not list) read by its kind. Only a regular file is read:
    anything else is one Failure saying what it is, so no reader below opens a FIFO or a device (the
    readers of files.py check again on the open descriptor)."""
    import stat

    from newsledger.ingest.files import folder_error, not_regular, safe_label

    label = safe_label(path)
    name = Path(label).name
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        yield Failure(Path(name).stem or name, label, "read", f"cannot read file: {exc.strerror or exc}")
        return
    if stat.S_ISDIR(mode):
        reason = folder_error(path)  # listed by the walk because it could not be read
        if reason is not None:
            yield Failure(name, label, "read", reason)
        return
    if not stat.S_ISREG(mode):
        yield Failure(Path(name).stem or name, label, "read", not_regular(mode))
        return
    if kind in ("doc", "gzdoc"):
        if seen is not None and seen(path):
            return
        yield _with_origin(read_file(path, max_bytes) if kind == "doc" else read_gzip_file(path, max_bytes),
                           origin)
    elif kind == "jsonl":
        for item in read_jsonl_file(path, max_bytes):
            if isinstance(item, RawDoc) and seen is not None and seen(locator(item)):
                continue
            yield _with_origin(item, origin)
    elif kind == "warc":
        yield from read_warc(path, max_bytes=max_bytes, origin=origin, seen=seen)
    elif kind == "feed":
        yield from _feed_file(path, origin, max_bytes, seen, web)
    elif kind == "urls":
        yield from _url_list(path, origin, seen, web)


def _is_url_list(path: Path, max_bytes: int) -> bool:
    """A `.txt` is a URL list when every non-empty, non-`#` line is a single http(s) URL. Read line by
    line from a regular file only, and only as far as the first line that is not a URL (an article's
    first line), so testing a document costs one short read."""
    from newsledger.ingest.files import open_regular

    urls = read = 0
    try:
        with open_regular(path) as fh:
            while raw := fh.readline(_URL_LINE_LIMIT + 1):
                read += len(raw)
                if read > max_bytes or (len(raw) > _URL_LINE_LIMIT and not raw.endswith(b"\n")):
                    return False
                text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
                for line in text.splitlines():
                    line = line.strip()
                    if not line or line.startswith("#"):
                        continue
                    if not _HTTP_URL.match(line):
                        return False
                    urls += 1
    except OSError:
        return False
    return urls > 0


def _url_list(path: str, origin: str, seen: Seen | None, web: _LazyFetcher) -> Iterator[RawDoc | Failure]:
    """Each URL of a list, fetched (a feed URL yields its articles); a bad line is a Failure."""
    try:
        fh = files.open_regular(path)  # closed by the `with` below; only open errors are caught here
    except OSError as exc:
        yield Failure(Path(path).stem, path, "read", str(exc) if isinstance(exc, files.NotRegularFile)
                      else f"cannot read file: {exc.strerror or exc}")
        return
    with fh:
        for n, raw in enumerate(capped_lines(fh, _URL_LINE_LIMIT), 1):
            line = raw.decode("utf-8", errors="replace").strip()
            if not line or line.startswith("#"):
                continue
            where = f"{path}:{n}"
            if len(raw) > _URL_LINE_LIMIT:
                yield Failure(where, where, "read", f"line too long for a URL (over {_URL_LINE_LIMIT} bytes)")
                continue
            if not _HTTP_URL.match(line):
                yield Failure(where, where, "read", f"not an http(s) URL: {line[:200]!r}")
                continue
            yield from _url(line, origin, seen, web)


def _feed_file(path: str, origin: str, max_bytes: int, seen: Seen | None,
               web: _LazyFetcher) -> Iterator[RawDoc | Failure]:
    p = Path(path)
    try:  # a regular file, read up to the limit by bytes actually read (never what stat claims)
        with files.open_regular(path) as fh:
            data = read_capped(fh, max_bytes)
    except OSError as exc:
        yield Failure(p.stem, path, "feed", str(exc) if isinstance(exc, files.NotRegularFile)
                      else f"cannot read file: {exc.strerror or exc}")
        return
    if data is None:
        yield Failure(p.stem, path, "feed", files.too_large(None, max_bytes))
        return
    yield from iter_feed(data, source=path, origin=origin, seen=seen,
                         fetch_article=lambda link, published: _article(link, origin, published, web))


def _url(url: str, origin: str, seen: Seen | None, web: _LazyFetcher) -> Iterator[RawDoc | Failure]:
    """A URL given by the user or a list: a feed's articles if it serves a feed, else the page."""
    if seen is not None and seen(url):
        return
    got = web.fetch(url)
    if isinstance(got, Failure):
        yield got
        return
    if got.content_type in FEED_TYPES or looks_like_feed(got.body):
        yield from iter_feed(got.body, source=url, origin=origin, url=got.final_url,
                             content_type=got.content_type, seen=seen,
                             fetch_article=lambda link, published: _article(link, origin, published, web))
        return
    yield _page(got, origin, None)


def _article(url: str, origin: str, published: str | None, web: _LazyFetcher) -> RawDoc | Failure:
    got = web.fetch(url)
    return got if isinstance(got, Failure) else _page(got, origin, published)


def _page(got: Fetched, origin: str, published: str | None) -> RawDoc | Failure:
    """A fetched response as an article. `id` and `url` are the URL asked for (not the one
    redirected to), so `seen(url)` recognises it on the next run before any request."""
    url = got.url
    media = got.content_type
    is_html = media in HTML_TYPES or (media is None and bool(_HTML_SNIFF.match(got.body[:512])))
    if not is_html and media not in TEXT_TYPES and media is not None:
        return Failure(url, url, "fetch", f"not HTML or text: content type {media!r} for an article")
    if _is_binary(got.body):
        return Failure(url, url, "fetch", "binary data, not text or HTML")
    body = got.text()
    if not body.strip():
        return Failure(url, url, "fetch", "empty document")
    if is_html:
        return RawDoc(id=url, html=body, url=url, published=published, format="html", origin=origin)
    return RawDoc(id=url, text=body, url=url, published=published, format="text", origin=origin)
