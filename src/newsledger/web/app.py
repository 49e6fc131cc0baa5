"""`newsledger serve`: the FastAPI app over a ledger opened read-only, and the function that runs it.

The app reads only: each worker thread opens its own read-only connection (`connect_readonly`), so
an ingest can write beside it (WAL). Requests carry no file paths; bodies and page sizes are
capped; every response has a Content-Security-Policy that allows no inline script and nothing
from another origin; CORS is off (no CORS headers are sent). Errors are JSON for the API and an
HTML page for the explorer, never a traceback.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
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
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
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


class Analyzer:
    """`analyze` for POST /analyze: the spaCy model loaded once, on first use, used by one thread
    at a time (a spaCy pipeline is not documented as safe to call concurrently)."""

    def __init__(self, nlp: Any = None) -> None:
        self._nlp = nlp
        self._lock = threading.Lock()

    def run(self, raw: Any) -> Any:
        from newsledger import nlp as nlp_mod
        from newsledger.analyze import analyze

        with self._lock:
            if self._nlp is None:
                self._nlp = nlp_mod.load()
            return analyze(raw, self._nlp)


class Guard:
    """ASGI middleware: security headers on every response; a declared body over the cap is
    refused with 413 before it is read (handlers that read a body count it too, see read_body)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
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
               nlp: Any = None, allowed_hosts: Sequence[str] | None = None) -> FastAPI:
    """The app over the ledger at `db_path` (opened read-only; LedgerError if it is not one).

    `allow_analyze` turns on POST /analyze and the paste page; `nlp` lets a caller that already
    holds the spaCy model share it (else it is loaded on the first analysis). `allowed_hosts`
    refuses (400) a request whose Host header is not listed: on loopback this stops a web page
    from reading the ledger through DNS rebinding. None accepts any Host.
    """
    from newsledger.web import api, pages

    app = FastAPI(title="newsledger", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json",
                  description="Read-only API over a newsledger ledger: articles with every annotation, "
                              "quotes with their sources, events, entities and their timelines, stories. "
                              "Field names follow the analyze contract (DESIGN.md).")
    app.state.ledger = Ledger(db_path)
    app.state.allow_analyze = allow_analyze
    app.state.max_body = max_body
    app.state.analyzer = Analyzer(nlp)
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
          log_level: str = "info", access_log: bool = True) -> None:
    """Run the app with uvicorn until interrupted (what `newsledger serve` calls).

    Binds loopback unless told otherwise; the ledger must exist (LedgerError otherwise).
    """
    import uvicorn

    loopback = host in LOOPBACK
    app = create_app(db, allow_analyze=allow_analyze,
                     allowed_hosts=[*LOOPBACK, "[::1]"] if loopback else None)
    if not loopback:
        log.warning("serving on %s: the ledger is readable by anyone who can reach this address", host)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=access_log, server_header=False,
                proxy_headers=False)


__all__ = ["MAX_BODY", "create_app", "serve"]


def html(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render an explorer template (autoescaped) with the common context."""
    env: Environment = request.app.state.templates
    body = env.get_template(template).render(allow_analyze=request.app.state.allow_analyze,
                                             path=request.url.path, **context)
    return HTMLResponse(body, status_code=status)
