"""A real HTTP server on a loopback address, in a thread, for the offline ingest tests.

Routes map a path to a status, headers and body (or a delay before answering); every request is
recorded with its arrival time (time.monotonic) and headers, so tests can check what was asked,
when, and that nothing was asked at all.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a slow server)
    chunked: bool = False  # send without Content-Length


@dataclass
class Hit:
    path: str
    at: float
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hanging up is expected
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class Site:
    """`with Site() as site:` serves `site.routes` at `site.url(path)` until the block ends."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                site.hits.append(Hit(self.path, time.monotonic(), dict(self.headers.items())))
                route = site.routes.get(self.path, Route(404, b"not found", {"Content-Type": "text/plain"}))
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    for key, value in route.headers.items():
                        self.send_header(key, value)
                    if route.chunked:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        for i in range(0, len(route.body), 65536):
                            self.wfile.write(route.body[i:i + 65536])
                        self.close_connection = True
                        return
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up: expected
                    self.close_connection = True

        self.server = _QuietServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.host = host
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def __enter__(self) -> Site:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def html_page(title: str, paragraph: str) -> bytes:
    return (f"<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{paragraph}</p></article></body></html>").encode()


def gzip_bomb(expanded: int, member: int = 10 * 1024 * 1024) -> bytes:
    """Gzip data that inflates to `expanded` bytes of zeros, built from repeated gzip members
    (one member compressed once, so a 1 GB bomb takes milliseconds to make and is ~1 MB)."""
    import gzip

    one = gzip.compress(b"\0" * member, compresslevel=9)
    return one * max(1, expanded // member)
