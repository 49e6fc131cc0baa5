"""The explorer: server-rendered HTML pages over the same queries as the API.

Templates are autoescaped; the only markup built from article data is render.highlight's, which
escapes every piece of text itself. Links are built from integer ids and fixed paths, and an
article's own URL is linked only when it is http(s).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from newsledger.ledger import queries
from newsledger.web import chart, render
from newsledger.web.api import DATE, Id, ledger
from newsledger.web.app import html, read_body

PAGE = 25
router = APIRouter(include_in_schema=False)
Opt = Annotated[str | None, Query(max_length=200)]
DateQ = Annotated[str | None, Query(pattern=DATE + r"|^$")]
OffsetQ = Annotated[int, Query(ge=0, le=1_000_000)]


def error_page(request: Request, status: int, message: str) -> Response:
    return html(request, "error.html", status=status, status_code=status, message=message,
                title=f"Error {status}")


def _pager(request: Request, offset: int, count: int, size: int = PAGE) -> dict[str, str | None]:
    """Links to the previous / next page of a list (same query, another offset)."""
    params = {k: v for k, v in request.query_params.items() if k != "offset" and v}

    def link(off: int) -> str:
        return request.url.path + "?" + urlencode({**params, "offset": off})

    return {"prev": link(max(0, offset - size)) if offset > 0 else None,
            "next": link(offset + size) if count > size else None}


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    conn = ledger(request)
    return html(request, "index.html", stats=queries.stats(conn), recent=queries.articles(conn, limit=10),
                people=queries.entities(conn, type="PERSON", limit=10), title="newsledger")


@router.get("/articles", response_class=HTMLResponse)
def articles_page(request: Request, since: DateQ = None, until: DateQ = None, site: Opt = None,
                  flag: Opt = None, q: Opt = None, offset: OffsetQ = 0) -> Response:
    conn = ledger(request)
    items = queries.articles(conn, since=since or None, until=until or None, site=site or None,
                             flag=flag or None, search=q or None, limit=PAGE + 1, offset=offset)
    return html(request, "articles.html", title="Articles", items=items[:PAGE],
                pager=_pager(request, offset, len(items)), sites=queries.sites(conn),
                flags=queries.flag_codes(conn), f={"since": since, "until": until, "site": site,
                                                   "flag": flag, "q": q},
                terms=queries.search_terms(q), snippet=render.snippet)


def _article_view(request: Request, art: dict[str, Any], q: str | None, pasted: bool = False) -> Response:
    terms = queries.search_terms(q)
    marks, records, colours = render.article_marks(art, terms)
    speakers: dict[int, str] = {}
    for quote in art.get("quotes") or []:
        key = render.speaker_key(quote)
        if key is not None and colours.get(key) is not None and quote.get("speaker"):
            speakers.setdefault(colours[key], str(quote["speaker"].get("name") or "unnamed"))
    ents = {e["id"]: e for e in art.get("entities") or []}
    return html(request, "article.html", title=art.get("title") or art.get("id") or "Article", art=art,
                body=render.highlight(art.get("text") or "", marks), records=records, ents=ents,
                colours=colours, speakers=speakers, url=render.safe_url(art.get("url")), pasted=pasted,
                speaker_key=render.speaker_key, q=q or "", hits=sum(m.kind == "hit" for m in marks))


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: Id, q: Opt = None) -> Response:
    conn = ledger(request)
    art = queries.article(conn, article_id)
    if art is None:
        raise HTTPException(404, f"no article {article_id}")
    return _article_view(request, art, q)


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, type: Annotated[str | None, Query(max_length=20)] = None,
                  q: Opt = None, offset: OffsetQ = 0) -> Response:
    conn = ledger(request)
    items = queries.entities(conn, type=type or None, search=q or None, limit=PAGE + 1, offset=offset)
    return html(request, "entities.html", title="Entities", items=items[:PAGE],
                pager=_pager(request, offset, len(items)), f={"type": type, "q": q},
                types=["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"])


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: Id) -> Response:
    conn = ledger(request)
    ent = queries.entity(conn, entity_id)
    if ent is None:
        raise HTTPException(404, f"no entity {entity_id}")
    items = queries.timeline(conn, entity_id, limit=1000)
    days: dict[str, list[dict[str, Any]]] = {}
    for it in items:
        days.setdefault(chart.day_anchor(it.get("date")), []).append(it)
    return html(request, "entity.html", title=ent["name"], ent=ent, items=items, days=days,
                svg=chart.timeline_svg(items, ent["name"]), quotes=[i for i in items if i["type"] == "quote"])


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request, offset: OffsetQ = 0) -> Response:
    conn = ledger(request)
    items = queries.stories(conn, limit=PAGE + 1, offset=offset)
    return html(request, "stories.html", title="Stories", items=items[:PAGE],
                pager=_pager(request, offset, len(items)))


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Opt = None,
                kind: Annotated[str, Query(alias="in", pattern="^(quotes|articles)$")] = "quotes",
                speaker: Opt = None, since: DateQ = None, until: DateQ = None, site: Opt = None,
                offset: OffsetQ = 0) -> Response:
    conn = ledger(request)
    asked = bool(q or speaker or since or until or site)
    items: list[dict[str, Any]] = []
    if asked and kind == "quotes":
        items = queries.quotes(conn, search=q or None, speaker=speaker or None, since=since or None,
                               until=until or None, limit=PAGE + 1, offset=offset)
    elif asked:
        items = queries.articles(conn, search=q or None, since=since or None, until=until or None,
                                 site=site or None, limit=PAGE + 1, offset=offset)
    return html(request, "search.html", title="Search", items=items[:PAGE], asked=asked, kind=kind,
                f={"q": q or "", "speaker": speaker or "", "since": since or "", "until": until or "",
                   "site": site or ""}, terms=queries.search_terms(q), snippet=render.snippet,
                pager=_pager(request, offset, len(items)), sites=queries.sites(conn),
                hl=urlencode({"q": q}) if q else "")


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request) -> Response:
    """The API reference, rendered here from the OpenAPI schema (Swagger UI would need a CDN)."""
    spec = request.app.openapi()
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            ops.append({"path": path, "method": method.upper(), "summary": op.get("summary", ""),
                        "params": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                    "description": p.get("description")
                                    or p.get("schema", {}).get("description", ""),
                                    "type": _type_of(p.get("schema", {}))}
                                   for p in op.get("parameters", [])]})
    return html(request, "docs.html", title="API", ops=ops, info=spec.get("info", {}))


def _type_of(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " | ".join(_type_of(s) for s in schema["anyOf"])
    bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum", "maxLength", "pattern") if k in schema]
    return str(schema.get("type", "any")) + (f" ({', '.join(bounds)})" if bounds else "")


@router.get("/paste", response_class=HTMLResponse)
def paste_form(request: Request) -> Response:
    if not request.app.state.allow_analyze:
        raise HTTPException(404, "the paste page is off: start the server with --allow-analyze")
    return html(request, "paste.html", title="Paste an article", max_body=request.app.state.max_body)


@router.post("/paste", response_class=HTMLResponse)
async def paste_submit(request: Request) -> Response:
    from newsledger.web.api import run_analysis

    if not request.app.state.allow_analyze:
        raise HTTPException(404, "the paste page is off: start the server with --allow-analyze")
    body = await read_body(request, request.app.state.max_body)
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), max_num_fields=10).items()}
    content = form.get("text", "")
    fields: dict[str, Any] = {"html" if form.get("format") == "html" else "text": content,
                              "published": form.get("published") or None}
    record = await run_analysis(request, fields)
    return _article_view(request, {**record, "article_id": None, "story": None, "copies": []}, None,
                         pasted=True)
