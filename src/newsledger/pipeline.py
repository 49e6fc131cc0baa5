"""`newsledger ingest`: sources → skip what the ledger has → analyze (an engine) → store → corpus steps.

The pieces are elsewhere (ingest/ reads, engines/ map analyze, ledger/ stores and groups); this module
only strings them together in batches, so that a crash loses at most the batch in flight and a re-run
resumes where the last committed batch ended (documents already stored are recognised by their raw
bytes before any analysis, and URLs already stored are not fetched again).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Protocol

from newsledger.ledger import writer
from newsledger.ledger.actors import ActorDictionary
from newsledger.ledger.corpus import CorpusReport, run_corpus_steps
from newsledger.model import Failure, Outcome, RawDoc, locator, raw_key

BATCH = 64  # documents per transaction: a crash redoes at most this many


class Engine(Protocol):
    def map(self, items: Iterable[RawDoc | Failure]) -> Iterator[Outcome]: ...


@dataclass(slots=True)
class IngestSummary:
    """What one ingest did; `failures` counts reasons ("stage: reason" → n)."""

    read: int = 0
    new: int = 0
    duplicates: int = 0
    known: int = 0
    failed: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    new_ids: list[int] = field(default_factory=list)
    corpus: CorpusReport = field(default_factory=CorpusReport)

    def add(self, res: writer.BatchResult, read: int) -> None:
        self.read += read
        self.new += len(res.new)
        self.duplicates += res.duplicates
        self.known += res.known
        self.failed += len(res.failed)
        self.failures.update(reason for _, reason in res.failed)
        self.new_ids.extend(res.new)


Tagged = tuple[str, RawDoc | Failure]  # (the source argument it came from, the document)


def _split_known(conn: sqlite3.Connection, chunk: list[Tagged]
                 ) -> tuple[list[Tagged], list[tuple[str, str, str]]]:
    """The documents to analyse, and (key, origin, locator) of those whose bytes are already stored."""
    keys = {id(x): raw_key(x) for _, x in chunk if isinstance(x, RawDoc)}
    have = writer.known_keys(conn, list(set(keys.values())))
    fresh: list[Tagged] = []
    seen: list[tuple[str, str, str]] = []
    for origin, x in chunk:
        k = keys.get(id(x))
        if k is not None and k in have and isinstance(x, RawDoc):
            seen.append((k, origin, locator(x)))
        else:
            fresh.append((origin, x))
    return fresh, seen


def _store(conn: sqlite3.Connection, summary: IngestSummary, outcomes: list[Outcome],
           seen: list[tuple[str, str, str]], read: int, actors: ActorDictionary | None) -> None:
    """One batch: its rows in one transaction, then the corpus steps over what it added (they also
    finish anything an interrupted run left ungrouped, so a crash between the two loses nothing)."""
    res = writer.write_batch(conn, outcomes, seen)
    summary.add(res, read)
    summary.corpus += run_corpus_steps(conn, res.new, actors=actors)


def ingest_items(conn: sqlite3.Connection, items: Iterable[Tagged], engine: Engine,
                 batch: int = BATCH, on_batch: Callable[[IngestSummary], None] | None = None,
                 actors: ActorDictionary | None = None) -> IngestSummary:
    """Analyse and store (source, document) pairs batch by batch; `on_batch` sees the running summary."""
    summary = IngestSummary()
    it = iter(items)
    while chunk := list(islice(it, batch)):
        fresh, seen = _split_known(conn, chunk)
        outcomes = list(engine.map(x for _, x in fresh)) if fresh else []
        # the engine cannot know a reading failure's source argument; the tag does
        outcomes = [replace(o, origin=origin) for (origin, _), o in zip(fresh, outcomes, strict=True)]
        _store(conn, summary, outcomes, seen, len(chunk), actors)
        if on_batch:
            on_batch(summary)
    return summary


def ingest_outcomes(conn: sqlite3.Connection, outcomes: Iterable[Outcome], batch: int = 512,
                    on_batch: Callable[[IngestSummary], None] | None = None,
                    actors: ActorDictionary | None = None) -> IngestSummary:
    """Store outcomes analysed elsewhere (the Parquet a Ray run wrote), batch by batch."""
    summary = IngestSummary()
    it = iter(outcomes)
    while chunk := list(islice(it, batch)):
        _store(conn, summary, chunk, [], len(chunk), actors)
        if on_batch:
            on_batch(summary)
    return summary
