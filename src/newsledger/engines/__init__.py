"""⑥ Engines: map the per-document `analyze` over a stream, in this process, a process pool or Ray.

One tiny interface, in the spirit of httpx's transports: an engine takes `RawDoc | Failure` items
and yields exactly one `Outcome` per item, in input order. Whatever runs underneath, what comes
out is plain JSON-able data (`Outcome.record` is the analyze contract dict), so the ledger writer
never sees an engine's internals.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

from newsledger.model import Analysis, Failure, Outcome, RawDoc, locator, raw_key, to_dict

ENGINES = ("inprocess", "local", "ray")


@runtime_checkable
class Engine(Protocol):
    """Maps analyze over items: one Outcome per input, in input order. Use it as a context manager."""

    def map(self, items: Iterable[RawDoc | Failure]) -> Iterator[Outcome]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...


class EngineBase:
    """Context-manager plumbing shared by the engines: `with engine:` closes it on the way out."""

    def map(self, items: Iterable[RawDoc | Failure]) -> Iterator[Outcome]:
        raise NotImplementedError

    def close(self) -> None:
        """Release workers; the default engine holds none."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def failure_key(failure: Failure) -> str:
    """A stable key for an input that never became a RawDoc (an unreadable file, a bad JSONL line):
    derived from where it was, since there are no bytes to hash."""
    return hashlib.sha256(f"failure:{failure.source or failure.id}".encode("utf-8", "surrogatepass")
                          ).hexdigest()


def to_outcome(item: RawDoc | Failure, result: Analysis | Failure | dict[str, Any]) -> Outcome:
    """The Outcome for one input `item` and its `result` (an Analysis, its `to_dict` record, or a
    Failure). A reading Failure (no RawDoc) is keyed and located by its source."""
    if isinstance(item, Failure):
        failure = result if isinstance(result, Failure) else item
        return Outcome(key=failure_key(item), origin=item.source or "-", locator=item.source or item.id,
                       failure=failure)
    origin = item.origin or item.path or "-"
    if isinstance(result, Failure):
        return Outcome(key=raw_key(item), origin=origin, locator=locator(item), failure=result)
    record = to_dict(result) if isinstance(result, Analysis) else result
    return Outcome(key=raw_key(item), origin=origin, locator=locator(item), record=record)


def engine_failure(item: RawDoc | Failure, reason: str) -> Outcome:
    """An Outcome saying the engine itself lost this document (a worker died), stage "engine"."""
    if isinstance(item, Failure):
        return to_outcome(item, item)
    source = item.path or item.url or item.id
    return to_outcome(item, Failure(item.id, source, "engine", reason))


def get_engine(name: str, workers: int = 1, **opts: Any) -> Engine:
    """An engine by name: "inprocess" (this process), "local" (a pool of `workers` processes; one
    worker means in-process), or "ray" (a Ray actor pool; opts: address, model)."""
    if name == "inprocess" or (name == "local" and workers <= 1):
        from newsledger.engines.local import InProcessEngine

        return InProcessEngine(nlp=opts.get("nlp"), model=opts.get("model"))
    if name == "local":
        from newsledger.engines.local import CHUNK, ProcessPoolEngine

        return ProcessPoolEngine(workers, model=opts.get("model"),
                                 chunk_size=opts.get("chunk_size", CHUNK))
    if name == "ray":
        from newsledger.engines.ray_engine import RayEngine

        return RayEngine(num_actors=max(1, workers), address=opts.get("address"),
                         model=opts.get("model"), batch_size=opts.get("batch_size", 16))
    raise ValueError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "EngineBase", "engine_failure", "failure_key", "get_engine", "to_outcome"]
