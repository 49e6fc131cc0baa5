"""Test ledgers for the query, API and browser tests, built once per session with the real pipeline.

The seed, the bundled examples, a light re-post of one of them, and a hostile article (markup and
`javascript:` links in its text, a `javascript:` URL) are analysed by `analyze_stream` and stored
by `writer.write_batch` into two real SQLite files:
- `plain`: just what ingest writes (no corpus steps: no entities, stories or quote clusters);
- `corpus`: the same, plus the corpus steps (stories, entities across articles, quote clusters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, SEED
from newsledger.analyze import analyze_stream
from newsledger.ingest.files import read_file
from newsledger.ledger import store, writer
from newsledger.ledger.corpus import run_corpus_steps
from newsledger.model import Outcome, RawDoc, raw_key, to_dict

HOSTILE_TITLE = "Council row over <script>alert(1)</script> parking"
HOSTILE = (
    f"{HOSTILE_TITLE}\n\n"
    "The council's transport chief, Dana Whitlock, said the plan \"<img src=x onerror=alert(1)> would fix"
    " nothing at all\" before the vote on Tuesday.\n\n"
    "\"Read [the report](javascript:alert(1)) and <a href=\"javascript:alert(1)\">the annex</a> before you"
    " vote,\" said councillor Tomas Reyes.\n\n"
    "Residents said <svg onload=alert(1)> posters had appeared overnight near the market.\n")


@dataclass(frozen=True, slots=True)
class WebLedger:
    plain: Path  # ingest only: corpus fields NULL
    corpus: Path  # with the corpus steps run
    ids: dict[str, int]  # "seed", "ministers", "repost", "hostile", ... → articles.id
    records: dict[str, dict[str, Any]]  # the analyze records written


def _repost(raw: RawDoc) -> RawDoc:
    """A light re-post of an example: a site banner line added on top (different bytes and body)."""
    assert raw.text is not None
    return RawDoc(id=raw.id + "-repost", text="Reposted from our partners\n\n" + raw.text,
                  path=(raw.path or raw.id) + "#repost", format="text")


def _raws() -> dict[str, RawDoc]:
    out: dict[str, RawDoc] = {}
    for name, path in (("seed", SEED), ("ministers", EXAMPLES / "ministers-pledge-aid.txt"),
                       ("port", EXAMPLES / "port-strike-threat.html"),
                       ("summit", EXAMPLES / "summit-repost-stale.html"),
                       ("council", EXAMPLES / "council-vote.txt")):
        raw = read_file(str(path))
        assert isinstance(raw, RawDoc), raw
        out[name] = raw
    out["repost"] = _repost(out["ministers"])
    out["hostile"] = RawDoc(id="hostile", text=HOSTILE, url="javascript:alert(1)", published="2026-02-03",
                            path="hostile.txt", format="text")
    return out


def build(tmp: Path, nlp: Any) -> WebLedger:
    raws = _raws()
    names = list(raws)
    results = list(analyze_stream([raws[n] for n in names], nlp))
    records: dict[str, dict[str, Any]] = {}
    for name, res in zip(names, results, strict=True):
        assert not hasattr(res, "reason"), f"{name} failed: {res}"
        records[name] = to_dict(res)  # type: ignore[arg-type]
    paths = {}
    ids: dict[str, int] = {}
    for kind in ("plain", "corpus"):
        path = tmp / f"{kind}.db"
        conn = store.connect(path)
        for name in names:  # one batch each, in order, so ids follow `names`
            res = writer.write_batch(conn, [Outcome(key=raw_key(raws[name]), origin="test",
                                                    locator=raws[name].path or name, record=records[name])])
            assert len(res.new) == 1, (name, res)
            ids[name] = res.new[0]
        if kind == "corpus":
            run_corpus_steps(conn, list(ids.values()))
        conn.close()
        paths[kind] = path
    (tmp / "records.json").write_text(json.dumps(records, ensure_ascii=False))
    return WebLedger(plain=paths["plain"], corpus=paths["corpus"], ids=ids, records=records)


@pytest.fixture(scope="session")
def web_ledger(tmp_path_factory: pytest.TempPathFactory, nlp: Any) -> WebLedger:
    return build(tmp_path_factory.mktemp("web-ledger"), nlp)
