"""Shard readers (JSONL, Parquet, WARC) and outcome Parquet files, without Ray."""

from __future__ import annotations

from dataclasses import replace

import pyarrow.parquet as pq
import pytest

from newsledger.engines import failure_key, to_outcome
from newsledger.engines.parquet import OUTCOME_COLUMNS, read_outcomes, write_outcomes
from newsledger.engines.shards import from_row, read_shard, read_shards, to_row
from newsledger.model import Evidence, Failure, Flag, Outcome, RawDoc, raw_key
from shardkit import ARTICLES, write_jsonl, write_parquet, write_warc


def test_jsonl_shard_keeps_line_locators_and_reports_bad_lines(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl")
    items = list(read_shard(str(path)))
    assert [type(x).__name__ for x in items] == ["RawDoc", "Failure", "RawDoc", "RawDoc", "Failure"]
    assert items[1].stage == "read" and "invalid JSON" in items[1].reason
    assert items[1].source == f"{path}:2"
    assert items[4].id == "blank" and "non-empty" in items[4].reason
    docs = [x for x in items if isinstance(x, RawDoc)]
    assert [d.text for d in docs] == ARTICLES[:3]
    assert all(d.origin == str(path) for d in docs)
    assert [d.path for d in docs] == [f"{path}:1", f"{path}:3", f"{path}:4"]


def test_parquet_shard_rows_become_documents(tmp_path):
    path = write_parquet(tmp_path / "b.parquet")
    docs = list(read_shard(str(path)))
    assert all(isinstance(d, RawDoc) for d in docs)
    assert [d.id for d in docs] == ["p0", "p1", "p2", "ph"]
    assert docs[0].url == "https://news.example/p0" and docs[0].published == "2024-05-01"
    assert docs[3].html is not None and docs[3].format == "html" and docs[3].text is None
    assert docs[1].path == f"{path}:2" and docs[1].origin == str(path)


@pytest.mark.parametrize("name", ["c.warc", "c.warc.gz"])
def test_warc_shard_reads_html_responses_only(tmp_path, name):
    path = write_warc(tmp_path / name)
    docs = list(read_shard(str(path)))
    assert [d.url for d in docs if isinstance(d, RawDoc)] == ["https://news.example/w1",
                                                              "https://news.example/w2"]
    assert len(docs) == 2
    assert all(isinstance(d, RawDoc) and d.html and "<article>" in d.html and d.origin == str(path)
               for d in docs)


def test_unreadable_and_unknown_shards_are_failures(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    got = list(read_shards([str(tmp_path / "missing.jsonl"), str(tmp_path / "notes.txt"), str(broken)]))
    assert [type(x) for x in got] == [Failure, Failure, Failure]
    assert "cannot read" in got[0].reason and got[0].source.endswith("missing.jsonl")
    assert "not a shard" in got[1].reason
    assert "cannot read parquet shard" in got[2].reason


def test_a_directory_stands_for_its_shards(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", with_bad_lines=False)
    write_parquet(tmp_path / "b.parquet")
    (tmp_path / "README").write_text("not a shard")
    got = list(read_shards([str(tmp_path)]))
    assert [d.id for d in got] == ["j0", "j1", "j2", "p0", "p1", "p2", "ph"]


def test_item_rows_round_trip():
    doc = RawDoc(id="x", html="<p>hi</p>", url="https://e.x/1", published="2024-01-02", path="s:1",
                 format="html", origin="s")
    bad = Failure("y", "s:2", "read", "invalid JSON")
    assert from_row(to_row(doc)) == doc
    assert from_row(to_row(bad)) == bad
    # what the reader found travels with the document to the Ray workers (a cut WARC record's flag)
    cut = replace(doc, flags=(Flag("truncated", "the archive record was cut: 41 of 48 kB arrived",
                                   (Evidence("WARC-Truncated: length", "the crawler's header"),)),))
    assert from_row(to_row(cut)) == cut


def test_outcomes_parquet_round_trip_streams_every_column(tmp_path):
    doc = RawDoc(id="d1", text="Some text.", path="s.jsonl:1", origin="s.jsonl")
    bad = Failure("s.jsonl:2", "s.jsonl:2", "read", "invalid JSON")
    record = {"id": "d1", "text": "Some text.", "quotes": [], "nested": {"a": [1, 2.5, None]}}
    outcomes = [to_outcome(doc, record), to_outcome(bad, bad)] * 700  # more than one row group
    out = tmp_path / "run"
    out.mkdir()
    assert write_outcomes(outcomes, str(out / "part-0.parquet"), rows_per_group=500) == 1400
    table = pq.read_table(out / "part-0.parquet")
    assert tuple(table.column_names) == OUTCOME_COLUMNS
    back = list(read_outcomes(str(out)))
    assert back == outcomes
    assert back[0] == Outcome(raw_key(doc), "s.jsonl", "s.jsonl:1", record=record)
    assert back[1].key == failure_key(bad) and back[1].failure == bad and back[1].record is None
    row = table.slice(1, 1).to_pylist()[0]
    assert row["record"] is None and row["stage"] == "read" and row["doc_id"] == "s.jsonl:2"
    assert table.slice(0, 1).to_pylist()[0]["stage"] is None


def test_read_outcomes_refuses_other_parquet(tmp_path):
    write_parquet(tmp_path / "b.parquet")
    with pytest.raises(ValueError, match="not an outcome file"):
        list(read_outcomes(str(tmp_path)))
    with pytest.raises(FileNotFoundError):
        list(read_outcomes(str(tmp_path / "nope")))
