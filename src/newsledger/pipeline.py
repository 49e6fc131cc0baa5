"""`newsledger ingest`: sources → skip what the ledger has → analyze (an engine) → store → corpus steps.

The pieces are elsewhere (ingest/ reads, engines/ map analyze, ledger/ stores and groups); this module
only strings them together in batches, so that a crash loses at most the batch in flight and a re-run
resumes where the last committed batch ended (documents already stored are recognised by their raw
bytes before any analysis, and URLs already stored are not fetched again). When the ledger's file
stops taking writes (a full disk, a read-only file, a lock held too long) the run stops with a
StorageError saying how many batches were stored before it; a re-run resumes after them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import islice

from newsledger.engines import Engine
from newsledger.ledger import store, writer
from newsledger.ledger.actors import ActorDictionary
from newsledger.ledger.corpus import CorpusReport, run_corpus_steps
from newsledger.model import Failure, Outcome, RawDoc, locator, raw_key

BATCH = 64  # documents per transaction: a crash redoes at most this many


@dataclass(slots=True)
class IngestSummary:
    """What one ingest did; `failures` counts reasons ("stage: reason" → n)."""

    read: int = 0
    batches: int = 0  # transactions committed
    stored: int = 0  # documents in them (read counts those read ahead for the engine too)
    new: int = 0
    duplicates: int = 0
    known: int = 0
    failed: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    new_ids: list[int] = field(default_factory=list)
    corpus: CorpusReport = field(default_factory=CorpusReport)

    def add(self, res: writer.BatchResult, read: int) -> None:
        self.batches += 1
        self.read += read
        self.new += len(res.new)
        self.duplicates += res.duplicates
        self.known += res.known
        self.failed += len(res.failed)
        self.failures.update(reason for _, reason in res.failed)
        self.new_ids.extend(res.new)


class SeenURLs:
    """`seen(locator)` for the source readers: True for a URL (a web page, a WARC record, a feed
    entry) the ledger already holds, so a resumed ingest neither fetches nor re-reads it. Files are
    always read (cheap, and a file may have changed at the same path); their bytes decide. `hits`
    counts what was skipped, for the summary."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.hits = 0

    def __call__(self, loc: str) -> bool:
        if loc.startswith(("http://", "https://")) and writer.seen_locator(self.conn, loc):
            self.hits += 1
            return True
        return False


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
    summary.stored += len(outcomes) + len(seen)
    summary.corpus += run_corpus_steps(conn, res.new, actors=actors)


class _Feed:
    """The engine's input: documents the ledger does not have yet, read lazily in batches. Those it
    has (same bytes) are set aside as copies; each document's source argument is remembered in
    order, because the engine cannot know a reading failure's source."""

    def __init__(self, conn: sqlite3.Connection, items: Iterable[Tagged], batch: int) -> None:
        self.conn, self.items, self.batch = conn, iter(items), batch
        self.origins: deque[str] = deque()
        self.seen: list[tuple[str, str, str]] = []
        self.read = 0  # documents taken from the readers and not yet counted in a summary

    def __iter__(self) -> Iterator[RawDoc | Failure]:
        while chunk := list(islice(self.items, self.batch)):
            fresh, seen = _split_known(self.conn, chunk)
            self.seen.extend(seen)
            self.read += len(chunk)
            for origin, x in fresh:
                self.origins.append(origin)
                yield x


def ingest_items(conn: sqlite3.Connection, items: Iterable[Tagged], engine: Engine,
                 batch: int = BATCH, on_batch: Callable[[IngestSummary], None] | None = None,
                 actors: ActorDictionary | None = None, skipped: SeenURLs | None = None) -> IngestSummary:
    """Analyse and store (source, document) pairs, `batch` outcomes per transaction; `on_batch` sees
    the running summary. The engine gets one lazy stream, so its workers never wait for a write.
    `skipped` is the `seen` the readers were given: what it skipped counts as read and known."""
    summary = IngestSummary()
    feed = _Feed(conn, items, batch)
    counted = 0
    outcomes: list[Outcome] = []

    def flush() -> None:
        nonlocal counted
        if skipped is not None:
            summary.read += skipped.hits - counted
            summary.known += skipped.hits - counted
            counted = skipped.hits
        seen, feed.seen = feed.seen, []
        _store(conn, summary, outcomes, seen, feed.read, actors)
        feed.read = 0
        outcomes.clear()
        if on_batch:
            on_batch(summary)

    with _stopping_on_storage_errors(summary):
        for o in engine.map(feed):
            outcomes.append(replace(o, origin=feed.origins.popleft()))
            if len(outcomes) >= batch or len(feed.seen) >= batch:
                flush()
        if outcomes or feed.seen or feed.read or skipped is not None:
            flush()
    return summary


def ingest_outcomes(conn: sqlite3.Connection, outcomes: Iterable[Outcome], batch: int = 512,
                    on_batch: Callable[[IngestSummary], None] | None = None,
                    actors: ActorDictionary | None = None) -> IngestSummary:
    """Store outcomes analysed elsewhere (the Parquet a Ray run wrote), batch by batch."""
    summary = IngestSummary()
    it = iter(outcomes)
    with _stopping_on_storage_errors(summary):
        while chunk := list(islice(it, batch)):
            _store(conn, summary, chunk, [], len(chunk), actors)
            if on_batch:
                on_batch(summary)
    return summary


@contextmanager
def _stopping_on_storage_errors(summary: IngestSummary) -> Iterator[None]:
    """An SQLite error that says the file cannot be written becomes a StorageError counting the
    batches stored before it (anything else is raised as it is: a bug, not the disk)."""
    try:
        yield
    except sqlite3.Error as exc:
        err = store.storage_error(exc)
        if err is None:
            raise
        raise err.after(summary.batches, summary.stored) from exc
