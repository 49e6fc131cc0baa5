"""Local engines: analyze in this process, or in a pool of worker processes on this machine.

The pool feeds workers chunks of documents with a bounded number of chunks in flight, so a stream
of a million documents is never held in memory, and yields results in input order. Each worker
loads the spaCy model once. A worker that dies (killed, out of memory, a segfault in a C
extension) costs only the documents it was holding: they are retried on a fresh pool, alone, and
the one that kills its worker again becomes a Failure (stage "engine"); the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from newsledger import nlp as nlp_mod
from newsledger.analyze import analyze_stream
from newsledger.engines import EngineBase, engine_failure, to_outcome
from newsledger.model import Analysis, Failure, Outcome, RawDoc

if TYPE_CHECKING:
    from spacy.language import Language

Item = RawDoc | Failure
# The per-worker function the pool maps: a chunk of items and the loaded model → one result per
# item, in order. `analyze_stream` in production; the parameter exists so the pool maps exactly
# the function the in-process engine runs, and so tests can run a worker that crashes.
AnalyzeFn = Callable[[list[Item], "Language"], Iterable[Analysis | Failure]]
T = TypeVar("T")

# Documents per task: enough to amortise pickling and give nlp.pipe a batch, few enough that the
# last chunks of a run (one worker busy, the other idle) and a lost chunk stay cheap.
CHUNK = 16
DIED = ("the worker process analysing this document died (killed, out of memory or crashed in a "
        "C extension); retried alone, it died again")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items, read lazily."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _default_analyze(items: list[Item], nlp: Language) -> Iterable[Analysis | Failure]:
    return analyze_stream(items, nlp, batch=max(1, len(items)))


def outcomes_for(items: list[Item], nlp: Language, fn: AnalyzeFn = _default_analyze) -> list[Outcome]:
    """One chunk → its Outcomes, records already plain dicts (cheap to ship back to the parent)."""
    results = list(fn(items, nlp))
    return [to_outcome(item, res) for item, res in zip(items, results, strict=True)]


class InProcessEngine(EngineBase):
    """analyze_stream in this process: no start-up cost, one core."""

    def __init__(self, nlp: Language | None = None, model: str | None = None, chunk_size: int = 64):
        self._nlp = nlp
        self._model = model
        self._chunk = chunk_size

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = nlp_mod.load(self._model)
        return self._nlp

    def map(self, items: Iterable[Item]) -> Iterator[Outcome]:
        for chunk in chunks(items, self._chunk):
            yield from outcomes_for(chunk, self.nlp)


# --- worker side: module globals, set once per worker process by the pool initializer ---------

_WORKER_NLP: Language | None = None
_WORKER_ERROR: str | None = None
_WORKER_FN: AnalyzeFn = _default_analyze


def _init_worker(model: str | None, fn: AnalyzeFn) -> None:
    """Load the model once per worker. A load error is kept and raised by the first task, so the
    parent sees ModelNotFound (a clear message) instead of a broken pool."""
    global _WORKER_NLP, _WORKER_ERROR, _WORKER_FN
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER_FN = fn
    try:
        _WORKER_NLP = nlp_mod.load(model)
    except nlp_mod.ModelNotFound as exc:
        _WORKER_ERROR = str(exc)


def _run_chunk(items: list[Item]) -> list[Outcome]:
    if _WORKER_NLP is None:
        raise nlp_mod.ModelNotFound(_WORKER_ERROR or "the worker has no spaCy model")
    return outcomes_for(items, _WORKER_NLP, _WORKER_FN)


def _warm() -> int:
    if _WORKER_NLP is None:
        raise nlp_mod.ModelNotFound(_WORKER_ERROR or "the worker has no spaCy model")
    return os.getpid()


# --- parent side ------------------------------------------------------------------------------

Slot = tuple[list[Item], "Future[list[Outcome]] | list[Outcome]"]


class ProcessPoolEngine(EngineBase):
    """N worker processes (forkserver: children start from a clean interpreter with spaCy already
    imported, never a fork of a process holding a loaded model), each loading the model once."""

    def __init__(self, workers: int, model: str | None = None, chunk_size: int = CHUNK,
                 inflight: int | None = None, analyze_fn: AnalyzeFn = _default_analyze):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self._model = model
        self._chunk = max(1, chunk_size)
        # Four chunks per worker: results come back in input order, so a worker that finishes
        # early may run ahead of a slow chunk at the head by this much before it has to wait.
        # Memory bound: workers * 4 * chunk documents and their records.
        self._inflight = inflight or 4 * workers
        self._fn = analyze_fn
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["newsledger.analyze"])
        self._pool: ProcessPoolExecutor | None = None
        self.restarts = 0  # how many times a dead worker forced a fresh pool

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=self._ctx, initializer=_init_worker,
                                             initargs=(self._model, self._fn))
        return self._pool

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self.restarts += 1

    def start(self) -> None:
        """Start the workers and load their models now (otherwise this happens with the first
        chunks), so a caller can time start-up apart from work."""
        pool = self._executor()
        for f in [pool.submit(_warm) for _ in range(self.workers)]:
            f.result()

    def map(self, items: Iterable[Item]) -> Iterator[Outcome]:
        source = chunks(items, self._chunk)
        pending: deque[Slot] = deque()
        while True:
            while len(pending) < self._inflight and (chunk := next(source, None)) is not None:
                pending.append((chunk, self._executor().submit(_run_chunk, chunk)))
            if not pending:
                return
            chunk, fut = pending.popleft()
            if isinstance(fut, list):
                yield from fut
                continue
            try:
                yield from fut.result()
            except BrokenProcessPool:
                # The pool is gone with every chunk it held. Chunks already finished keep their
                # results; the others are redone one at a time on a fresh pool, so the document
                # that kills its worker is found and the rest are analysed normally.
                self._restart()
                redone: deque[Slot] = deque()
                for c, f in [(chunk, fut), *pending]:
                    ok = isinstance(f, list) or (f.done() and not f.cancelled() and f.exception() is None)
                    redone.append((c, f if ok else self._isolate(c)))
                pending = redone
            except nlp_mod.ModelNotFound:
                raise
            except Exception:  # a worker raised (not died): find the document, keep the rest
                pending.appendleft((chunk, self._isolate(chunk, whole_first=False)))

    def _isolate(self, chunk: list[Item], whole_first: bool = True) -> list[Outcome]:
        """Redo a chunk alone (after a dead pool it may well be innocent); if it fails again,
        document by document. The one that still fails becomes an engine Failure; nothing else
        is lost."""
        if whole_first:
            done = self._attempt(chunk)
            if done is not None:
                return done
        out: list[Outcome] = []
        for item in chunk:
            got = self._attempt([item])
            out.extend(got if got is not None else [engine_failure(item, DIED)])
        return out

    def _attempt(self, chunk: list[Item]) -> list[Outcome] | None:
        try:
            return self._executor().submit(_run_chunk, chunk).result()
        except BrokenProcessPool:
            self._restart()
            return None
        except nlp_mod.ModelNotFound:
            raise
        except Exception as exc:
            if len(chunk) == 1:
                return [engine_failure(chunk[0], f"the worker raised {type(exc).__name__}: {exc}")]
            return None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
