"""Fetching pages over HTTP(S) politely and safely: one `Fetcher` for a whole ingest run.

Every problem is a `Failure` (stage "fetch") with a reason a user can act on — a timeout, an HTTP
status, a body over the size limit, a content type that is not a page, a private address, a
redirect loop, a DNS failure — never an exception. Redirects are followed by hand so each hop is
checked again (scheme, address); bodies are read by streaming and abandoned past `max_bytes`; at
most one request per `rate` seconds goes to the same host, while different hosts never wait.

`decode_content` undoes a `Content-Encoding` (gzip, deflate, brotli, or a stack of them) by
streaming with a cap on the decoded size: used for live pages here and for WARC payloads stored
with their wire encoding, so a brotli or gzip bomb costs at most the cap in memory.
"""

from __future__ import annotations

import io
import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import brotli
import httpcore
import httpx

from newsledger import __version__
from newsledger.ingest.compressed import CHUNK, GZIP, RAW_DEFLATE, ZLIB, Inflater, read_capped
from newsledger.ingest.files import DEFAULT_MAX_BYTES, charset_codec, decode, size_text, too_large
from newsledger.model import Failure

USER_AGENT = f"newsledger/{__version__} (+https://github.com/newsledger)"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml",
                        "application/xml", "text/xml"})
ACCEPTED_TYPES = HTML_TYPES | TEXT_TYPES | FEED_TYPES
_REDIRECTS = {301, 302, 303, 307, 308}
_MAX_CODINGS = 3  # stacked Content-Encodings decoded ("gzip, br"); more is not a real server
_ACCEPT = ("text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
           "application/xml;q=0.9,text/plain;q=0.8")


@dataclass(frozen=True, slots=True)
class Fetched:
    """A page as it came over the wire: `url` as asked for, `final_url` after redirects."""

    url: str
    final_url: str
    status: int
    content_type: str | None  # the media type, lower case, without parameters; None if not sent
    charset: str | None
    body: bytes

    def text(self) -> str:
        """The body decoded with the charset the server declared, else by `files.decode`."""
        return decode_body(self.body, self.charset)


def decode_body(body: bytes, charset: str | None) -> str:
    """Bytes in a declared charset (an unknown or wrong one falls back to `files.decode`)."""
    codec = charset_codec(charset) if charset else None  # "undefined", "base64": not text encodings
    if codec:
        try:
            return body.decode(codec, errors="strict")
        except UnicodeError:
            pass  # servers often declare a charset the page does not use; sniff instead
    return decode(body)


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """`text/html; charset=UTF-8` -> ("text/html", "utf-8")."""
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'").lower()
    return media.strip().lower() or None, charset


def _address_problem(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is not a public one (None when it is)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, bad in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                      ("multicast", ip.is_multicast), ("unspecified", ip.is_unspecified),
                      ("private", ip.is_private), ("reserved", ip.is_reserved),
                      ("not globally routable", not ip.is_global)):
        if bad:
            return kind
    return None


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id


class PublicOnlyBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to public addresses it has checked itself.

    `Fetcher._check` gives the clear reason before any connection; this closes the gap after it:
    a name that resolves to a public address for the check and a private one for the connection
    (DNS rebinding) is refused, because the connection goes to the very address checked. TLS still
    verifies the certificate against the URL's host name (httpcore passes it as server_hostname).
    """

    def __init__(self, problem: Callable[[ipaddress.IPv4Address | ipaddress.IPv6Address], str | None]
                 = _address_problem) -> None:
        self._problem = problem  # why an address may not be connected to (None: it may)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"DNS failure: cannot resolve host {host!r} ({exc})") from exc
        addresses = [str(info[4][0]) for info in infos]
        for address in addresses:
            kind = self._problem(_ip(address))
            if kind:
                raise httpcore.ConnectError(f"refused: {host} resolves to a {kind} address ({address})")
        error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError(f"no address for {host!r}")


class _Redirect(str):
    """The absolute URL a 3xx response points to."""


class _TooLarge(Exception):
    pass


class _Deadline(Exception):
    pass


class Fetcher:
    """An HTTP(S) client for ingest: timeouts, a size cap, checked redirects, per-host politeness.

    `rate` is the minimum number of seconds between the end of one request to a host and the start
    of the next; `allow_private` permits loopback / private / link-local addresses (for a local
    test server or an intranet). Use as a context manager, or call `close()`.
    """

    def __init__(self, *, max_bytes: int = DEFAULT_MAX_BYTES, connect_timeout: float = 10.0,
                 read_timeout: float = 20.0, total_timeout: float = 60.0, rate: float = 1.0,
                 max_redirects: int = 5, allow_private: bool = False, user_agent: str = USER_AGENT,
                 trust_env: bool = True) -> None:
        self.max_bytes = max_bytes
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout  # a server dripping bytes under the read timeout
        self.rate = rate
        self.max_redirects = max_redirects
        self.allow_private = allow_private
        self._last: dict[str, float] = {}  # host -> monotonic time its last request ended
        transport = httpx.HTTPTransport(trust_env=trust_env)
        if not allow_private:  # pin each connection to an address checked at connect time
            transport._pool._network_backend = PublicOnlyBackend()
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            follow_redirects=False,
            headers={"User-Agent": user_agent, "Accept": _ACCEPT, "Accept-Encoding": "gzip, deflate, br"},
            trust_env=trust_env,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str) -> Fetched | Failure:
        """GET `url`, following at most `max_redirects` redirects, each hop checked like the first."""
        current = url
        for _hop in range(self.max_redirects + 1):
            problem = self._check(current)
            if problem:
                where = "" if current == url else f" (redirected to {current})"
                return Failure(url, url, "fetch", problem + where)
            result = self._get(url, current)
            if not isinstance(result, _Redirect):
                return result
            current = result
        return Failure(url, url, "fetch", f"too many redirects (more than {self.max_redirects}); "
                       f"the last pointed to {current}")

    def _check(self, url: str) -> str | None:
        """Why `url` may not be fetched: its scheme, an unresolvable host, a private address."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            return f"invalid URL: {exc}"
        if not parsed.scheme or not parsed.host:
            return f"not an absolute http(s) URL: {url[:200]!r}"
        if parsed.scheme not in ("http", "https"):
            return f"unsupported URL scheme {parsed.scheme!r}: only http and https are fetched"
        host = parsed.host
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            return f"DNS failure: cannot resolve host {host!r} ({exc})"
        if self.allow_private:
            return None
        for info in infos:
            address = str(info[4][0])
            kind = _address_problem(_ip(address))
            if kind:
                return (f"refused: {host} resolves to a {kind} address ({address}); "
                        "private networks are not fetched unless allowed (--allow-private)")
        return None

    def _wait_turn(self, host: str) -> None:
        """Sleep until `rate` seconds have passed since the last request to `host` ended."""
        last = self._last.get(host)
        if last is not None:
            delay = last + self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def _get(self, url: str, current: str) -> Fetched | Failure | _Redirect:
        host = httpx.URL(current).host.lower()
        self._wait_turn(host)
        deadline = time.monotonic() + self.total_timeout
        try:
            with self._client.stream("GET", current) as resp:
                if resp.status_code in _REDIRECTS and resp.headers.get("location"):
                    return _Redirect(str(resp.url.join(resp.headers["location"])))
                if not 200 <= resp.status_code < 300:
                    return Failure(url, url, "fetch", f"HTTP {resp.status_code} {resp.reason_phrase}".strip()
                                   + ("" if current == url else f" at {current}"))
                media, charset = parse_content_type(resp.headers.get("content-type"))
                if media is not None and media not in ACCEPTED_TYPES:
                    return Failure(url, url, "fetch", f"not HTML or text: content type {media!r}")
                length = resp.headers.get("content-length", "")
                if length.isdigit() and int(length) > self.max_bytes:
                    return Failure(url, url, "fetch", self._too_large(int(length)))
                body = self._read_body(resp, deadline)
                if isinstance(body, str):
                    return Failure(url, url, "fetch", body)
                return Fetched(url, str(resp.url), resp.status_code, media, charset, body)
        except httpx.ConnectTimeout:
            return Failure(url, url, "fetch", f"timeout: no connection within {self.connect_timeout:g} s")
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout):
            return Failure(url, url, "fetch", f"timeout: no response data for {self.read_timeout:g} s")
        except _Deadline:
            return Failure(url, url, "fetch", f"timeout: the page took over {self.total_timeout:g} s")
        except _TooLarge:
            return Failure(url, url, "fetch", self._too_large(None))
        except httpx.ConnectError as exc:
            reason = str(exc)
            if not reason.startswith(("refused", "DNS failure")):
                reason = f"cannot connect: {reason}"
            return Failure(url, url, "fetch", reason)
        except httpx.HTTPError as exc:
            return Failure(url, url, "fetch", f"HTTP error: {type(exc).__name__}: {exc}")
        except (httpx.InvalidURL, httpx.StreamError, ValueError, UnicodeError) as exc:
            # a malformed Location header or response: the server's fault, not a reason to stop
            return Failure(url, url, "fetch", f"bad response from {current}: {exc}")
        finally:
            self._last[host] = time.monotonic()

    def _too_large(self, size: int | None) -> str:
        return too_large(size, self.max_bytes)

    def _read_body(self, resp: httpx.Response, deadline: float) -> bytes | str:
        """The body, decoded from gzip/deflate/brotli by streaming; a str is the reason it failed."""
        chunks: Iterator[bytes] = resp.iter_raw(64 * 1024)
        received = 0

        def read(_size: int) -> bytes:
            nonlocal received
            if time.monotonic() > deadline:
                raise _Deadline
            chunk = next(chunks, b"")
            received += len(chunk)
            if received > self.max_bytes:  # compressed data over the cap is over it decompressed too
                raise _TooLarge
            return chunk

        data, problem = decode_content(read, resp.headers.get("content-encoding"), self.max_bytes)
        if problem is not None:
            return problem
        assert data is not None
        return data


class BrotliReader(io.RawIOBase):
    """A readable stream of the decompressed bytes of `read`, like `compressed.Inflater` for brotli.

    Each call to the decoder is given an output limit (brotli >= 1.2), so a few bytes that expand to
    gigabytes never produce more than one chunk at a time; damage ends reading and sets `error`.
    """

    def __init__(self, read: Callable[[int], bytes]) -> None:
        super().__init__()
        self._read = read
        self._d = brotli.Decompressor()
        self._out = b""
        self._eof = False  # `read` has returned b""
        self._done = False
        self.error: str | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        while not self._out and not self._done:
            if self._d.is_finished():  # bytes after the end of the stream are ignored
                self._done = True
                break
            chunk = b""
            if not self._eof and self._d.can_accept_more_data():
                chunk = self._read(CHUNK)
                self._eof = not chunk
            try:
                self._out = self._d.process(chunk, output_buffer_limit=CHUNK)
            except brotli.error as exc:
                self.error = f"corrupt compressed data ({exc})"
                self._done = True
                break
            if self._out or chunk:
                continue
            # no input given and no output made: the stream is over, or was cut
            if not self._d.is_finished():
                self.error = ("truncated: the compressed data ends before its end marker" if self._eof
                              else "corrupt compressed data (the decoder made no progress)")
            self._done = True
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n


def content_codings(header: str | None) -> list[str]:
    """The codings of a `Content-Encoding` header in the order they were applied, identity left out."""
    codings = (part.strip().lower() for part in (header or "").split(","))
    return [c for c in codings if c not in ("", "identity")]


def decode_content(read: Callable[[int], bytes], header: str | None, limit: int
                   ) -> tuple[bytes | None, str | None]:
    """The body `read` yields (b"" at its end), undone from its `Content-Encoding` by streaming.

    Returns (data, problem). Over `limit` decoded bytes: (None, why); an unsupported coding: (None,
    why); a damaged or cut stream: the bytes decoded before the damage, and why (a caller may keep a
    cut page: see warc.py). Otherwise (data, None).
    """
    codings = content_codings(header)
    if len(codings) > _MAX_CODINGS:
        return None, f"unsupported content encoding {header!r}: more than {_MAX_CODINGS} codings"
    layers: list[Inflater | BrotliReader] = []
    source = read
    for coding in reversed(codings):  # the last coding applied is the first undone
        layer = _decoder(source, coding)
        if isinstance(layer, str):
            return None, layer
        layers.append(layer)
        source = layer.read
    if not layers:
        parts: list[bytes] = []
        size = 0
        while chunk := read(CHUNK):
            size += len(chunk)
            if size > limit:
                return None, _over_limit(limit)
            parts.append(chunk)
        return b"".join(parts), None
    data = read_capped(io.BufferedReader(layers[-1], buffer_size=CHUNK), limit)
    if data is None:
        return None, _over_limit(limit)
    for coding, layer in zip(reversed(codings), layers, strict=True):
        if layer.error:
            return data, f"bad {coding} body: {layer.error}"
    return data, None


def _over_limit(limit: int) -> str:
    return f"decompressed size over the limit of {size_text(limit)}"


def _decoder(read: Callable[[int], bytes], coding: str) -> Inflater | BrotliReader | str:
    """A decoding stream for one content coding, or why there is none."""
    if coding in ("gzip", "x-gzip"):
        return Inflater(read, GZIP)
    if coding == "br":
        return BrotliReader(read)
    if coding == "deflate":
        first = read(CHUNK)
        pending = [first]
        return Inflater(lambda n: pending.pop() if pending else read(n), _deflate_kind(first))
    return f"unsupported content encoding {coding!r}"


def _deflate_kind(head: bytes) -> int:
    """HTTP deflate should be zlib-wrapped (RFC 9110) but is sometimes raw: tell by the header."""
    if len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0:
        return ZLIB
    return RAW_DEFLATE

