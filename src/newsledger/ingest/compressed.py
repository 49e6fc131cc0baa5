"""Streaming gzip / deflate decompression that never loads more than the caller asks for.

Shared by gzipped files (`.txt.gz`, `.jsonl.gz`, `.warc.gz`) and HTTP `Content-Encoding`, so a
gzip bomb (1 KB that inflates to 1 GB) costs at most `max_bytes` of memory, and a truncated or
corrupt stream is *recorded* in `error` instead of raised: the records before the damage are kept.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterator
from typing import IO

GZIP = zlib.MAX_WBITS | 16  # a gzip header and trailer
ZLIB = zlib.MAX_WBITS  # HTTP "deflate" is meant to be zlib-wrapped ...
RAW_DEFLATE = -zlib.MAX_WBITS  # ... but some servers send raw deflate
CHUNK = 64 * 1024
READ_BLOCK = 1 << 20  # read_capped's step: memory grows with what was read, by at most this


class Inflater(io.RawIOBase):
    """A readable stream of the decompressed bytes of `read` (a function like `file.read`).

    Gzip input may hold several members (what `cat a.gz b.gz` and Common Crawl's per-record WARC
    compression make); they are read one after another. On truncated or corrupt input, reading
    ends early and `error` says why — wrap in `io.BufferedReader` for `read(n)` / `readline(n)`.
    """

    def __init__(self, read: Callable[[int], bytes], wbits: int = GZIP) -> None:
        super().__init__()
        self._read = read
        self._wbits = wbits
        self._d = zlib.decompressobj(wbits)
        self._pending = b""
        self._started = False  # the current member has consumed input
        self._done = False
        self.error: str | None = None

    def readable(self) -> bool:
        return True

    def _next_member(self) -> bool:
        """After a member ends: start the next one if more (non-padding) input follows."""
        rest = self._pending or self._read(CHUNK)
        while rest and not rest.strip(b"\0"):  # NUL padding after the last member is allowed
            rest = self._read(CHUNK)
        if not rest or self._wbits != GZIP:
            self._done = True
            return False
        self._d = zlib.decompressobj(self._wbits)
        self._pending, self._started = rest, False
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        want = len(buffer)
        while not self._done and want:
            if self._d.eof:
                self._pending = self._d.unused_data
                if not self._next_member():
                    break
            if not self._pending:
                self._pending = self._read(CHUNK)
                if not self._pending:
                    if self._started:
                        self.error = "truncated: the compressed data ends before its end marker"
                    self._done = True
                    break
            try:
                out = self._d.decompress(self._pending, want)
            except zlib.error as exc:
                self.error = f"corrupt compressed data ({exc})"
                self._done = True
                break
            self._started = True
            self._pending = self._d.unconsumed_tail if not self._d.eof else b""
            if out:
                buffer[: len(out)] = out
                return len(out)
        return 0


class ForwardReader(io.RawIOBase):
    """A read-only stream that can `tell` and seek forward (by reading), over a non-seekable one:
    what fastwarc asks of a Python stream, for reading a decompressed WARC."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = inner
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = offset if whence == io.SEEK_SET else self._pos + offset if whence == io.SEEK_CUR else -1
        if target < self._pos:
            raise io.UnsupportedOperation("this stream can only seek forward")
        while self._pos < target and self.read(min(CHUNK, target - self._pos)):
            pass
        return self._pos


def open_gzip(fh: IO[bytes]) -> tuple[io.BufferedReader, Inflater]:
    """A buffered reader of a gzip file's content, and its Inflater (to check `error` after)."""
    raw = Inflater(fh.read, GZIP)
    return io.BufferedReader(raw, buffer_size=CHUNK), raw


def read_capped(reader: IO[bytes], limit: int) -> bytes | None:
    """At most `limit` bytes from `reader`; None when there is more (the content is over the limit).

    Read in blocks, so memory follows the bytes actually read, never `limit` itself (`read(limit + 1)`
    would reserve a buffer of `limit` bytes at once: gigabytes for a large --max-bytes)."""
    blocks: list[bytes] = []
    total = 0
    while total <= limit:
        block = reader.read(min(READ_BLOCK, limit + 1 - total))
        if not block:
            break
        blocks.append(block)
        total += len(block)
    return None if total > limit else b"".join(blocks)


class Capped(io.RawIOBase):
    """The first `limit` bytes of `inner`; `over` is True when `inner` had more (checked by reading one
    byte past the limit, never more). Wrap in `io.BufferedReader` to read lines."""

    def __init__(self, inner: IO[bytes], limit: int) -> None:
        super().__init__()
        self._inner = inner
        self._left = limit
        self.over = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._left <= 0:
            if not self.over and self._inner.read(1):
                self.over = True
            return 0
        data = self._inner.read(min(len(buffer), self._left))
        if not data:
            return 0
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


def capped_lines(reader: IO[bytes], limit: int) -> Iterator[bytes]:
    """The lines of `reader`, each read with at most `limit + 1` bytes in memory.

    A longer line is yielded as its first `limit + 1` bytes (so a reader that checks lengths sees
    it is too large) and the rest of it is skipped, never accumulated.
    """
    while True:
        line = reader.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drop the remainder of the oversized line
                more = reader.readline(CHUNK)
                if not more or more.endswith(b"\n"):
                    break
        yield line
