"""The JSON API under /api: thin routes over ledger/queries.py (the CLI reads the same functions).

Lists are pages: {"items": [...], "limit", "offset", "next_offset"} with `limit` capped at
API_MAX_LIMIT (a larger one is a 422, not silently cut); `next_offset` is null on the last page.
"""

from __future__ import annotations

import sqlite3
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from newsledger.extract.events.lexicon import CATEGORIES
from newsledger.ingest import jsonsafe
from newsledger.ledger import queries
from newsledger.ledger.query_sql import check_date
from newsledger.model import Failure, RawDoc
from newsledger.tables import (
    ARTICLE_CSV,
    ENTITY_CSV,
    EVENT_CSV,
    QUOTE_CSV,
    STORY_CSV,
    TIMELINE_CSV,
    csv_text,
    per_source,
)
from newsledger.web.app import BodyTooLarge, read_body

API_MAX_LIMIT = 200
Category = Enum("Category", {c: c for c in CATEGORIES}, type=str)  # type: ignore[misc]


class ErrorDetail(BaseModel):
    status: int
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """Every error the API returns: {"error": {"status", "message", "details"?}}."""

    error: ErrorDetail


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "no such article / entity"},
    422: {"model": ErrorBody, "description": "invalid parameters (details name each)"},
}
router = APIRouter(responses=_ERRORS)

Limit = Annotated[int, Query(ge=1, le=API_MAX_LIMIT, description=f"page size (at most {API_MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="items to skip")]
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
Since = Annotated[str | None, Query(pattern=DATE, description="from this date (YYYY, YYYY-MM or YYYY-MM-DD)")]
Until = Annotated[str | None, Query(pattern=DATE, description="up to this date, inclusive of its period")]
Lang = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,3}$", description="only from articles in this "
                                   "language (ISO 639-1)", examples=["fr"])]
Text = Annotated[str | None, Query(max_length=200)]
Id = Annotated[int, Path(ge=1, le=2**62)]


def ledger(request: Request) -> sqlite3.Connection:
    """This worker thread's read-only connection. Routes are plain `def`s that call this in their
    body (not as a dependency), so a request costs one hop to the thread pool, not three."""
    conn: sqlite3.Connection = request.app.state.ledger.conn()
    return conn


Format = Annotated[Literal["json", "csv"], Query(
    description="json (default): items with every field; csv: one row per item (per reporting article for "
                "quotes) with the evidence columns: ids, title, URL, published date, offsets")]


Reported = Annotated[Literal["speech", "belief", "evidence", "topic", "all"], Query(
    description="what the quotes report: speech (default: words said or written), belief (what someone "
                "thinks or wants), evidence (what a poll or study found), topic (only what a report was "
                "about: 'endorsed Clinton'), all")]


Sort = Annotated[Literal["newest", "oldest"], Query(
    description="newest first (undated last), or oldest first (dated items only)")]


def check_dates(**dates: str | None) -> None:
    """Dates checked on the calendar (a 13th month is a 422 like any bad parameter, same shape)."""
    errors = []
    for name, value in dates.items():
        try:
            check_date(value, name)
        except ValueError as exc:
            errors.append({"loc": ("query", name), "msg": str(exc), "type": "value_error", "input": value})
    if errors:
        raise RequestValidationError(errors)


def page(fetch: Any, limit: int, offset: int, fmt: str = "json", csv: Any = None, **kw: Any) -> Response:
    """One page of a query: fetch one extra item to know whether there is a next page."""
    check_dates(since=kw.get("since"), until=kw.get("until"))
    items = fetch(limit=limit + 1, offset=offset, **kw)
    more = len(items) > limit
    if fmt == "csv" and csv is not None:
        columns, rows = csv
        return Response(csv_text(items[:limit], columns, rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=newsledger.csv"})
    return JSONResponse({"items": items[:limit], "limit": limit, "offset": offset,
                         "next_offset": offset + limit if more else None})


@router.get("/api/stats", tags=["ledger"], summary="Counts of everything in the ledger")
def stats(request: Request) -> JSONResponse:
    return JSONResponse(queries.stats(ledger(request)))


@router.get("/api/articles", tags=["articles"], summary="Articles, newest first")
def articles(request: Request, limit: Limit = 50, offset: Offset = 0, since: Since = None,
             until: Until = None, site: Text = None, flag: Annotated[str | None, Query(max_length=64)] = None,
             q: Annotated[str | None, Query(max_length=200, description="full-text search",
                                            examples=["superdelegates"])] = None,
             sort: Sort = "newest", format: Format = "json") -> Response:
    return page(lambda **kw: queries.articles(ledger(request), **kw), limit, offset, format,
                (ARTICLE_CSV, None), since=since, until=until, site=site, flag=flag, search=q,
                oldest=sort == "oldest")


@router.get("/api/articles/{article_id}", tags=["articles"],
            summary="One article: its text and every annotation (analyze contract), story and copies")
def article(request: Request, article_id: Id) -> JSONResponse:
    art = queries.article(ledger(request), article_id)
    if art is None:
        raise HTTPException(404, f"no article {article_id}")
    return JSONResponse(art)


@router.get("/api/quotes", tags=["quotes"],
            summary="Quotes (one per cluster, with every article that reports it), newest first")
def quotes(request: Request, limit: Limit = 50, offset: Offset = 0,
           speaker: Annotated[str | None, Query(
               max_length=200, description="a name or alias (the entity that says the most of those "
               "matching), or an entity id", examples=["Clinton", "12"])] = None,
           q: Annotated[str | None, Query(max_length=200, description="words of the quote",
                                          examples=["wall"])] = None,
           since: Since = None, until: Until = None, sort: Sort = "newest", lang: Lang = None,
           reported: Reported = "speech", format: Format = "json") -> Response:
    return page(lambda **kw: queries.quotes(ledger(request), **kw), limit, offset, format,
                (QUOTE_CSV, per_source), speaker=speaker, search=q, since=since, until=until,
                oldest=sort == "oldest", lang=lang, reported=reported)


@router.get("/api/events", tags=["events"], summary="Events (PLOVER categories), newest first")
def events(request: Request, limit: Limit = 50, offset: Offset = 0,
           actor: Annotated[str | None, Query(
               max_length=200, description="the entity that acts: a name or an id",
               examples=["Putin"])] = None,
           target: Annotated[str | None, Query(
               max_length=200, description="the entity acted on: a name or an id",
               examples=["Russia"])] = None,
           category: Annotated[Category | None, Query(description="a PLOVER category")] = None,
           since: Since = None, until: Until = None, sort: Sort = "newest", lang: Lang = None,
           format: Format = "json") -> Response:
    return page(lambda **kw: queries.events(ledger(request), **kw), limit, offset, format, (EVENT_CSV, None),
                actor=actor, target=target, category=category.value if category else None, since=since,
                until=until, oldest=sort == "oldest", lang=lang)


@router.get("/api/entities", tags=["entities"], summary="Entities, those in most articles first")
def entities(request: Request, limit: Limit = 50, offset: Offset = 0,
             type: Annotated[str | None, Query(max_length=20, description="PERSON, ORG, GPE, …",
                                               examples=["PERSON"])] = None,
             q: Annotated[str | None, Query(max_length=200, description="name or alias",
                                            examples=["Sanders"])] = None,
             format: Format = "json") -> Response:
    return page(lambda **kw: queries.entities(ledger(request), **kw), limit, offset, format,
                (ENTITY_CSV, None), type=type, search=q)


@router.get("/api/entities/{entity_id}", tags=["entities"],
            summary="One entity: aliases, roles, counts")
def entity(request: Request, entity_id: Id) -> JSONResponse:
    ent = queries.entity(ledger(request), entity_id)
    if ent is None:
        raise HTTPException(404, f"no entity {entity_id}")
    return JSONResponse(ent)


@router.get("/api/entities/{entity_id}/timeline", tags=["entities"],
            summary="What an entity said and did, oldest first, each with its evidence span")
def timeline(request: Request, entity_id: Id, since: Since = None, until: Until = None,
             limit: Annotated[int, Query(ge=1, le=1000)] = 200,
             offset: Annotated[int, Query(ge=0, le=4000)] = 0,
             role: Annotated[list[Literal["speaker", "actor", "target"]] | None, Query(
                 description="only items where the entity is the speaker (its quotes), the actor (what it "
                             "did) or the target (what was done to it); repeatable")] = None,
             format: Format = "json") -> Response:
    conn = ledger(request)
    ent = queries.entity(conn, entity_id)
    if ent is None:
        raise HTTPException(404, f"no entity {entity_id}")
    check_dates(since=since, until=until)
    items = queries.timeline(conn, entity_id, since=since, until=until, limit=offset + limit,
                             roles=tuple(role) if role else queries.ROLES)[offset:]
    if format == "csv":
        return Response(csv_text(items, TIMELINE_CSV), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=newsledger-timeline.csv"})
    return JSONResponse({"entity": ent, "items": items, "limit": limit, "offset": offset})


@router.get("/api/stories", tags=["articles"], summary="Stories: an original and its copies, largest first")
def stories(request: Request, limit: Limit = 50, offset: Offset = 0, format: Format = "json") -> Response:
    return page(lambda **kw: queries.stories(ledger(request), **kw), limit, offset, format, (STORY_CSV, None))


def _limit_message(request: Request, size: int | None = None) -> str:
    cap = request.app.state.max_analyze_bytes
    what = f"{size:,} bytes of text" if size is not None else "the text"
    return (f"{what} is over the analysis limit of {cap:,} bytes (a long article is 30-120 KB; "
            "start the server with --max-analyze-bytes to allow more)")


async def analyze_request(request: Request) -> dict[str, Any]:
    """Body → RawDoc → analyze → the contract record (not stored). text/plain, text/html, or JSON
    {"text" | "html", "url", "published", "id"}. A text body is capped at the analysis limit as it
    is read; an HTML page (which carries far more markup than text) at the body limit, and then by
    the text found in it."""
    if not request.app.state.allow_analyze:
        raise HTTPException(403, "analysis is off: start the server with `newsledger serve --allow-analyze`")
    ctype = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
    is_page = ctype in ("text/html", "application/xhtml+xml", "application/json")
    cap = request.app.state.max_body if is_page else min(request.app.state.max_body,
                                                           request.app.state.max_analyze_bytes + 3)  # + a BOM
    try:
        body = await read_body(request, cap)
    except BodyTooLarge:
        if is_page:
            raise
        raise HTTPException(413, _limit_message(request)) from None
    try:
        data = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HTTPException(400, "the body must be UTF-8") from exc
    fields: dict[str, Any] = {}
    if ctype == "application/json":
        try:
            fields = jsonsafe.loads(data)
        except ValueError as exc:  # invalid, or nested past jsonsafe.MAX_DEPTH (TooDeep)
            raise HTTPException(400, f"invalid JSON: {exc}") from exc
        if not isinstance(fields, dict) or not isinstance(fields.get("text", fields.get("html")), str):
            raise HTTPException(400, 'JSON body must be an object with a "text" or "html" string')
    elif ctype in ("text/html", "application/xhtml+xml"):
        fields = {"html": data}
    else:
        fields = {"text": data}
    return await run_analysis(request, fields)


async def run_analysis(request: Request, fields: dict[str, Any]) -> dict[str, Any]:
    """Analyse one document's fields in the analysis process (app.Analyzer): its record, or an
    HTTP error — 413 over the size limit, 422 when it cannot be analysed, 503 when the analyser is
    busy, 504 past the time limit."""
    from newsledger.engines.local import LIMIT_STAGE
    from newsledger.ingest.files import normalise_date

    content = fields.get("html") if isinstance(fields.get("html"), str) else fields.get("text")
    if not isinstance(content, str) or not content.strip():
        raise HTTPException(400, "nothing to analyse: the body is empty")
    is_html = isinstance(fields.get("html"), str)
    if not is_html and (size := len(content.encode("utf-8", "surrogatepass"))) > \
            request.app.state.max_analyze_bytes:
        raise HTTPException(413, _limit_message(request, size))
    url = fields.get("url") if isinstance(fields.get("url"), str) else None
    raw = RawDoc(id=str(fields.get("id") or "pasted")[:200], text=None if is_html else content,
                 html=content if is_html else None, url=url,
                 published=normalise_date(fields.get("published")),
                 format="html" if is_html else "text")
    outcome = await run_in_threadpool(request.app.state.analyzer.run, raw)
    failure: Failure | None = outcome.failure
    if failure is not None:
        if failure.stage == LIMIT_STAGE:
            raise HTTPException(413, f"{failure.reason} (start the server with --max-analyze-bytes to "
                                     "allow more)")
        raise HTTPException(422, f"could not analyse ({failure.stage}): {failure.reason}")
    record: dict[str, Any] = outcome.record or {}
    return record


@router.post("/api/analyze", tags=["analyze"],
             summary="Analyse a text or HTML body and return its record, without storing it "
                     "(only with --allow-analyze)")
async def analyze(request: Request) -> dict[str, Any]:
    return await analyze_request(request)


@router.post("/analyze", tags=["analyze"], summary="Same as POST /api/analyze")
async def analyze_root(request: Request) -> dict[str, Any]:
    return await analyze_request(request)
