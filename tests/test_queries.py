"""ledger/queries.py over real ledgers (the real pipeline wrote them; see webledger.py)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsledger.ledger import queries as Q
from newsledger.ledger import query_sql, store
from newsledger.schema import validate
from webledger import WebLedger, web_ledger  # noqa: F401  (session fixture)

BIG_TABLES = {"articles", "quotes", "events", "mentions", "amounts", "timexes", "flags", "copies"}


@pytest.fixture(scope="module")
def corpus(web_ledger: WebLedger) -> Iterator[sqlite3.Connection]:  # noqa: F811
    conn = store.connect_readonly(web_ledger.corpus)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def plain(web_ledger: WebLedger) -> Iterator[sqlite3.Connection]:  # noqa: F811
    conn = store.connect_readonly(web_ledger.plain)
    yield conn
    conn.close()


def _count(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def test_stats_counts_what_is_stored(corpus: sqlite3.Connection, web_ledger: WebLedger) -> None:  # noqa: F811
    s = Q.stats(corpus)
    assert {"articles", "stories", "entities", "quotes", "events", "amounts", "sources", "copies",
            "failures"} <= set(s)
    assert s["articles"] == len(web_ledger.ids)
    assert s["stories"] == s["articles"] - 1  # the re-post joined its original's story
    assert s["events"] == sum(len(r["events"]) for r in web_ledger.records.values())
    assert s["quote_reports"] == sum(len(r["quotes"]) for r in web_ledger.records.values())
    assert s["quotes"] < s["quote_reports"]  # the re-post's quotes are clustered with the original's
    assert s["failures"] == 0 and s["copies"] == s["articles"]


def test_quotes_by_speaker_name_any_case(corpus: sqlite3.Connection, plain: sqlite3.Connection) -> None:
    for conn in (corpus, plain):
        found = Q.quotes(conn, speaker="PUTIN", limit=100)
        assert found, "no quote by Putin"
        assert all("putin" in q["speaker"]["name"].lower() for q in found)
        assert any("foreign troops" in q["text"] for q in found)
    # with corpus entities the speaker carries the entity id, without them null
    assert all(isinstance(q["speaker"]["entity"], int) for q in Q.quotes(corpus, speaker="putin"))
    assert all(q["speaker"]["entity"] is None for q in Q.quotes(plain, speaker="putin"))


def test_quote_search_and_sources_point_at_the_words(corpus: sqlite3.Connection) -> None:
    found = Q.quotes(corpus, search="maximum pressure", limit=50)
    assert found and all("maximum pressure" in q["text"].lower() for q in found)
    assert any(q["speaker"] and q["speaker"]["name"] == "Mark Carney" for q in found)
    for q in found:
        for s in q["sources"]:
            text = corpus.execute("SELECT text FROM articles WHERE id = ?", (s["article_id"],)).fetchone()[0]
            assert text[s["start"]:s["end"]] == q["text"]
            assert re.fullmatch(r"Q\d+", s["local_id"])


def test_search_text_is_never_fts_syntax(corpus: sqlite3.Connection) -> None:
    for nasty in ['"', 'AND(', '"pressure', 'NEAR(a b', "*", "pressure OR", "' OR 1=1 --", "a:b", "^x"]:
        Q.quotes(corpus, search=nasty)
        Q.quotes(corpus, speaker=nasty)
        Q.articles(corpus, search=nasty)
    assert Q.quotes(corpus, search='"') == []  # nothing searchable: no results, not everything
    assert Q.quotes(corpus, search='pressure"') == Q.quotes(corpus, search="pressure")


def test_quote_clusters_list_every_source(corpus: sqlite3.Connection, web_ledger: WebLedger) -> None:  # noqa: F811
    orig, repost = web_ledger.ids["ministers"], web_ledger.ids["repost"]
    multi = [q for q in Q.quotes(corpus, limit=200) if len(q["sources"]) > 1]
    assert multi
    for q in multi:
        assert [s["article_id"] for s in q["sources"]] == [orig, repost]  # first-seen report first
        assert q["first_seen"] == min(s["published"] for s in q["sources"] if s["published"])
    # one item per cluster: no quote text from the re-post is listed twice
    said = [((q["speaker"] or {}).get("name"), q["text"]) for q in Q.quotes(corpus, limit=200)
            if q["sources"][0]["article_id"] in (orig, repost)]
    assert len(said) == len(set(said))


def test_quote_dates_and_pages(corpus: sqlite3.Connection) -> None:
    sept = Q.quotes(corpus, since="2025-09", until="2025-09", limit=200)
    assert sept and all(q["date"].startswith("2025-09") for q in sept)
    assert all(q["date"] >= "2026" for q in Q.quotes(corpus, since="2026", limit=200))
    first, second = Q.quotes(corpus, limit=3), Q.quotes(corpus, limit=3, offset=3)
    assert len(first) == 3 and not {q["id"] for q in first} & {q["id"] for q in second}
    dates = [q["date"] or "" for q in Q.quotes(corpus, limit=200)]
    assert dates == sorted(dates, reverse=True)  # newest first, undated last
    with pytest.raises(ValueError, match="since"):
        Q.quotes(corpus, since="last week")
    assert len(Q.quotes(corpus, limit=10_000)) <= Q.MAX_LIMIT


def test_events_filters(corpus: sqlite3.Connection, plain: sqlite3.Connection) -> None:
    threats = Q.events(corpus, category="threaten", limit=100)
    assert threats and all(e["category"] == "THREATEN" for e in threats)
    for conn in (corpus, plain):
        by_putin = Q.events(conn, actor="Putin")
        assert by_putin and all("Putin" in e["actor"]["name"] for e in by_putin)
    for e in Q.events(corpus, limit=100):
        text = corpus.execute("SELECT text FROM articles WHERE id = ?", (e["article_id"],)).fetchone()[0]
        assert text[e["trigger"]["start"]:e["trigger"]["end"]] == e["trigger"]["text"]
        assert e["evidence_text"] == text[e["evidence"]["start"]:e["evidence"]["end"]]
    assert Q.events(corpus, actor="Nobody Atall") == []


def test_entities_and_one_entity(corpus: sqlite3.Connection) -> None:
    people = Q.entities(corpus, type="person", limit=100)
    assert people and all(e["type"] == "PERSON" for e in people)
    carney = Q.find_entities(corpus, "carney")[0]
    assert carney["name"] == "Mark Carney"
    ent = Q.entity(corpus, carney["id"])
    assert ent is not None
    said = _count(corpus, "SELECT count(*) FROM quotes WHERE speaker_name = 'Mark Carney'")
    assert ent["counts"]["quotes"] == said
    assert ent["counts"]["articles"] >= 1 and ent["counts"]["mentions"] >= ent["counts"]["articles"]
    assert "Mark Carney" in ent["aliases"]
    assert Q.entity(corpus, 10**9) is None
    assert Q.find_entities(corpus, "   ") == []
    assert Q.find_entities(corpus, "Carn") == []  # whole words: a name's prefix is not a match
    assert [e["name"] for e in Q.find_entities(corpus, "mark  CARNEY")] == ["Mark Carney"]
    assert Q.entities(corpus, search="zzzz-no-such") == []


def test_entities_before_resolution_fall_back_to_article_names(plain: sqlite3.Connection) -> None:
    listed = Q.entities(plain, type="PERSON", limit=100)
    assert listed and all(e["id"] is None for e in listed)
    assert "Vladimir Putin" in {e["name"] for e in listed}


def test_timeline_is_what_the_entity_said_and_did_by_date(corpus: sqlite3.Connection) -> None:
    putin = Q.find_entities(corpus, "Vladimir Putin")[0]["id"]
    items = Q.timeline(corpus, putin)
    kinds = {i["type"] for i in items}
    assert kinds == {"quote", "event"}
    dated = [i["date"] for i in items if i["date"]]
    assert dated == sorted(dated)
    for i in items:
        aid = i["article"]["article_id"]
        text = corpus.execute("SELECT text FROM articles WHERE id = ?", (aid,)).fetchone()[0]
        ev = i["evidence"]
        assert 0 <= ev["start"] < ev["end"] <= len(text)
        if i["type"] == "quote":
            assert i["speaker"]["entity"] == putin and text[ev["start"]:ev["end"]] == i["text"]
        else:
            assert putin in ((i["actor"] or {}).get("entity"), (i["target"] or {}).get("entity"))
    assert Q.timeline(corpus, putin, since="2030") == []


def test_timeline_keeps_what_an_entity_did_apart_from_what_was_done_to_it(corpus: sqlite3.Connection) -> None:
    russia = Q.find_entities(corpus, "Russia")[0]["id"]
    everything = Q.timeline(corpus, russia)
    did = Q.timeline(corpus, russia, roles=("actor",))
    done_to = Q.timeline(corpus, russia, roles=("target",))
    assert all(i["role"] == "actor" and (i["actor"] or {}).get("entity") == russia for i in did)
    assert all(i["role"] == "target" and (i["target"] or {}).get("entity") == russia for i in done_to)
    assert done_to, "the corpus has events aimed at Russia"
    events = {i["id"] for i in everything if i["type"] == "event"}
    assert events == {i["id"] for i in did} | {i["id"] for i in done_to}
    assert Q.timeline(corpus, russia, roles=("speaker",)) == [i for i in everything if i["type"] == "quote"]


def test_article_is_the_analyze_contract_plus_ledger_fields(corpus: sqlite3.Connection,
                                                            web_ledger: WebLedger) -> None:  # noqa: F811
    for name, aid in web_ledger.ids.items():
        art = Q.article(corpus, aid)
        assert art is not None and art["article_id"] == aid
        validate(Q.contract(art))  # the JSON schema of `newsledger analyze`, offsets included
        rec = web_ledger.records[name]
        assert art["text"] == rec["text"] and len(art["quotes"]) == len(rec["quotes"])
        assert [q["speaker"] for q in art["quotes"]] == [q["speaker"] for q in sorted(
            rec["quotes"], key=lambda q: q["start"])]
    assert Q.article(corpus, 10**9) is None


def test_article_story_and_flags(corpus: sqlite3.Connection, web_ledger: WebLedger) -> None:  # noqa: F811
    orig, repost = web_ledger.ids["ministers"], web_ledger.ids["repost"]
    art = Q.article(corpus, repost)
    assert art is not None
    assert art["story"]["republished_of"] == orig
    assert [a["article_id"] for a in art["story"]["articles"]] == [orig, repost]
    assert "republished" in {f["code"] for f in art["flags"]}
    alone = Q.article(corpus, web_ledger.ids["council"])
    assert alone is not None
    assert [a["article_id"] for a in alone["story"]["articles"]] == [alone["article_id"]]


def test_articles_filters(corpus: sqlite3.Connection, web_ledger: WebLedger) -> None:  # noqa: F811
    stale = Q.articles(corpus, flag="stale_date")
    assert web_ledger.ids["seed"] in {a["article_id"] for a in stale}
    assert all("stale_date" in a["flags"] for a in stale)
    assert [a["article_id"] for a in Q.articles(corpus, search="dockworkers")] == [web_ledger.ids["port"]]
    sited = Q.articles(corpus, site="Coastline Herald")
    assert sited and all(a["site"] == "Coastline Herald" for a in sited)
    in_2026 = Q.articles(corpus, since="2026-01-01")
    assert in_2026 and all(a["published"] >= "2026" for a in in_2026)


def test_stories(corpus: sqlite3.Connection, plain: sqlite3.Connection, web_ledger: WebLedger) -> None:  # noqa: F811
    top = Q.stories(corpus, limit=1)[0]
    assert top["size"] == 2
    assert [a["article_id"] for a in top["articles"]] == [web_ledger.ids[k] for k in ("ministers", "repost")]
    assert all(s["size"] == 1 for s in Q.stories(plain, limit=100))


def _plans(conn: sqlite3.Connection, run: object) -> list[tuple[str, str]]:
    """(sql, plan line) for every statement `run()` executes."""
    stmts: list[str] = []
    conn.set_trace_callback(stmts.append)
    try:
        run()  # type: ignore[operator]
    finally:
        conn.set_trace_callback(None)
    out = []
    for sql in stmts:
        if sql.lstrip().upper().startswith("SELECT") or sql.lstrip().upper().startswith("WITH"):
            for row in conn.execute("EXPLAIN QUERY PLAN " + sql):
                out.append((sql, row[3]))
    return out


def test_quote_search_and_timeline_use_indexes(corpus: sqlite3.Connection) -> None:
    """The 1M-quote benchmark queries must not scan a big table (SCAN without an index)."""
    putin = Q.find_entities(corpus, "putin")[0]["id"]
    calls = [lambda: Q.quotes(corpus, search="pressure"), lambda: Q.quotes(corpus, speaker="putin"),
             lambda: Q.quotes(corpus, speaker="putin", search="troops", since="2025"),
             lambda: Q.timeline(corpus, putin), lambda: Q.quotes(corpus, limit=20),
             lambda: Q.article(corpus, 1), lambda: Q.events(corpus, actor="putin")]
    for call in calls:
        for sql, plan in _plans(corpus, call):
            m = re.match(r"SCAN (\w+)(?! USING)", plan)
            if m and "USING" not in plan:
                alias = m.group(1)
                table = re.search(rf"\b(\w+)\s+(?:AS\s+)?{alias}\b", sql)
                name = alias if alias in BIG_TABLES else (table.group(1) if table else alias)
                assert name not in BIG_TABLES, f"full scan of {name}: {plan}\n{sql}"


def test_both_search_plans_give_the_same_page(corpus: sqlite3.Connection,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A common word walks the date index, a rare one fetches its hits: same results either way
    (clusters included: the re-post's words find the original's representative)."""
    searches = [{"search": "said"}, {"search": "grid"}, {"search": "pressure"}, {"speaker": "putin"},
                {"search": "charity"}, {"search": "the", "since": "2026"},
                {"speaker": "Carney", "search": "Ukraine"}]
    real = query_sql.walk
    never = lambda conn, table, sql, params, window: real(conn, table, sql, params, 10**15)  # noqa: E731
    for limit, offset in ((50, 0), (3, 2)):
        for kw in searches:
            monkeypatch.setattr(query_sql, "walk", lambda *a: None)
            walked = Q.quotes(corpus, limit=limit, offset=offset, **kw)
            monkeypatch.setattr(query_sql, "walk", never)
            fetched = Q.quotes(corpus, limit=limit, offset=offset, **kw)
            assert walked == fetched, kw
            assert walked or offset, kw
        for extra in ({"category": "THREATEN"}, {"category": "request", "actor": "Carney"}):
            monkeypatch.setattr(query_sql, "walk", lambda *a: None)
            walked_e = Q.events(corpus, limit=limit, offset=offset, **extra)
            monkeypatch.setattr(query_sql, "walk", never)
            assert walked_e == Q.events(corpus, limit=limit, offset=offset, **extra), extra
            assert walked_e or offset, extra
        for words in ("said", "the minister", "dockworkers"):
            monkeypatch.setattr(query_sql, "walk", lambda *a: None)
            walked_a = Q.articles(corpus, search=words, limit=limit, offset=offset)
            monkeypatch.setattr(query_sql, "walk", never)
            assert walked_a == Q.articles(corpus, search=words, limit=limit, offset=offset), words
    charity = Q.quotes(corpus, search="charity")
    assert charity and len(charity[0]["sources"]) == 2  # found through the cluster, both reports listed


def test_a_speaker_that_names_nobody_is_no_speaker(tmp_path: Path, nlp: Any) -> None:
    """'It said', 'they say' resolved to no one: a quote list shows no speaker, not "it"."""
    from newsledger.analyze import analyze_stream
    from newsledger.ledger import store, writer
    from newsledger.ledger.corpus import run_corpus_steps
    from newsledger.model import Outcome, RawDoc, raw_key, to_dict

    raw = RawDoc(id="n", text="Budget talks stalled on Monday.\n\nIt said the plan would fail. "
                              "\"We will not sign,\" Mayor Helen Okafor said.")
    (res,) = analyze_stream([raw], nlp)
    rec = to_dict(res)  # type: ignore[arg-type]
    conn = store.connect(tmp_path / "n.db")
    ids = writer.write_batch(conn, [Outcome(key=raw_key(raw), origin="test", locator="n", record=rec)]).new
    run_corpus_steps(conn, list(ids))
    by_text = {q["text"]: q for q in Q.quotes(conn, limit=10)}
    assert by_text['"We will not sign,"']["speaker"]["name"] == "Helen Okafor"
    assert by_text["the plan would fail"]["speaker"] is None  # analyze's record keeps the mention "It"
    assert rec["quotes"][0]["speaker"]["name"] == "It"


def test_a_name_many_entities_share_still_finds_the_one_that_acts(web_ledger: WebLedger,  # noqa: F811
                                                                  tmp_path: Any) -> None:
    """The issue's "timeline Trump opened a one-event ORG 'Trump'": many short names containing the
    typed one (an ORG the tagger called "Putin", "Putin Fan 7", …) must not hide the person who says
    and does the most, in the explorer and API (which ask for one) as in the CLI."""
    db = tmp_path / "copy.db"
    with sqlite3.connect(f"file:{web_ledger.corpus}?mode=ro", uri=True) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    conn.executemany("INSERT INTO entities(name, type, aliases) VALUES (?, 'ORG', '[]')",
                     [("Putin",)] + [(f"Putin Fan {i}",) for i in range(40)])
    conn.commit()
    assert Q.find_entities(conn, "Putin", limit=1)[0]["name"] == "Vladimir Putin"
    assert Q.quotes(conn, speaker="Putin") and all(q["speaker"]["name"] == "Vladimir Putin"
                                                   for q in Q.quotes(conn, speaker="Putin"))
