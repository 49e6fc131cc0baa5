"""Read .txt / .html / .htm files, stdin (`-`) and JSONL into RawDoc records.

Reading never raises for a bad document: it yields a Failure naming the document and the reason,
so one broken file cannot stop a batch.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from newsledger.model import Failure, RawDoc

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # a news page is rarely over 2 MB; 10 MB leaves room
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_HTML_SNIFF = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<meta|<article)", re.I)


# The bytes a text may hold freely: everything but the C0 controls other than tab, LF, FF, CR, ESC.
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13, 27))


def _is_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KB: not a text or HTML document."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = len(head.translate(None, _NOT_CONTROL))  # counted in C: ingest reads millions of pages
    return bool(head) and controls / len(head) > 0.05


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else the charset charset_normalizer finds, else cp1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace")
    except Exception:  # charset detection is best effort; fall through to cp1252
        pass
    return data.decode("cp1252", errors="replace")


def normalise_date(value: object) -> str | None:
    """A caller-supplied date as YYYY-MM-DD, or None when it is not an ISO date."""
    if not isinstance(value, str):
        return None
    m = _ISO_DATE.match(value.strip())
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _doc_from_bytes(doc_id: str, label: str, data: bytes, fmt: str, max_bytes: int) -> RawDoc | Failure:
    if len(data) > max_bytes:
        return Failure(doc_id, label, "read", f"too large: {len(data) / 1e6:.1f} MB > limit of "
                       f"{max_bytes / 1e6:.1f} MB (raise it with --max-bytes)")
    if _is_binary(data):
        return Failure(doc_id, label, "read", "binary data, not text or HTML")
    text = decode(data)
    if not text.strip():
        return Failure(doc_id, label, "read", "empty document")
    if fmt == "html":
        return RawDoc(id=doc_id, html=text, path=label, format="html")
    return RawDoc(id=doc_id, text=text, path=label, format="text")


def _format(suffix: str, data: bytes) -> str:
    """"html" by suffix, or by content unless the name says plain text; else "text"."""
    suffix = suffix.lower()
    sniffed_html = suffix not in {".txt", ".text"} and bool(_HTML_SNIFF.match(data[:512]))
    return "html" if suffix in HTML_SUFFIXES or sniffed_html else "text"


def read_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES, stdin: IO[bytes] | None = None
              ) -> RawDoc | Failure:
    """One .txt/.html file (or `-` for stdin) as a RawDoc; HTML is recognised by suffix or content."""
    if path == "-":
        stream = stdin or sys.stdin.buffer
        data = stream.read(max_bytes + 1)
        doc_id, label = "stdin", "-"
    else:
        p = Path(path)
        doc_id, label = p.stem or p.name, path
        try:
            if p.is_dir():
                return Failure(doc_id, label, "read", "is a directory")
            size = p.stat().st_size
            if size > max_bytes:
                return Failure(doc_id, label, "read", f"too large: {size / 1e6:.1f} MB > limit of "
                               f"{max_bytes / 1e6:.1f} MB (raise it with --max-bytes)")
            data = p.read_bytes()
        except OSError as exc:
            return Failure(doc_id, label, "read", f"cannot read file: {exc.strerror or exc}")
    return _doc_from_bytes(doc_id, label, data, _format(Path(label).suffix, data), max_bytes)


def read_jsonl(lines: Iterable[bytes], label: str, max_bytes: int = DEFAULT_MAX_BYTES
               ) -> Iterator[RawDoc | Failure]:
    """Lines of {"id", "text"|"html", "url"?, "published"?}; a bad line is a Failure, not an abort."""
    for n, raw_line in enumerate(lines, 1):
        where = f"{label}:{n}"
        if not raw_line.strip():
            continue
        if len(raw_line) > max_bytes:
            yield Failure(where, where, "read", f"line too large: {len(raw_line) / 1e6:.1f} MB > limit "
                          f"of {max_bytes / 1e6:.1f} MB")
            continue
        try:
            obj = json.loads(raw_line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield Failure(where, where, "read", f"invalid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            yield Failure(where, where, "read", "a JSONL line must be an object")
            continue
        doc_id = str(obj.get("id") or where)
        text, html = obj.get("text"), obj.get("html")
        body = html if isinstance(html, str) and html.strip() else text
        if not isinstance(body, str) or not body.strip():
            yield Failure(doc_id, where, "read", "no non-empty \"text\" or \"html\" field")
            continue
        url = obj.get("url") if isinstance(obj.get("url"), str) else None
        published = normalise_date(obj.get("published"))
        if body is html:
            yield RawDoc(id=doc_id, html=html, url=url, published=published, path=where, format="html")
        else:
            yield RawDoc(id=doc_id, text=text, url=url, published=published, path=where, format="text")


def read_sources(paths: Iterable[str], jsonl: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
                 stdin: IO[bytes] | None = None) -> Iterator[RawDoc | Failure]:
    """All documents from the given paths, in order. With `jsonl`, every path is JSONL."""
    for path in paths:
        if not jsonl:
            yield read_file(path, max_bytes, stdin)
            continue
        if path == "-":
            yield from read_jsonl(stdin or sys.stdin.buffer, "stdin", max_bytes)
        else:
            yield from read_jsonl_file(path, max_bytes)


# ---- gzipped documents and JSONL files, for `ingest` (bounded memory: read by streaming) ----

def _over_limit(doc_id: str, label: str, max_bytes: int) -> Failure:
    return Failure(doc_id, label, "read", f"decompressed size over the limit of {max_bytes / 1e6:.1f} MB "
                   "(raise it with --max-bytes)")


def read_gzip_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDoc | Failure:
    """A `.txt.gz` / `.html.gz` / `.htm.gz` file as a RawDoc, decompressed by streaming up to
    `max_bytes` (a gzip bomb is a Failure after reading `max_bytes`, never loaded whole)."""
    from newsledger.ingest.compressed import open_gzip, read_capped

    p = Path(path)
    inner = Path(p.stem)  # "a.html.gz" -> "a.html"
    doc_id = inner.stem or inner.name
    try:
        with open(p, "rb") as fh:
            reader, raw = open_gzip(fh)
            data = read_capped(reader, max_bytes)
    except OSError as exc:
        return Failure(doc_id, path, "read", f"cannot read file: {exc.strerror or exc}")
    if data is None:
        return _over_limit(doc_id, path, max_bytes)
    if raw.error:
        return Failure(doc_id, path, "read", f"bad gzip file: {raw.error}")
    return _doc_from_bytes(doc_id, path, data, _format(inner.suffix, data), max_bytes)


def read_jsonl_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDoc | Failure]:
    """A `.jsonl` or `.jsonl.gz` file, line by line; no line is held past `max_bytes`, and a
    truncated gzip ends with a Failure after the lines before the damage."""
    from newsledger.ingest.compressed import capped_lines, open_gzip

    p = Path(path)
    try:
        with open(p, "rb") as fh:
            if path.lower().endswith(".gz"):
                reader, raw = open_gzip(fh)
                yield from read_jsonl(capped_lines(reader, max_bytes), path, max_bytes)
                if raw.error:
                    yield Failure(p.name, path, "read", f"bad gzip file: {raw.error}")
            else:
                yield from read_jsonl(capped_lines(fh, max_bytes), path, max_bytes)
    except OSError as exc:
        yield Failure(p.stem, path, "read", f"cannot read file: {exc.strerror or exc}")
