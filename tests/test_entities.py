"""Entities on the real model: NER repair, clustering, roles and affiliations, on sentences written here.

Each test names the phenomenon it pins; the sentences are chosen so the bare model gets them wrong
(e.g. it tags a surname ORG or leaves it unlabelled), so a regression in the repair shows up.
"""

from __future__ import annotations

import pytest

from newsledger.analyze import analyze
from newsledger.extract.entities import ENTITY_LABELS, extract_entities
from newsledger.model import Article, Entity, RawDoc


def run(nlp, text: str) -> tuple[Entity, ...]:
    ents = extract_entities(nlp(text), Article(id="t", text=text, source={"format": "text"}))
    for e in ents:  # every mention points into the text, and ids follow the first mentions
        assert e.type in ENTITY_LABELS
        for m in e.mentions:
            assert text[m.start : m.end] == m.text
    assert [e.id for e in ents] == [f"E{i}" for i in range(1, len(ents) + 1)]
    firsts = [e.mentions[0].start for e in ents]
    assert firsts == sorted(firsts)
    return ents


def people(ents: tuple[Entity, ...]) -> dict[str, Entity]:
    return {e.name: e for e in ents if e.type == "PERSON"}


def texts(e: Entity) -> list[str]:
    return [m.text for m in e.mentions]


def named(ents: tuple[Entity, ...], name: str) -> list[Entity]:
    return [e for e in ents if e.name == name]


def test_surname_tagged_org_is_repaired_to_the_person(nlp):
    # The bare model tags both later "Freeland" ORG.
    text = ("Finance Minister Chrystia Freeland unveiled the budget on Tuesday. Freeland said the deficit "
            "would shrink. Opposition leaders attacked Freeland over spending.")
    ents = run(nlp, text)
    assert [e.name for e in ents] == ["Chrystia Freeland"]
    p = ents[0]
    assert texts(p) == ["Chrystia Freeland", "Freeland", "Freeland"]
    assert p.roles == ("Finance Minister",)


def test_name_after_title_is_a_person_even_if_tagged_org(nlp):
    # The bare model tags "Olaf Scholz" and "Scholz" ORG.
    text = ("German Chancellor Olaf Scholz met French President Emmanuel Macron in Paris. Scholz said the "
            "talks were useful.")
    ps = people(run(nlp, text))
    assert texts(ps["Olaf Scholz"]) == ["Olaf Scholz", "Scholz"]
    assert ps["Olaf Scholz"].roles == ("Chancellor",)
    assert ps["Olaf Scholz"].affiliation == "Germany"
    assert ps["Emmanuel Macron"].affiliation == "France"


def test_unlabelled_surname_and_curly_possessive(nlp):
    # The bare model leaves both later "Milei" unlabelled.
    text = ("Argentine President Javier Milei arrived in Madrid. Milei met the king. Milei’s visit angered "
            "the government.")
    ents = run(nlp, text)
    p = people(ents)["Javier Milei"]
    assert texts(p) == ["Javier Milei", "Milei", "Milei"]  # the mention stops before "’s"
    assert p.roles == ("President",)
    assert p.affiliation == "Argentina"
    assert [e.name for e in ents if e.type == "GPE"] == ["Madrid"]


def test_possessive_is_not_part_of_the_mention(nlp):
    text = "Senator Tom Arden's office said Arden's aides would testify. Arden ’s critics disagreed."
    p = people(run(nlp, text))["Tom Arden"]
    assert all(not m.text.endswith(("'s", "’s", "'", "’")) for m in p.mentions)
    assert texts(p)[:2] == ["Tom Arden", "Arden"]


def test_surname_inside_a_longer_org_name_stays_an_org(nlp):
    text = "Premier Doug Ford defended the plan. Ford told reporters that Ford Motor jobs were safe."
    ents = run(nlp, text)
    assert texts(people(ents)["Doug Ford"]) == ["Doug Ford", "Ford"]
    assert [(e.name, e.type) for e in ents if e.type != "PERSON"] == [("Ford Motor", "ORG")]


def test_a_real_place_is_not_turned_into_the_namesake(nlp):
    text = "Michael Jordan visited troops in Jordan. Jordan said the troops were brave."
    ents = run(nlp, text)
    assert texts(people(ents)["Michael Jordan"]) == ["Michael Jordan", "Jordan"]
    place = [e for e in ents if e.type == "GPE"]
    assert [(e.name, texts(e)) for e in place] == [("Jordan", ["Jordan"])]


def test_no_person_no_repair(nlp):
    text = "Talks were held in Paris on Monday. Paris was calm, and the mayor of Paris welcomed the envoys."
    ents = run(nlp, text)
    assert not people(ents)
    assert [(e.name, e.type, len(e.mentions)) for e in ents if e.name == "Paris"] == [("Paris", "GPE", 3)]


def test_title_plus_surname_and_honorifics(nlp):
    text = ("Dr. Amara Okafor leads the clinic. Ms. Okafor said funding was short, and Dr. Okafor added "
            "that President Okafor of the board agreed.")
    ps = people(run(nlp, text))
    assert list(ps) == ["Amara Okafor"]
    assert [m.text for m in ps["Amara Okafor"].mentions] == ["Amara Okafor", "Okafor", "Okafor", "Okafor"]


def test_role_noun_anaphor_links_to_the_holder(nlp):
    text = ("Prime Minister Lars Holm spoke in Copenhagen on Friday. The prime minister said trade mattered. "
            "Later, the Prime Minister left.")
    p = people(run(nlp, text))["Lars Holm"]
    assert texts(p) == ["Lars Holm", "The prime minister", "the Prime Minister"]
    assert p.roles == ("Prime Minister",)


def test_role_anaphor_with_two_holders_takes_the_nearest_preceding(nlp):
    text = ("Prime Minister Anna Berg of Norway and Prime Minister Lars Holm of Denmark met. Holm spoke "
            "first. The prime minister said trade mattered.")
    ps = people(run(nlp, text))
    assert texts(ps["Lars Holm"]) == ["Lars Holm", "Holm", "The prime minister"]
    assert texts(ps["Anna Berg"]) == ["Anna Berg"]
    assert ps["Anna Berg"].affiliation == "Norway"
    assert ps["Lars Holm"].affiliation == "Denmark"


def test_role_anaphor_with_a_demonym_must_match_the_affiliation(nlp):
    text = ("Russian President Dmitri Orlov met Senator Jane Miller. Later the French president said the "
            "meeting was useful, and the Russian president agreed.")
    ps = people(run(nlp, text))
    assert texts(ps["Dmitri Orlov"]) == ["Dmitri Orlov", "the Russian president"]
    assert all("French" not in m.text for p in ps.values() for m in p.mentions)


def test_role_nouns_that_are_not_anaphors(nlp):
    text = ("President Maria Lopez spoke. A president of a company and the presidents of two banks "
            "disagreed, and Lopez was elected president of the club.")
    p = people(run(nlp, text))["Maria Lopez"]
    assert texts(p) == ["Maria Lopez", "Lopez"]


def test_two_people_sharing_a_surname_stay_apart(nlp):
    text = ("Hillary Clinton and Bill Clinton arrived together. Mrs. Clinton said she would run. "
            "Mr. Clinton said he would campaign for her.")
    ps = people(run(nlp, text))
    assert set(ps) == {"Hillary Clinton", "Bill Clinton"}
    assert texts(ps["Hillary Clinton"]) == ["Hillary Clinton", "Clinton"]
    assert texts(ps["Bill Clinton"]) == ["Bill Clinton", "Clinton"]
    assert text.index("Mrs. Clinton") + 5 == ps["Hillary Clinton"].mentions[1].start
    assert text.index("Mr. Clinton") + 4 == ps["Bill Clinton"].mentions[1].start


def test_bare_shared_surname_goes_to_the_one_in_the_nearby_sentence(nlp):
    text = ("Former President Bill Clinton campaigned in Ohio. Hillary Clinton spoke for an hour in Iowa. "
            "Clinton said she would win.")
    ps = people(run(nlp, text))
    assert texts(ps["Hillary Clinton"]) == ["Hillary Clinton", "Clinton"]
    assert ps["Bill Clinton"].roles == ("Former President",)


def test_first_name_alone_links_when_unambiguous(nlp):
    text = "Kamala Harris toured the plant. Supporters chanted as Kamala waved from the stage."
    ps = people(run(nlp, text))
    assert list(ps) == ["Kamala Harris"]
    assert texts(ps["Kamala Harris"]) == ["Kamala Harris", "Kamala"]


def test_canonical_name_is_the_fullest_proper_name(nlp):
    text = ("Russian President Vladimir Putin spoke on Friday. Putin said talks had failed. Mr. Putin then "
            "left, and Vladimir Putin did not return.")
    ps = people(run(nlp, text))
    assert list(ps) == ["Vladimir Putin"]
    assert ps["Vladimir Putin"].roles == ("President",)
    assert ps["Vladimir Putin"].affiliation == "Russia"
    assert len(ps["Vladimir Putin"].mentions) == 4


def test_appositive_role_and_affiliation(nlp):
    text = "Amina Yusuf, Kenya's foreign minister, said on Monday that the talks would resume."
    p = people(run(nlp, text))["Amina Yusuf"]
    assert p.roles == ("Foreign Minister",)
    assert p.affiliation == "Kenya"


def test_reverse_appositive_and_of_phrase(nlp):
    text = ("Canada's prime minister, Mark Reid, said talks would go on. Pierre Lemaire, the president of "
            "France, agreed.")
    ps = people(run(nlp, text))
    assert (ps["Mark Reid"].roles, ps["Mark Reid"].affiliation) == (("Prime Minister",), "Canada")
    assert (ps["Pierre Lemaire"].roles, ps["Pierre Lemaire"].affiliation) == (("President",), "France")


def test_spokesman_of_an_organisation(nlp):
    text = "Kremlin spokesman Dmitry Peskov told reporters the plan stood. Peskov declined to elaborate."
    p = people(run(nlp, text))["Dmitry Peskov"]
    assert p.roles == ("Spokesman",)
    assert p.affiliation == "Kremlin"
    assert texts(p) == ["Dmitry Peskov", "Peskov"]


def test_us_party_label_and_abbreviated_title(nlp):
    text = "Sen. Elizabeth Warren (D-Mass.) criticized the bill, and Rep. Jim Jordan, R-Ohio, defended it."
    ps = people(run(nlp, text))
    assert ps["Elizabeth Warren"].roles == ("Senator",)
    assert ps["Elizabeth Warren"].affiliation == "Democratic Party"
    assert (ps["Jim Jordan"].roles, ps["Jim Jordan"].affiliation) == (("Representative",), "Republican Party")


def test_title_case_normalised_and_former_kept(nlp):
    text = "French president Claire Dubois met former Secretary of State John Kerry in Rome."
    ents = run(nlp, text)
    ps = people(ents)
    assert ps["Claire Dubois"].roles == ("President",)
    assert ps["John Kerry"].roles == ("Former Secretary of State",)
    assert not [e for e in ents if e.name == "State"]  # part of the title, not an organisation


def test_no_affiliation_is_guessed(nlp):
    text = "Spokesman Tom Baker said the mayor would attend."
    p = people(run(nlp, text))["Tom Baker"]
    assert p.roles == ("Spokesman",)
    assert p.affiliation is None


def test_acronym_introduced_with_its_long_form(nlp):
    text = ("The World Health Organization (WHO) warned on Monday. WHO officials said the risk was low, "
            "and the World Health Organization later repeated it.")
    ents = run(nlp, text)
    who = [e for e in ents if e.name == "World Health Organization"]
    assert len(who) == 1
    assert texts(who[0]) == ["World Health Organization", "WHO", "WHO", "World Health Organization"]
    assert not named(ents, "WHO")


def test_acronym_first_then_long_form_in_parentheses(nlp):
    text = "NATO (North Atlantic Treaty Organization) met in Brussels. NATO said it would act."
    ents = run(nlp, text)
    nato = [e for e in ents if "NATO" in texts(e)]
    assert len(nato) == 1
    assert nato[0].name == "North Atlantic Treaty Organization"
    assert texts(nato[0]).count("NATO") == 2


def test_the_is_stripped_and_case_ignored_for_orgs(nlp):
    text = ("The Associated Press reported the vote. Officials told the Associated Press that the count "
            "was final, according to the associated Press.")
    ents = run(nlp, text)
    ap = [e for e in ents if e.name == "Associated Press"]
    assert len(ap) == 1 and ap[0].type == "ORG"
    assert all(not m.text.lower().startswith("the") for m in ap[0].mentions)
    assert len(ap[0].mentions) >= 2


def test_country_aliases_are_one_entity(nlp):
    text = "The United States and Britain signed the pact. The U.S. said Britain would ratify it first."
    ents = run(nlp, text)
    assert [(e.name, len(e.mentions)) for e in ents if e.type == "GPE"] == [
        ("United States", 2), ("United Kingdom", 2)]


def test_no_numeric_or_date_types(nlp):
    text = "On Friday, 26 countries pledged $2 billion, about 40% of the fund, to Ukraine."
    ents = run(nlp, text)
    assert {e.type for e in ents} <= {"GPE"}


def test_excluded_text_blanked_keeps_offsets(nlp):
    text = "photo.jpg\nPresident Ana Silva spoke. Silva said the vote was fair."
    blanked = " " * 9 + text[9:]
    ents = extract_entities(nlp(blanked), Article(id="t", text=text, source={"format": "text"}))
    p = people(ents)["Ana Silva"]
    assert [text[m.start : m.end] for m in p.mentions] == ["Ana Silva", "Silva"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "no names here at all."])
def test_empty_and_nameless_docs(nlp, text):
    assert run(nlp, text) == ()


def test_seed_article(nlp, seed_path):
    text = seed_path.read_text(encoding="utf-8")
    ents = run(nlp, text)
    ps = [e for e in ents if e.type == "PERSON"]
    by_name = {e.name: e for e in ps}
    assert len(by_name) == len(ps)  # one entity per person
    assert {"Mark Carney", "Vladimir Putin", "Emmanuel Macron"} <= set(by_name)
    pm = by_name["Mark Carney"]
    assert len(pm.mentions) >= 9
    assert "Prime Minister" in pm.roles
    assert any(m.text.lower() in ("the prime minister", "prime minister") for m in pm.mentions)
    putin, macron = by_name["Vladimir Putin"], by_name["Emmanuel Macron"]
    assert (putin.roles, putin.affiliation) == (("President",), "Russia")
    assert (macron.roles, macron.affiliation) == (("President",), "France")
    surname = pm.name.split()[-1]
    assert not [e for e in ents if e.type != "PERSON" and surname in e.name]
    others = [e for e in ps if e is not pm and e.name.split()[-1] == surname]
    assert not others


def test_headline_words_never_join_a_name(nlp):
    """In a headline every word is capitalised: the name is the part the article names elsewhere."""
    text = ("More Offensive Things Donald Trump Has Said About Latinos\n\n"
            "Donald Trump has said many things about Latinos. Hillary Clinton answered him.\n\n"
            "Hillary Clinton Slams Donald Trump Over Taxes\n\nShe spoke in Ohio.")
    a = analyze(RawDoc(id="h", text=text), nlp)
    names = {e.name for e in a.entities if e.type == "PERSON"}
    assert "Donald Trump" in names and "Hillary Clinton" in names
    assert not any(w in n for n in names for w in ("Offensive", "Things", "Slams"))


def test_a_title_line_run_on_shrinks_to_the_name_the_article_uses(nlp):
    """Scraped titles capitalise every word, and the model runs an organisation into the headline
    around it; the name the body uses is what is left (with its type), never the headline words."""
    text = ("Northwind Bank Accused Of Hiding Losses To Protect Its Chief.\n\n"
            "Regulators said on Monday that Northwind Bank hid losses of more than $2 million to protect the "
            "reputation of its chief executive. The bank denied the charge in a statement to reporters.")
    names = {(e.type, e.name) for e in run(nlp, text)}
    assert ("ORG", "Northwind Bank") in names
    assert not any("Accused" in name for _, name in names), names


def test_a_name_with_ordinary_capitalised_words_on_the_title_line_stays_whole(nlp):
    text = ("Smithsonian Opens African American Museum Of History.\n\n"
            "The African American Museum of History opened on Saturday in Washington, officials said.")
    names = {e.name for e in run(nlp, text)}
    assert not ({"African", "American"} & names), names
