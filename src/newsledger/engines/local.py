"""Local engines: analyze in this process, or in a pool of worker processes on this machine.

The pool feeds workers chunks of documents with a bounded number of chunks in flight, so a stream
of a million documents is never held in memory, and yields results in input order. Each worker
loads the spaCy model once. A worker that dies (killed, out of memory, a segfault in a C
extension) costs only the documents it was holding: they are retried on a fresh pool, alone, and
the one that kills its worker again becomes a Failure (stage "engine"); the run goes on.

No worker outlives the process that started the pool, however that process ends (kill -9 too): on
Linux the forkserver and each worker ask the kernel for SIGKILL when their parent dies
(PR_SET_PDEATHSIG), and every worker also watches the starting process's pid (the fallback where
prctl is missing). `TimedWorker` is one such process that analyses one document at a time under a
time limit (what `serve --allow-analyze` uses): past the limit it is killed, and its CPU is free at once.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import FrameType
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


# --- lifeline: every process a pool starts dies with the process that started it ----------------

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_EVERY = 0.5  # seconds between two looks at the starting process from a worker's watchdog
PRELOAD = ["newsledger.analyze"]  # what the forkserver imports once, so every worker starts with it


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux prctl PR_SET_PDEATHSIG).
    "Parent" is the thread that forked this process; False where there is no such call."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def pid_alive(pid: int) -> bool:
    """True while process `pid` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): kill(pid, 0) has answered
    return state not in (b"Z", b"X")


def _watch(pid: int) -> None:
    while pid_alive(pid):
        time.sleep(WATCH_EVERY)
    os._exit(1)


def lifeline(main_pid: int) -> None:
    """Tie this worker to `main_pid`, the process that started the pool: SIGKILL when its own parent
    (the forkserver, itself tied to `main_pid`) dies, and a watchdog thread on `main_pid` (the
    fallback without prctl, or when the forkserver could not be tied: started from a thread)."""
    die_with_parent()
    if not pid_alive(main_pid):
        os._exit(1)
    threading.Thread(target=_watch, args=(main_pid,), name="newsledger-lifeline", daemon=True).start()


def _imported_by_forkserver() -> bool:
    """True while this module is being imported as a forkserver preload (the forkserver process
    itself, never the process that runs the pool, whose import of it is an ordinary one)."""
    from multiprocessing import forkserver

    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code is forkserver.main.__code__:
            return True
        frame = frame.f_back
    return False


if _imported_by_forkserver():  # pragma: no cover - runs in the forkserver process
    # Listed as a preload only when the pool starts from the main thread (see _preload): the kernel
    # signals at the death of the forking *thread*, and the main thread lasts as long as the process.
    die_with_parent()


def _preload() -> list[str]:
    main = threading.current_thread() is threading.main_thread()
    return PRELOAD + ([__name__] if main else [])


# --- worker side: module globals, set once per worker process by the pool initializer ---------

_WORKER_NLP: Language | None = None
_WORKER_ERROR: str | None = None
_WORKER_FN: AnalyzeFn = _default_analyze


def _init_worker(model: str | None, fn: AnalyzeFn, main_pid: int | None = None) -> None:
    """Tie the worker to the process that started the pool, then load the model once. A load error
    is kept and raised by the first task, so the parent sees ModelNotFound (a clear message)
    instead of a broken pool."""
    global _WORKER_NLP, _WORKER_ERROR, _WORKER_FN
    if main_pid is not None:
        lifeline(main_pid)
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
        self._pool: ProcessPoolExecutor | None = None
        self.restarts = 0  # how many times a dead worker forced a fresh pool

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Decided here, in the thread that will start the forkserver (with the first submit).
            self._ctx.set_forkserver_preload(_preload())
            self._pool = ProcessPoolExecutor(self.workers, mp_context=self._ctx, initializer=_init_worker,
                                             initargs=(self._model, self._fn, os.getpid()))
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


# --- one analysis at a time, under a time limit -------------------------------------------------

LIMIT_STAGE = "limit"  # the stage of the Failure for an article whose text is over the analysis limit


class AnalysisTimeout(Exception):
    """The analysis ran past its time limit; its process was killed."""


def analyze_within(raw: RawDoc, nlp: Language, max_text_bytes: int | None = None) -> Outcome:
    """One document's Outcome, or a Failure at stage LIMIT_STAGE when the article's text (for an HTML
    page: the text found in it) is over `max_text_bytes` bytes in UTF-8."""
    if max_text_bytes is not None:
        from newsledger.clean import clean

        try:
            size = len(raw.text.encode("utf-8", "surrogatepass")) if raw.text is not None else \
                len(clean(raw).text.encode("utf-8", "surrogatepass"))
        except Exception:  # the analysis says what is wrong with the page
            size = 0
        if size > max_text_bytes:
            return to_outcome(raw, Failure(raw.id, raw.path or raw.url or raw.id, LIMIT_STAGE,
                                           f"the article's text is {size:,} bytes, over the limit of "
                                           f"{max_text_bytes:,} bytes for one analysis"))
    return outcomes_for([raw], nlp)[0]


def _timed_main(conn: Connection, model: str | None, main_pid: int) -> None:
    """A TimedWorker's process: tie it to `main_pid`, load the model, say "ready" (or why not), then
    answer (document, max_text_bytes) requests with their Outcome until the pipe closes."""
    _init_worker(model, _default_analyze, main_pid)
    if _WORKER_NLP is None:
        conn.send(("error", _WORKER_ERROR or "the worker has no spaCy model"))
        return
    conn.send(("ready", None))
    while True:
        try:
            raw, max_text_bytes = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", analyze_within(raw, _WORKER_NLP, max_text_bytes)))
        except Exception as exc:  # analyze turns document errors into Failures; this is anything else
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class TimedWorker:
    """One worker process (forkserver, tied to this process as a pool's workers are) that analyses
    one document at a time under a time limit. Past the limit the process is killed, so a runaway
    analysis stops using CPU at once, and the next call starts a fresh process (loading the model
    again). The model loads on the first call, outside the time limit. Not for concurrent use:
    callers take turns (web.app.Analyzer holds a lock)."""

    def __init__(self, model: str | None = None, load_timeout: float = 600.0) -> None:
        self._model = model
        self._load_timeout = load_timeout
        self._ctx = multiprocessing.get_context("forkserver")
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self.started = 0  # processes started (the first, and one after each kill)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> Connection:
        self._ctx.set_forkserver_preload(_preload())
        ours, theirs = self._ctx.Pipe()
        proc = self._ctx.Process(target=_timed_main, args=(theirs, self._model, os.getpid()),
                                 name="newsledger-analyze", daemon=True)
        proc.start()
        theirs.close()
        self._proc, self._conn = proc, ours
        self.started += 1
        try:
            ready = ours.recv() if ours.poll(self._load_timeout) else ("error", "the model did not load in "
                                                                       f"{self._load_timeout:.0f} s")
        except (EOFError, OSError):
            ready = ("error", "the analysis process died while loading the model")
        if ready[0] != "ready":
            self.kill()
            raise nlp_mod.ModelNotFound(str(ready[1]))
        return ours

    def run(self, raw: RawDoc, timeout: float, max_text_bytes: int | None = None) -> Outcome:
        """`raw`'s Outcome; AnalysisTimeout (the process killed) when it takes over `timeout` seconds."""
        conn = self._conn if self._proc is not None and self._proc.is_alive() else None
        if conn is None:
            self.kill()
            conn = self._start()
        try:
            conn.send((raw, max_text_bytes))
            if not conn.poll(timeout):
                self.kill()
                raise AnalysisTimeout(f"the analysis took over {timeout:g} s and was stopped")
            status, value = conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.kill()
            return engine_failure(raw, "the analysis process died (killed, out of memory or crashed in a C "
                                       "extension)")
        if status != "ok":
            return engine_failure(raw, str(value))
        out: Outcome = value
        return out

    def kill(self) -> None:
        """Stop the process now (SIGKILL) and reap it."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(5)
            self._proc = None

    close = kill
