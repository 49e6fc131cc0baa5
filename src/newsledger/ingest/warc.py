"""WARC and WARC.gz archives (the Common Crawl News format) → one RawDoc per archived HTML page.

Parsed with fastwarc (fast, streaming, the parser Common Crawl-scale tools use) in its quirks mode,
which reads every version in the wild: WARC/1.0 and 1.1, and the WARC/0.17 and 0.18 drafts of old
crawls (Heritrix 1.x, ClueWeb09), whose headers may end lines in a bare LF and whose Content-Length
may be off by a few bytes. In its default strict mode fastwarc 2 reads such records as empty, so a
whole file of them used to yield nothing at all. (No second WARC library is needed: warcio reads the
same versions, but fastwarc's quirks mode covers them at fastwarc's speed.)

Only `response` records whose HTTP status is 2xx and whose content type is HTML become documents;
requests, metadata, images and redirects are skipped — and a file that yields no page and no
failure says why, as one failure counting what it held ("no HTML response records in WARC (found 12
records: 12 request)"). Gzip is decompressed by our own `Inflater` rather than fastwarc's, because a
truncated download must be *reported*: fastwarc ends a damaged gzip stream silently, the Inflater
records the damage and the records before it are still read. A payload stored with its wire
`Content-Encoding` (gzip, deflate, brotli) is decoded by streaming with a cap (`web.decode_content`).

A page cut short — the archive file ends inside its record, the crawler cut it (`WARC-Truncated`),
or fewer bytes arrived than its HTTP `Content-Length` announced — is kept when at least
`KEEP_TRUNCATED` of it is there, with a `truncated` flag saying how much; below that it is a
failure. Half is the line because a news page's article sits in its first part (the head, then the
story, then comments, related links and scripts): past half, the story is usually whole or nearly,
and the flag tells the reader that its end may be missing.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from newsledger.ingest.compressed import GZIP, ForwardReader, Inflater
from newsledger.ingest.files import (
    _HTML_SNIFF,
    DEFAULT_MAX_BYTES,
    NotRegularFile,
    _is_binary,
    open_regular,
    too_large,
)
from newsledger.ingest.web import HTML_TYPES, content_codings, decode_body, decode_content, parse_content_type
from newsledger.model import Evidence, Failure, Flag, RawDoc

KEEP_TRUNCATED = 0.5  # the share of a cut page's bytes that must be there for it to be kept


@dataclass(slots=True)
class _Census:
    """Why a file gave no page: what its responses were ("HTTP 404", "image/png", …), counted while
    reading, and its records by type, counted by a second pass only when the first found nothing."""

    skipped: Counter[str] = field(default_factory=Counter)
    seen: int = 0  # responses skipped because the ledger has them: a resumed run, not a problem

    def why_empty(self, types: Counter[str], empty_file: bool) -> str:
        total = sum(types.values())
        if not total:
            return "empty file: no WARC records" if empty_file else "not a WARC archive: no WARC record found"
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in types.most_common())
        why = f"no HTML response records in WARC (found {total:,} record{'s' * (total != 1)}: {kinds})"
        if self.skipped:
            skipped = self.skipped.most_common()
            why += "; the responses: " + ", ".join(f"{n:,} {reason}" for reason, n in skipped)
        return why


def _records(fh: BinaryIO, types: WarcRecordType, parse_http: bool
             ) -> tuple[ArchiveIterator, Inflater | None]:
    """fastwarc's iterator over an open file (decompressed by our Inflater when it is gzip), in
    quirks mode, so that every WARC version is read; the Inflater, to ask it about damage after."""
    inflater: Inflater | None = None
    stream: io.RawIOBase | io.BufferedReader | BinaryIO = fh
    magic = fh.read(2)
    fh.seek(0)  # a regular file (open_regular), so it can go back
    if magic == b"\x1f\x8b":  # gzip magic, whatever the file is called
        inflater = Inflater(fh.read, GZIP)
        stream = ForwardReader(io.BufferedReader(inflater, buffer_size=64 * 1024))
    return ArchiveIterator(stream, record_types=types, parse_http=parse_http, fsspec_args=False,
                           stream_detect=False, quirks_mode=True), inflater


def _record_types(path: str) -> Counter[str]:
    """How many records of each WARC-Type the file holds (as far as it can be read)."""
    types: Counter[str] = Counter()
    try:
        with open_regular(path) as fh:
            records, _ = _records(fh, WarcRecordType.any_type, parse_http=False)
            for record in records:
                types[str(record.record_type)] += 1
    except BaseException as exc:  # damage was reported by the first pass; a Rust panic is a BaseException
        if not isinstance(exc, (OSError, ValueError)) and type(exc).__name__ != "PanicException":
            raise
    return types


def read_warc(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES, origin: str | None = None,
              seen: Callable[[str], bool] | None = None) -> Iterator[RawDoc | Failure]:
    """The HTML pages archived in a WARC file, in order, with `url` = the record's target URI.

    A record already in the ledger (`seen(uri)`) is skipped without reading its body. Damage — a
    truncated gzip member, a file that ends inside a record, an unparsable header — is one Failure
    (stage "warc"), after which reading stops; the pages before it have been yielded (and the cut
    page too, flagged, when most of it is there).
    """
    try:
        fh = open_regular(path)  # closed by the `with` below; only open errors are caught here
    except OSError as exc:
        yield Failure(path, path, "warc", str(exc) if isinstance(exc, NotRegularFile)
                      else f"cannot read file: {exc.strerror or exc}")
        return
    with fh:
        census = _Census()
        count, failed, last = 0, 0, 0
        inflater: Inflater | None = None
        try:
            # only responses reach Python: fastwarc skips the rest (requests, metadata) in Rust
            records, inflater = _records(fh, WarcRecordType.response, parse_http=True)
            for record in records:
                last = record.stream_pos
                item, cut = _page(record, path, max_bytes, origin, seen)
                if isinstance(item, str):
                    census.skipped[item] += 1
                elif item is None:
                    census.seen += 1
                else:
                    count += isinstance(item, RawDoc)
                    failed += isinstance(item, Failure)
                    yield item
                if cut:  # the file ends inside this record: nothing can follow
                    if not (isinstance(item, Failure) and item.reason.startswith("truncated")):
                        where = item.id if isinstance(item, RawDoc | Failure) else _doc_id(record, path)
                        kept = " (kept, flagged truncated)" if isinstance(item, RawDoc) else ""
                        yield Failure(f"{path}@{last}", path, "warc", f"truncated WARC after {count} pages: "
                                      f"the file ends inside the record of {where}{kept}")
                    return
        except (OSError, ValueError) as exc:
            yield Failure(f"{path}@{last}", path, "warc",
                          f"corrupt WARC after {count} pages (offset {last}): {exc}")
            return
        except BaseException as exc:  # a Rust panic inside fastwarc surfaces as a BaseException
            if type(exc).__name__ != "PanicException":
                raise
            yield Failure(f"{path}@{last}", path, "warc",
                          f"corrupt WARC after {count} pages (offset {last}): the parser gave up")
            return
        if inflater is not None and inflater.error:
            yield Failure(f"{path}@{last}", path, "warc",
                          f"damaged gzip after {count} pages: {inflater.error}")
            return
        nothing = not count and not failed and not census.seen
        types = _record_types(path) if nothing else Counter[str]()
        size = os.fstat(fh.fileno()).st_size
        if inflater is None and (types or not nothing) and _ends_mid_record(fh, size):
            # quirks mode passes over a header cut short without a word: the file's end tells
            yield Failure(f"{path}@{size}", path, "warc", f"truncated WARC after {count} pages: the file "
                          f"ends inside a record (offset {size:,})")
        elif nothing:
            yield Failure(path, path, "warc", census.why_empty(types, size == 0))


def _ends_mid_record(fh: BinaryIO, size: int) -> bool:
    """Whether a plain WARC file stops short of the blank line that closes every record."""
    try:
        fh.seek(max(0, size - 4))
        tail = fh.read(4)
    except OSError:
        return False
    return bool(tail) and not tail.endswith((b"\n\n", b"\n\r\n"))


def _page(record: WarcRecord, path: str, max_bytes: int, origin: str | None,
          seen: Callable[[str], bool] | None) -> tuple[RawDoc | Failure | str | None, bool]:
    """One response record as a RawDoc or a Failure; a str saying why it is not an HTML page; None
    when the ledger has it. The bool is True when the file ends inside this record."""
    uri = record.headers.get("WARC-Target-URI") or None
    doc_id = _doc_id(record, path, uri)
    if not record.is_http:
        return "not HTTP", False
    if seen is not None and uri is not None and seen(uri):
        return None, False
    http = record.http_headers
    status = http.status_code if http is not None else None
    if http is None or status is None:
        return "without a readable HTTP status line", False
    if not 200 <= status < 300:  # redirects, 404 pages: not articles
        return f"HTTP {status}", False
    media, charset = parse_content_type(http.get("Content-Type"))
    if media is not None and media not in HTML_TYPES:
        return media, False
    length = record.content_length
    if length > max_bytes:
        return Failure(doc_id, path, "warc", too_large(length, max_bytes)), False
    body = record.reader.read(length)
    cut = len(body) < length
    short = _shortfall(record, len(body), length)
    coding = http.get("Content-Encoding")
    data, problem = decode_content(io.BytesIO(body).read, coding, max_bytes) if content_codings(coding) \
        else (body, None)
    if problem is not None and not data and _HTML_SNIFF.match(body[:512]):
        data, problem = body, None  # the archive stored the page decoded but kept the header
    if data is None:
        return Failure(doc_id, path, "warc", problem or "undecodable body"), cut
    if problem is not None and short is None:
        return Failure(doc_id, path, "warc", problem), cut
    flags: tuple[Flag, ...] = ()
    if short is not None:
        got, expected, why = short
        if expected is not None and got < KEEP_TRUNCATED * expected:
            return Failure(doc_id, path, "warc", f"truncated record: {got:,} of {expected:,} bytes "
                           f"({_percent(got, expected)}), under half of the page: not kept"), cut
        flags = (_truncated_flag(uri or doc_id, got, expected, why, coding),)
    if media is None and not _HTML_SNIFF.match(data[:512]):
        return "without a content type and not HTML", cut
    if _is_binary(data):
        return Failure(doc_id, path, "warc", "binary data, not HTML"), cut
    html = decode_body(data, charset)
    if not html.strip():
        return Failure(doc_id, path, "warc", "empty document"), cut
    return RawDoc(id=doc_id, html=html, url=uri, path=path, format="html", origin=origin, flags=flags), cut


def _doc_id(record: WarcRecord, path: str, uri: str | None = None) -> str:
    """A record's id: its target URI, else its WARC-Record-ID, else where it starts in the file."""
    return uri or record.headers.get("WARC-Target-URI") or record.record_id or f"{path}@{record.stream_pos}"


def _shortfall(record: WarcRecord, got: int, length: int) -> tuple[int, int | None, str] | None:
    """(bytes there, bytes the whole page has if known, how we know) when the page is cut, else None.

    Three witnesses: the archive file ends inside the record; the crawler says it cut the payload
    (`WARC-Truncated`, with a reason such as "length" or "time"); fewer bytes than the HTTP
    `Content-Length` announced (only without a transfer coding, whose framing makes it moot).
    """
    http = record.http_headers
    announced: list[tuple[int, str]] = []
    if got < length:
        announced.append((length, "the archive file ends inside this record"))
    value = (http.get("Content-Length") or "").strip() if http is not None else ""
    if value.isdigit() and int(value) > got and http is not None and not http.get("Transfer-Encoding"):
        announced.append((int(value), f"the HTTP Content-Length is {int(value):,} bytes"))
    marker = (record.headers.get("WARC-Truncated") or "").strip()
    if not announced and not marker:
        return None
    expected, why = max(announced) if announced else (None, "")
    if marker:
        why = f"WARC-Truncated: {marker}" + (f"; {why}" if why else "")
    return got, expected, why


def _percent(got: int, expected: int) -> str:
    return f"{int(100 * got / expected)} %"  # rounded down: 99.9 % arrived is not "100 %"


def _truncated_flag(where: str, got: int, expected: int | None, why: str, coding: str | None) -> Flag:
    coded = coding is not None and coding.strip().lower() not in ("", "identity")
    page = f"the {coding.strip()}-encoded page" if coding and coded else "the page"
    if expected is None:
        message = (f"the archive record was cut: {got:,} bytes of {page} arrived and its full size is "
                   "unknown; the end of the article may be missing")
    else:
        message = (f"the archive record was cut: {got:,} of {expected:,} bytes of {page} arrived "
                   f"({_percent(got, expected)}); the end of the article may be missing")
    return Flag(code="truncated", message=message, evidence=(Evidence(text=where, note=why),))
