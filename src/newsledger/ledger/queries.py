"""Read the ledger: plain functions over a sqlite3 connection returning JSON-able dicts and lists.

One module answers both the CLI (`newsledger quotes/events/entities/timeline/show/stats`) and the
HTTP API, so both say the same thing. Every query goes through an index (or FTS5) on the big tables
(articles, quotes, events, mentions); user text only ever reaches SQL as a bound parameter, and
reaches FTS5 MATCH as quoted phrases, so `"` or `AND(` typed by a user is a search, not syntax.

The corpus steps (stories, cross-article entities, quote clusters) may not have run: a NULL
story_id makes an article its own story, a NULL cluster_id a quote its own cluster, and a NULL
entity_id leaves a speaker or actor with its name only (`entity: null`).
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sqlite3
from typing import Any

from newsledger.ledger import query_sql
from newsledger.ledger.query_articles import (
    article,
    articles,
    categories,
    contract,
    entity_ids_of,
    find_article,
    flag_codes,
    sites,
    stories,
)
from newsledger.ledger.query_sql import (
    MAX_LIMIT,
    _date_range,
    _json,
    _like,
    _marks,
    _page,
    _ref_out,
    _rows,
    check_date,
    fts_query,
    search_terms,
)

# ------------------------------------------------------------------------------------------ stats

def stats(conn: sqlite3.Connection) -> dict[str, int]:
    """Counts of everything in the ledger (an article without a story is its own story)."""
    one = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
    return {
        "articles": one("SELECT count(*) FROM articles"),
        "stories": one("SELECT count(DISTINCT coalesce(story_id, id)) FROM articles"),
        "entities": one("SELECT count(*) FROM entities"),
        "quotes": one("SELECT count(*) FROM quotes WHERE cluster_id IS NULL OR cluster_id = id"),
        "quote_reports": one("SELECT count(*) FROM quotes"),
        "events": one("SELECT count(*) FROM events"),
        "amounts": one("SELECT count(*) FROM amounts"),
        "sources": one("SELECT count(*) FROM sources"),
        "copies": one("SELECT count(*) FROM copies"),
        "failures": one("SELECT count(*) FROM failures"),
    }


# ------------------------------------------------------------------------------- entity matching

POOL = 2000  # entities a typed name is looked for among (LIKE pre-filter), at most


def find_entities(conn: sqlite3.Connection, name: str, limit: int = 20) -> list[dict[str, Any]]:
    """Corpus entities a typed name (or id) stands for, the likeliest first, each with its `counts`.

    An id ("90") is that entity. A name matches an entity's name or an alias as whole words
    (case-insensitive: "putin" finds "Vladimir Putin", "Ann" does not find "Anna", "Clinton" does not
    find "pro-Clinton"), and the matches are ranked by how much the entity says and does in the
    ledger (articles, quotes, events), then an exact name or alias, then people first: "Trump" is
    Donald Trump, not an organisation the tagger once called "Trump".
    """
    name = " ".join(name.split())
    if not name:
        return []
    if name.isdigit():
        row = conn.execute("SELECT * FROM entities WHERE id = ?", (int(name),)).fetchone()
        return [{**_entity_row(row), "counts": _entity_counts(conn, row["id"])}] if row else []
    like = _like(name)
    # every entity the name could be (bounded): the likeliest is often not among the shortest names
    rows = _rows(conn, "SELECT * FROM entities WHERE name LIKE ? ESCAPE '\\' OR aliases LIKE ? ESCAPE '\\'"
                 " ORDER BY (lower(name) = lower(?)) DESC, length(name), id LIMIT ?",
                 (like, like, name, max(POOL, limit * 20)))
    words = re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", re.IGNORECASE)
    # LIKE is the cheap pre-filter (it also matches inside words and JSON punctuation)
    hits = [r for r in rows
            if words.search(r["name"]) or any(words.search(str(a)) for a in _json(r["aliases"], []))]
    low = name.lower()

    def score(r: sqlite3.Row, c: dict[str, int]) -> float:
        exact = 1.0 if r["name"].lower() == low else 0.5 if any(str(a).lower() == low
                                                               for a in _json(r["aliases"], [])) else 0.0
        person = 0.5 if r["type"] == "PERSON" else 0.0
        return math.log1p(c["articles"] + c["quotes"] + c["events"]) + exact + person

    if len(hits) > max(200, limit * 5):  # many: keep those in most articles (one index count each)
        seen_in = {r["id"]: conn.execute("SELECT count(*) FROM article_entities WHERE entity_id = ?",
                                         (r["id"],)).fetchone()[0] for r in hits}
        hits.sort(key=lambda r: -seen_in[r["id"]])
    counted = [(r, _entity_counts(conn, r["id"])) for r in hits[: max(200, limit * 5)]]
    counted.sort(key=lambda rc: (-score(*rc), rc[0]["id"]))
    return [{**_entity_row(r), "counts": c} for r, c in counted[:max(1, limit)]]


def suggest_entities(conn: sqlite3.Connection, name: str, n: int = 5) -> list[str]:
    """Entity names close to a name that matched none ("Trmp" -> "Trump"), for a "did you mean"."""
    name = " ".join(name.split())
    if len(name) < 2:
        return []
    rows = _rows(conn, "SELECT name, aliases FROM entities WHERE name LIKE ? OR aliases LIKE ? LIMIT 5000",
                 (f"%{name[0]}%", f"%{name[0]}%"))
    words: dict[str, str] = {}
    for r in rows:
        for form in [r["name"], *(str(a) for a in _json(r["aliases"], []))]:
            for w in form.split():
                w = w.strip(",.;:'\"()[]“”‘’")
                if w:
                    words.setdefault(w.lower(), w)
            words.setdefault(form.lower(), form)
    close = difflib.get_close_matches(name.lower(), list(words), n=n, cutoff=0.75)
    return [words[c] for c in close]


def _entity_row(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["id"], "name": r["name"], "type": r["type"], "roles": _json(r["roles"], []),
            "affiliation": r["affiliation"], "country": r["country"], "wikidata": r["wikidata"],
            "aliases": _json(r["aliases"], []), "origin": r["origin"]}


def _entity_ids(conn: sqlite3.Connection, name: str) -> list[int]:
    """The entity a filter's typed name (or id) stands for: the likeliest (find_entities), or none."""
    found = find_entities(conn, name, limit=1)
    return [found[0]["id"]] if found else []


def has_entities(conn: sqlite3.Connection) -> bool:
    """Have the corpus steps resolved entities across articles (else only written names exist)?"""
    return conn.execute("SELECT 1 FROM entities LIMIT 1").fetchone() is not None


_has_entities = has_entities


def ingest_report(conn: sqlite3.Connection, article_ids: list[int]) -> dict[str, Any]:
    """What an ingest added, for its summary: quotes, events and entities in the new articles, and
    the data-quality warnings (articles with no date, no title, or in a language newsledger does not
    read), and how many new articles each language has ("unknown" when it could not be told)."""
    from newsledger.nlp import reads  # the languages with a model; imported late: nlp loads spaCy

    out: dict[str, Any] = {"quotes": 0, "events": 0, "entities": 0, "undated": 0, "untitled": 0,
                           "other_language": 0}
    langs: set[str] = set()
    per_language: dict[str, int] = {}
    for k in range(0, len(article_ids), 500):
        ids = article_ids[k:k + 500]
        marks = _marks(len(ids))
        for table, key in (("quotes", "quotes"), ("events", "events"), ("article_entities", "entities")):
            sql = f"SELECT count(*) FROM {table} WHERE article_id IN ({marks})"
            out[key] += conn.execute(sql, ids).fetchone()[0]
        row = conn.execute("SELECT count(*) FILTER (WHERE published IS NULL AND reference_date IS NULL),"
                           " count(*) FILTER (WHERE title IS NULL OR title = ''),"
                           " count(*) FILTER (WHERE language IS NOT NULL AND language != 'en')"
                           f" FROM articles WHERE id IN ({marks})", ids).fetchone()
        out["undated"] += row[0]
        out["untitled"] += row[1]
        out["other_language"] += row[2]
        for lang, n in conn.execute("SELECT language, count(*) FROM articles"
                                    f" WHERE id IN ({marks}) GROUP BY language", ids):
            per_language[lang or "unknown"] = per_language.get(lang or "unknown", 0) + n
            if lang and lang != "en":
                langs.add(lang)
    out["languages_seen"] = sorted(langs)
    # most articles first, then by code: "en 120, fr 3, de 1"
    out["languages"] = dict(sorted(per_language.items(), key=lambda kv: (-kv[1], kv[0])))
    out["unsupported"] = sorted(x for x in langs if not reads(x))
    return out


# ----------------------------------------------------------------------------------------- quotes

_QUOTE_COLS = ("q.id, q.article_id, q.local_id, q.start, q.end, q.text, q.kind, q.speaker_local,"
               " q.speaker_name, q.speaker_start, q.speaker_end, q.cue_start, q.cue_end, q.cue_text,"
               " q.via, q.date, q.date_basis, q.cluster_id, q.reported, ae.entity_id AS speaker_entity")
_QUOTE_FROM = ("quotes q LEFT JOIN article_entities ae"
               " ON ae.article_id = q.article_id AND ae.local_id = q.speaker_local")


def _article_ref(r: sqlite3.Row) -> dict[str, Any]:
    """The article a row comes from, as quotes' sources and timeline items cite it."""
    return {"article_id": r["article_id"], "title": r["title"], "site": r["site"], "url": r["url"],
            "published": r["published"]}


def _source(r: sqlite3.Row) -> dict[str, Any]:
    return {**_article_ref(r), "start": r["start"], "end": r["end"], "local_id": r["local_id"]}


def _quote_sources(conn: sqlite3.Connection, reps: list[sqlite3.Row]) -> dict[int, list[dict[str, Any]]]:
    """cluster id → every report of it (the representative first, then by publication)."""
    out: dict[int, list[dict[str, Any]]] = {r["id"]: [] for r in reps}
    cols = ("q.id, q.cluster_id, q.article_id, q.local_id, q.start, q.end,"
            " a.title, a.site, a.url, a.published")
    clustered = [r["id"] for r in reps if r["cluster_id"] is not None]
    single = [r["id"] for r in reps if r["cluster_id"] is None]
    rows: list[sqlite3.Row] = []
    for i in range(0, len(clustered), 500):
        chunk = clustered[i:i + 500]
        rows += _rows(conn, f"SELECT {cols} FROM quotes q JOIN articles a ON a.id = q.article_id"
                      f" WHERE q.cluster_id IN ({_marks(len(chunk))})", chunk)
    for i in range(0, len(single), 500):
        chunk = single[i:i + 500]
        rows += _rows(conn, f"SELECT {cols} FROM quotes q JOIN articles a ON a.id = q.article_id"
                      f" WHERE q.id IN ({_marks(len(chunk))})", chunk)
    rows.sort(key=lambda r: (r["id"] != (r["cluster_id"] or r["id"]), r["published"] or "~", r["id"]))
    for r in rows:
        out[r["cluster_id"] or r["id"]].append(_source(r))
    return out


# A speaker mention that resolved to no one ("it said", "they say") names nobody: a list shows no speaker
# for it (the article's own record keeps the mention, as analyze wrote it).
NOBODY = frozenset({"it", "they", "i", "we", "you", "he", "she", "them", "him", "her", "us", "me", "who",
                    "which", "that", "this", "these", "those", "one", "some", "others", "many"})


def _quote_item(r: sqlite3.Row, sources: list[dict[str, Any]]) -> dict[str, Any]:
    published = [s["published"] for s in sources if s["published"]]
    return {
        "id": r["id"], "text": r["text"], "kind": r["kind"], "reported": r["reported"],
        "speaker": ({"entity": r["speaker_entity"], "name": r["speaker_name"]}
                    if r["speaker_entity"] is not None or (r["speaker_name"] is not None
                                                           and r["speaker_name"].lower() not in NOBODY)
                    else None),
        "cue": r["cue_text"], "date": r["date"], "date_basis": r["date_basis"],
        "first_seen": min(published) if published else None, "sources": sources,
    }


_FTS_IDS = "SELECT rowid AS id FROM quotes_fts WHERE quotes_fts MATCH ?"


def _speaker_sql(conn: sqlite3.Connection, speaker: str) -> tuple[str, str, list[Any], str | None]:
    """Quotes said by `speaker`: its written name (FTS on speaker_name) or, when the corpus
    entities exist, any entity whose name/alias contains it. Two forms with the same params: a
    subquery of quotes.id (article_entities index), and a test of one quote row `r` joined to its
    speaker's article entity `ae` (for a walk, which must not list a popular speaker's 100k ids);
    and the FTS query of the name as written (None when it has no word)."""
    ids_sql: list[str] = []
    row_sql: list[str] = []
    params: list[Any] = []
    ids = _entity_ids(conn, speaker) if _has_entities(conn) else []
    fts = None if ids else fts_query(speaker, "speaker_name")  # the written name, when no entity is it
    if fts:
        ids_sql.append(_FTS_IDS)
        row_sql.append(f"+r.id IN ({_FTS_IDS})")
        params.append(fts)
    if ids:
        ids_sql.append("SELECT q2.id AS id FROM article_entities ae2 JOIN quotes q2"
                       " ON q2.article_id = ae2.article_id AND q2.speaker_local = ae2.local_id"
                       f" WHERE ae2.entity_id IN ({_marks(len(ids))})")
        row_sql.append(f"ae.entity_id IN ({_marks(len(ids))})")
        params += ids
    # UNION ALL: every use of the ids is a set (IN, INTERSECT), and unlike UNION it streams, so
    # query_sql.walk can stop reading a popular speaker's ids early
    return (" UNION ALL ".join(ids_sql) or "SELECT NULL AS id WHERE 0",
            "(" + (" OR ".join(row_sql) or "0") + ")", params, fts)


def _lang_cond(column: str, lang: str | None) -> tuple[list[str], list[Any]]:
    """Only rows of articles in this language (ISO 639-1, "fr"). The '+' keeps the planner on the date
    index the list is walked by: a language is a large share of a ledger, never a narrow filter."""
    if lang is None or not lang.strip():
        return [], []
    return [f"+{column} IN (SELECT id FROM articles WHERE language = ?)"], [lang.strip().lower()]


def quotes(conn: sqlite3.Connection, *, speaker: str | None = None, search: str | None = None,
           since: str | None = None, until: str | None = None, limit: int = 50, offset: int = 0,
           oldest: bool = False, lang: str | None = None, reported: str | None = "speech"
           ) -> list[dict[str, Any]]:
    """Quotes, one per cluster (the same words reported by several articles), newest first (or
    `oldest` first, dated only).

    `speaker` matches the speaker as written or a corpus entity's name/aliases (case-insensitive,
    words); `search` is a full-text search of the quote's words; since/until bound the quote's
    date; `lang` keeps quotes whose (first) reporting article is in that language; `reported` keeps
    what they report (speech by default: not beliefs, findings or bare topics; "all" for every
    attribution). Each item lists its `sources`: every article that reports it, with the span there.
    """
    limit, offset = _page(limit, offset)
    dcond, dparams = _date_range("r.date", since, until)
    dated, order = query_sql.order_by("r.date", "r.id", oldest)
    lcond, lparams = _lang_cond("r.article_id", lang)
    rcond, rparams = query_sql.reported_filter("r.reported", reported)
    cond = ["(r.cluster_id IS NULL OR r.cluster_id = r.id)", *dcond, *dated, *lcond, *rcond]
    params: list[Any] = [*dparams, *lparams, *rparams]
    hit_parts: list[str] = []
    row_parts: list[str] = []  # the same tests, on one quote row r (with its speaker's ae)
    hit_params: list[Any] = []
    fts = name_fts = None
    if search is not None and search.strip():
        fts = fts_query(search, "text")
        if fts is None:
            return []
        hit_parts.append(_FTS_IDS)
        row_parts.append(f"+r.id IN ({_FTS_IDS})")
        hit_params.append(fts)
    if speaker is not None and speaker.strip():
        sql, row, sp, name_fts = _speaker_sql(conn, speaker)
        hit_parts.append(f"SELECT s.id FROM ({sql}) AS s")
        row_parts.append(row)
        hit_params += sp
    if hit_parts:
        # Matching reports (any report of a cluster may match) → their clusters' representatives.
        hits = " INTERSECT ".join(hit_parts)
        # Quotes with the words and the name as written are hits (one streamed FTS query). When
        # there are a quarter of walk's threshold of those, walk without listing the exact hits:
        # it then reads at most 4× the rows the rule allows, while the exact list (an INTERSECT of
        # a common word and a popular speaker) reads 300k ids: 150 ms over 1M quotes.
        some = (f"{fts} AND {name_fts}" if fts and name_fts else None)
        common = some is not None and query_sql.walk(conn, "quotes", _FTS_IDS, [some],
                                                     max(1, (limit + offset) // 16)) is None
        ids = None if common else query_sql.walk(conn, "quotes", hits, hit_params, limit + offset)
        with_ = ""
        if ids is None:
            # common hits: walk representatives newest first; keep one that is a hit (tested on the
            # row: a popular speaker's ids are never listed) or whose cluster has another report
            # that is (quotes_cluster index; the hits, listed once by the CTE only when a walked
            # quote has such reports: an IN (subquery) in the correlated EXISTS would re-run the
            # full-text search for every row walked), until the page is full
            with_ = f"WITH hits(id) AS MATERIALIZED ({hits}) "
            match = (f"({' AND '.join(row_parts)} OR EXISTS (SELECT 1 FROM quotes h"
                     " JOIN hits ON hits.id = h.id WHERE h.cluster_id = r.id AND h.id <> r.id))")
            hit_params = hit_params + hit_params
        else:  # rare hits: map each to its cluster's representative, sort
            match = ("r.id IN (SELECT coalesce(h.cluster_id, h.id) FROM quotes h"
                     " WHERE h.id IN (SELECT value FROM json_each(?)))")
            hit_params = [json.dumps(ids)]
        sql = (f"{with_}SELECT {_QUOTE_COLS.replace('q.', 'r.')} FROM quotes r LEFT JOIN article_entities ae"
               " ON ae.article_id = r.article_id AND ae.local_id = r.speaker_local"
               f" WHERE {match} AND {' AND '.join(cond)} {order} LIMIT ? OFFSET ?")
        params = hit_params + params
    else:
        sql = (f"SELECT {_QUOTE_COLS.replace('q.', 'r.')} FROM quotes r LEFT JOIN article_entities ae"
               " ON ae.article_id = r.article_id AND ae.local_id = r.speaker_local"
               f" WHERE {' AND '.join(cond)} {order} LIMIT ? OFFSET ?")
    reps = _rows(conn, sql, [*params, limit, offset])
    srcs = _quote_sources(conn, reps)
    return [_quote_item(r, srcs[r["id"]]) for r in reps]


# ----------------------------------------------------------------------------------------- events

def _event_item(r: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": r["id"], "article_id": r["article_id"], "local_id": r["local_id"],
        "category": r["category"], "mode": r["mode"], "modality": r["modality"],
        "actor": _ref_out(r["actor_local"], r["actor_name"], r["actor_start"], r["actor_end"],
                          r["actor_entity"]),
        "target": _ref_out(r["target_local"], r["target_name"], r["target_start"], r["target_end"],
                           r["target_entity"]),
        "trigger": {"start": r["trigger_start"], "end": r["trigger_end"], "text": r["trigger_text"]},
        "evidence": {"start": r["evidence_start"], "end": r["evidence_end"]},
        "evidence_text": r["evidence_text"], "date": r["date"], "date_basis": r["date_basis"],
        "amounts": _json(r["amounts"], []), "quote": r["quote_local"], "confidence": r["confidence"],
        "article": _article_ref(r),
    }


_EVENT_SELECT = (
    "SELECT e.*, aa.entity_id AS actor_entity, ta.entity_id AS target_entity,"
    " substr(a.text, e.evidence_start + 1, e.evidence_end - e.evidence_start) AS evidence_text,"
    " a.title, a.site, a.url, a.published FROM events e JOIN articles a ON a.id = e.article_id"
    " LEFT JOIN article_entities aa ON aa.article_id = e.article_id AND aa.local_id = e.actor_local"
    " LEFT JOIN article_entities ta ON ta.article_id = e.article_id AND ta.local_id = e.target_local")


def _role_cond(conn: sqlite3.Connection, role: str, name: str, window: int,
               category: str | None = None) -> tuple[str, list[Any]]:
    """Events whose actor/target is `name`: through the corpus entities (indexed) when the corpus
    steps have run, else the name as written (a scan of events: no corpus entities to go by). A
    popular actor (of `category`'s events, when given) is tested on each event the date walk reads
    (its joined article entity): listing its 50k events to sort them costs 100 ms over 500k."""
    col = "actor" if role == "actor" else "target"
    if _has_entities(conn):
        ids = _entity_ids(conn, name)
        if not ids:
            return "0", []
        sub = (f"SELECT e2.id FROM article_entities x JOIN events e2"
               f" ON e2.article_id = x.article_id AND e2.{col}_local = x.local_id"
               f" WHERE x.entity_id IN ({_marks(len(ids))})")
        also = " AND +e2.category = ?" if category else ""  # + : driven by the entity, not the category
        # a quarter of walk's threshold: finding the hits reads all of a popular actor's events (47k
        # to find 3k of one category), so walk sooner; the walk then reads at most 4× what the rule allows
        found = query_sql.walk(conn, "events", sub + also, [*ids, *([category] if category else [])],
                               max(1, window // 16))
        if found is None:
            return f"+{'aa' if role == 'actor' else 'ta'}.entity_id IN ({_marks(len(ids))})", ids
        return "e.id IN (SELECT value FROM json_each(?))", [json.dumps(found)]  # all its events, found
    return f"e.{col}_name LIKE ? ESCAPE '\\'", [_like(name)]


def events(conn: sqlite3.Connection, *, actor: str | None = None, target: str | None = None,
           category: str | None = None, since: str | None = None, until: str | None = None,
           limit: int = 50, offset: int = 0, oldest: bool = False,
           lang: str | None = None) -> list[dict[str, Any]]:
    """Events (PLOVER category, actor, target, trigger, date, evidence span), newest first (or
    `oldest` first, dated only); `lang`: only those of articles in that language."""
    limit, offset = _page(limit, offset)
    cond, params = _date_range("e.date", since, until)
    dated, order = query_sql.order_by("e.date", "e.id", oldest)
    lcond, lparams = _lang_cond("e.article_id", lang)
    cond += dated + lcond
    params += lparams
    if category:
        # a common category walks the date index (newest first) instead of sorting all its events
        common = query_sql.walk(conn, "events", "SELECT id FROM events WHERE category = ?",
                                [category.strip().upper()], limit + offset) is None
        cond.append(f"{'+' if common else ''}e.category = ?")
        params.append(category.strip().upper())
    for role, value in (("actor", actor), ("target", target)):
        if value is not None and value.strip():
            c, p = _role_cond(conn, role, value, limit + offset,
                              category.strip().upper() if category else None)
            cond.append(c)
            params += p
    where = f" WHERE {' AND '.join(cond)}" if cond else ""
    rows = _rows(conn, f"{_EVENT_SELECT}{where}{order} LIMIT ? OFFSET ?",
                 [*params, limit, offset])
    return [_event_item(r) for r in rows]


# --------------------------------------------------------------------------------------- entities

def _entity_counts(conn: sqlite3.Connection, entity_id: int, mentions: bool = False) -> dict[str, int]:
    """Articles, quotes and events of an entity by index counts (entity_timeline, article_entities);
    `mentions` too on request: that one costs a look-up per article, too slow for a list page of
    the most-seen entities of a big ledger."""
    quotes, events = conn.execute(
        "SELECT count(*) FILTER (WHERE kind = 'quote'), count(DISTINCT item_id) FILTER (WHERE kind = 'event')"
        " FROM entity_timeline WHERE entity_id = ?", (entity_id,)).fetchone()
    n_articles = conn.execute("SELECT count(DISTINCT article_id) FROM article_entities WHERE entity_id = ?",
                              (entity_id,)).fetchone()[0]
    counts = {"quotes": int(quotes), "events": int(events), "articles": int(n_articles)}
    if mentions:
        counts["mentions"] = int(conn.execute(
            "SELECT count(*) FROM article_entities ae JOIN mentions m ON m.article_id = ae.article_id"
            " AND m.local_id = ae.local_id WHERE ae.entity_id = ?", (entity_id,)).fetchone()[0])
    return counts


def entities(conn: sqlite3.Connection, *, type: str | None = None, search: str | None = None,
             limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Corpus entities, those in most articles first, each with counts of articles/quotes/events.

    Before cross-article resolution has run (no `entities` rows), the article-level entities are
    listed grouped by name and type, with `id: null` (there is no corpus entity to open yet).
    """
    limit, offset = _page(limit, offset)
    if not _has_entities(conn):
        return _article_level_entities(conn, type=type, search=search, limit=limit, offset=offset)
    cond: list[str] = []
    params: list[Any] = []
    if type:
        cond.append("en.type = ?")
        params.append(type.strip().upper())
    if search and search.strip():
        ids = [e["id"] for e in find_entities(conn, search, limit=200)]
        if not ids:
            return []
        cond.append(f"en.id IN ({_marks(len(ids))})")
        params += ids
    where = f" WHERE {' AND '.join(cond)}" if cond else ""
    rows = _rows(conn, "SELECT en.*, (SELECT count(DISTINCT article_id) FROM article_entities ae"
                 f" WHERE ae.entity_id = en.id) AS n FROM entities en{where}"
                 " ORDER BY n DESC, en.name, en.id LIMIT ? OFFSET ?", [*params, limit, offset])
    return [{**_entity_row(r), "counts": _entity_counts(conn, r["id"])} for r in rows]


def _article_level_entities(conn: sqlite3.Connection, *, type: str | None, search: str | None,
                            limit: int, offset: int) -> list[dict[str, Any]]:
    cond: list[str] = []
    params: list[Any] = []
    if type:
        cond.append("ae.type = ?")
        params.append(type.strip().upper())
    if search and search.strip():
        cond.append("ae.name LIKE ? ESCAPE '\\'")
        params.append(_like(search))
    where = f" WHERE {' AND '.join(cond)}" if cond else ""
    rows = _rows(conn, "SELECT ae.name, ae.type, count(DISTINCT ae.article_id) AS articles,"
                 " sum((SELECT count(*) FROM mentions m WHERE m.article_id = ae.article_id"
                 "  AND m.local_id = ae.local_id)) AS mentions,"
                 " sum((SELECT count(*) FROM quotes q WHERE q.article_id = ae.article_id"
                 "  AND q.speaker_local = ae.local_id)) AS quotes,"
                 " sum((SELECT count(*) FROM events e WHERE e.article_id = ae.article_id"
                 "  AND (e.actor_local = ae.local_id OR e.target_local = ae.local_id))) AS events"
                 f" FROM article_entities ae{where} GROUP BY ae.name, ae.type"
                 " ORDER BY articles DESC, ae.name LIMIT ? OFFSET ?", [*params, limit, offset])
    return [{"id": None, "name": r["name"], "type": r["type"], "roles": [], "affiliation": None,
             "country": None, "wikidata": None, "aliases": [], "origin": "article",
             "counts": {"mentions": int(r["mentions"] or 0), "quotes": int(r["quotes"] or 0),
                        "events": int(r["events"] or 0), "articles": int(r["articles"])}}
            for r in rows]


def entity(conn: sqlite3.Connection, entity_id: int) -> dict[str, Any] | None:
    """One corpus entity: name, type, roles, aliases, counts and first/last dates it is seen."""
    r = conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if r is None:
        return None
    span = conn.execute("SELECT min(a.published), max(a.published) FROM article_entities ae"
                        " JOIN articles a ON a.id = ae.article_id WHERE ae.entity_id = ?",
                        (entity_id,)).fetchone()
    return {**_entity_row(r), "counts": _entity_counts(conn, entity_id, mentions=True),
            "first_seen": span[0], "last_seen": span[1]}


ROLES = ("speaker", "actor", "target")  # said it; did it; had it done to them


def timeline(conn: sqlite3.Connection, entity_id: int, *, since: str | None = None,
             until: str | None = None, limit: int = 200, roles: tuple[str, ...] = ROLES
             ) -> list[dict[str, Any]]:
    """What an entity said (quotes it speaks) and did or had done to it (events where it is actor
    or target), oldest first, each with its evidence span, article and `role`, so "what Putin did" and
    "what was done to Putin" never mix (`roles` keeps only some). Undated items come last.

    Walks `entity_timeline` (filled by entity resolution: an item's date, else its article's) in
    index order and stops at `limit`, so a speaker with 100k quotes costs what one with ten does.
    """
    limit = max(1, min(int(limit), 10 * MAX_LIMIT))
    roles = tuple(r for r in ROLES if r in roles)  # known roles only, in a fixed order
    cond, params = _date_range("t.date", since, until)
    where = "".join(f" AND {c}" for c in cond)
    role_in = f" AND t.role IN ({_marks(len(roles))})" if roles != ROLES else ""
    role_params = list(roles) if role_in else []
    picked = _rows(conn, "SELECT t.kind, t.item_id, t.role FROM entity_timeline t WHERE t.entity_id = ?"
                   f" AND t.date IS NOT NULL{where}{role_in} ORDER BY t.date, t.kind, t.item_id LIMIT ?",
                   [entity_id, *params, *role_params, limit])
    if len(picked) < limit and not cond:  # undated items last (a date range excludes them)
        picked += _rows(conn, "SELECT t.kind, t.item_id, t.role FROM entity_timeline t"
                        f" WHERE t.entity_id = ? AND t.date IS NULL{role_in}"
                        " ORDER BY t.kind, t.item_id LIMIT ?",
                        [entity_id, *role_params, limit - len(picked)])
    qids = [r["item_id"] for r in picked if r["kind"] == "quote"]
    eids = list(dict.fromkeys(r["item_id"] for r in picked if r["kind"] == "event"))
    quotes_by_id = {r["id"]: r for r in _rows(
        conn, f"SELECT {_QUOTE_COLS}, a.title, a.site, a.url, a.published FROM {_QUOTE_FROM}"
        f" JOIN articles a ON a.id = q.article_id WHERE q.id IN ({_marks(len(qids))})", qids)} if qids else {}
    events_by_id = {r["id"]: r for r in _rows(conn, f"{_EVENT_SELECT} WHERE e.id IN ({_marks(len(eids))})",
                                              eids)} if eids else {}
    items: list[dict[str, Any]] = []
    done_events: set[int] = set()
    for p in picked:
        if p["kind"] == "quote" and (r := quotes_by_id.get(p["item_id"])) is not None:
            items.append({"type": "quote", "role": "speaker", "id": r["id"], "date": r["date"],
                          "date_basis": r["date_basis"], "kind": r["kind"], "reported": r["reported"],
                          "text": r["text"],
                          "speaker": {"entity": r["speaker_entity"], "name": r["speaker_name"]},
                          "cue": r["cue_text"], "cluster_id": r["cluster_id"] or r["id"],
                          "evidence": {"start": r["start"], "end": r["end"]},
                          "article": _article_ref(r), "local_id": r["local_id"]})
        elif p["kind"] == "event" and p["item_id"] not in done_events \
                and (r := events_by_id.get(p["item_id"])) is not None:
            done_events.add(p["item_id"])  # an entity that is both actor and target of one event
            items.append({"type": "event", "role": p["role"], **_event_item(r), "text": r["evidence_text"]})
    return items


__all__ = (
    "MAX_LIMIT",
    "ROLES",
    "article",
    "articles",
    "categories",
    "check_date",
    "contract",
    "entities",
    "entity",
    "entity_ids_of",
    "events",
    "find_article",
    "find_entities",
    "flag_codes",
    "fts_query",
    "quotes",
    "search_terms",
    "sites",
    "stats",
    "stories",
    "suggest_entities",
    "timeline",
)
