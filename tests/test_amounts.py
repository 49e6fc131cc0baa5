"""Amounts (extract/amounts.py): money, currencies from context, percentages and fractions with what
they divide, counts with their unit — on sentences written for each pattern, through the real pipeline."""

from __future__ import annotations

import pytest

from newsledger.analyze import analyze, nlp_text
from newsledger.extract.amounts import extract_amounts, number_value
from newsledger.ingest.files import read_file
from newsledger.model import Amount, Analysis, Article, Excluded, RawDoc


def run(nlp, text: str, url: str | None = None) -> Analysis:
    out = analyze(RawDoc(id="t", text=text, published="2025-09-10", url=url), nlp)
    assert isinstance(out, Analysis), out
    for i, a in enumerate(out.amounts, 1):
        assert out.article.text[a.start:a.end] == a.text
        assert a.id == f"A{i}"
    assert [a.start for a in out.amounts] == sorted(a.start for a in out.amounts)
    return out


def by_text(a: Analysis) -> dict[str, Amount]:
    return {x.text: x for x in a.amounts}


@pytest.mark.parametrize("text,surface,value,currency,inferred", [
    ("The fund holds $ 2 billion in bonds.", "$ 2 billion", 2e9, "USD", True),
    ("Goods worth $2B pass through the port.", "$2B", 2e9, "USD", True),
    ("She pledged 31 million dollars for schools.", "31 million dollars", 3.1e7, "USD", True),
    ("The firm set up a C$500,000 training fund.", "C$500,000", 5e5, "CAD", False),
    ("The Netherlands will give €1.2bn to the grid.", "€1.2bn", 1.2e9, "EUR", False),
    ("The state spent two billion dollars on roads.", "two billion dollars", 2e9, "USD", True),
    ("The council kept £600,000 in reserve.", "£600,000", 6e5, "GBP", False),
    ("A loan of 40 million euros was approved.", "40 million euros", 4e7, "EUR", False),
    ("Investors put in US$3m last year.", "US$3m", 3e6, "USD", False),
    ("The yen-denominated bond raised ¥50 billion.", "¥50 billion", 5e10, "JPY", True),
    ("The scheme costs Rs 500 crore a year.", "Rs 500 crore", 5e9, "INR", True),
    ("The lender wrote off 3 billion yuan.", "3 billion yuan", 3e9, "CNY", False),
    ("The ministry paid 5 million Canadian dollars.", "5 million Canadian dollars", 5e6, "CAD", False),
    ("Donors gave half a million dollars.", "half a million dollars", 5e5, "USD", True),
    ("The navy will spend $2.5-billion on ships.", "$2.5-billion", 2.5e9, "USD", True),
    ("The fund holds 40 million USD in cash.", "40 million USD", 4e7, "USD", False),
])
def test_money(nlp, text, surface, value, currency, inferred):
    got = by_text(run(nlp, text))
    assert surface in got, list(got)
    m = got[surface]
    assert (m.kind, m.currency, m.currency_inferred) == ("money", currency, inferred)
    assert m.value == pytest.approx(value)


@pytest.mark.parametrize("text,currency", [
    ("Canada will send $500 million in aid to Ukraine, the minister said in Ottawa.", "CAD"),
    ("Premier Smith of Alberta announced a $40 million fund for farmers.", "CAD"),
    ("The Australian government pledged $300 million to flood victims in Queensland.", "AUD"),
    ("The Senate approved $95 billion in aid after months of delay.", "USD"),
    ("The company will invest $450 million in the expansion.", "USD"),
])
def test_dollar_takes_the_country_of_its_context(nlp, text, currency):
    (m,) = [a for a in run(nlp, text).amounts if a.kind == "money"]
    assert (m.currency, m.currency_inferred) == (currency, True)


def test_dollar_context_from_the_article_and_its_site(nlp):
    text = ("Dockworkers at the port of Vancouver voted to strike. The union, based in British Columbia, "
            "wants a raise. The operator offered a bonus.\n\nThe expansion will cost $450 million.")
    assert run(nlp, text).amounts[-1].currency == "CAD"
    plain = "The union wants a raise. The expansion will cost $450 million."
    assert run(nlp, plain).amounts[-1].currency == "USD"
    assert run(nlp, plain, url="https://www.example.ca/business/strike").amounts[-1].currency == "CAD"
    explicit = "The offer includes a C$500,000 fund. The expansion will cost $450 million."
    assert [a.currency for a in run(nlp, explicit).amounts] == ["CAD", "CAD"]


def test_yen_or_yuan_by_country(nlp):
    (m,) = run(nlp, "Beijing will lend ¥30 billion to Chinese exporters.").amounts
    assert (m.currency, m.currency_inferred) == ("CNY", True)


@pytest.mark.parametrize("text,surface,value,unit", [
    ("Support stands at 40% among men.", "40%", 40.0, None),
    ("Prices rose 12 percent in a year.", "12 percent", 12.0, None),
    ("Inflation eased to 7.5 per cent.", "7.5 per cent", 7.5, None),
    ("Rates rose by 2 percentage points.", "2 percentage points", 2.0, "percentage points"),
    ("Seventy-two percent of voters agreed.", "Seventy-two percent", 72.0, None),
    ("Inflation hit 9pc in Britain.", "9pc", 9.0, None),
])
def test_percent(nlp, text, surface, value, unit):
    m = by_text(run(nlp, text))[surface]
    assert (m.kind, m.value, m.unit) == ("percent", value, unit)


def test_shares_link_to_what_they_divide(nlp):
    a = run(nlp, "The government pledged $2 billion in aid. Around 40% of the fund will go to fuel, "
                 "another third of funding to repairs and two-thirds of the rest to schools.")
    money, pct, third, two_thirds = a.amounts
    assert money.kind == "money"
    assert (pct.text, pct.kind, pct.value, pct.of) == ("Around 40%", "percent", 40.0, money.id)
    assert (third.text, third.kind, third.of) == ("another third", "fraction", money.id)
    assert third.value == pytest.approx(1 / 3)
    assert (two_thirds.kind, two_thirds.value, two_thirds.of) == ("fraction", pytest.approx(2 / 3), None)


def test_another_share_inherits_the_link(nlp):
    a = run(nlp, "The Netherlands pledged €1.2bn. About 40% of the money will buy transformers. "
                 "Another third will fund air defence.")
    money, pct, third = a.amounts
    assert pct.of == money.id and third.of == money.id and third.text == "Another third"


def test_share_of_an_amount_named_after_of(nlp):
    a = run(nlp, "Officers said 62% of the 1,400 people who answered supported it, and 10% of $5 million "
                 "was spent.")
    got = by_text(a)
    assert got["62%"].of == got["1,400 people"].id
    assert got["10%"].of == got["$5 million"].id


@pytest.mark.parametrize("text,surface,value,unit", [
    ("The French president said 26 countries had promised troops.", "26 countries", 26.0, "countries"),
    ("The union represents about 1,100 workers at the port.", "about 1,100 workers", 1100.0, "workers"),
    ("Satellites tracked more than 300 vessels in the zone.", "more than 300 vessels", 300.0, "vessels"),
    ("Ministers from seven states met in Abidjan.", "seven states", 7.0, "states"),
    ("Macron said 26 of Ukraine's allies would deploy troops.", "26 of Ukraine's allies", 26.0, "allies"),
    ("Half a million people marched.", "Half a million people", 5e5, "people"),
])
def test_counts(nlp, text, surface, value, unit):
    got = by_text(run(nlp, text))
    assert surface in got, list(got)
    m = got[surface]
    assert (m.kind, m.value, m.unit, m.currency) == ("count", value, unit, None)


@pytest.mark.parametrize("text", [
    "The treaty was signed in 2019 and revised on June 5.",
    "The meeting starts at 3 p.m. and lasts three hours.",
    "It was the third time the council met.",
    "Call 555-123-4567 for details.",
    "A man aged 45 and a 38-year-old woman were arrested.",
    "Members of Local 508 met G7 envoys.",
    "No one was hurt, and one of them fled.",
    "He won the seat in 2016 elections.",
    "The first half of 2025 was calm, and a third suspect fled.",
])
def test_not_amounts(nlp, text):
    assert run(nlp, text).amounts == (), text


def test_numbers_in_excluded_spans_do_not_count(nlp):
    text = "Photo: 40 protesters, $5 million damage.\nOfficials said 12 people were hurt."
    article = Article(id="x", text=text, source={}, reference_date="2025-09-10",
                      excluded=(Excluded(0, 40, "caption"),))
    doc = nlp(nlp_text(article))
    assert [a.text for a in extract_amounts(doc, article, ())] == ["12 people"]


def test_number_value():
    assert number_value("1,100") == 1100
    assert number_value("1.2bn") == 1.2e9
    assert number_value("2B") == 2e9
    assert number_value("two billion") == 2e9
    assert number_value("twenty-five") == 25
    assert number_value("one hundred") == 100
    assert number_value("half a million") == 5e5
    assert number_value("banana") is None


def test_and_a_half_adds_a_half():
    # "and a half" used to halve what came before it: 2.5 million read as 1 million
    assert number_value("two and a half million") == 2.5e6
    assert number_value("one and a half billion") == 1.5e9
    assert number_value("a half") == 0.5
    assert number_value("two million three hundred thousand") == 2.3e6


def test_seed_amounts(nlp, seed_path):
    a = analyze(read_file(str(seed_path)), nlp)  # type: ignore[arg-type]
    assert isinstance(a, Analysis)
    got = by_text(a)
    two_bn = got["$ 2 billion"]
    assert (two_bn.kind, two_bn.value, two_bn.currency) == ("money", 2e9, "CAD") and two_bn.currency_inferred
    share = next(x for x in a.amounts if x.kind == "percent")
    assert share.value == 40.0 and share.of == two_bn.id and share.text.endswith("40%")
    m31 = got["31 million dollars"]
    assert (m31.value, m31.currency, m31.currency_inferred) == (3.1e7, "CAD", True)
    assert (got["26 countries"].kind, got["26 countries"].value) == ("count", 26.0)
    assert got["26 of Ukraine allies"].unit == "allies"
    third = next(x for x in a.amounts if x.kind == "fraction")
    assert third.of == two_bn.id and third.value == pytest.approx(1 / 3)


def test_approximation_words_are_kept_as_a_flag(nlp):
    result = run(nlp, "Officials counted more than 300 vessels, roughly 1,100 workers and exactly 12 ships.")
    approx = {a.text: a.approx for a in result.amounts}
    assert approx["more than 300 vessels"] == "more than"
    assert approx["roughly 1,100 workers"] == "roughly"
    assert approx["12 ships"] is None
