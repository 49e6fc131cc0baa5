"""End to end on the founding article and the bundled examples: what a user sees from `analyze`."""

from __future__ import annotations

import pytest

from conftest import EXAMPLES
from newsledger.analyze import analyze
from newsledger.ingest.files import read_file
from newsledger.model import Analysis, to_dict
from newsledger.schema import validate


@pytest.fixture(scope="module")
def seed(nlp, seed_path) -> Analysis:
    result = analyze(read_file(str(seed_path)), nlp)  # type: ignore[arg-type]
    assert isinstance(result, Analysis), result
    return result


def excluded_texts(a: Analysis) -> list[str]:
    return [a.article.text[x.start:x.end] for x in a.article.excluded]


def test_seed_text_is_verbatim_with_header(seed, seed_path):
    assert seed.article.text == seed_path.read_text(encoding="utf-8")
    assert seed.article.published == "2025-10-08"
    assert seed.article.title == (
        "Carney calls for “maximum pressure” on Russia while Putin threatens the allies")


def test_seed_junk_is_excluded_and_no_sentence_is(seed):
    junk = excluded_texts(seed)
    assert "0" in junk and "mark-carney.JPG" in junk
    assert any(j.startswith("https://i.cbc.ca/") for j in junk)
    assert any(j.startswith("Look | Putin says") for j in junk)
    assert any(j.startswith("Putin says that foreign soldiers") for j in junk)  # the garbled echo
    assert {"About The Author", "Leave a Reply"} <= set(junk)
    assert any(j.startswith("Your email address will not be published") for j in junk)
    assert any(u.startswith("https://i.cbc.ca/") for u in seed.article.images)
    # Those eight plus the header's date line (kept as published_evidence): nothing else.
    assert len(junk) == 9 and "October 8, 2025" in junk
    body = seed.article.text
    for sentence in ("Canada and other allies must maintain", "Carney announced funding for the first time",
                     "Canada is also committed to buying drone"):
        start = body.index(sentence)
        assert not any(x.start <= start < x.end for x in seed.article.excluded)


def test_seed_people_are_one_entity_each(seed):
    people = {e.name: e for e in seed.entities if e.type == "PERSON"}
    assert set(people) == {"Mark Carney", "Vladimir Putin", "Emmanuel Macron"}
    carney = people["Mark Carney"]
    assert len(carney.mentions) >= 9 and "Prime Minister" in carney.roles
    assert any(m.text.lower().endswith("prime minister") for m in carney.mentions)
    assert "President" in people["Vladimir Putin"].roles and people["Vladimir Putin"].affiliation == "Russia"
    assert not [e for e in seed.entities if e.name == "Carney" or (e.type != "PERSON" and "Carney" in e.name)]


def test_seed_reference_date_is_the_original_friday(seed):
    assert seed.article.reference_date == "2025-09-05"
    (flag,) = [f for f in seed.article.flags if f.code == "stale_date"]
    assert any("1757103755" in ev.text for ev in flag.evidence)


@pytest.mark.parametrize("path", sorted(p for p in EXAMPLES.glob("*") if p.suffix in {".txt", ".html"}),
                         ids=lambda p: p.name)
def test_every_example_gives_a_valid_record(nlp, path):
    result = analyze(read_file(str(path)), nlp)  # type: ignore[arg-type]
    assert isinstance(result, Analysis), result
    rec = to_dict(result)
    validate(rec)
    assert rec["entities"], "a news article names someone"
    for e in rec["entities"]:
        for m in e["mentions"]:
            assert rec["text"][m["start"]:m["end"]] == m["text"]


def test_repost_example_speaks_from_its_original_date(nlp):
    result = analyze(read_file(str(EXAMPLES / "summit-repost-stale.html")), nlp)  # type: ignore[arg-type]
    assert isinstance(result, Analysis)
    assert result.article.published == "2026-03-11"
    assert result.article.reference_date == "2026-02-06"
    assert [f.code for f in result.article.flags] == ["stale_date"]


def test_undated_example_is_not_guessed(nlp):
    result = analyze(read_file(str(EXAMPLES / "council-vote.txt")), nlp)  # type: ignore[arg-type]
    assert isinstance(result, Analysis)
    assert result.article.published is None and result.article.reference_date is None
