"""Engines: the process pool gives exactly what the in-process engine gives, in input order, and a
bad document (or a worker that dies on one) costs only that document."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterable, Iterator

import pytest

from newsledger.analyze import analyze_stream
from newsledger.engines import Engine, failure_key, get_engine, to_outcome
from newsledger.engines.local import InProcessEngine, ProcessPoolEngine
from newsledger.model import Failure, Outcome, RawDoc, raw_key

TEXTS = [
    "Finance Minister Ana Ruiz said on Monday that the government would spend $4 billion on rail.\n\n"
    "\u201cWe cannot wait any longer,\u201d Ruiz told reporters in Lisbon.",
    "The mayor of Tarrow, Ben Osei, threatened to sue the port authority over a 12% fee rise.\n\n"
    "Osei said the authority had ignored the council for two years.",
    "Talks between the two unions collapsed on Friday, according to a spokesperson for Metro Workers.",
    "Health officials reported 340 new cases last week. Dr. Lena Fisk warned that schools may close.",
    "\u201cThe deal is done,\u201d said Karl Meyer, chief executive of Nordwind. The firm paid "
    "\u20ac1.2bn for the wind farm.",
    "Police arrested three men in Dunmore on Tuesday after a protest outside parliament turned violent.",
]
KILL_MARK = "[this document kills its worker]"


def docs(texts: Iterable[str] = TEXTS) -> list[RawDoc]:
    return [RawDoc(id=f"t{i}", text=t, path=f"inv{i}.txt", origin="invented") for i, t in enumerate(texts)]


def as_json(outcomes: Iterable[Outcome]) -> list[str]:
    return [json.dumps([o.key, o.origin, o.locator, o.record,
                        None if o.failure is None else [o.failure.stage, o.failure.reason]],
                       sort_keys=True) for o in outcomes]


def die_on_mark(items: list[RawDoc | Failure], nlp):  # runs in a pool worker
    """The production analysis, except that a chunk holding the marked document kills its process
    the way a segfault or the OOM killer would: no exception, no cleanup."""
    if any(isinstance(x, RawDoc) and KILL_MARK in (x.text or "") for x in items):
        os.kill(os.getpid(), signal.SIGKILL)
    return analyze_stream(items, nlp, batch=max(1, len(items)))


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolEngine]:
    # chunk_size=2 so six documents are three chunks spread over both workers
    with ProcessPoolEngine(2, chunk_size=2) as engine:
        yield engine


@pytest.fixture(scope="module")
def inproc(nlp) -> InProcessEngine:
    return InProcessEngine(nlp)


def test_engines_fit_the_interface(pool, inproc):
    assert isinstance(pool, Engine) and isinstance(inproc, Engine)
    assert isinstance(get_engine("local", workers=1), InProcessEngine)
    with pytest.raises(ValueError, match="unknown engine"):
        get_engine("spark")


def test_pool_equals_in_process_in_input_order(pool, inproc):
    items = docs()
    got = list(pool.map(items))
    want = list(inproc.map(items))
    assert as_json(got) == as_json(want)
    assert [o.locator for o in got] == [d.path for d in items]
    assert [o.key for o in got] == [raw_key(d) for d in items]
    assert all(o.record is not None and o.failure is None for o in got)
    assert [o.record["id"] for o in got if o.record] == [d.id for d in items]


def test_bad_documents_are_failures_in_place(pool, inproc):
    unreadable = Failure("broken", "feed.jsonl:3", "read", "invalid JSON: Expecting value")
    script_only = "<html><head><title></title></head><body><script>var x;</script></body></html>"
    empty_page = RawDoc(id="js", html=script_only, path="js.html", format="html")
    too_long = RawDoc(id="huge", text="word " * 210_000, path="huge.txt")
    good = docs(TEXTS[:3])
    items: list[RawDoc | Failure] = [good[0], unreadable, empty_page, good[1], too_long, good[2]]
    got = list(pool.map(items))
    assert as_json(got) == as_json(inproc.map(items))
    assert [o.failure is None for o in got] == [True, False, False, True, False, True]
    assert got[1].failure == unreadable and got[1].key == failure_key(unreadable)
    assert got[1].locator == "feed.jsonl:3"
    assert got[2].failure is not None and got[2].failure.stage == "clean"
    assert got[4].failure is not None and "too long" in got[4].failure.reason


def test_pool_reads_its_input_lazily(pool):
    pulled = 0

    def stream() -> Iterator[RawDoc]:
        nonlocal pulled
        for i in range(10_000):
            pulled += 1
            yield RawDoc(id=f"s{i}", text=f"{TEXTS[i % len(TEXTS)]} Item {i}.", path=f"s{i}")

    it = pool.map(stream())
    first = next(it)
    assert first.locator == "s0" and first.record is not None
    # at most the chunks in flight (4 per worker, 2 documents each), not the whole stream
    assert pulled <= 4 * 2 * 2 + 2
    it.close()


def test_a_worker_that_dies_costs_only_its_document(nlp):
    items = docs()
    poisoned = RawDoc(id="poison", text=f"{TEXTS[0]} {KILL_MARK}", path="poison.txt")
    items.insert(3, poisoned)
    with ProcessPoolEngine(1, chunk_size=3, analyze_fn=die_on_mark) as engine:
        got = list(engine.map(items))
        assert engine.restarts >= 1
    assert [o.locator for o in got] == [d.path for d in items]
    bad = got[3]
    assert bad.failure is not None and bad.failure.stage == "engine" and "died" in bad.failure.reason
    assert bad.key == raw_key(poisoned) and bad.record is None
    others = [o for o in got if o is not bad]
    want = [to_outcome(d, r) for d, r in zip(docs(), analyze_stream(docs(), nlp), strict=True)]
    assert as_json(others) == as_json(want)
