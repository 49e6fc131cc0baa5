"""How many items a list holds, for "26–50 of 1,234" under a page of results, and its facets.

The lists themselves (queries.py) are tuned to read only a page's worth of rows; a count must read
every hit, so it stops at CAP: past that the page says "10,000+", which is all a person needs to
know to narrow a search. Each count applies the same filters as its list, in plain SQL.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from newsledger.ledger.query_sql import _date_range, article_filters, fts_query, reported_filter

CAP = 10_000


@dataclass(frozen=True, slots=True)
class Count:
    n: int
    capped: bool  # there are more than n (= CAP)

    def __str__(self) -> str:
        return f"{self.n:,}+" if self.capped else f"{self.n:,}"


def _capped(conn: sqlite3.Connection, select_one: str, params: list[Any]) -> Count:
    n = conn.execute(f"SELECT count(*) FROM ({select_one} LIMIT {CAP + 1})", params).fetchone()[0]
    return Count(min(n, CAP), n > CAP)


def _article_hits(since: str | None, until: str | None, site: str | None, flag: str | None,
                  search: str | None) -> tuple[str, list[Any]] | None:
    cond, params = article_filters(since, until, site, flag)
    if search is not None and search.strip():
        fts = fts_query(search)
        if fts is None:
            return None
        cond.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(fts)
    return (f" WHERE {' AND '.join(cond)}" if cond else ""), params


def articles(conn: sqlite3.Connection, *, since: str | None = None, until: str | None = None,
             site: str | None = None, flag: str | None = None, search: str | None = None) -> Count:
    hits = _article_hits(since, until, site, flag, search)
    if hits is None:
        return Count(0, False)
    where, params = hits
    return _capped(conn, f"SELECT 1 FROM articles a{where}", params)


def _quote_hits(speaker_ids: list[int] | None, speaker_fts: str | None, search: str | None,
                since: str | None, until: str | None, reported: str | None = "speech"
                ) -> tuple[str, list[Any]] | None:
    """The WHERE clause on quote reports `h` that match (None: nothing can match)."""
    cond, params = _date_range("h.date", since, until)
    rcond, rparams = reported_filter("h.reported", reported)
    cond += rcond
    params += rparams
    if search is not None and search.strip():
        fts = fts_query(search, "text")
        if fts is None:
            return None
        cond.append("h.id IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?)")
        params.append(fts)
    if speaker_ids is not None:
        if not speaker_ids:
            return None
        marks = ",".join("?" * len(speaker_ids))
        cond.append("h.id IN (SELECT q2.id FROM article_entities ae2 JOIN quotes q2 ON q2.article_id ="
                    f" ae2.article_id AND q2.speaker_local = ae2.local_id WHERE ae2.entity_id IN ({marks}))")
        params += speaker_ids
    elif speaker_fts:
        cond.append("h.id IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?)")
        params.append(speaker_fts)
    return (f" WHERE {' AND '.join(cond)}" if cond else ""), params


def quotes(conn: sqlite3.Connection, *, speaker_ids: list[int] | None = None, speaker_fts: str | None = None,
           search: str | None = None, since: str | None = None, until: str | None = None,
           reported: str | None = "speech") -> Count:
    """Distinct quotes (clusters) among the reports that match: a speaker's corpus entity ids or the
    speaker's name as written (full text), words of the quote, a date range, what they report."""
    hits = _quote_hits(speaker_ids, speaker_fts, search, since, until, reported)
    if hits is None:
        return Count(0, False)
    where, params = hits
    return _capped(conn, f"SELECT DISTINCT coalesce(h.cluster_id, h.id) FROM quotes h{where}", params)


@dataclass(frozen=True, slots=True)
class Facet:
    """One value of a facet: how many of the first CAP matches have it, and the filter that keeps them."""
    label: str
    n: int
    value: str  # what to put in the query string to narrow to it


def quote_facets(conn: sqlite3.Connection, *, speaker_ids: list[int] | None = None,
                 speaker_fts: str | None = None, search: str | None = None, since: str | None = None,
                 until: str | None = None, top: int = 8, reported: str | None = "speech"
                 ) -> dict[str, list[Facet]]:
    """Who says the matching quotes most (by corpus entity, else as written) and in which months,
    over the first CAP matching reports: enough to see the shape of a search and narrow it."""
    hits = _quote_hits(speaker_ids, speaker_fts, search, since, until, reported)
    if hits is None:
        return {"speakers": [], "months": []}
    where, params = hits
    sample = (f"SELECT h.id, h.article_id, h.speaker_local, h.speaker_name, h.date FROM quotes h{where}"
              f" LIMIT {CAP}")
    speakers = [Facet(r[1], r[2], str(r[0]))
                for r in conn.execute(
                    f"SELECT ae.entity_id, coalesce(en.name, ae.name), count(*) AS n FROM ({sample}) s"
                    " JOIN article_entities ae ON ae.article_id = s.article_id"
                    " AND ae.local_id = s.speaker_local"
                    " LEFT JOIN entities en ON en.id = ae.entity_id"
                    " WHERE ae.entity_id IS NOT NULL GROUP BY ae.entity_id ORDER BY n DESC, 2 LIMIT ?",
                    [*params, top])]
    if not speakers:  # no corpus entities yet: the names as written
        speakers = [Facet(r[0], r[1], r[0]) for r in conn.execute(
            f"SELECT s.speaker_name, count(*) AS n FROM ({sample}) s WHERE s.speaker_name IS NOT NULL"
            " AND lower(s.speaker_name) NOT IN ('it', 'they', 'he', 'she', 'we', 'i', 'you')"
            " GROUP BY s.speaker_name ORDER BY n DESC, 1 LIMIT ?", [*params, top])]
    return {"speakers": speakers, "months": _months(conn, sample, params)}


def article_facets(conn: sqlite3.Connection, *, since: str | None = None, until: str | None = None,
                   site: str | None = None, flag: str | None = None, search: str | None = None,
                   top: int = 8) -> dict[str, list[Facet]]:
    """The outlets and months of the matching articles (over the first CAP)."""
    hits = _article_hits(since, until, site, flag, search)
    if hits is None:
        return {"sites": [], "months": []}
    where, params = hits
    sample = f"SELECT a.site, a.published AS date FROM articles a{where} LIMIT {CAP}"
    sites = [Facet(r[0], r[1], r[0]) for r in conn.execute(
        f"SELECT s.site, count(*) AS n FROM ({sample}) s WHERE s.site IS NOT NULL"
        " GROUP BY s.site ORDER BY n DESC, 1 LIMIT ?", [*params, top])]
    return {"sites": sites, "months": _months(conn, sample, params)}


def _months(conn: sqlite3.Connection, sample: str, params: list[Any]) -> list[Facet]:
    """Matches per month, oldest first (dates known only to the year are left out)."""
    return [Facet(r[0], r[1], r[0]) for r in conn.execute(
        f"SELECT substr(s.date, 1, 7) AS m, count(*) FROM ({sample}) s WHERE length(s.date) >= 7"
        " GROUP BY m ORDER BY m", params)]


def entities(conn: sqlite3.Connection, *, type: str | None = None, ids: list[int] | None = None) -> Count:
    cond: list[str] = []
    params: list[Any] = []
    if type:
        cond.append("type = ?")
        params.append(type.strip().upper())
    if ids is not None:
        if not ids:
            return Count(0, False)
        cond.append(f"id IN ({','.join('?' * len(ids))})")
        params += ids
    where = f" WHERE {' AND '.join(cond)}" if cond else ""
    return _capped(conn, f"SELECT 1 FROM entities{where}", params)


def stories(conn: sqlite3.Connection) -> Count:
    return _capped(conn, "SELECT DISTINCT coalesce(story_id, id) FROM articles", [])


def _event_hits(conn: sqlite3.Connection, actor_ids: list[int] | None, target_ids: list[int] | None,
                actor_name: str | None, target_name: str | None, category: str | None,
                since: str | None, until: str | None) -> tuple[str, list[Any]] | None:
    """The FROM/WHERE of matching events `e` (with their actor/target article entities aa/ta)."""
    cond, params = _date_range("e.date", since, until)
    if category:
        cond.append("e.category = ?")
        params.append(category.strip().upper())
    for alias, ids, name, col in (("aa", actor_ids, actor_name, "actor_name"),
                                  ("ta", target_ids, target_name, "target_name")):
        if ids is not None:
            if not ids:
                return None
            cond.append(f"{alias}.entity_id IN ({','.join('?' * len(ids))})")
            params += ids
        elif name:
            cond.append(f"e.{col} LIKE ? ESCAPE '\\'")
            params.append("%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    where = f" WHERE {' AND '.join(cond)}" if cond else ""
    return (" FROM events e LEFT JOIN article_entities aa ON aa.article_id = e.article_id"
            " AND aa.local_id = e.actor_local LEFT JOIN article_entities ta ON ta.article_id = e.article_id"
            f" AND ta.local_id = e.target_local{where}"), params


def events(conn: sqlite3.Connection, *, actor_ids: list[int] | None = None,
           target_ids: list[int] | None = None, actor_name: str | None = None,
           target_name: str | None = None, category: str | None = None, since: str | None = None,
           until: str | None = None) -> Count:
    """Events whose actor / target is one of the given corpus entities (or, before entity resolution,
    whose name as written contains the given text), of a category, in a date range."""
    hits = _event_hits(conn, actor_ids, target_ids, actor_name, target_name, category, since, until)
    if hits is None:
        return Count(0, False)
    body, params = hits
    return _capped(conn, f"SELECT 1{body}", params)


def event_facets(conn: sqlite3.Connection, *, actor_ids: list[int] | None = None,
                 target_ids: list[int] | None = None, actor_name: str | None = None,
                 target_name: str | None = None, category: str | None = None, since: str | None = None,
                 until: str | None = None, top: int = 8) -> dict[str, list[Facet]]:
    """The categories, actors and months of the matching events (over the first CAP)."""
    hits = _event_hits(conn, actor_ids, target_ids, actor_name, target_name, category, since, until)
    if hits is None:
        return {"categories": [], "actors": [], "months": []}
    body, params = hits
    sample = (f"SELECT e.category, e.date, aa.entity_id AS actor, e.actor_name{body} LIMIT {CAP}")
    categories = [Facet(r[0], r[1], r[0]) for r in conn.execute(
        f"SELECT s.category, count(*) AS n FROM ({sample}) s GROUP BY s.category ORDER BY n DESC, 1 LIMIT ?",
        [*params, 20])]
    actors = [Facet(r[1], r[2], str(r[0])) for r in conn.execute(
        f"SELECT s.actor, coalesce(en.name, max(s.actor_name)), count(*) AS n FROM ({sample}) s"
        " JOIN entities en ON en.id = s.actor GROUP BY s.actor ORDER BY n DESC, 2 LIMIT ?", [*params, top])]
    return {"categories": categories, "actors": actors, "months": _months(conn, sample, params)}
