"""The shared pieces of the ledger queries: paging, date bounds, FTS5 quoting, and the choice of
plan for a search (walk an ordered index, or fetch the hits and sort).

User text only ever reaches SQL as a bound parameter, and reaches FTS5 MATCH as quoted phrases.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Sequence
from typing import Any

MAX_LIMIT = 500  # a page is at most this many items, whatever the caller asks
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_WORD = re.compile(r"\w", re.UNICODE)


# ---------------------------------------------------------------------------------------- helpers

def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
    return list(conn.execute(sql, tuple(params)))


def _json(value: str | None, default: Any) -> Any:
    if not value:
        return default
    try:
        return json.loads(value)
    except ValueError:
        return default


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), MAX_LIMIT)), max(0, int(offset))


def check_date(value: str | None, name: str = "date") -> str | None:
    """A date bound as given (YYYY, YYYY-MM or YYYY-MM-DD, a real month and day), or ValueError with a
    clear message."""
    import datetime as dt

    if value is None or value == "":
        return None
    if not _DATE.match(value):
        raise ValueError(f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    parts = [int(x) for x in value.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError as exc:
        raise ValueError(f"{name} {value!r} is not a date: {exc}") from None
    return value


def _date_range(column: str, since: str | None, until: str | None) -> tuple[list[str], list[Any]]:
    """SQL conditions for since ≤ date ≤ until, compared as ISO strings (prefixes allowed).

    `until` is inclusive of its whole period: until=2025-09 keeps 2025-09-30 ('~' sorts after
    every digit and '-'). A date known only to the year ("2025") is before since=2025-09.
    """
    since, until = check_date(since, "since"), check_date(until, "until")
    cond: list[str] = []
    params: list[Any] = []
    if since:
        cond.append(f"{column} >= ?")
        params.append(since)
    if until:
        cond.append(f"{column} <= ?")
        params.append(until + "~")
    return cond, params


def article_filters(since: str | None, until: str | None, site: str | None, flag: str | None
                    ) -> tuple[list[str], list[Any]]:
    """SQL conditions on articles `a` by publication date, site and flag code (the list of articles
    and its count share them)."""
    cond, params = _date_range("a.published", since, until)
    if site:
        cond.append("a.site = ?")
        params.append(site.strip())
    if flag:
        cond.append("a.id IN (SELECT article_id FROM flags WHERE code = ?)")
        params.append(flag.strip())
    return cond, params


REPORTED = ("speech", "belief", "evidence", "topic")  # what a quote reports (model.Quote.reported)


def reported_filter(column: str, reported: str | None) -> tuple[list[str], list[Any]]:
    """SQL conditions keeping quotes that report `reported` (one of REPORTED; None or "all": every
    quote), or ValueError naming the values allowed. A quote stored before newsledger told them apart
    (NULL) counts as speech: it is shown by default, as it was."""
    if reported is None or reported == "all":
        return [], []
    if reported not in REPORTED:
        raise ValueError(f"reported must be one of {', '.join(REPORTED)} or all, not {reported!r}")
    if reported == "speech":
        return [f"({column} = 'speech' OR {column} IS NULL)"], []
    return [f"{column} = ?"], [reported]


def order_by(date: str, ident: str, oldest: bool) -> tuple[list[str], str]:
    """Newest first (undated last), or oldest first: then the undated are left out, so the walk of the
    date index never starts with every item that has no date."""
    if oldest:
        return [f"{date} IS NOT NULL"], f" ORDER BY {date}, {ident}"
    return [], f" ORDER BY {date} DESC, {ident} DESC"


def fts_query(text: str, column: str | None = None) -> str | None:
    """User text as an FTS5 query: each whitespace-separated term a quoted phrase, all required.

    Quoting makes every character literal (`"` doubled), so no input is an FTS syntax error.
    Terms without a letter or digit are dropped (the tokenizer would drop them anyway); None
    when nothing is left to search for.
    """
    terms = [t for t in text.split() if _WORD.search(t)]
    if not terms:
        return None
    phrases = ['"' + t.replace('"', '""') + '"' for t in terms]
    if column:
        phrases = [f"{column} : {p}" for p in phrases]
    return " AND ".join(phrases)


def search_terms(text: str | None) -> list[str]:
    """The words of a search as the explorer highlights them (what fts_query searches for)."""
    return [t.strip("\"'()*") for t in (text or "").split() if _WORD.search(t)]


def _like(text: str) -> str:
    """A LIKE pattern (ESCAPE '\\') for `text` anywhere: its % and _ are literal."""
    return "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def walk(conn: sqlite3.Connection, table: str, hits_sql: str, params: Sequence[Any], window: int
          ) -> list[int] | None:
    """None when a search should walk the table's date index newest first, keeping rows that are
    hits; else the hits' ids, to fetch and sort. Walking reads about window × total / hits rows,
    fetching reads every hit, so walk when hits² > window × total — found by reading at most
    √(window × total) hit ids. A common word over 1M quotes (30k hits) then costs ~30 ms, not 150."""
    total = int(conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0])
    most = math.isqrt(window * total) + 1
    ids = [r[0] for r in conn.execute(f"SELECT * FROM ({hits_sql}) LIMIT ?", (*params, most + 1))]
    return None if len(ids) > most else ids


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _ref_out(local: str | None, name: str | None, start: int | None, end: int | None,
             entity: int | str | None) -> dict[str, Any] | None:
    if local is None and name is None:
        return None
    return {"entity": entity, "name": name, "start": start, "end": end}
