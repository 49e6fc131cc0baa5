"""`newsledger export --parquet DIR`: one Parquet file per ledger table, streamed in batches.

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


def tables(conn: sqlite3.Connection) -> list[str]:
    """The ledger's data tables (FTS index shadows and SQLite internals left out)."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY rowid").fetchall()
    return [r[0] for r in rows if not r[0].startswith("sqlite_") and "_fts" not in r[0]
            and "VIRTUAL TABLE" not in (r[1] or "").upper()]


def export_table(conn: sqlite3.Connection, table: str, path: Path) -> int:
    cols = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    schema = pa.schema([(c[1], _arrow_type(c[2] or "")) for c in cols])
    names = ", ".join(f'"{c[1]}"' for c in cols)
    n = 0
    tmp = path.with_suffix(".parquet.tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as out:
        cur = conn.execute(f'SELECT {names} FROM "{table}"')
        while rows := cur.fetchmany(ROWS_PER_BATCH):
            columns = list(zip(*rows, strict=True))
            out.write_batch(pa.record_batch([pa.array(col, type=f.type) for col, f in zip(columns, schema,
                                                                                        strict=True)],
                                            schema=schema))
            n += len(rows)
    tmp.replace(path)  # a crash mid-export never leaves a truncated file under the final name
    return n


def export_parquet(conn: sqlite3.Connection, out_dir: str | Path) -> dict[str, int]:
    """Write DIR/<table>.parquet for every table; returns rows written per table."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {t: export_table(conn, t, out / f"{t}.parquet") for t in tables(conn)}
