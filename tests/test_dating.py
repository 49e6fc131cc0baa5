"""Dating quotes and events (extract/dating.py): the sentence's date, else the governing one in the
paragraph, else the reference date — and the tense and calendar helpers timex.py relies on."""

from __future__ import annotations

from datetime import date

import pytest

from newsledger.analyze import analyze, nlp_text
from newsledger.clean import clean
from newsledger.extract.dating import add_months, date_of, date_value, pick, unit_value, week_value
from newsledger.extract.timex import extract_timexes
from newsledger.ingest.files import read_file
from newsledger.model import Analysis, RawDoc, Timex


def dated(nlp, text: str, span: str, published: str | None = "2025-09-10", nth: int = 0
          ) -> tuple[str | None, str | None]:
    """date_of for the `nth` occurrence of `span` in `text`, run on the real pipeline's doc."""
    article = clean(RawDoc(id="t", text=text, published=published))
    doc = nlp(nlp_text(article))
    start = -1
    for _ in range(nth + 1):
        start = text.index(span, start + 1)
    return date_of(start, start + len(span), doc, extract_timexes(doc, article), article)


def test_speech_is_dated_by_its_verb_not_by_its_content(nlp):
    text = "The minister said on Monday that the attack happened on Saturday."
    assert dated(nlp, text, "the attack happened on Saturday") == ("2025-09-08", "sentence")
    assert dated(nlp, text, "happened") == ("2025-09-06", "sentence")  # a trigger: its own date


def test_direct_quote_with_cue_after(nlp):
    text = "“We will not give up,” the president said on Friday."
    assert dated(nlp, text, "“We will not give up,”") == ("2025-09-05", "sentence")


def test_a_date_in_a_clause_describing_a_noun_does_not_date_the_sentence(nlp):
    text = "The minister, appointed in 2019, said the plan was sound."
    assert dated(nlp, text, "the plan was sound") == ("2025-09-10", "reference")
    text = "She said the law, passed in 2019, was unfair."
    assert dated(nlp, text, "the law, passed in 2019, was unfair") == ("2025-09-10", "reference")


def test_coarse_dates(nlp):
    text = "In June, the prime minister said the country would double its aid."
    assert dated(nlp, text, "the country would double its aid") == ("2025-06", "sentence")
    assert dated(nlp, "Earlier this year, Canada promised more aid.", "promised") == ("2025", "sentence")


def test_governing_date_from_an_earlier_sentence_of_the_paragraph(nlp):
    text = ("Leaders met in Rome on Tuesday. “This is a turning point,” the host said. "
            "Others were less sure.\n\n“Nothing has changed,” a diplomat said.")
    assert dated(nlp, text, "“This is a turning point,”") == ("2025-09-09", "governing")
    # A new paragraph does not inherit it.
    assert dated(nlp, text, "“Nothing has changed,”") == ("2025-09-10", "reference")


def test_a_boundary_is_not_a_date(nlp):
    text = "Support has risen since 2022, the minister said."
    assert dated(nlp, text, "Support has risen since 2022") == ("2025-09-10", "reference")
    assert dated(nlp, "Talks will last until Friday, he said on Monday.", "Talks will last until Friday") == (
        "2025-09-08", "sentence")


def test_nothing_known(nlp):
    assert dated(nlp, "“It is over,” he said.", "“It is over,”", published=None) == (None, None)
    text = "On June 5, 2024, the mayor said the bridge would reopen."
    assert dated(nlp, text, "the bridge would reopen", published=None) == ("2024-06-05", "sentence")


def test_quotes_get_dates_through_analyze(nlp):
    a = analyze(RawDoc(id="t", text="The minister said on Thursday that talks had failed.",
                       published="2025-09-10"), nlp)
    assert isinstance(a, Analysis) and a.quotes
    assert (a.quotes[0].date, a.quotes[0].date_basis) == ("2025-09-04", "sentence")


@pytest.mark.parametrize("typ,value,expected", [
    ("DATE", "2025-09-05", "2025-09-05"), ("DATE", "2025-06", "2025-06"), ("DATE", "2025", "2025"),
    ("TIME", "2025-09-05TNI", "2025-09-05"), ("TIME", "2025-09-05T10:30", "2025-09-05"),
    ("DATE", "2025-W37", None), ("DATE", "2025-SP", None), ("DATE", "2025-Q3", None),
    ("DATE", "PRESENT_REF", None), ("DURATION", "P3D", None), ("SET", "P1W", None), ("DATE", None, None),
])
def test_date_value(typ, value, expected):
    assert date_value(Timex(0, 1, "x", typ, value)) == expected


def test_calendar_helpers():
    assert week_value(date(2025, 9, 10)) == "2025-W37"
    assert week_value(date(2021, 1, 3)) == "2020-W53"  # ISO week-year
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert unit_value(date(2025, 9, 10), "quarter") == "2025-Q3"
    assert unit_value(date(2025, 9, 10), "decade") == "202"
    june = [(f"{y}-06", date(y, 6, 1), date(y, 6, 30)) for y in (2024, 2025, 2026)]
    ref = date(2025, 3, 1)
    assert [pick(june, ref, tense) for tense in (-1, 0, 1)] == ["2024-06", "2025-06", "2025-06"]


def test_seed_quotes_are_dated(nlp, seed_path):
    a = analyze(read_file(str(seed_path)), nlp)  # type: ignore[arg-type]
    assert isinstance(a, Analysis)
    text = a.article.text
    by_start = {q.start: q for q in a.quotes}
    friday = next(q for q in a.quotes if q.text.startswith("Canada and other allies must maintain"))
    assert (friday.date, friday.date_basis) == ("2025-09-05", "sentence")
    thursday = next(q for q in a.quotes if "Canada was willing to deploy" in q.text)
    assert (thursday.date, thursday.date_basis) == ("2025-09-04", "sentence")
    for q in by_start.values():
        assert q.date is not None and q.date_basis in ("sentence", "governing", "reference")
        assert text[q.start:q.end] == q.text


@pytest.mark.parametrize(("text", "wrong"), [
    ("A poll of 2047 registered voters showed Clinton ahead, the pollster said.", "2047"),  # a count
    ("Clinton, who is weighing a 2020 presidential run, said the plan would fail.", "2020"),  # a noun's year
    ("Cruz faces a reelection fight in 2018, and talk may end now that Cruz has endorsed Trump.", "2018"),
])
def test_a_year_in_passing_dates_nothing(nlp, text, wrong):
    """A bare number, or a year that describes a noun or belongs to another clause, never becomes the
    date of a quote or an event: they keep the article's date."""
    a = analyze(RawDoc(id="y", text=text, published="2016-05-04"), nlp)
    assert isinstance(a, Analysis)
    items = [*a.quotes, *a.events]
    assert items
    assert all(not (x.date or "").startswith(wrong) for x in items), [(type(x).__name__, x.date)
                                                                        for x in items]
    assert all(x.date == "2016-05-04" for x in items)
