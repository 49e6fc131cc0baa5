"""The Ray engine on a real local Ray (2 CPUs): shards in, Parquet out, read back without Ray, and
the same records the in-process engine gives."""

from __future__ import annotations

import json

import pytest

from newsledger.engines.local import InProcessEngine
from newsledger.engines.parquet import OUTCOME_COLUMNS, read_outcomes
from newsledger.engines.shards import read_shards
from newsledger.model import Outcome
from shardkit import write_jsonl, write_parquet, write_warc

ray = pytest.importorskip("ray")
pq = pytest.importorskip("pyarrow.parquet")

pytestmark = pytest.mark.slow


def as_json(outcomes) -> list[str]:
    return [json.dumps([o.key, o.origin, o.locator, o.record,
                        None if o.failure is None else [o.failure.id, o.failure.stage, o.failure.reason]],
                       sort_keys=True) for o in outcomes]


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> list[str]:
    d = tmp_path_factory.mktemp("shards")
    return [str(write_jsonl(d / "a.jsonl")), str(write_parquet(d / "b.parquet")),
            str(write_warc(d / "c.warc.gz"))]


def test_ray_data_run_writes_one_row_per_document(shards, tmp_path, nlp):
    from newsledger.engines.ray_engine import analyze_to_parquet

    out = tmp_path / "out"
    summary = analyze_to_parquet(shards, str(out), num_actors=2, batch_size=2)
    assert not ray.is_initialized()  # the local Ray it started is shut down
    want = list(InProcessEngine(nlp).map(read_shards(shards)))
    got = list(read_outcomes(str(out)))
    # same documents, same records, same order as the in-process engine
    assert as_json(got) == as_json(want)
    assert summary.documents == len(want) == 11  # 5 JSONL lines, 4 Parquet rows, 2 WARC pages
    assert summary.failed == 2 and summary.succeeded == 9 and summary.files >= 1

    bad = [o for o in got if o.failure is not None]
    assert [o.failure.stage for o in bad] == ["read", "read"]
    assert "invalid JSON" in bad[0].failure.reason and bad[0].locator.endswith("a.jsonl:2")
    table = pq.read_table(str(out))
    assert set(OUTCOME_COLUMNS) <= set(table.column_names)
    rows = table.to_pylist()
    assert all((r["record"] is None) == (r["stage"] is not None) for r in rows)
    assert all(r["reason"] is None for r in rows if r["record"] is not None)
    warc = [o for o in got if o.origin.endswith("c.warc.gz")]
    assert [o.locator for o in warc] == ["https://news.example/w1", "https://news.example/w2"]
    assert all(o.record and o.record["title"] for o in warc)

    with pytest.raises(ValueError, match="already holds Parquet"):
        analyze_to_parquet(shards, str(out))


def test_ray_engine_maps_in_input_order(shards, nlp):
    from newsledger.engines import get_engine

    items = list(read_shards(shards))
    with get_engine("ray", workers=2, batch_size=3) as engine:
        got: list[Outcome] = list(engine.map(items))
    assert not ray.is_initialized()
    assert as_json(got) == as_json(InProcessEngine(nlp).map(items))
