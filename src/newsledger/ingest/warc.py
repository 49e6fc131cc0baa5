"""WARC and WARC.gz archives (the Common Crawl News format) → one RawDoc per archived HTML page.

Parsed with fastwarc (fast, streaming, the parser Common Crawl-scale tools use). Only `response`
records whose HTTP status is 2xx and whose content type is HTML become documents; requests,
metadata, images and redirects are skipped. Gzip is decompressed by our own `Inflater` rather than
fastwarc's, because a truncated download must be *reported*: fastwarc ends a damaged gzip stream
silently, the Inflater records the damage and the records before it are still read.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from newsledger.ingest.compressed import GZIP, ForwardReader, Inflater, read_capped
from newsledger.ingest.files import _HTML_SNIFF, DEFAULT_MAX_BYTES, _is_binary
from newsledger.ingest.web import HTML_TYPES, decode_body, parse_content_type
from newsledger.model import Failure, RawDoc


def read_warc(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES, origin: str | None = None,
              seen: Callable[[str], bool] | None = None) -> Iterator[RawDoc | Failure]:
    """The HTML pages archived in a WARC file, in order, with `url` = the record's target URI.

    A record already in the ledger (`seen(uri)`) is skipped without reading its body. Damage — a
    truncated gzip member, a short record, an unparsable header — is one Failure (stage "warc"),
    after which reading stops; the pages before it have been yielded.
    """
    try:
        fh = open(path, "rb")  # noqa: SIM115 -- closed by the `with` below; only open() errors are caught
    except OSError as exc:
        yield Failure(path, path, "warc", f"cannot read file: {exc.strerror or exc}")
        return
    with fh:
        inflater: Inflater | None = None
        stream: io.RawIOBase | io.BufferedReader = fh
        if fh.peek(2)[:2] == b"\x1f\x8b":  # gzip magic, whatever the file is called
            inflater = Inflater(fh.read, GZIP)
            stream = ForwardReader(io.BufferedReader(inflater, buffer_size=64 * 1024))
        count, last = 0, 0
        try:
            records = ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True,
                                      fsspec_args=False, stream_detect=False)
            for record in records:
                last = record.stream_pos
                item = _page(record, path, max_bytes, origin, seen)
                if item is None:
                    continue
                count += isinstance(item, RawDoc)
                yield item
                if isinstance(item, Failure) and item.reason.startswith("truncated"):
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


def _page(record: WarcRecord, path: str, max_bytes: int, origin: str | None,
          seen: Callable[[str], bool] | None) -> RawDoc | Failure | None:
    """One response record as a RawDoc, a Failure, or None when it is not an HTML page."""
    uri = record.headers.get("WARC-Target-URI") or None
    doc_id = uri or record.record_id or f"{path}@{record.stream_pos}"
    if not record.is_http or (seen is not None and uri is not None and seen(uri)):
        return None
    status = record.http_headers.status_code
    if status is None or not 200 <= status < 300:  # redirects, 404 pages: not articles
        return None
    media, charset = parse_content_type(record.http_headers.get("Content-Type"))
    length = record.content_length
    if length > max_bytes:
        return Failure(doc_id, path, "warc", f"too large: {length / 1e6:.1f} MB > limit of "
                       f"{max_bytes / 1e6:.1f} MB (raise it with --max-bytes)")
    body = record.reader.read(length)
    if len(body) < length:
        return Failure(doc_id, path, "warc", f"truncated record: {len(body)} of {length} bytes")
    if media is None and not _HTML_SNIFF.match(body[:512]):
        return None
    if media is not None and media not in HTML_TYPES:
        return None
    encoding = (record.http_headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):  # an archive that kept the wire encoding
        inflater = Inflater(io.BytesIO(body).read, GZIP)
        data = read_capped(io.BufferedReader(inflater), max_bytes)
        if data is None:
            return Failure(doc_id, path, "warc", f"decompressed size over the limit of "
                           f"{max_bytes / 1e6:.1f} MB")
        if inflater.error:
            return Failure(doc_id, path, "warc", f"bad gzip body: {inflater.error}")
        body = data
    elif encoding not in ("identity", ""):
        return Failure(doc_id, path, "warc", f"unsupported content encoding {encoding!r}")
    if _is_binary(body):
        return Failure(doc_id, path, "warc", "binary data, not HTML")
    html = decode_body(body, charset)
    if not html.strip():
        return Failure(doc_id, path, "warc", "empty document")
    return RawDoc(id=doc_id, html=html, url=uri, path=path, format="html", origin=origin)
