"""`newsledger export --parquet DIR`: one Parquet file per ledger table, streamed in batches.

The tables a user works with are written by default (articles, quotes, events, entities, …); the
ledger's own machinery (near-duplicate bands, MinHash signatures, name keys, the timeline index) only
when named with `--tables`. Quotes carry their speaker's corpus entity id, events their actor's and
target's, so a script joins them to `entities` without going through `article_entities`.

Column types follow the declared SQLite types (INTEGER → int64, REAL → float64, BLOB → binary,
anything else → string), so a column keeps one Arrow type even where a value is NULL. JSON columns
stay JSON strings: Parquet readers (pandas, DuckDB, Spark) parse them when they need to.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROWS_PER_BATCH = 50_000


def _arrow_type(declared: str) -> pa.DataType:
    t = declared.upper()
    if "INT" in t:
        return pa.int64()
    if "REAL" in t or "FLOA" in t or "DOUB" in t:
        return pa.float64()
    if "BLOB" in t:
        return pa.binary()
    return pa.string()


# What a user exports by default, in this order; the rest is the ledger's machinery.
USER_TABLES = ("articles", "quotes", "events", "entities", "article_entities", "mentions", "amounts",
               "timexes", "flags", "copies", "sources", "failures")

# Corpus entity ids beside the article-local ones (NULL until the corpus steps have run).
_ENTITY_ID = ("(SELECT ae.entity_id FROM article_entities ae WHERE ae.article_id = t.article_id"
              " AND ae.local_id = t.{col})")
_EXTRA = {"quotes": [("speaker_entity_id", "speaker_local")],
          "events": [("actor_entity_id", "actor_local"), ("target_entity_id", "target_local")]}


def tables(conn: sqlite3.Connection) -> list[str]:
    """The ledger's data tables (FTS index shadows and SQLite internals left out)."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY rowid").fetchall()
    return [r[0] for r in rows if not r[0].startswith("sqlite_") and "_fts" not in r[0]
            and "VIRTUAL TABLE" not in (r[1] or "").upper()]


def export_table(conn: sqlite3.Connection, table: str, path: Path) -> int:
    cols = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    extra = _EXTRA.get(table, [])
    schema = pa.schema([(c[1], _arrow_type(c[2] or "")) for c in cols]
                       + [(name, pa.int64()) for name, _ in extra])
    names = ", ".join([f't."{c[1]}"' for c in cols] + [_ENTITY_ID.format(col=col) for _, col in extra])
    n = 0
    tmp = path.with_suffix(".parquet.tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as out:
        cur = conn.execute(f'SELECT {names} FROM "{table}" t')
        while rows := cur.fetchmany(ROWS_PER_BATCH):
            columns = list(zip(*rows, strict=True))
            out.write_batch(pa.record_batch([pa.array(col, type=f.type) for col, f in zip(columns, schema,
                                                                                        strict=True)],
                                            schema=schema))
            n += len(rows)
    tmp.replace(path)  # a crash mid-export never leaves a truncated file under the final name
    return n


def export_parquet(conn: sqlite3.Connection, out_dir: str | Path, only: list[str] | None = None
                   ) -> dict[str, int]:
    """Write DIR/<table>.parquet for the user's tables (or exactly `only`); rows written per table.
    A name that is no table of the ledger is a ValueError naming the ones there are."""
    have = tables(conn)
    if only:
        unknown = [t for t in only if t not in have]
        if unknown:
            raise ValueError(f"no table {', '.join(unknown)} in this ledger; its tables: {', '.join(have)}")
        chosen = list(dict.fromkeys(only))
    else:
        chosen = [t for t in USER_TABLES if t in have]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {t: export_table(conn, t, out / f"{t}.parquet") for t in chosen}
