"""Which of several articles came first: the rule story originals and quote first-seen dates share.

An article's date is its `published` date, except that a stale re-post (flag `stale_date`: the page
date is later than the date the text speaks from) counts from its `reference_date`; an article with
no published date counts from its reference_date. Articles are ordered by that date (undated ones
last), then a non-stale article before a stale one on the same day (the page that really appeared
that day beats a re-post claiming it), then ingest order (articles.id).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

UNDATED = "9999-99-99"  # sorts after every YYYY-MM-DD

OrderKey = tuple[str, int, int]


def article_date(published: str | None, reference_date: str | None, stale: bool) -> str | None:
    """The date an article speaks from, by the rule above (None when it has none)."""
    if stale:
        return reference_date or published
    return published or reference_date


def order_keys(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, OrderKey]:
    """articles.id → sort key (date, stale, id) for the given articles (index lookups only)."""
    out: dict[int, OrderKey] = {}
    todo = sorted(set(ids))
    for i in range(0, len(todo), 500):
        chunk = todo[i:i + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT a.id, a.published, a.reference_date, EXISTS (SELECT 1 FROM flags f"
            " WHERE f.article_id = a.id AND f.code = 'stale_date') FROM articles a"
            f" WHERE a.id IN ({marks})", chunk)
        for aid, pub, ref, stale in rows:
            out[aid] = (article_date(pub, ref, bool(stale)) or UNDATED, int(bool(stale)), aid)
    return out


def pending(conn: sqlite3.Connection, table: str, id_col: str, null_col: str,
            ids: Iterable[int]) -> list[int]:
    """The articles a corpus step still has to do: `ids` (the batch just stored) and any an earlier,
    interrupted run left, i.e. distinct `id_col` of rows whose `null_col` is still NULL. Found through
    the index on `null_col`, so the cost is the pending rows, never a scan of the ledger."""
    found = {r[0] for r in conn.execute(f"SELECT DISTINCT {id_col} FROM {table} WHERE {null_col} IS NULL")}
    return sorted(found)  # `ids` are pending exactly when their column is NULL, so already in `found`
