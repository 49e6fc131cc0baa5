"""Article queries (re-exported by queries.py): one article with every annotation, lists of
articles, stories and their copies, and the analyze contract of a stored article."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from newsledger.ledger import query_sql
from newsledger.ledger.query_sql import _json, _marks, _page, _ref_out, _rows, fts_query

# --------------------------------------------------------------------------------------- articles

def _article_summary(r: sqlite3.Row) -> dict[str, Any]:
    return {"article_id": r["id"], "doc_id": r["doc_id"], "title": r["title"], "site": r["site"],
            "url": r["url"], "published": r["published"], "reference_date": r["reference_date"],
            "language": r["language"], "story_id": r["story_id"] or r["id"],
            "republished_of": r["republished_of"]}


_SUMMARY_COLS = ("a.id, a.doc_id, a.title, a.site, a.url, a.published, a.reference_date, a.language,"
                 " a.story_id, a.republished_of")


def articles(conn: sqlite3.Connection, *, since: str | None = None, until: str | None = None,
             site: str | None = None, flag: str | None = None, search: str | None = None,
             limit: int = 50, offset: int = 0, oldest: bool = False) -> list[dict[str, Any]]:
    """Articles, newest first (or `oldest` first, dated only), filtered by publication date, site, a
    flag code or full text."""
    limit, offset = _page(limit, offset)
    cond, params = query_sql.article_filters(since, until, site, flag)
    dated, order = query_sql.order_by("a.published", "a.id", oldest)
    cond += dated
    if search is not None and search.strip():
        fts = fts_query(search)
        if fts is None:
            return []
        hits = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
        ids = query_sql.walk(conn, "articles", hits, [fts], limit + offset)
        if ids is None:  # common: walk the published index, keeping hits
            cond.append(f"+a.id IN ({hits})")
            params.append(fts)
        else:
            cond.append("a.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(ids))
    where = f" WHERE {' AND '.join(cond)}" if cond else ""
    rows = _rows(conn, f"SELECT {_SUMMARY_COLS} FROM articles a{where}"
                 f"{order} LIMIT ? OFFSET ?", [*params, limit, offset])
    out = [_article_summary(r) for r in rows]
    ids = [a["article_id"] for a in out]
    counts = _article_counts(conn, ids)
    flags = _flag_codes(conn, ids)
    for a in out:
        a["counts"] = counts.get(a["article_id"], {"quotes": 0, "events": 0})
        a["flags"] = flags.get(a["article_id"], [])
    return out


def _article_counts(conn: sqlite3.Connection, ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {i: {"quotes": 0, "events": 0} for i in ids}
    if not ids:
        return out
    m = _marks(len(ids))
    for table, key in (("quotes", "quotes"), ("events", "events")):
        for r in conn.execute(f"SELECT article_id, count(*) FROM {table} WHERE article_id IN ({m})"
                              " GROUP BY article_id", ids):
            out[r[0]][key] = r[1]
    return out


def _flag_codes(conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if ids:
        for r in conn.execute(f"SELECT article_id, code FROM flags WHERE article_id IN ({_marks(len(ids))})",
                              ids):
            out.setdefault(r[0], []).append(r[1])
    return out


def _story_copies(conn: sqlite3.Connection, story: int, grouped: bool = True) -> list[dict[str, Any]]:
    """The articles of a story, the original (earliest) first. `grouped` False: the story is one
    ungrouped article (story_id NULL), so only that article is read."""
    rows = _rows(conn, f"SELECT {_SUMMARY_COLS} FROM articles a WHERE a.id = ?", (story,))
    if grouped:  # two indexed lookups; an OR of them may be planned as a scan of articles
        rows += [r for r in _rows(conn, f"SELECT {_SUMMARY_COLS} FROM articles a WHERE a.story_id = ?",
                                  (story,)) if r["id"] != story]
    rows.sort(key=lambda r: (r["published"] is None, r["published"] or "", r["id"]))
    return [_article_summary(r) for r in rows]


def article(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    """One article with every annotation in the analyze contract's shape (local ids "E1", "Q3"),
    plus `article_id`, each entity's corpus `entity_id`, each quote's ledger `quote_id` and
    `cluster_id`, the `story` (its copies, original first) and `copies` (where it was seen)."""
    a = conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
    if a is None:
        return None
    mentions: dict[str, list[dict[str, Any]]] = {}
    for m in conn.execute("SELECT local_id, start, end, text FROM mentions WHERE article_id = ?"
                          " ORDER BY start", (article_id,)):
        mentions.setdefault(m["local_id"], []).append(
            {"start": m["start"], "end": m["end"], "text": m["text"]})
    ents = [{"id": e["local_id"], "entity_id": e["entity_id"], "name": e["name"], "type": e["type"],
             "roles": _json(e["roles"], []), "affiliation": e["affiliation"],
             "mentions": mentions.get(e["local_id"], [])}
            for e in conn.execute("SELECT * FROM article_entities WHERE article_id = ?", (article_id,))]
    ents.sort(key=lambda e: _local_order(e["id"]))
    qs = []
    for q in conn.execute("SELECT * FROM quotes WHERE article_id = ? ORDER BY start, id", (article_id,)):
        qs.append({"id": q["local_id"], "quote_id": q["id"], "cluster_id": q["cluster_id"] or q["id"],
                   "start": q["start"], "end": q["end"], "text": q["text"], "kind": q["kind"],
                   "speaker": (None if q["speaker_name"] is None and q["speaker_local"] is None else
                               {"entity": q["speaker_local"], "name": q["speaker_name"],
                                "start": q["speaker_start"], "end": q["speaker_end"]}),
                   "cue": (None if q["cue_start"] is None else
                           {"start": q["cue_start"], "end": q["cue_end"], "text": q["cue_text"]}),
                   "via": _json(q["via"], []), "date": q["date"], "date_basis": q["date_basis"],
                   "reported": q["reported"]})
    evs = []
    for e in conn.execute("SELECT * FROM events WHERE article_id = ? ORDER BY trigger_start, id",
                          (article_id,)):
        evs.append({"id": e["local_id"], "event_id": e["id"], "category": e["category"], "mode": e["mode"],
                    "modality": e["modality"],
                    # the contract's refs carry the article-local entity id, as analyze wrote it
                    "actor": _ref_out(e["actor_local"], e["actor_name"], e["actor_start"], e["actor_end"],
                                      e["actor_local"]),
                    "target": _ref_out(e["target_local"], e["target_name"], e["target_start"],
                                       e["target_end"], e["target_local"]),
                    "trigger": {"start": e["trigger_start"], "end": e["trigger_end"],
                                "text": e["trigger_text"]},
                    "date": e["date"], "date_basis": e["date_basis"], "amounts": _json(e["amounts"], []),
                    "evidence": {"start": e["evidence_start"], "end": e["evidence_end"]},
                    "quote": e["quote_local"], "confidence": e["confidence"]})
    amts = [{"id": x["local_id"], "start": x["start"], "end": x["end"], "text": x["text"], "kind": x["kind"],
             "value": x["value"], "currency": x["currency"],
             "currency_inferred": bool(x["currency_inferred"]),
             "of": x["of_local"], "unit": x["unit"], "approx": x["approx"]}
            for x in conn.execute("SELECT * FROM amounts WHERE article_id = ? ORDER BY start", (article_id,))]
    txs = [{"start": t["start"], "end": t["end"], "text": t["text"], "type": t["type"], "value": t["value"]}
           for t in conn.execute("SELECT * FROM timexes WHERE article_id = ? ORDER BY start", (article_id,))]
    flags = [{"code": f["code"], "message": f["message"], "evidence": _json(f["evidence"], [])}
             for f in conn.execute("SELECT * FROM flags WHERE article_id = ? ORDER BY rowid", (article_id,))]
    story = a["story_id"] or a["id"]
    copies = [{"source": c["location"], "locator": c["locator"], "seen_at": c["seen_at"]}
              for c in conn.execute("SELECT s.location, c.locator, c.seen_at FROM copies c"
                                    " JOIN sources s ON s.id = c.source_id WHERE c.article_id = ?"
                                    " ORDER BY c.id", (article_id,))]
    return {
        "article_id": a["id"], "id": a["doc_id"], "source": _json(a["source"], {}), "title": a["title"],
        "published": a["published"], "reference_date": a["reference_date"], "language": a["language"],
        "site": a["site"], "url": a["url"], "authors": _json(a["authors"], []),
        "images": _json(a["images"], []), "text": a["text"], "excluded": _json(a["excluded"], []),
        "entities": ents, "quotes": qs, "events": evs, "amounts": amts, "timexes": txs, "flags": flags,
        "errors": _json(a["errors"], []),
        "story": {"story_id": story, "republished_of": a["republished_of"],
                  "articles": _story_copies(conn, story, a["story_id"] is not None)},
        "copies": copies,
    }


def find_article(conn: sqlite3.Connection, key: str) -> dict[str, Any] | None:
    """`article()` by what a user has at hand: the ledger id, the analyze id, its URL, or a place it
    was seen (a path or URL in `copies`)."""
    if key.isdigit() and (found := article(conn, int(key))) is not None:
        return found
    for sql in ("SELECT id FROM articles WHERE doc_id = ? ORDER BY id LIMIT 1",
                "SELECT id FROM articles WHERE url = ? ORDER BY id LIMIT 1",
                "SELECT article_id FROM copies WHERE locator = ? ORDER BY id LIMIT 1"):
        row = conn.execute(sql, (key,)).fetchone()
        if row is not None:
            return article(conn, int(row[0]))
    return None


_LEDGER_ONLY = {"article": ("article_id", "story", "copies"), "entities": ("entity_id",),
                "quotes": ("quote_id", "cluster_id"), "events": ("event_id",)}


def contract(art: dict[str, Any]) -> dict[str, Any]:
    """An `article()` record cut back to the analyze contract exactly (the ledger's own fields —
    article_id, story, copies, entity_id, quote_id, cluster_id, event_id — removed): what
    `newsledger analyze` wrote for this article, for `show --json` or a re-validation."""
    out = {k: v for k, v in art.items() if k not in _LEDGER_ONLY["article"]}
    for part in ("entities", "quotes", "events"):
        out[part] = [{k: v for k, v in x.items() if k not in _LEDGER_ONLY[part]} for x in art[part]]
    return out


def _local_order(local_id: str) -> tuple[str, int]:
    m = re.match(r"^(\D*)(\d+)$", local_id)
    return (m.group(1), int(m.group(2))) if m else (local_id, 0)


# ---------------------------------------------------------------------------------------- stories

def stories(conn: sqlite3.Connection, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Stories (an original and its re-posts / near-copies), largest first; an ungrouped article
    is a story of one. Each lists its articles, the original (earliest) first."""
    limit, offset = _page(limit, offset)
    # grouped on the articles_story index alone (story_id + rowid): no article row is read
    rows = _rows(conn, "SELECT coalesce(story_id, id) AS sid, count(*) AS n, max(story_id) AS grouped"
                 " FROM articles GROUP BY sid ORDER BY n DESC, sid DESC LIMIT ? OFFSET ?", (limit, offset))
    out = []
    for r in rows:
        arts = _story_copies(conn, r["sid"], r["grouped"] is not None)
        dates = [a["published"] for a in arts if a["published"]]
        out.append({"story_id": r["sid"], "size": r["n"], "first_published": min(dates, default=None),
                    "last_published": max(dates, default=None), "articles": arts})
    return out


def entity_ids_of(conn: sqlite3.Connection, article_id: int) -> dict[str, int | None]:
    """local entity id → corpus entity id for one article (links from an article to entity pages)."""
    return {r[0]: r[1] for r in conn.execute(
        "SELECT local_id, entity_id FROM article_entities WHERE article_id = ?", (article_id,))}


def sites(conn: sqlite3.Connection, limit: int = 200) -> list[str]:
    """Distinct sites (for a filter menu), from the articles_site index."""
    return [r[0] for r in conn.execute("SELECT DISTINCT site FROM articles WHERE site IS NOT NULL"
                                       " ORDER BY site LIMIT ?", (limit,))]


def flag_codes(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT code FROM flags ORDER BY code")]


def categories(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT category FROM events ORDER BY category")]
