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

from newsledger.ledger import counts, queries
from newsledger.web import chart, compare, render
from newsledger.web.api import DATE, Id, ledger
from newsledger.web.app import html, read_body

PAGE = 25
router = APIRouter(include_in_schema=False)
Opt = Annotated[str | None, Query(max_length=200)]
DateQ = Annotated[str | None, Query(pattern=DATE + r"|^$")]
OffsetQ = Annotated[int, Query(ge=0, le=1_000_000)]
SortQ = Annotated[str, Query(pattern="^(newest|oldest)$")]


def error_page(request: Request, status: int, message: str) -> Response:
    return html(request, "error.html", status=status, status_code=status, message=message,
                title=f"Error {status}")


def _pager(request: Request, offset: int, count: int, total: counts.Count | None = None,
           size: int = PAGE) -> dict[str, Any]:
    """Where this page is in the list ("26–50 of 1,234") and links to the previous / next page (same
    query, another offset). `count` is how many items the query returned for a page of `size` (one
    more than `size` means there is a next page)."""
    params = {k: v for k, v in request.query_params.items() if k != "offset" and v}

    def link(off: int) -> str:
        return request.url.path + "?" + urlencode({**params, "offset": off})

    shown = min(count, size)
    return {"prev": link(max(0, offset - size)) if offset > 0 else None,
            "next": link(offset + size) if count > size else None,
            "first": offset + 1 if shown else 0, "last": offset + shown,
            "total": str(total) if total else None,
            "csv": None, "json": None}


def _exports(request: Request, page: dict[str, Any], api_path: str) -> dict[str, Any]:
    """The same list as CSV and JSON (the API, same filters, same page): export what is on screen."""
    params = {k: v for k, v in request.query_params.items() if v and k != "in"}
    params["limit"] = str(PAGE)
    page["json"] = api_path + "?" + urlencode(params)
    page["csv"] = api_path + "?" + urlencode({**params, "format": "csv"})
    return page


def _narrow(request: Request, **changes: str) -> str:
    """This page's link with some filters set (and back to the first page)."""
    params = {k: v for k, v in request.query_params.items() if k != "offset" and v}
    return request.url.path + "?" + urlencode({**params, **changes})


def _facets(request: Request, found: dict[str, list[counts.Facet]], total: counts.Count | None,
            label: str) -> dict[str, Any]:
    """Facet links and the month chart for a list: each value narrows the list to it; a month bar
    narrows the dates to that month."""
    groups = []
    for key, title, param in (("speakers", "Speakers", "speaker"), ("sites", "Outlets", "site"),
                              ("categories", "Categories", "category"), ("actors", "Actors", "actor")):
        values = found.get(key) or []
        if values:
            groups.append({"title": title, "links": [
                {"label": v.label, "n": v.n, "href": _narrow(request, **{param: v.value}),
                 "on": request.query_params.get(param) == v.value} for v in values]})
    months = [(m.value, m.n) for m in found.get("months") or []]
    sample = f" (the first {counts.CAP:,} matches)" if total is not None and total.capped else ""
    drawn = chart.responsive(chart.volume_svg, months, f"{label} by month{sample}",
                             href=lambda m: _narrow(request, since=m, until=m)) if months else None
    return {"groups": groups, "sample": sample, "chart": drawn}


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    conn = ledger(request)
    return html(request, "index.html", stats=queries.stats(conn), recent=queries.articles(conn, limit=10),
                people=queries.entities(conn, type="PERSON", limit=10), title="newsledger")


@router.get("/articles", response_class=HTMLResponse)
def articles_page(request: Request, since: DateQ = None, until: DateQ = None, site: Opt = None,
                  flag: Opt = None, q: Opt = None, sort: SortQ = "newest", offset: OffsetQ = 0) -> Response:
    conn = ledger(request)
    filters: dict[str, Any] = {"since": since or None, "until": until or None, "site": site or None,
                               "flag": flag or None, "search": q or None}
    items = queries.articles(conn, **filters, limit=PAGE + 1, offset=offset, oldest=sort == "oldest")
    total = counts.articles(conn, **filters)
    return html(request, "articles.html", title="Articles", items=items[:PAGE], sort=sort,
                facets=_facets(request, counts.article_facets(conn, **filters), total, "Articles"),
                page=_exports(request, _pager(request, offset, len(items), total), "/api/articles"),
                sites=queries.sites(conn),
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


@router.get("/articles/{article_id}/compare/{other_id}", response_class=HTMLResponse)
def compare_page(request: Request, article_id: Id, other_id: Id) -> Response:
    """Two articles (an original and its copy) side by side, with the words only one of them has
    marked."""
    conn = ledger(request)
    left, right = queries.article(conn, article_id), queries.article(conn, other_id)
    for aid, art in ((article_id, left), (other_id, right)):
        if art is None:
            raise HTTPException(404, f"no article {aid}")
    assert left is not None and right is not None
    diff = compare.compare(left.get("text") or "", right.get("text") or "")
    return html(request, "compare.html", title="Compare copies", left=left, right=right, diff=diff,
                url_left=render.safe_url(left.get("url")), url_right=render.safe_url(right.get("url")))


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, type: Annotated[str | None, Query(max_length=20)] = None,
                  q: Opt = None, offset: OffsetQ = 0) -> Response:
    conn = ledger(request)
    items = queries.entities(conn, type=type or None, search=q or None, limit=PAGE + 1, offset=offset)
    resolved = queries.has_entities(conn)
    ids = [e["id"] for e in queries.find_entities(conn, q, limit=200)] if q and resolved else None
    total = counts.entities(conn, type=type or None, ids=ids) if resolved else None
    return html(request, "entities.html", title="Entities", items=items[:PAGE],
                page=_exports(request, _pager(request, offset, len(items), total), "/api/entities"),
                f={"type": type, "q": q},
                types=["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"])


ROLE_WORDS = {"said": "speaker", "did": "actor", "target": "target"}
DAY_PAGE = 50  # items of an entity's dated list per page; the chart always shows them all


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: Id,
                role: Annotated[str | None, Query(pattern="^(said|did|target|)$")] = None,
                since: DateQ = None, until: DateQ = None, offset: OffsetQ = 0) -> Response:
    """An entity's chart and its items by date, a page at a time, filtered to what it said, did or had
    done to it and to a date range. The chart covers every item the filters keep (up to the
    timeline's cap), and its markers link to the page that lists that day."""
    conn = ledger(request)
    ent = queries.entity(conn, entity_id)
    if ent is None:
        raise HTTPException(404, f"no entity {entity_id}")
    roles = (ROLE_WORDS[role],) if role else queries.ROLES
    cap = 10 * queries.MAX_LIMIT
    every = queries.timeline(conn, entity_id, since=since or None, until=until or None, limit=cap,
                             roles=roles)
    shown = every[offset:offset + DAY_PAGE]
    days: dict[str, list[dict[str, Any]]] = {}
    for it in shown:
        days.setdefault(chart.day_anchor(it.get("date")), []).append(it)
    first_page: dict[str, int] = {}  # a day's anchor → the offset of the page that lists it
    for i, it in enumerate(every):
        first_page.setdefault(chart.day_anchor(it.get("date")), i // DAY_PAGE * DAY_PAGE)
    params = {k: v for k, v in request.query_params.items() if k != "offset" and v}

    def day_link(anchor: str) -> str:
        off = first_page.get(anchor, 0)
        return ("" if off == offset else "?" + urlencode({**params, "offset": off})) + "#" + anchor

    page = _pager(request, offset, len(every[offset:offset + DAY_PAGE + 1]),
                  counts.Count(len(every), len(every) >= cap), size=DAY_PAGE)
    api_params = {k: v for k, v in (("since", since), ("until", until)) if v}
    if role:
        api_params["role"] = ROLE_WORDS[role]
    api = (f"/api/entities/{ent['id']}/timeline?"
           + urlencode({**api_params, "limit": DAY_PAGE, "offset": offset}))
    page["json"], page["csv"] = api, api + "&format=csv"
    return html(request, "entity.html", title=ent["name"], ent=ent, items=shown, days=days, page=page,
                f={"role": role or "", "since": since or "", "until": until or ""},
                svg=chart.responsive(chart.timeline_svg, every, ent["name"], href=day_link))


def _entity_filter(conn: Any, name: str | None) -> tuple[list[int] | None, str | None]:
    """A typed actor/target for a count: the entity the list resolves it to (ids accepted), or,
    before entity resolution, the name as written."""
    if not name:
        return None, None
    if queries.has_entities(conn):
        return [e["id"] for e in queries.find_entities(conn, name, limit=1)], None
    return None, name


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, actor: Opt = None, target: Opt = None,
                category: Annotated[str | None, Query(max_length=20)] = None, since: DateQ = None,
                until: DateQ = None, sort: SortQ = "newest", offset: OffsetQ = 0) -> Response:
    """Who did what to whom: events filtered by actor, target, category and dates, with facets."""
    conn = ledger(request)
    cat = (category or "").strip().upper() or None
    items = queries.events(conn, actor=actor or None, target=target or None, category=cat,
                           since=since or None, until=until or None, limit=PAGE + 1, offset=offset,
                           oldest=sort == "oldest")
    actor_ids, actor_name = _entity_filter(conn, actor)
    target_ids, target_name = _entity_filter(conn, target)
    filters: dict[str, Any] = {"actor_ids": actor_ids, "target_ids": target_ids, "actor_name": actor_name,
                               "target_name": target_name, "category": cat, "since": since or None,
                               "until": until or None}
    total = counts.events(conn, **filters)
    found = counts.event_facets(conn, **filters)
    facets = _facets(request, {"categories": found["categories"], "actors": found["actors"],
                               "months": found["months"]}, total, "Events")
    return html(request, "events.html", title="Events", items=items[:PAGE], sort=sort, facets=facets,
                page=_exports(request, _pager(request, offset, len(items), total), "/api/events"),
                categories=queries.categories(conn),
                f={"actor": actor or "", "target": target or "", "category": cat or "", "since": since or "",
                   "until": until or ""})


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request, offset: OffsetQ = 0) -> Response:
    conn = ledger(request)
    items = queries.stories(conn, limit=PAGE + 1, offset=offset)
    return html(request, "stories.html", title="Stories", items=items[:PAGE],
                page=_exports(request, _pager(request, offset, len(items), counts.stories(conn)),
                              "/api/stories"))


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Opt = None,
                kind: Annotated[str, Query(alias="in", pattern="^(quotes|articles)$")] = "quotes",
                speaker: Opt = None, since: DateQ = None, until: DateQ = None, site: Opt = None,
                sort: SortQ = "newest", offset: OffsetQ = 0,
                reported: Annotated[str, Query(pattern="^(speech|belief|evidence|topic|all)$")] = "speech"
                ) -> Response:
    conn = ledger(request)
    asked = bool(q or speaker or since or until or site)
    items: list[dict[str, Any]] = []
    total: counts.Count | None = None
    facets = None
    api = "/api/quotes"
    oldest = sort == "oldest"
    if asked and kind == "quotes":
        items = queries.quotes(conn, search=q or None, speaker=speaker or None, since=since or None,
                               until=until or None, limit=PAGE + 1, offset=offset, oldest=oldest,
                               reported=reported)
        ids = fts = None
        if speaker:  # the same speaker the list resolved (ids accepted, best entity for a name)
            ids = [e["id"] for e in queries.find_entities(conn, speaker, limit=1)] \
                if queries.has_entities(conn) else None
            fts = None if ids else queries.fts_query(speaker, "speaker_name")
        filters: dict[str, Any] = {"speaker_ids": ids or None, "speaker_fts": fts, "search": q or None,
                   "since": since or None, "until": until or None, "reported": reported}
        total = counts.quotes(conn, **filters)
        facets = _facets(request, counts.quote_facets(conn, **filters), total, "Quotes")
    elif asked:
        api = "/api/articles"
        filters = {"search": q or None, "since": since or None, "until": until or None, "site": site or None}
        items = queries.articles(conn, **filters, limit=PAGE + 1, offset=offset, oldest=oldest)
        total = counts.articles(conn, **filters)
        facets = _facets(request, counts.article_facets(conn, **filters), total, "Articles")
    return html(request, "search.html", title="Search", items=items[:PAGE], asked=asked, kind=kind,
                f={"q": q or "", "speaker": speaker or "", "since": since or "", "until": until or "",
                   "site": site or "", "reported": reported},
                terms=queries.search_terms(q), snippet=render.snippet,
                page=_exports(request, _pager(request, offset, len(items), total), api), sort=sort,
                facets=facets, sites=queries.sites(conn), hl=urlencode({"q": q}) if q else "")


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request) -> Response:
    """The API reference, rendered here from the OpenAPI schema (Swagger UI would need a CDN)."""
    spec = request.app.openapi()
    refs = spec.get("components", {}).get("schemas", {})
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            ops.append({"path": path, "method": method.upper(), "summary": op.get("summary", ""),
                        "example": _example(path, op) if method == "get" else None,
                        "params": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                    "description": p.get("description")
                                    or p.get("schema", {}).get("description", ""),
                                    "type": _type_of(p.get("schema", {}), refs)}
                                   for p in op.get("parameters", [])]})
    return html(request, "docs.html", title="API", ops=ops, info=spec.get("info", {}))


def _example(path: str, op: dict[str, Any]) -> str:
    """A request to try: the path with id 1, and each query parameter's first example."""
    query: dict[str, str] = {}
    for p in op.get("parameters", []):
        ex = p.get("examples") or p.get("schema", {}).get("examples")
        if isinstance(ex, dict):  # OpenAPI 3.1 named examples
            ex = [v.get("value") for v in ex.values()]
        if p["in"] == "path":
            path = path.replace("{" + p["name"] + "}", "1")
        elif ex and p["in"] == "query":
            query[p["name"]] = str(ex[0])
    if any(p["name"] == "limit" for p in op.get("parameters", [])):
        query["limit"] = "5"
    return path + ("?" + urlencode(query) if query else "")


def _type_of(schema: dict[str, Any], refs: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " | ".join(_type_of(s, refs) for s in schema["anyOf"] if s.get("type") != "null") or "null"
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if schema.get("type") == "array" and "items" in schema:
        return f"list of {_type_of(schema['items'], refs)} (repeat the parameter)"
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _type_of(refs[name], refs) if name in refs else name
    bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum", "maxLength", "pattern") if k in schema]
    return str(schema.get("type", "any")) + (f" ({', '.join(bounds)})" if bounds else "")


@router.get("/paste", response_class=HTMLResponse)
def paste_form(request: Request) -> Response:
    if not request.app.state.allow_analyze:
        raise HTTPException(404, "the paste page is off: start the server with --allow-analyze")
    return html(request, "paste.html", title="Paste an article",
                max_body=min(request.app.state.max_body, request.app.state.max_analyze_bytes))


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
