"""The corpus steps on a real SQLite ledger built from invented articles run through the real
pipeline: stories of near-duplicates, entities across articles, quote clusters, the actor
dictionary, idempotence and incremental work."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import ledger_texts as T
from newsledger.analyze import analyze_stream
from newsledger.ledger import store, writer
from newsledger.ledger.actors import ActorDictionaryError, load_actors, parse_actors
from newsledger.ledger.corpus import CorpusReport, run_corpus_steps
from newsledger.ledger.names import person_name, same_person
from newsledger.ledger.stories import group_stories
from newsledger.model import Failure, Outcome, RawDoc, raw_key, to_dict

DATES = {
    "FERRY": "2024-03-05", "FERRY_REPOST": "2024-03-07", "FERRY_LAWSUIT": "2024-04-02",
    "FERRY_FARES": "2024-02-20", "PUTIN_1": "2024-03-05", "PUTIN_2": "2024-03-06",
    "PUTIN_3": "2024-03-07", "PUTIN_4": "2024-03-08", "SMITH_1": "2024-03-01", "SMITH_2": "2024-03-02",
    "SMITH_3": "2024-03-03", "SMITH_4": "2024-03-04",
}


@pytest.fixture(scope="module")
def outcomes(nlp: Any) -> dict[str, Outcome]:
    """Every invented article analysed once (the spaCy-heavy part), by its name in ledger_texts."""
    raws = [RawDoc(id=n, text=getattr(T, n), published=d, url=f"https://news.example/{n.lower()}")
            for n, d in DATES.items()]
    out = {}
    for raw, a in zip(raws, analyze_stream(raws, nlp=nlp), strict=True):
        assert not isinstance(a, Failure), a
        out[raw.id] = Outcome(key=raw_key(raw), origin="test", locator=raw.id, record=to_dict(a))
    return out


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return store.connect(tmp_path / "ledger.db")


def ingest(conn: sqlite3.Connection, outcomes: dict[str, Outcome], *names: str, actors: Any = None
           ) -> tuple[dict[str, int], CorpusReport]:
    """Store the named articles as one batch and run the corpus steps on it, as an ingest would."""
    res = writer.write_batch(conn, [outcomes[n] for n in names])
    assert len(res.new) == len(names)
    return dict(zip(names, res.new, strict=True)), run_corpus_steps(conn, res.new, actors=actors)


def article(conn: sqlite3.Connection, aid: int) -> sqlite3.Row:
    return conn.execute("SELECT * FROM articles WHERE id = ?", (aid,)).fetchone()


def flags(conn: sqlite3.Connection, aid: int, code: str = "republished") -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM flags WHERE article_id = ? AND code = ?", (aid, code)).fetchall()


def entity_of(conn: sqlite3.Connection, aid: int, name: str) -> int:
    row = conn.execute("SELECT entity_id FROM article_entities WHERE article_id = ? AND name = ?",
                       (aid, name)).fetchone()
    assert row is not None, f"article {aid} has no entity named {name!r}"
    return int(row[0])


def quote_cluster(conn: sqlite3.Connection, aid: int, words: str) -> tuple[int, int]:
    """(quotes.id, cluster_id) of the article's quote containing `words`."""
    row = conn.execute("SELECT id, cluster_id FROM quotes WHERE article_id = ? AND instr(text, ?)",
                       (aid, words)).fetchone()
    assert row is not None, f"no quote with {words!r} in article {aid}"
    return row[0], row[1]


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                         " AND name NOT LIKE '%fts%' AND name NOT LIKE 'sqlite_%'")]
    return {t: sorted(tuple(r) for r in conn.execute(f"SELECT * FROM {t}")) for t in tables}


def test_repost_with_edits_is_one_story_with_the_original_first(conn, outcomes):
    ids, report = ingest(conn, outcomes, "FERRY", "FERRY_REPOST")
    orig, repost = article(conn, ids["FERRY"]), article(conn, ids["FERRY_REPOST"])
    assert orig["story_id"] == repost["story_id"] == orig["id"]
    assert orig["republished_of"] is None and repost["republished_of"] == orig["id"]
    assert not flags(conn, orig["id"])
    (flag,) = flags(conn, repost["id"])
    assert orig["title"] in flag["message"] and "2024-03-05" in flag["message"]
    (ev,) = json.loads(flag["evidence"])
    assert ev["article"] == orig["id"] and ev["url"] == orig["url"]
    assert (report.stories, report.republished) == (1, 1)


def test_an_earlier_original_ingested_later_repoints_the_story(conn, outcomes):
    first, _ = ingest(conn, outcomes, "FERRY_REPOST")
    assert article(conn, first["FERRY_REPOST"])["story_id"] == first["FERRY_REPOST"]
    later, report = ingest(conn, outcomes, "FERRY")
    repost, orig = first["FERRY_REPOST"], later["FERRY"]
    assert article(conn, orig)["story_id"] == orig and article(conn, orig)["republished_of"] is None
    assert article(conn, repost)["story_id"] == orig and article(conn, repost)["republished_of"] == orig
    assert not flags(conn, orig)
    (flag,) = flags(conn, repost)
    assert json.loads(flag["evidence"])[0]["article"] == orig
    assert report.repointed == 1 and report.republished == 0


def test_a_stale_repost_speaks_from_its_reference_date(conn, outcomes):
    stale = copy.deepcopy(outcomes["FERRY_REPOST"])
    assert stale.record is not None
    stale.record.update(published="2024-09-01", reference_date="2024-03-01")
    stale.record["flags"] = [*stale.record["flags"],
                             {"code": "stale_date", "message": "old text", "evidence": []}]
    res = writer.write_batch(conn, [outcomes["FERRY"], stale])
    run_corpus_steps(conn, res.new)
    ferry, repost = res.new
    assert article(conn, ferry)["republished_of"] == repost  # 2024-03-01 comes before 2024-03-05


def test_different_stories_on_the_same_topic_stay_apart(conn, outcomes):
    ids, report = ingest(conn, outcomes, "FERRY", "FERRY_LAWSUIT", "FERRY_FARES")
    assert {article(conn, i)["story_id"] for i in ids.values()} == set(ids.values())
    assert conn.execute("SELECT count(*) FROM flags WHERE code = 'republished'").fetchone()[0] == 0
    assert report.stories == 3 and report.republished == 0
    # "... did not respond to a request for comment" in two stories: not one quote of one speaker.
    marks = ",".join("?" * len(ids))
    asked = conn.execute(f"SELECT count(*) FROM quotes WHERE article_id IN ({marks})"
                         " AND instr(text, 'request for comment')", list(ids.values())).fetchone()[0]
    assert asked >= 2
    assert conn.execute("SELECT count(*) FROM quotes WHERE cluster_id != id").fetchone()[0] == 0


def test_names_that_are_two_people():
    def same(a: str, b: str) -> bool:
        pa, pb = person_name(a), person_name(b)
        assert pa is not None and pb is not None
        return same_person(pa, pb)

    assert same("Russian President Vladimir Putin", "Vladimir Putin")
    assert same("V. Putin", "Vladimir V. Putin")
    assert same("Hillary Rodham Clinton", "Hillary Clinton") and same("Ursula von der Leyen", "von der Leyen")
    assert not same("John Smith", "Mary Smith") and not same("George W. Bush", "George H.W. Bush")
    assert not same("Donald Trump Jr.", "Donald Trump")


def test_putin_in_three_articles_is_one_entity_with_its_names(conn, outcomes):
    ids, _ = ingest(conn, outcomes, "PUTIN_1", "PUTIN_2", "PUTIN_3")
    eids = {entity_of(conn, ids["PUTIN_1"], "Vladimir Putin"),
            entity_of(conn, ids["PUTIN_2"], "Vladimir Putin"),
            entity_of(conn, ids["PUTIN_3"], "Putin")}
    assert len(eids) == 1
    putin = eids.pop()
    ent = conn.execute("SELECT * FROM entities WHERE id = ?", (putin,)).fetchone()
    assert ent["name"] == "Vladimir Putin" and ent["type"] == "PERSON" and ent["origin"] == "auto"
    assert {"Vladimir Putin", "Putin"} <= set(json.loads(ent["aliases"]))
    assert "President" in json.loads(ent["roles"]) and ent["country"] == "RUS"
    # His timeline: every quote he said in the three articles, oldest first.
    said = {r[0] for r in conn.execute(
        "SELECT q.id FROM quotes q JOIN article_entities ae ON ae.article_id = q.article_id"
        " AND ae.local_id = q.speaker_local WHERE ae.entity_id = ?", (putin,))}
    timeline = conn.execute("SELECT date, kind, item_id FROM entity_timeline WHERE entity_id = ?"
                            " ORDER BY date, kind, item_id", (putin,)).fetchall()
    assert {i for _, k, i in timeline if k == "quote"} == said and len(said) >= 5
    assert timeline[0][0] == DATES["PUTIN_1"] and timeline[-1][0] <= DATES["PUTIN_3"]
    russia = {entity_of(conn, ids["PUTIN_1"], "Russia"), entity_of(conn, ids["PUTIN_2"], "Russia")}
    assert len(russia) == 1
    assert conn.execute("SELECT country FROM entities WHERE id = ?", (russia.pop(),)).fetchone()[0] == "RUS"


def test_a_full_title_and_the_official_country_name_join_their_entities(conn, outcomes):
    """"Russian President Vladimir Putin" as analyze might name him, and "the Russian Federation"."""
    rec = copy.deepcopy(outcomes["PUTIN_3"])
    assert rec.record is not None
    for e in rec.record["entities"]:
        if e["name"] == "Putin":
            e["name"] = "Russian President Vladimir Putin"
    rec.record["entities"].append({"id": "E99", "name": "the Russian Federation", "type": "GPE", "roles": [],
                                   "affiliation": None, "mentions": []})
    ids, _ = ingest(conn, outcomes, "PUTIN_1")
    res = writer.write_batch(conn, [rec])
    run_corpus_steps(conn, res.new)
    assert entity_of(conn, res.new[0], "Russian President Vladimir Putin") == \
        entity_of(conn, ids["PUTIN_1"], "Vladimir Putin")
    assert entity_of(conn, res.new[0], "the Russian Federation") == entity_of(conn, ids["PUTIN_1"], "Russia")


def test_people_sharing_a_surname_stay_apart_and_a_bare_surname_follows_context(conn, outcomes):
    ids, _ = ingest(conn, outcomes, "SMITH_1", "SMITH_2")
    john, mary = entity_of(conn, ids["SMITH_1"], "John Smith"), entity_of(conn, ids["SMITH_2"], "Mary Smith")
    assert john != mary
    more, _ = ingest(conn, outcomes, "SMITH_3", "SMITH_4")
    assert entity_of(conn, more["SMITH_3"], "Smith") == john  # named with the mayor, like John before
    assert entity_of(conn, more["SMITH_4"], "Smith") not in (john, mary)  # nothing tells them apart
    names = {r[0] for r in conn.execute("SELECT name FROM entities WHERE type = 'PERSON'")}
    assert {"John Smith", "Mary Smith"} <= names


def test_the_actor_dictionary_maps_an_alias_and_gives_wikidata(conn, outcomes, tmp_path):
    path = tmp_path / "actors.yaml"
    path.write_text("- name: Vladimir Vladimirovich Putin\n  aliases: [Putin, Vladimir Putin]\n"
                    "  type: PERSON\n  country: Russia\n  wikidata: Q7747\n"
                    "- name: European Union\n  aliases: [EU]\n  type: ORG\n  wikidata: Q458\n",
                    encoding="utf-8")
    actors = load_actors(path)
    ids, report = ingest(conn, outcomes, "PUTIN_1", "PUTIN_3", actors=actors)
    eid = entity_of(conn, ids["PUTIN_3"], "Putin")
    assert eid == entity_of(conn, ids["PUTIN_1"], "Vladimir Putin")
    ent = conn.execute("SELECT * FROM entities WHERE id = ?", (eid,)).fetchone()
    assert (ent["name"], ent["wikidata"], ent["country"], ent["origin"]) == \
        ("Vladimir Vladimirovich Putin", "Q7747", "RUS", "dictionary")
    eu = entity_of(conn, ids["PUTIN_1"], "European Union")
    assert conn.execute("SELECT wikidata FROM entities WHERE id = ?", (eu,)).fetchone()[0] == "Q458"
    assert report.dictionary_matches >= 3


def test_a_dictionary_given_later_takes_over_the_stored_entities(conn, outcomes):
    old, _ = ingest(conn, outcomes, "PUTIN_1", "PUTIN_3")
    auto = entity_of(conn, old["PUTIN_1"], "Vladimir Putin")
    actors = parse_actors("- name: Vladimir Vladimirovich Putin\n  aliases: [Vladimir Putin, Putin]\n"
                          "  type: PERSON\n  wikidata: Q7747\n")
    new, report = ingest(conn, outcomes, "PUTIN_2", actors=actors)
    putin = entity_of(conn, new["PUTIN_2"], "Vladimir Putin")
    assert report.entities_folded == 1 and putin != auto
    assert entity_of(conn, old["PUTIN_1"], "Vladimir Putin") == putin
    assert entity_of(conn, old["PUTIN_3"], "Putin") == putin

    def count(sql: str, *args: Any) -> int:
        return int(conn.execute(sql, args).fetchone()[0])

    assert count("SELECT count(*) FROM entities WHERE id = ?", auto) == 0
    assert count("SELECT count(*) FROM entity_timeline WHERE entity_id = ?", auto) == 0
    assert count("SELECT count(*) FROM entity_timeline WHERE entity_id = ? AND kind = 'quote'", putin) >= 5
    _, again = ingest(conn, outcomes, "PUTIN_4", actors=actors)
    assert again.entities_folded == 0  # the same dictionary is applied to stored entities once


@pytest.mark.parametrize(("text", "line", "words"), [
    ("- name: A\n  aliases: [B\n", 3, "not valid YAML"),
    ("- name: A\n- aliases: [B]\n", 2, "without a 'name'"),
    ("- name: A\n  wikidata: 7747\n", 2, "wikidata"),
    ("- name: A\n  colour: red\n", 2, "unknown field 'colour'"),
    ("- name: A\n  country: Atlantis\n", 2, "unknown country"),
    ("name: A\n", 1, "a YAML list"),
])
def test_a_malformed_actor_dictionary_names_the_line(text, line, words):
    with pytest.raises(ActorDictionaryError) as err:
        parse_actors(text, "actors.yaml")
    assert str(err.value).startswith(f"actors.yaml:{line}:") and words in str(err.value)


def test_the_same_quote_in_several_articles_is_one_cluster_first_seen_earliest(conn, outcomes):
    later, _ = ingest(conn, outcomes, "PUTIN_2")  # 2024-03-06, stored first
    earlier, report = ingest(conn, outcomes, "PUTIN_1", "PUTIN_4")  # 2024-03-05 and a curly, trimmed copy
    words = "first to regret"
    c2 = quote_cluster(conn, later["PUTIN_2"], words)[1]
    q1, c1 = quote_cluster(conn, earlier["PUTIN_1"], words)
    c4 = quote_cluster(conn, earlier["PUTIN_4"], words)[1]
    assert c1 == c2 == c4 == q1
    assert report.quote_clusters >= 1 and report.quotes_repeated >= 2
    # Other quotes by the same speaker stay their own clusters.
    q, c = quote_cluster(conn, later["PUTIN_2"], "new restrictions")
    assert q == c


def test_running_twice_changes_nothing(conn, outcomes):
    res = writer.write_batch(conn, [outcomes[n] for n in ("FERRY", "FERRY_REPOST", "PUTIN_1", "PUTIN_2",
                                                          "SMITH_1", "SMITH_2")])
    first = run_corpus_steps(conn, res.new)
    before = snapshot(conn)
    again = run_corpus_steps(conn, res.new)
    assert snapshot(conn) == before
    assert again == CorpusReport()
    assert again + first == first and (first + first).articles == 2 * first.articles


def test_work_an_interrupted_run_left_is_finished_by_the_next(conn, outcomes):
    """A crash after the batch was stored (or between two steps) leaves NULLs; the next run fills them."""
    lost = writer.write_batch(conn, [outcomes["FERRY"], outcomes["PUTIN_1"]]).new  # steps never ran
    group_stories(conn, lost)  # ... or ran only their first step
    later, report = ingest(conn, outcomes, "FERRY_REPOST", "PUTIN_2")
    assert report.entities_resolved > 0
    for table, col in (("articles", "story_id"), ("article_entities", "entity_id"), ("quotes", "cluster_id")):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE {col} IS NULL").fetchone()[0] == 0
    assert article(conn, later["FERRY_REPOST"])["republished_of"] == lost[0]
    assert entity_of(conn, later["PUTIN_2"], "Vladimir Putin") == entity_of(conn, lost[1], "Vladimir Putin")


def test_a_second_ingest_only_touches_its_own_articles(conn, outcomes):
    ingest(conn, outcomes, "FERRY", "FERRY_LAWSUIT", "PUTIN_1", "SMITH_1")
    old = snapshot(conn)
    res = writer.write_batch(conn, [outcomes["PUTIN_2"]])
    written = conn.total_changes
    report = run_corpus_steps(conn, res.new)
    new_id, = res.new
    # Work done: one article grouped, its own entities and quotes, nothing re-read as pending.
    n_ents = conn.execute("SELECT count(*) FROM article_entities WHERE article_id = ?",
                          (new_id,)).fetchone()[0]
    quotes = {q for (q,) in conn.execute("SELECT id FROM quotes WHERE article_id = ?", (new_id,))}
    n_quotes = len(quotes)
    assert (report.articles, report.entities_resolved, report.quotes) == (1, n_ents, n_quotes)
    # Rows written: the new article's signature, bands and links, plus updates of the entities it
    # names; old articles' story, entity links and quote clusters are left as they were.
    assert conn.total_changes - written < 3 * (40 + 10 * n_quotes + 4 * n_ents)
    new = snapshot(conn)
    for table in ("article_minhash", "article_bands", "quote_bands"):
        assert set(old[table]) <= set(new[table])
        added = {r[0] if table == "article_minhash" else r[-1] for r in set(new[table]) - set(old[table])}
        assert added <= {new_id} | quotes
    old_articles = {r[0]: r for r in old["articles"]}
    for r in new["articles"]:
        if r[0] in old_articles:
            assert r == old_articles[r[0]]
    for table in ("quotes", "article_entities"):  # the old rows keep their clusters and entity links
        assert set(old[table]) <= set(new[table])


def test_a_missing_actor_dictionary_is_a_clear_error(tmp_path):
    with pytest.raises(ActorDictionaryError, match="cannot read the actor dictionary"):
        load_actors(tmp_path / "nope.yaml")


SAME_WORDS = "We will never accept foreign troops on the soil of our neighbour under any flag"
CONFLICT = {  # one sentence from two named speakers and from nobody in particular: whose is it?
    "A": ("2024-05-01", "Vladimir Putin spoke to reporters in Moscow on Monday.\n\n"
                        f'"{SAME_WORDS}," Putin said.'),
    "B": ("2024-05-02", "Mark Carney spoke to reporters in Ottawa on Tuesday.\n\n"
                        f'"{SAME_WORDS}," Carney said.'),
    "C": ("2024-05-03", "A statement was posted online on Wednesday.\n\n"
                        f'"{SAME_WORDS}," the statement said.'),
}


def test_quote_clusters_do_not_depend_on_ingest_order(nlp: Any, tmp_path: Path) -> None:
    raws = [RawDoc(id=n, text=t, published=d, url=f"https://news.example/{n}")
            for n, (d, t) in CONFLICT.items()]
    outs = {r.id: Outcome(key=raw_key(r), origin="test", locator=r.id, record=to_dict(a))
            for r, a in zip(raws, analyze_stream(raws, nlp=nlp), strict=True)}

    def groups(order: str) -> set[frozenset[str]]:
        conn = store.connect(tmp_path / f"{order}.db")
        for name in order:  # one batch per article, as separate ingests would
            res = writer.write_batch(conn, [outs[name]])
            run_corpus_steps(conn, res.new)
        rows = conn.execute("SELECT a.doc_id, q.cluster_id FROM quotes q"
                            " JOIN articles a ON a.id = q.article_id"
                            " WHERE instr(q.text, 'foreign troops')").fetchall()
        by: dict[int, set[str]] = {}
        for doc, cluster in rows:
            by.setdefault(cluster, set()).add(doc)
        return {frozenset(v) for v in by.values()}

    forward = groups("ABC")
    assert frozenset({"A", "B"}) not in forward  # two named speakers never share a quote
    for order in ("CBA", "BCA", "CAB"):
        assert groups(order) == forward, order
