"""`newsledger serve`: the FastAPI app over a ledger opened read-only, and the function that runs it.

The app reads only: each worker thread opens its own read-only connection (`connect_readonly`), so
an ingest can write beside it (WAL). Requests carry no file paths; bodies and page sizes are
capped; every response has a Content-Security-Policy that allows no inline script and nothing
from another origin; CORS is off (no CORS headers are sent), and a POST from another origin's page
is refused (403) before its body is read. Errors are JSON for the API and an HTML page for the
explorer, never a traceback.

Analysis (`--allow-analyze`) runs in one child process, one document at a time, under a size cap
and a time limit: a document past the limit has its process killed (504), and requests beyond a
short queue are turned away (503), so analysis cannot pile up or keep a core busy.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsledger import __version__
from newsledger.ledger.store import connect_readonly

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_BODY = 2 * 1024 * 1024  # bytes a POST may carry (an article page is rarely over 2 MB)
# The longest text one analysis takes: a 10,000-word long read is about 60 KB, so 200 KB is three
# of them. Analysis time grows faster than the text: 100 KB took 9 s, 200 KB 22 s (830 MB), 400 KB
# 52 s (1.4 GB) and 1 MB 134 s (2.8 GB) on one core. An HTML page is checked by the text found in it.
MAX_ANALYZE_BYTES = 200 * 1024
ANALYZE_TIMEOUT = 60.0  # seconds one analysis may take before its process is killed (504)
ANALYZE_QUEUE = 2  # requests that may wait while one is analysed; more are refused at once (503)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    # same-origin: no Referer ever leaves for another site, and the explorer's own form posts carry
    # their true Origin (under no-referrer browsers send "Origin: null", which cross_origin refuses)
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
WEB = Path(str(resources.files("newsledger.web")))


class Ledger:
    """Read-only connections to one ledger file, one per thread (sqlite3 objects stay on theirs)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        connect_readonly(self.path).close()  # fail now, with a clear LedgerError, not per request

    def conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None:
            c = self._local.conn = connect_readonly(self.path)
        return c


class AnalyzerBusy(Exception):
    """Too many analysis requests at once: this one is refused (503), not queued without end."""


class AnalysisTimedOut(Exception):
    """An analysis ran past the time limit; its process was killed (504)."""


class AnalyzerUnavailable(Exception):
    """The analysis process cannot start: no spaCy model (503, saying what to install)."""


class Analyzer:
    """`analyze` for POST /analyze and the paste page: one child process (engines.local.TimedWorker)
    that loads the model on first use and analyses one document at a time. A request waits for its
    turn behind at most `queue` others (more are refused at once: AnalyzerBusy), each of which takes
    at most `timeout` seconds; its own analysis gets `timeout` seconds, past which the process is
    killed (AnalysisTimeout). Texts over `max_text` bytes are refused (a Failure at stage "limit")."""

    def __init__(self, timeout: float = ANALYZE_TIMEOUT, max_text: int = MAX_ANALYZE_BYTES,
                 queue: int = ANALYZE_QUEUE, model: str | None = None) -> None:
        self.timeout, self.max_text, self.queue = timeout, max_text, queue
        self._model = model
        self.worker: Any = None  # the TimedWorker, made on first use (its module imports spaCy)
        self._turn = threading.Lock()
        self._count = threading.Lock()
        self._waiting = 0
        self.runs = 0  # analyses started

    def run(self, raw: Any) -> Any:
        """`raw`'s Outcome (its record, or a Failure); raises AnalyzerBusy or AnalysisTimeout."""
        with self._count:
            if self._waiting > self.queue:
                raise AnalyzerBusy(f"{self._waiting} analyses are running or waiting")
            self._waiting += 1
        try:
            wait = self.timeout * (self.queue + 1) + 5  # those ahead, each at most `timeout`
            if not self._turn.acquire(timeout=wait):
                raise AnalyzerBusy(f"no turn within {wait:g} s")
            try:
                from newsledger.engines.local import AnalysisTimeout, TimedWorker
                from newsledger.nlp import ModelNotFound

                if self.worker is None:
                    self.worker = TimedWorker(self._model)
                self.runs += 1
                try:
                    return self.worker.run(raw, self.timeout, self.max_text)
                except AnalysisTimeout as exc:
                    raise AnalysisTimedOut(str(exc)) from None
                except ModelNotFound as exc:
                    raise AnalyzerUnavailable(str(exc)) from None
            finally:
                self._turn.release()
        finally:
            with self._count:
                self._waiting -= 1

    def close(self) -> None:
        """Kill the analysis process now (at shutdown: an analysis in flight ends as a failure)."""
        if self.worker is not None:
            self.worker.kill()


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cross_origin(method: str, headers: dict[bytes, bytes]) -> str | None:
    """Why a request that changes or costs something (any method but GET, HEAD, OPTIONS) comes from
    another site's page, or None. A page elsewhere can send a text/plain or form POST here without
    asking first (no CORS preflight), so this is what stops it, before its body is read. Browsers
    say where a request comes from: `Sec-Fetch-Site` (current ones; a page cannot set it) decides
    when present; otherwise `Origin` must name this server (the Host the page was loaded from;
    "null", from sandboxed frames and files, is refused). A request with neither header does not
    come from a web page (curl, a script): allowed."""
    if method.upper() in SAFE_METHODS:
        return None
    site = headers.get(b"sec-fetch-site", b"").decode("latin-1").strip().lower()
    if site:  # set by the browser itself, never by a page: it decides
        return None if site in ("same-origin", "none") else f"Sec-Fetch-Site: {site}"
    origin = headers.get(b"origin")
    if origin is None:
        return None
    value = origin.decode("latin-1").strip()
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    scheme, sep, netloc = value.lower().partition("://")
    if not sep or scheme not in ("http", "https") or not host or netloc != host:
        return f"Origin: {value[:100]}"
    return None


class Guard:
    """ASGI middleware: security headers on every response; a POST from another origin's page is
    refused with 403, and a declared body over the cap with 413, both before the body is read
    (handlers that read a body count it too, see read_body)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        foreign = cross_origin(scope.get("method", "GET"), headers)
        if foreign is not None:
            response = error_json(403, f"refused: a {scope.get('method')} from another site's page "
                                       f"({foreign}); this server accepts them only from its own pages")
            await response(scope, receive, self._headers(send))
            return
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            response = error_json(413, f"request body over the limit of {self.max_body} bytes")
            await response(scope, receive, self._headers(send))
            return
        await self.app(scope, receive, self._headers(send))

    def _headers(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in SECURITY_HEADERS if k not in names)]
            await send(message)
        return wrapped


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, cap: int) -> bytes:
    """The request body, refusing (BodyTooLarge → 413) as soon as it passes `cap` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge(cap)
        chunks.append(chunk)
    return b"".join(chunks)


def error_json(status: int, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"status": status, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return JSONResponse(body, status_code=status)


def templates() -> Environment:
    """The explorer's Jinja2 environment: autoescape on for every template (article data is text)."""
    env = Environment(loader=FileSystemLoader(str(WEB / "templates")),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    return env


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/analyze", "/openapi.json")


def create_app(db_path: str | Path, allow_analyze: bool = False, *, max_body: int = MAX_BODY,
               max_analyze_bytes: int = MAX_ANALYZE_BYTES, analyze_timeout: float = ANALYZE_TIMEOUT,
               model: str | None = None, allowed_hosts: Sequence[str] | None = None) -> FastAPI:
    """The app over the ledger at `db_path` (opened read-only; LedgerError if it is not one).

    `allow_analyze` turns on POST /analyze and the paste page: each analysis runs in a child process
    (the spaCy `model`, loaded on the first analysis), on at most `max_analyze_bytes` of text, for at
    most `analyze_timeout` seconds. `allowed_hosts` refuses (400) a request whose Host header is not
    listed: on loopback this stops a web page from reading the ledger through DNS rebinding. None
    accepts any Host.
    """
    from newsledger.web import api, pages

    analyzer = Analyzer(analyze_timeout, max_analyze_bytes, model=model)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            analyzer.close()  # the analysis process goes with the server

    app = FastAPI(title="newsledger", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json", lifespan=lifespan,
                  description="Read-only API over a newsledger ledger: articles with every annotation, "
                              "quotes with their sources, events, entities and their timelines, stories. "
                              "Field names follow the analyze contract (DESIGN.md).")
    app.state.ledger = Ledger(db_path)
    app.state.allow_analyze = allow_analyze
    app.state.max_body = max_body
    app.state.max_analyze_bytes = max_analyze_bytes
    app.state.analyzer = analyzer
    app.state.templates = templates()
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(WEB / "static")), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail) if exc.detail else "error"
        if _wants_json(request):
            return error_json(exc.status_code, message)
        return pages.error_page(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def bad_params(request: Request, exc: RequestValidationError) -> Response:
        details = [{"loc": list(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors()]
        if _wants_json(request):
            return error_json(422, "invalid parameters", details)
        text = "; ".join(f"{'.'.join(str(p) for p in d['loc'][1:])}: {d['message']}" for d in details)
        return pages.error_page(request, 422, f"invalid parameters — {text}")

    @app.exception_handler(ValueError)
    async def bad_value(request: Request, exc: ValueError) -> Response:
        if _wants_json(request):
            return error_json(422, str(exc))
        return pages.error_page(request, 422, str(exc))

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> Response:
        return error_json(413, f"request body over the limit of {exc.args[0]} bytes")

    @app.exception_handler(AnalyzerBusy)
    async def busy(request: Request, exc: AnalyzerBusy) -> Response:
        message = f"the analyser is busy ({exc}); try again in a minute"
        response = error_json(503, message) if _wants_json(request) else \
            pages.error_page(request, 503, message)
        response.headers["Retry-After"] = str(int(analyzer.timeout))
        return response

    @app.exception_handler(AnalyzerUnavailable)
    async def unavailable(request: Request, exc: AnalyzerUnavailable) -> Response:
        message = f"analysis is unavailable: {exc}"
        return error_json(503, message) if _wants_json(request) else pages.error_page(request, 503, message)

    @app.exception_handler(AnalysisTimedOut)
    async def timed_out(request: Request, exc: AnalysisTimedOut) -> Response:
        message = (f"{exc}: send a shorter text, or start the server with a longer "
                   "--analyze-timeout")
        return error_json(504, message) if _wants_json(request) else pages.error_page(request, 504, message)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path)
        if _wants_json(request):
            return error_json(500, "internal error (see the server log)")
        return pages.error_page(request, 500, "internal error (see the server log)")

    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(Guard, max_body=max_body)  # added last: outermost, so every response has the headers
    return app


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8000, allow_analyze: bool = False, *,
          max_analyze_bytes: int = MAX_ANALYZE_BYTES, analyze_timeout: float = ANALYZE_TIMEOUT,
          log_level: str = "info", access_log: bool = True) -> None:
    """Run the app with uvicorn until interrupted (what `newsledger serve` calls).

    Binds loopback unless told otherwise; the ledger must exist (LedgerError otherwise).
    """
    import uvicorn

    loopback = host in LOOPBACK
    app = create_app(db, allow_analyze=allow_analyze, max_analyze_bytes=max_analyze_bytes,
                     analyze_timeout=analyze_timeout,
                     allowed_hosts=[*LOOPBACK, "[::1]"] if loopback else None)
    if not loopback:
        log.warning("serving on %s: the ledger is readable by anyone who can reach this address", host)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=access_log, server_header=False,
                proxy_headers=False)


__all__ = ["ANALYZE_TIMEOUT", "MAX_ANALYZE_BYTES", "MAX_BODY", "create_app", "serve"]


def html(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render an explorer template (autoescaped) with the common context."""
    env: Environment = request.app.state.templates
    body = env.get_template(template).render(allow_analyze=request.app.state.allow_analyze,
                                             path=request.url.path, **context)
    return HTMLResponse(body, status_code=status)
