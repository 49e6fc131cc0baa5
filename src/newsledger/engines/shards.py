"""Shards an engine reads: JSONL (optionally gzipped), WARC / WARC.gz and Parquet → RawDoc | Failure.

A shard is one file of many documents; a directory stands for the shards in it. JSONL and WARC are
read by the ingest readers (ingest.files, ingest.warc); Parquet rows go through the same checks as
JSONL lines (ingest.files.read_jsonl), so a bad row is the same Failure whichever format it came
in. Also here: the flat row form of an item (`to_row` / `from_row`) in which documents travel
between Ray tasks as Arrow tables.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from newsledger.ingest.files import DEFAULT_MAX_BYTES, read_jsonl, read_jsonl_file
from newsledger.ingest.warc import read_warc
from newsledger.model import Evidence, Failure, Flag, RawDoc

SHARD_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".warc", ".warc.gz", ".parquet")
ROWS_PER_READ = 256  # Parquet rows read at a time: bounds a reader's memory on a big shard


def shard_kind(path: str) -> str | None:
    """"jsonl", "warc" or "parquet" from the file name; None for anything else."""
    name = path.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        return "jsonl"
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    if name.endswith(".parquet"):
        return "parquet"
    return None


def expand(sources: Iterable[str]) -> list[str]:
    """Source paths with each directory replaced by the shards directly inside it, sorted."""
    out: list[str] = []
    for src in sources:
        p = Path(src)
        if p.is_dir():
            out.extend(sorted(str(f) for f in p.iterdir() if f.is_file() and shard_kind(f.name)))
        else:
            out.append(src)
    return out


def _parquet(path: str, max_bytes: int) -> Iterator[RawDoc | Failure]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    wanted = [c for c in ("id", "text", "html", "url", "published") if c in pf.schema_arrow.names]

    def lines() -> Iterator[bytes]:
        # One JSON line per row, so Parquet rows meet exactly the JSONL checks; a row's locator
        # is path:row (1-based), like path:line.
        for batch in pf.iter_batches(batch_size=ROWS_PER_READ, columns=wanted):
            for row in batch.to_pylist():
                yield json.dumps(row, ensure_ascii=False, default=str).encode("utf-8")

    yield from read_jsonl(lines(), path, max_bytes)


def _warc(path: str, max_bytes: int) -> Iterator[RawDoc | Failure]:
    return read_warc(path, max_bytes=max_bytes, origin=path)


def _jsonl(path: str, max_bytes: int) -> Iterator[RawDoc | Failure]:
    return read_jsonl_file(path, max_bytes)


def read_shard(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDoc | Failure]:
    """Every document in one shard, in file order, each tagged with the shard as its origin.
    An unreadable shard is one Failure (after whatever documents could be read from it)."""
    kind = shard_kind(path)
    if kind is None:
        yield Failure(Path(path).name, path, "read",
                      f"not a shard: expected a name ending in {', '.join(SHARD_SUFFIXES)}")
        return
    reader = {"jsonl": _jsonl, "warc": _warc, "parquet": _parquet}[kind]
    try:
        for item in reader(path, max_bytes):
            yield item if isinstance(item, Failure) else replace(item, origin=path)
    except Exception as exc:  # a missing, truncated or corrupt file: report it, go on to the next
        yield Failure(Path(path).name, path, "read", f"cannot read {kind} shard: {type(exc).__name__}: {exc}")


def read_shards(sources: Iterable[str], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDoc | Failure]:
    """Every document of every shard (directories expanded), in order."""
    for path in expand(sources):
        yield from read_shard(path, max_bytes)


# --- the flat row form of an item (Arrow-friendly: every column a nullable string) -------------

ROW_FIELDS = ("id", "text", "html", "url", "published", "path", "format", "origin", "source", "stage",
              "reason", "flags")  # flags: what reading found (a cut record, feed content), as JSON


def to_row(item: RawDoc | Failure) -> dict[str, Any]:
    """An item as a flat dict; a Failure has `stage` set, a RawDoc has it null."""
    row: dict[str, Any] = dict.fromkeys(ROW_FIELDS)
    if isinstance(item, Failure):
        row.update(id=item.id, source=item.source, stage=item.stage, reason=item.reason)
    else:
        row.update(id=item.id, text=item.text, html=item.html, url=item.url, published=item.published,
                   path=item.path, format=item.format, origin=item.origin,
                   flags=json.dumps([dataclasses.asdict(f) for f in item.flags]) if item.flags else None)
    return row


def _flags(value: str | None) -> tuple[Flag, ...]:
    return tuple(Flag(f["code"], f["message"], tuple(Evidence(**e) for e in f.get("evidence") or ()))
                 for f in json.loads(value)) if value else ()


def from_row(row: dict[str, Any]) -> RawDoc | Failure:
    if row.get("stage"):
        return Failure(row["id"], row["source"] or "", row["stage"], row["reason"] or "")
    return RawDoc(id=row["id"], text=row.get("text"), html=row.get("html"), url=row.get("url"),
                  published=row.get("published"), path=row.get("path"), format=row.get("format") or "text",
                  origin=row.get("origin"), flags=_flags(row.get("flags")))
