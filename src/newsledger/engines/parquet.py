"""Outcomes as Parquet: one row per document, what a Ray run writes and `ingest --from-parquet` reads.

Columns: key, origin, locator, doc_id, record (the analyze contract as a JSON string; null on
failure), stage and reason (null on success). Reading needs only pyarrow, not Ray, and streams
batch by batch, so a directory of a million rows never sits in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsledger.model import Failure, Outcome

OUTCOME_COLUMNS = ("key", "origin", "locator", "doc_id", "record", "stage", "reason")
OUTCOME_SCHEMA = pa.schema([(c, pa.string()) for c in OUTCOME_COLUMNS])
READ_BATCH = 512  # rows per batch when reading back: records are whole articles, keep it modest


def outcome_row(o: Outcome) -> dict[str, Any]:
    """One Outcome as a flat row of strings (record as compact JSON, key order kept)."""
    if o.failure is not None:
        return {"key": o.key, "origin": o.origin, "locator": o.locator, "doc_id": o.failure.id,
                "record": None, "stage": o.failure.stage, "reason": o.failure.reason}
    rec = o.record or {}
    return {"key": o.key, "origin": o.origin, "locator": o.locator, "doc_id": rec.get("id"),
            "record": json.dumps(rec, ensure_ascii=False), "stage": None, "reason": None}


def outcomes_table(outcomes: Iterable[Outcome]) -> pa.Table:
    return pa.Table.from_pylist([outcome_row(o) for o in outcomes], schema=OUTCOME_SCHEMA)


def outcome_from_row(row: dict[str, Any]) -> Outcome:
    if row.get("record") is not None:
        return Outcome(key=row["key"], origin=row["origin"], locator=row["locator"],
                       record=json.loads(row["record"]))
    failure = Failure(row.get("doc_id") or row["locator"], row["locator"], row.get("stage") or "engine",
                      row.get("reason") or "no record and no reason in the Parquet row")
    return Outcome(key=row["key"], origin=row["origin"], locator=row["locator"], failure=failure)


def parquet_files(parquet_dir: str) -> list[Path]:
    """The .parquet files of an outcome directory (or the one file given), in name order."""
    p = Path(parquet_dir)
    if p.is_file():
        return [p]
    if not p.is_dir():
        raise FileNotFoundError(f"no such Parquet file or directory: {parquet_dir}")
    return sorted(f for f in p.rglob("*.parquet") if f.is_file())


def read_outcomes(parquet_dir: str) -> Iterator[Outcome]:
    """Every Outcome in a directory of outcome Parquet files, streamed batch by batch.

    Raises ValueError naming the file when one lacks the outcome columns (not a run's output)."""
    for path in parquet_files(parquet_dir):
        pf = pq.ParquetFile(path)
        missing = [c for c in OUTCOME_COLUMNS if c not in pf.schema_arrow.names]
        if missing:
            raise ValueError(f"{path} is not an outcome file: no column {', '.join(missing)}")
        for batch in pf.iter_batches(batch_size=READ_BATCH, columns=list(OUTCOME_COLUMNS)):
            for row in batch.to_pylist():
                yield outcome_from_row(row)


def write_outcomes(outcomes: Iterable[Outcome], path: str, rows_per_group: int = 1024) -> int:
    """Write Outcomes to one Parquet file as they come (row group by row group); the row count."""
    n = 0
    buf: list[Outcome] = []
    with pq.ParquetWriter(path, OUTCOME_SCHEMA) as writer:
        for o in outcomes:
            buf.append(o)
            if len(buf) >= rows_per_group:
                writer.write_table(outcomes_table(buf))
                n, buf = n + len(buf), []
        if buf:
            writer.write_table(outcomes_table(buf))
            n += len(buf)
    return n
