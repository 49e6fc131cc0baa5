"""The Ray engine: the same per-document analyze, over a Ray cluster (or a local Ray).

`analyze_to_parquet` is the batch path, built on Ray Data: shards (JSONL, WARC, Parquet) are read
by light tasks, documents flow as Arrow batches to a fixed pool of actors that each load the spaCy
model once, and outcomes are written as Parquet, one row per document — streaming end to end, so
the cluster's memory, not the corpus size, bounds a run. `newsledger ingest --from-parquet` then
feeds the ledger from those files (`read_outcomes`, no Ray needed).

`RayEngine` is the streaming path behind the Engine interface (`map` → Outcomes in input order) for
when the driver already holds the documents.

Ray is optional: `pip install newsledger[ray]`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import warnings
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsledger.engines import EngineBase, engine_failure
from newsledger.engines.local import chunks, outcomes_for
from newsledger.engines.parquet import OUTCOME_COLUMNS, outcomes_table, parquet_files, read_outcomes
from newsledger.engines.shards import ROW_FIELDS, expand, from_row, read_shard, to_row
from newsledger.model import Failure, Outcome, RawDoc

if TYPE_CHECKING:
    from spacy.language import Language

RAW_SCHEMA = pa.schema([(f, pa.string()) for f in ROW_FIELDS])
READ_ROWS = 256  # documents per Arrow block a shard reader emits
MAX_TASK_RETRIES = 2  # a batch whose actor died is retried this often (preemption), then fails


class RayMissing(RuntimeError):
    """Ray is not installed: the message says how to get it."""


class RayRunFailed(RuntimeError):
    """The Ray run itself broke (the cluster, or an actor that died on every retry of a batch);
    Parquet files already written are kept, the message says where."""


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RayMissing("the ray engine needs Ray: pip install newsledger[ray]") from exc
    return ray


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a Ray run wrote: documents in, analysed, failed, wall time, where the Parquet went."""

    documents: int
    succeeded: int
    failed: int
    seconds: float
    out_dir: str
    files: int


@contextlib.contextmanager
def ray_session(address: str | None, num_cpus: int) -> Iterator[Any]:
    """Ray for the length of a run: connect to `address`, or start a local Ray with `num_cpus`.
    A Ray the caller already started is used and left running; one started here is shut down."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage-stats banner or upload
    # Ray's C++ core prints advisory lines to stderr (e.g. about actor constructor arguments in the
    # object store, which Ray Data itself puts there); real failures still reach us as exceptions.
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    ray = _ray()
    owned = not ray.is_initialized()
    if owned:
        quiet: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": False,
                                 "include_dashboard": False}
        if address is None:
            ray.init(num_cpus=num_cpus, **quiet)
        else:
            ray.init(address=address, **quiet)
    try:
        yield ray
    finally:
        if owned:
            ray.shutdown()


def _quiet_data(ray: Any) -> None:
    """No progress bars or execution banners from Ray Data; newsledger reports its own summary."""
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    with contextlib.suppress(AttributeError):  # names differ across Ray versions
        ctx.enable_operator_progress_bars = False
        ctx.print_on_execution_start = False
    ctx.execution_options.preserve_order = True  # outcome files in input order, like the local engines
    logging.getLogger("ray.data").setLevel(logging.ERROR)


# --- the pieces Ray runs remotely --------------------------------------------------------------

def read_shard_batches(batch: dict[str, Any]) -> Iterator[pa.Table]:
    """Ray Data UDF: shard paths in, document rows out in blocks of READ_ROWS (a generator, so
    a large shard streams instead of landing in memory whole)."""
    for path in batch["shard"]:
        rows: list[dict[str, Any]] = []
        for item in read_shard(str(path)):
            rows.append(to_row(item))
            if len(rows) >= READ_ROWS:
                yield pa.Table.from_pylist(rows, schema=RAW_SCHEMA)
                rows = []
        if rows:
            yield pa.Table.from_pylist(rows, schema=RAW_SCHEMA)


class Analyzer:
    """One per Ray actor: loads the model once in `__init__`, then maps analyze over batches.

    Called by Ray Data with an Arrow batch of document rows (→ an Arrow table of outcome rows),
    or by RayEngine with a list of items (→ a list of Outcomes)."""

    def __init__(self, model: str | None = None):
        from newsledger import nlp as nlp_mod

        self.nlp: Language = nlp_mod.load(model)

    def __call__(self, batch: pa.Table) -> pa.Table:
        items = [from_row(r) for r in batch.to_pylist()]
        return outcomes_table(outcomes_for(items, self.nlp))

    def analyze(self, items: list[RawDoc | Failure]) -> list[Outcome]:
        return outcomes_for(items, self.nlp)


def _summarise(out_dir: str, seconds: float) -> RunSummary:
    files = parquet_files(out_dir)
    docs = failed = 0
    for f in files:
        stage = pq.read_table(f, columns=["stage"]).column("stage")
        docs += len(stage)
        failed += len(stage) - stage.null_count
    return RunSummary(docs, docs - failed, failed, round(seconds, 2), out_dir, len(files))


def analyze_to_parquet(sources: list[str], out_dir: str, *, address: str | None = None,
                       num_actors: int = 2, batch_size: int = 16, model: str | None = None) -> RunSummary:
    """Analyse every document of `sources` (JSONL, WARC, Parquet shards, or directories of them)
    on Ray and write one outcome row per document as Parquet under `out_dir`.

    `address=None` starts a local Ray with `num_actors` CPUs; otherwise connects to that cluster
    (every node needs newsledger and its model installed). `out_dir` must not already hold
    Parquet files, so a summary counts this run only.
    """
    shards = expand(sources)
    if not shards:
        raise ValueError("no shards to read: give JSONL, WARC or Parquet files, or directories of them")
    out = Path(out_dir)
    if out.is_dir() and any(out.rglob("*.parquet")):
        raise ValueError(f"{out_dir} already holds Parquet files; give an empty or new directory")
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with ray_session(address, num_cpus=num_actors) as ray:
        _quiet_data(ray)
        # Absolute paths: on a cluster, a relative path means nothing to a remote worker.
        ds = ray.data.from_items([{"shard": str(Path(s).resolve())} for s in shards])
        # Readers take no CPU slot: reading is cheap next to analysis, and a slot held by a reader
        # could starve the actor pool (or, with every slot taken by actors, block the reader).
        ds = ds.map_batches(read_shard_batches, batch_size=1, batch_format="numpy", num_cpus=0)
        # Ray Data restarts a dead actor and, by default, retries its batch forever: a document
        # that crashes its process every time would hang the run. Two retries, then it fails.
        # (Ray 2.60 deprecates passing remote args this way but offers no other for actors yet.)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="`ray_remote_args` is deprecated")
            ds = ds.map_batches(Analyzer, fn_constructor_kwargs={"model": model}, batch_size=batch_size,
                                batch_format="pyarrow", concurrency=num_actors, num_cpus=1,
                                max_task_retries=MAX_TASK_RETRIES)
        try:
            ds.write_parquet(str(out.resolve()))
        except Exception as exc:  # Ray wraps worker errors in many types; all end the run here
            first = (str(exc).strip().splitlines() or [""])[0]
            done = len(parquet_files(out_dir))
            raise RayRunFailed(f"the Ray run stopped: {type(exc).__name__}: {first} "
                               f"({done} Parquet file(s) already written in {out_dir} are kept)") from exc
    return _summarise(out_dir, time.perf_counter() - t0)


class RayEngine(EngineBase):
    """The Engine interface over a pool of Ray actors: chunks of documents in flight (bounded),
    Outcomes back in input order. A chunk whose actor dies becomes engine Failures; Ray restarts
    the actor and the run goes on."""

    def __init__(self, num_actors: int = 2, address: str | None = None, model: str | None = None,
                 batch_size: int = 16):
        self._n = max(1, num_actors)
        self._address = address
        self._model = model
        self._batch = max(1, batch_size)
        self._session: contextlib.ExitStack | None = None
        self._actors: list[Any] = []

    def _start(self) -> Any:
        if self._session is None:
            stack = contextlib.ExitStack()
            ray = stack.enter_context(ray_session(self._address, num_cpus=self._n))
            actor_cls = ray.remote(num_cpus=1, max_restarts=-1)(Analyzer)
            self._actors = [actor_cls.remote(self._model) for _ in range(self._n)]
            self._session = stack
        return _ray()

    def map(self, items: Iterable[RawDoc | Failure]) -> Iterator[Outcome]:
        ray = self._start()
        pending: deque[tuple[list[RawDoc | Failure], Any]] = deque()
        source = chunks(items, self._batch)
        turn = 0
        while True:
            while len(pending) < 2 * self._n and (chunk := next(source, None)) is not None:
                pending.append((chunk, self._actors[turn % self._n].analyze.remote(chunk)))
                turn += 1
            if not pending:
                return
            chunk, ref = pending.popleft()
            try:
                yield from ray.get(ref)
            except (ray.exceptions.RayActorError, ray.exceptions.RayTaskError) as exc:
                reason = f"the Ray actor analysing this document failed: {type(exc).__name__}"
                yield from (engine_failure(item, reason) for item in chunk)

    def close(self) -> None:
        if self._session is not None:
            self._actors = []
            self._session.close()
            self._session = None


__all__ = ["OUTCOME_COLUMNS", "Analyzer", "RayEngine", "RayMissing", "RayRunFailed", "RunSummary",
           "analyze_to_parquet",
           "ray_session", "read_outcomes"]
