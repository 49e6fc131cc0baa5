"""Bad arguments are exit 2 with a message saying what is allowed, never a traceback; names that match
nothing say so and suggest near ones; a name resolves to the entity that says and does the most."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES
from newsledger import cli


@pytest.mark.parametrize(("argv", "words"), [
    (["quotes", "--since", "yesterday"], "YYYY, YYYY-MM or YYYY-MM-DD"),
    (["quotes", "--since", "2025-13"], "month must be in 1..12"),
    (["events", "--until", "2025-02-30"], "day is out of range"),
    (["events", "--category", "THREATN"], "did you mean THREATEN?"),
    (["quotes", "--limit", "0"], "from 1 to 500"),
    (["quotes", "--limit", "100000"], "page through more with --offset"),
    (["quotes", "--limit", "-5"], "from 1 to 500"),
    (["entities", "--offset", "-1"], "0 or more"),
    (["entities", "--type", "people"], "PERSON"),
    (["serve", "--port", "99999"], "from 1 to 65,535"),
    (["ingest", "x", "--max-bytes", "-1"], "1 or more"),
    (["ingest", "x", "--max-bytes", "0"], "1 or more"),  # 0 is not "no limit": every document would fail
    (["analyze", "x.txt", "--max-bytes", "0"], "1 or more"),
    (["serve", "--port", "0"], "from 1 to 65,535"),
    (["serve", "--max-analyze-bytes", "-1"], "from 1024 to"),
    (["serve", "--analyze-timeout", "0"], "more than 0"),
    (["ingest", "x", "--rate", "-2"], "from 0 to 3600"),
    (["analyze", "x.txt", "--workers", "0"], "from 1 to 256"),
])
def test_bad_arguments_say_what_is_allowed(argv, words, capsys):
    assert cli.main(argv) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_a_category_is_any_case(tmp_path, capsys):
    assert cli.main(["events", "--category", "threaten", "--db", str(tmp_path / "none.db")]) == cli.EXIT_USAGE
    assert "no ledger at" in capsys.readouterr().err  # the category passed; the missing ledger is the error


def test_ingest_of_a_missing_path_names_it_and_creates_nothing(tmp_path, capsys):
    db = tmp_path / "l.db"
    code = cli.main(["ingest", str(tmp_path / "missing.jsonl"), str(EXAMPLES), "--db", str(db)])
    assert code == cli.EXIT_USAGE
    assert "missing.jsonl" in capsys.readouterr().err
    assert not db.exists()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "l.db"
    assert cli.main(["ingest", str(EXAMPLES), "--db", str(db), "--quiet"]) == cli.EXIT_OK
    return db


@pytest.mark.slow
def test_names_resolve_to_the_busiest_entity_ids_work_and_misses_suggest(ledger: Path, capsys):
    assert cli.main(["timeline", "Putin", "--db", str(ledger), "--json"]) == cli.EXIT_OK
    import json

    items = json.loads(capsys.readouterr().out)
    putin = {i["speaker"]["entity"] for i in items if i["type"] == "quote"}
    assert len(putin) == 1
    (pid,) = putin
    assert cli.main(["timeline", str(pid), "--db", str(ledger), "--json"]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out) == items
    assert cli.main(["quotes", "--speaker", str(pid), "--db", str(ledger), "--json"]) == cli.EXIT_OK
    said = json.loads(capsys.readouterr().out)
    assert said and all(q["speaker"]["entity"] == pid for q in said)
    assert cli.main(["timeline", "Ptin", "--db", str(ledger)]) == cli.EXIT_SOME_FAILED
    assert "did you mean 'Putin'" in capsys.readouterr().err


@pytest.mark.slow
def test_csv_rows_carry_their_evidence_and_numbers_stay_numbers(ledger: Path, capsys):
    import csv
    import io

    assert cli.main(["quotes", "--db", str(ledger), "--csv", "--limit", "20"]) == cli.EXIT_OK
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows
    assert {"quote_id", "speaker_entity_id", "article_id", "title", "url", "start", "end"} <= set(rows[0])
    assert all(r["article_id"].isdigit() and int(r["start"]) < int(r["end"]) for r in rows)
    # a link to the words in the explorer: the article's page, at the quote's mark
    assert all(r["evidence_link"].startswith(f"/articles/{r['article_id']}#q-Q") for r in rows)
    assert cli.main(["events", "--db", str(ledger), "--csv"]) == cli.EXIT_OK
    ev = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert ev
    assert {"actor_entity_id", "trigger_start", "evidence_end", "confidence", "article_id"} <= set(ev[0])
    assert cli.main(["stats", "--db", str(ledger), "--csv"]) == cli.EXIT_OK
    stats = {r["what"]: r["count"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert all(v.isdigit() for v in stats.values())  # 1234, never "1,234"
    assert cli.main(["timeline", "Putin", "--db", str(ledger), "--csv"]) == cli.EXIT_OK
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert all(header) and "article_id" in header


@pytest.mark.slow
def test_oldest_first(ledger: Path, capsys):
    import json

    for command in ("quotes", "events"):
        assert cli.main([command, "--db", str(ledger), "--json", "--limit", "500"]) == cli.EXIT_OK
        newest = [r["date"] for r in json.loads(capsys.readouterr().out)]
        assert cli.main([command, "--db", str(ledger), "--json", "--limit", "500", "--oldest"]) == cli.EXIT_OK
        oldest = [r["date"] for r in json.loads(capsys.readouterr().out)]
        dated = [d for d in newest if d]
        assert oldest and oldest == sorted(dated), command  # the dated ones, the other way round
        assert newest[:len(dated)] == sorted(dated, reverse=True), command  # undated last


@pytest.mark.slow
def test_export_writes_the_users_tables_with_entity_ids(ledger: Path, tmp_path: Path, capsys):
    import pyarrow.parquet as pq

    out = tmp_path / "pq"
    assert cli.main(["export", "--db", str(ledger), "--parquet", str(out)]) == cli.EXIT_OK
    names = {p.stem for p in out.glob("*.parquet")}
    assert {"articles", "quotes", "events", "entities"} <= names
    assert not names & {"article_bands", "quote_bands", "article_minhash", "entity_keys", "corpus_state"}
    quotes = pq.read_table(out / "quotes.parquet")
    assert quotes.column("speaker_entity_id").null_count < len(quotes)
    assert {"actor_entity_id", "target_entity_id"} <= set(pq.read_table(out / "events.parquet").column_names)
    only = tmp_path / "only"
    base = ["export", "--db", str(ledger), "--parquet", str(only), "--tables"]
    assert cli.main([*base, "quotes"]) == cli.EXIT_OK
    assert {p.stem for p in only.glob("*.parquet")} == {"quotes"}
    assert cli.main([*base, "nope"]) == cli.EXIT_USAGE
    assert "no table nope" in capsys.readouterr().err
