"""Read .txt / .html / .htm files, stdin (`-`) and JSONL into RawDoc records.

Reading never raises for a bad document: it yields a Failure naming the document and the reason,
so one broken file cannot stop a batch. Whatever a file claims about itself:
- only regular files are read (symlinks followed): a FIFO, a device or a socket is a Failure saying
  what it is, found before it is opened and again on the open descriptor (opened non-blocking, so a
  FIFO swapped in between cannot hang the run);
- every read is capped by the bytes actually read (`--max-bytes`), never by the size stat reports;
- JSON nesting is bounded (`jsonsafe`), and a gzip is read by streaming with a cap;
- text is UTF-8, or UTF-8/16/32 marked by a BOM, or the charset the page declares, or the one
  detected; binary data (NUL bytes, control characters) is a Failure.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

from newsledger.ingest import jsonsafe
from newsledger.ingest.compressed import CHUNK, Capped, capped_lines, open_gzip, read_capped
from newsledger.model import Failure, RawDoc

# 10 MB, as the README and --help say (sizes are in decimal units: 1 MB = 1,000,000 bytes). A news page
# is rarely over 2 MB; 10 MB leaves room.
DEFAULT_MAX_BYTES = 10_000_000
# A .jsonl.gz is read up to this many times its compressed size (never less than --max-bytes): news
# text compresses 3-10 times, a gzip bomb about 1,000 times.
JSONL_GZ_MAX_RATIO = 200
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_HTML_SNIFF = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<meta|<article)", re.I)


def size_text(n: int) -> str:
    """A byte count as people read it, in the units --max-bytes is documented in: 10 MB, 200 kB, 512 bytes."""
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if n >= scale:
            return f"{n / scale:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{n:,} byte" + ("" if n == 1 else "s")


def too_large(size: int | None, limit: int, what: str = "too large") -> str:
    """"too large: 13 MB > limit of 10 MB"; exact bytes when rounding would make them look equal, and
    "over the limit" when the size is unknown (a read stopped at the limit)."""
    if size is None:
        return f"{what}: over the limit of {size_text(limit)} (raise it with --max-bytes)"
    a, b = size_text(size), size_text(limit)
    if a == b:
        a, b = f"{size:,} bytes", f"{limit:,} bytes"
    return f"{what}: {a} > limit of {b} (raise it with --max-bytes)"


# ---- regular files only, opened without blocking ----

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


class NotRegularFile(OSError):
    """A path that is a folder, a FIFO, a device or a socket: never read as a document. str() is the
    reason, e.g. "not a regular file (a FIFO)"."""


def not_regular(mode: int) -> str:
    """Why a file of this st_mode is not read: "is a directory", "not a regular file (a FIFO)", ..."""
    if stat.S_ISDIR(mode):
        return "is a directory"
    what = ("a FIFO" if stat.S_ISFIFO(mode) else "a character device" if stat.S_ISCHR(mode)
            else "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
            else f"file type {stat.S_IFMT(mode):#o}")
    return f"not a regular file ({what})"


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """`path` opened for reading if it is a regular file (symlinks followed); else NotRegularFile.

    The type is checked before opening (so a device is never opened) and again on the descriptor,
    which is opened with O_NONBLOCK: a FIFO put in place between the two checks is refused, not
    waited on. OSError as open raises it for the rest (missing, permission, symlink loop)."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFile(not_regular(mode))
    fd = os.open(path, _OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(not_regular(mode))
        if getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def folder_error(path: str | os.PathLike[str]) -> str | None:
    """Why a folder cannot be listed ("cannot read folder: Permission denied"), or None if it can."""
    try:
        with os.scandir(path):
            return None
    except OSError as exc:
        return f"cannot read folder: {exc.strerror or exc}"


def safe_label(path: str) -> str:
    """A path as it can be stored and shown: bytes of a file name that are not UTF-8 (which Python
    keeps as lone surrogates) written as \\xNN, so SQLite and JSON accept it."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _unreadable(doc_id: str, label: str, exc: OSError) -> Failure:
    if isinstance(exc, NotRegularFile):
        return Failure(doc_id, label, "read", str(exc))
    return Failure(doc_id, label, "read", f"cannot read file: {exc.strerror or exc}")


# ---- bytes to text ----

# The bytes a text may hold freely: everything but the C0 controls other than tab, LF, FF, CR, ESC.
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13, 27))
_ALLOWED_CONTROLS = {"\t", "\n", "\f", "\r", "\x1b"}
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _bom_codec(data: bytes) -> str | None:
    """The codec a byte order mark names (UTF-32 tested first: its LE mark starts like UTF-16's)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return None


def _is_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KB: not a text or HTML document. Text marked
    UTF-16/32 by a BOM is judged by its characters instead (controls, unassigned, private use,
    undecodable)."""
    head = data[:8192]
    if _bom_codec(head) in ("utf-16", "utf-32"):
        chars = head.decode(_bom_codec(head) or "", errors="replace")
        odd = sum(1 for ch in chars if ch == "\ufffd" or (ch < " " and ch not in _ALLOWED_CONTROLS)
                  or unicodedata.category(ch) in ("Cs", "Co", "Cn"))
        return not chars or odd / len(chars) > 0.05
    if b"\x00" in head:
        return True
    controls = len(head.translate(None, _NOT_CONTROL))  # counted in C: ingest reads millions of pages
    return bool(head) and controls / len(head) > 0.05


_META = re.compile(rb"<meta\b([^>]{0,1024})", re.I)
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]{0,200}?\bencoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""", re.I)
# Labels browsers read as a superset encoding (the WHATWG Encoding Standard), or that Python does not know
_CODEC_ALIASES = {
    "iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254", "iso8859-11": "cp874",
    "tis-620": "cp874", "windows-874": "cp874", "iso-8859-8-i": "iso8859-8", "shift_jis": "cp932",
    "x-sjis": "cp932", "windows-31j": "cp932", "euc_kr": "cp949", "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "x-euc-jp": "euc_jp",
    "x-mac-roman": "mac_roman", "x-mac-cyrillic": "mac_cyrillic",
}
# The text encodings of the web, as Python names them: a declared "base64", "rot13", "undefined" (which
# always raises), "unicode_escape" or "utf-7" (which make lone surrogates) is no charset of a page.
_WEB_CODECS = frozenset({
    "utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258", "cp866",
    "cp874", "cp932", "cp949", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic", "gb18030", "big5",
    "big5hkscs", "euc_jp", "iso2022_jp", "euc_kr", "shift_jis", "gbk", "gb2312", "iso8859-1",
    "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7", "iso8859-8",
    "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16", "ascii", "tis-620",
})


def charset_codec(label: str) -> str | None:
    """The Python codec for a charset label as a browser reads it ("iso-8859-1" as windows-1252,
    "Shift_JIS" as cp932): UTF-8/16/32 or a legacy encoding of the web; None for a label that is
    unknown or no text encoding of the web ("base64", "undefined", "unicode_escape", "utf-7")."""
    name = label.strip().strip("\"'").lower()[:40]
    try:
        name = codecs.lookup(_CODEC_ALIASES.get(name, name)).name
    except (LookupError, ValueError, TypeError):
        return None
    return _CODEC_ALIASES.get(name, name) if name in _WEB_CODECS else None


def declared_charset(data: bytes) -> str | None:
    """The Python codec of the charset a page declares in its first 8 KB (`<meta charset>`, the
    http-equiv Content-Type, an XML declaration), as browsers read it (`charset_codec`); None for
    none, an unknown one, or UTF-8/16/32 (a page whose declaration can be read as ASCII is not UTF-16)."""
    head = data[:8192]
    found = _XML_ENCODING.match(head)
    label = found.group(1) if found else None
    if label is None:
        for meta in _META.finditer(head):
            m = _META_CHARSET.search(meta.group(1))
            if m:
                label = m.group(1)
                break
    codec = charset_codec(label.decode("ascii")) if label is not None else None
    return None if codec is None or codec.startswith("utf-") else codec


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few bad bytes (a pasted cp1252 quote, a cut character) as UTF-8, the bad bytes
    replaced; None when too little of the non-ASCII text is UTF-8 for that to be the encoding."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    return text if good > 0 and bad * 4 <= good else None


def decode(data: bytes) -> str:
    """The text of a document's bytes: a BOM's UTF-8/16/32; else UTF-8 when it is valid (and not pure
    ASCII with another charset declared), surrogates encoded one by one included; else the charset the
    page declares; else UTF-8 if nearly all of it is; else the charset charset_normalizer finds; else
    cp1252. Never raises, and the text holds no lone surrogate."""
    bom = _bom_codec(data)
    if bom is not None:
        return data.decode(bom, errors="replace")
    declared = declared_charset(data)
    try:
        text = data.decode("utf-8")
        if declared is None or not data.isascii():
            return text
    except UnicodeDecodeError:
        try:  # UTF-8 but for surrogates encoded one by one (CESU-8, Java's "modified UTF-8")
            pairs = data.decode("utf-8", "surrogatepass").encode("utf-16-le", "surrogatepass")
            return pairs.decode("utf-16-le", "replace")  # a pair is its character, a lone one U+FFFD
        except UnicodeDecodeError:
            pass
    if declared is not None:
        return data.decode(declared, errors="replace")
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return no_surrogates(data.decode(best.encoding, errors="replace"))
    except Exception:  # charset detection is best effort; fall through to cp1252
        pass
    return data.decode("cp1252", errors="replace")


def no_surrogates(text: str) -> str:
    """`text` with every lone surrogate (from a JSON `\\ud800` escape, or an odd codec) as U+FFFD: the
    ledger is UTF-8, which cannot hold one."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


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


def _doc_from_bytes(doc_id: str, label: str, data: bytes, suffix: str, max_bytes: int) -> RawDoc | Failure:
    """Bytes read (at most max_bytes + 1 of them) as a document: HTML by `suffix` or by content."""
    if len(data) > max_bytes:
        return Failure(doc_id, label, "read", too_large(None, max_bytes))
    if _is_binary(data):
        return Failure(doc_id, label, "read", "binary data, not text or HTML")
    text = decode(data)
    if not text.strip():
        return Failure(doc_id, label, "read", "empty document")
    if _format(suffix, text[:512].encode("utf-8", "replace")) == "html":
        return RawDoc(id=doc_id, html=text, path=label, format="html")
    return RawDoc(id=doc_id, text=text, path=label, format="text")


def _format(suffix: str, data: bytes) -> str:
    """"html" by suffix, or by content unless the name says plain text; else "text"."""
    suffix = suffix.lower()
    sniffed_html = suffix not in {".txt", ".text"} and bool(_HTML_SNIFF.match(data[:512]))
    return "html" if suffix in HTML_SUFFIXES or sniffed_html else "text"


def read_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES, stdin: IO[bytes] | None = None
              ) -> RawDoc | Failure:
    """One .txt/.html file (or `-` for stdin) as a RawDoc; HTML is recognised by suffix or content.
    A file that is not a regular file, or holds more than `max_bytes`, is a Failure (never read past
    `max_bytes + 1` bytes, whatever its size claims)."""
    if path == "-":
        data = read_capped(stdin or sys.stdin.buffer, max_bytes)
        if data is None:
            return Failure("stdin", "-", "read", too_large(None, max_bytes))
        return _doc_from_bytes("stdin", "-", data, "", max_bytes)
    p = Path(path)
    doc_id, label = safe_label(p.stem or p.name), safe_label(path)
    size = None
    try:
        with open_regular(p) as fh:
            size = os.fstat(fh.fileno()).st_size  # a regular file's size: for the message, not the cap
            data = None if size > max_bytes else read_capped(fh, max_bytes)
    except OSError as exc:
        return _unreadable(doc_id, label, exc)
    if data is None:
        known = size if size is not None and size > max_bytes else None  # else it grew while read
        return Failure(doc_id, label, "read", too_large(known, max_bytes))
    return _doc_from_bytes(doc_id, label, data, p.suffix, max_bytes)


def parse_json_line(raw: bytes | str) -> Any:
    """One JSON value from untrusted input, its nesting bounded (jsonsafe.loads): a ValueError
    (jsonsafe.TooDeep past jsonsafe.MAX_DEPTH; UnicodeDecodeError for bytes that are not UTF-8) when it
    is not valid."""
    return jsonsafe.loads(raw)


def _str_field(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return no_surrogates(value) if isinstance(value, str) else None


def read_jsonl(lines: Iterable[bytes], label: str, max_bytes: int = DEFAULT_MAX_BYTES
               ) -> Iterator[RawDoc | Failure]:
    """Lines of {"id", "text"|"html", "url"?, "published"?}; a bad line is a Failure, not an abort:
    over `max_bytes`, not UTF-8, invalid JSON, nested deeper than jsonsafe.MAX_DEPTH, not an object,
    no text. Lone surrogates (`\ud800` escapes) become U+FFFD."""
    return _read_numbered(enumerate(lines, 1), label, max_bytes)


def _read_numbered(lines: Iterable[tuple[int, bytes]], label: str, max_bytes: int
                   ) -> Iterator[RawDoc | Failure]:
    for n, raw_line in lines:
        where = f"{label}:{n}"
        if len(raw_line) > max_bytes:
            yield Failure(where, where, "read", too_large(None, max_bytes, "line too large"))
            continue
        line = raw_line.strip()  # its newline is not inside its JSON
        if not line:
            continue
        try:
            obj = parse_json_line(line)
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, jsonsafe.TooDeep
            yield Failure(where, where, "read", f"invalid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            yield Failure(where, where, "read", "a JSONL line must be an object")
            continue
        raw_id = obj.get("id")
        doc_id = no_surrogates(str(raw_id)) if raw_id else where
        text, html = _str_field(obj, "text"), _str_field(obj, "html")
        body = html if html is not None and html.strip() else text
        if body is None or not body.strip():
            yield Failure(doc_id, where, "read", "no non-empty \"text\" or \"html\" field")
            continue
        url, published = _str_field(obj, "url"), normalise_date(obj.get("published"))
        if body is html:
            yield RawDoc(id=doc_id, html=html, url=url, published=published, path=where, format="html")
        else:
            yield RawDoc(id=doc_id, text=text, url=url, published=published, path=where, format="text")


def _numbered_lines(reader: IO[bytes], limit: int) -> Iterator[tuple[int, bytes]]:
    """(number, line) of each line of `reader` with more than white space in it, each read with at
    most `limit + 1` bytes in memory (a longer line is its first `limit + 1` bytes, the rest skipped,
    as `capped_lines` does). White space between lines is skipped a buffer at a time, so a file (or a
    gzip bomb) of newlines costs what reading it costs, not a Python step per line."""
    peek = getattr(reader, "peek", None)
    if peek is None:
        yield from ((n, line) for n, line in enumerate(capped_lines(reader, limit), 1) if line.strip())
        return
    n = 0
    while head := peek(CHUNK)[:CHUNK]:
        blank = len(head) - len(head.lstrip())
        if blank:
            n += head.count(b"\n", 0, blank)
            reader.read(blank)
            continue
        line = reader.readline(limit + 1)
        n += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while (more := reader.readline(CHUNK)) and not more.endswith(b"\n"):
                pass  # the rest of an oversized line, dropped as it is read
        yield n, line


def read_sources(paths: Iterable[str], jsonl: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
                 stdin: IO[bytes] | None = None) -> Iterator[RawDoc | Failure]:
    """All documents from the given paths, in order. With `jsonl`, every path is JSONL."""
    for path in paths:
        if not jsonl:
            yield read_file(path, max_bytes, stdin)
            continue
        if path == "-":
            yield from read_jsonl(capped_lines(stdin or sys.stdin.buffer, max_bytes), "stdin", max_bytes)
        else:
            yield from read_jsonl_file(path, max_bytes)


# ---- gzipped documents and JSONL files, for `ingest` (bounded memory: read by streaming) ----

def read_gzip_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDoc | Failure:
    """A `.txt.gz` / `.html.gz` / `.htm.gz` file as a RawDoc, decompressed by streaming up to
    `max_bytes` (a gzip bomb is a Failure after reading `max_bytes`, never loaded whole)."""
    p = Path(path)
    inner = Path(p.stem)  # "a.html.gz" -> "a.html"
    doc_id, label = safe_label(inner.stem or inner.name), safe_label(path)
    try:
        with open_regular(p) as fh:
            reader, raw = open_gzip(fh)
            data = read_capped(reader, max_bytes)
    except OSError as exc:
        return _unreadable(doc_id, label, exc)
    if data is None:
        return Failure(doc_id, label, "read", f"decompressed size over the limit of {size_text(max_bytes)} "
                       "(raise it with --max-bytes)")
    if raw.error:
        return Failure(doc_id, label, "read", f"bad gzip file: {raw.error}")
    return _doc_from_bytes(doc_id, label, data, inner.suffix, max_bytes)


def read_jsonl_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDoc | Failure]:
    """A `.jsonl` or `.jsonl.gz` file, line by line; no line is held past `max_bytes`. A truncated
    gzip ends with a Failure after the lines before the damage, and so does one that inflates past
    JSONL_GZ_MAX_RATIO times its size (a gzip bomb of short lines would otherwise run for hours)."""
    p = Path(path)
    label = safe_label(path)
    try:
        with open_regular(p) as fh:
            if not path.lower().endswith(".gz"):
                yield from _read_numbered(_numbered_lines(fh, max_bytes), label, max_bytes)
                return
            cap = max(max_bytes, JSONL_GZ_MAX_RATIO * os.fstat(fh.fileno()).st_size)
            reader, raw = open_gzip(fh)
            capped = Capped(reader, cap)
            lines = _numbered_lines(io.BufferedReader(capped, CHUNK), max_bytes)
            yield from _read_numbered(lines, label, max_bytes)
            if raw.error:
                yield Failure(safe_label(p.name), label, "read", f"bad gzip file: {raw.error}")
            elif capped.over:
                yield Failure(safe_label(p.name), label, "read",
                              f"decompressed size over {JSONL_GZ_MAX_RATIO} times the compressed size "
                              f"({size_text(cap)}): a gzip bomb? the lines before it are read")
    except OSError as exc:
        yield _unreadable(safe_label(p.stem), label, exc)
