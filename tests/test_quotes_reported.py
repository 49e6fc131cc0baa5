"""What a quote reports (`Quote.reported`): speech, belief, evidence or only a topic, and the quote
lists that show speech unless asked (CLI `quotes --reported`, `/api/quotes?reported=`, the explorer)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from newsledger.analyze import analyze
from newsledger.model import Analysis, RawDoc

TEXT = ("Senator Jane Ward endorsed Mayor Tom Reyes on Tuesday. Ward said the bridge plan would fail. "
        "Most residents believe the council is wasting money. A city audit found that the contracts "
        "were never tendered. “We will not back down,” Reyes said.")


def _quotes(nlp, text: str) -> dict[str, str]:
    out = analyze(RawDoc(id="t", text=text, published="2026-03-02"), nlp)
    assert isinstance(out, Analysis), out
    return {q.text: q.reported for q in out.quotes}


@pytest.mark.parametrize("text, content, reported", [
    ("Warren said the bill would fail.", "the bill would fail", "speech"),
    ("“We will win,” she said.", "“We will win,”", "speech"),
    ("Most voters believe the economy is weak.", "the economy is weak", "belief"),
    ("Trump is expected to win the state.", "Trump is expected to win the state", "belief"),
    ("A new poll shows that the governor leads.", "that the governor leads", "evidence"),
    # a noun phrase: what the report was about or for, not what was said
    ("Sanders endorsed Clinton.", "Clinton", "topic"),
    ("The senator did not respond to a request for comment.", "a request for comment", "topic"),
    ("Warren criticized the trade deal.", "the trade deal", "topic"),
    # a noun phrase with a clause inside is still a noun phrase
    ("The governor unveiled a proposal to create a new office.", "a proposal to create a new office",
     "topic"),
    # but when the cue says something of its object, that is what was said
    ("He urged other candidates to drop out.", "other candidates to drop out", "speech"),
    ("Voters described the campaign of Donald Trump as most unfair.",
     "the campaign of Donald Trump as most unfair", "speech"),
])
def test_what_a_quote_reports(nlp, text, content, reported):
    got = _quotes(nlp, text)
    assert got.get(content) == reported, got


def test_every_quote_in_the_contract_says_what_it_reports(nlp):
    from newsledger.model import to_dict
    from newsledger.schema import validate

    out = analyze(RawDoc(id="t", text=TEXT, published="2026-03-02"), nlp)
    rec = to_dict(out)  # type: ignore[arg-type]
    validate(rec)
    assert {q["reported"] for q in rec["quotes"]} == {"speech", "belief", "evidence", "topic"}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory, nlp) -> Path:
    from newsledger import cli

    folder = tmp_path_factory.mktemp("reported")
    (folder / "src").mkdir()
    (folder / "src" / "ward.txt").write_text("Ward and Reyes\n\n" + TEXT + "\n", encoding="utf-8")
    db = folder / "l.db"
    assert cli.main(["ingest", str(folder / "src"), "--db", str(db), "--quiet"]) == 0
    return db


def _cli_quotes(db: Path, capsys, *extra: str) -> list[dict]:
    from newsledger import cli

    capsys.readouterr()
    assert cli.main(["quotes", "--db", str(db), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_quote_lists_show_speech_unless_asked(ledger, capsys):
    default = _cli_quotes(ledger, capsys)
    every = _cli_quotes(ledger, capsys, "--reported", "all")
    topics = _cli_quotes(ledger, capsys, "--reported", "topic")
    assert default and {q["reported"] for q in default} == {"speech"}
    assert {q["reported"] for q in every} == {"speech", "belief", "evidence", "topic"}
    assert [q["text"] for q in topics] == ["Mayor Tom Reyes on Tuesday"]
    assert len(every) == sum(len(_cli_quotes(ledger, capsys, "--reported", r))
                             for r in ("speech", "belief", "evidence", "topic"))


def test_the_count_and_facets_filter_as_the_list_does(ledger):
    from newsledger.ledger import counts, queries, store

    conn = store.connect_readonly(ledger)
    for reported in ("speech", "topic", "all"):
        listed = queries.quotes(conn, reported=reported, limit=100)
        assert counts.quotes(conn, reported=reported).n == len(listed)
    with pytest.raises(ValueError, match="reported must be one of"):
        queries.quotes(conn, reported="rumour")


def test_an_older_ledger_is_read_with_its_quotes_shown_as_speech(ledger, tmp_path):
    """A version 3 ledger has no quotes.reported: read as it is (never migrated by a reader), its quotes
    count as speech; an ingest migrates it."""
    from newsledger.ledger import queries, store

    old = tmp_path / "v3.db"
    old.write_bytes(ledger.read_bytes())
    c = sqlite3.connect(old)
    c.executescript("ALTER TABLE quotes DROP COLUMN reported; PRAGMA user_version = 3;")
    c.close()
    conn = store.connect_readonly(old)
    listed = queries.quotes(conn, limit=100)
    assert len(listed) == len(queries.quotes(conn, reported="all", limit=100)) > 0
    assert {q["reported"] for q in listed} == {None}
    assert queries.quotes(conn, reported="topic", limit=100) == []
    conn.close()
    assert old.read_bytes()[:100] and sqlite3.connect(old).execute("PRAGMA user_version").fetchone()[0] == 3
    writer = store.connect(old)
    assert writer.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    assert "reported" in {r[1] for r in writer.execute("PRAGMA table_info(quotes)")}


def test_the_api_filters_and_refuses_an_unknown_value(ledger):
    from fastapi.testclient import TestClient

    from newsledger.web.app import create_app

    client = TestClient(create_app(str(ledger)))
    speech = client.get("/api/quotes").json()["items"]
    topic = client.get("/api/quotes", params={"reported": "topic"}).json()["items"]
    assert speech and {q["reported"] for q in speech} == {"speech"}
    assert [q["text"] for q in topic] == ["Mayor Tom Reyes on Tuesday"]
    assert client.get("/api/quotes", params={"reported": "rumour"}).status_code == 422
    badge = '<span class="badge">topic</span>'
    page = client.get("/search", params={"q": "Reyes", "reported": "all"})
    assert page.status_code == 200 and badge in page.text
    assert badge not in client.get("/search", params={"q": "Reyes"}).text


def test_a_timeline_keeps_every_report_and_says_which_are_only_topics(ledger):
    """What an entity said and did: an endorsement is on its timeline, marked as a topic, not a quote."""
    from fastapi.testclient import TestClient

    from newsledger.ledger import queries, store
    from newsledger.web.app import create_app

    conn = store.connect_readonly(ledger)
    ward = queries.find_entities(conn, "Jane Ward", limit=1)[0]
    said = {it["text"]: it["reported"] for it in queries.timeline(conn, ward["id"])
            if it["type"] == "quote"}
    assert said.get("Mayor Tom Reyes on Tuesday") == "topic" and "speech" in said.values()
    page = TestClient(create_app(str(ledger))).get(f"/entities/{ward['id']}").text
    assert '<span class="badge">topic</span>' in page and '<span class="badge">quote</span>' in page
