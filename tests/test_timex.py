"""Time expressions (extract/timex.py): recognition and TIMEX3 values, on sentences written for each
pattern and run through the real pipeline (clean → spaCy → extract)."""

from __future__ import annotations

import pytest

from newsledger.analyze import analyze, nlp_text
from newsledger.extract.timex import extract_timexes
from newsledger.ingest.files import read_file
from newsledger.model import Analysis, Article, Excluded, RawDoc


def run(nlp, text: str, published: str | None = "2025-09-10") -> Analysis:
    out = analyze(RawDoc(id="t", text=text, published=published), nlp)
    assert isinstance(out, Analysis), out
    for t in out.timexes:
        assert out.article.text[t.start:t.end] == t.text
    return out


def found(nlp, text: str, published: str | None = "2025-09-10") -> dict[str, tuple[str, str | None]]:
    return {t.text: (t.type, t.value) for t in run(nlp, text, published).timexes}


# Reference date 2025-09-10 is a Wednesday in ISO week 37.
CASES = [
    # weekdays: past tense looks back (the day itself included), future looks ahead
    ("The minister said on Monday that talks would resume.", {"Monday": ("DATE", "2025-09-08")}),
    ("The minister said on Wednesday that talks would resume.", {"Wednesday": ("DATE", "2025-09-10")}),
    ("The talks will resume on Monday in Geneva.", {"Monday": ("DATE", "2025-09-15")}),
    ("The summit opens on Friday in Rome.", {"Friday": ("DATE", "2025-09-12")}),
    ("Protesters marched last Friday and plan to return next Tuesday.",
     {"last Friday": ("DATE", "2025-09-05"), "next Tuesday": ("DATE", "2025-09-16")}),
    ("Police said the blast happened early Sunday.", {"early Sunday": ("DATE", "2025-09-07")}),
    # named days and parts of days
    ("Markets fell yesterday and could rebound tomorrow.",
     {"yesterday": ("DATE", "2025-09-09"), "tomorrow": ("DATE", "2025-09-11")}),
    ("The vote is due tonight, after a debate this morning.",
     {"tonight": ("TIME", "2025-09-10TNI"), "this morning": ("TIME", "2025-09-10TMO")}),
    ("Sirens sounded last night and again on Monday evening.",
     {"last night": ("TIME", "2025-09-09TNI"), "Monday evening": ("TIME", "2025-09-08TEV")}),
    # units relative to the reference date
    ("Earlier this year the firm cut jobs; last month it closed a plant.",
     {"Earlier this year": ("DATE", "2025"), "last month": ("DATE", "2025-08")}),
    ("Officials will meet next week and again next month.",
     {"next week": ("DATE", "2025-W38"), "next month": ("DATE", "2025-10")}),
    ("Talks stalled this week, two years after they began.", {"this week": ("DATE", "2025-W37")}),
    ("The law was passed two years ago and revised three weeks ago.",
     {"two years ago": ("DATE", "2023"), "three weeks ago": ("DATE", "2025-W34")}),
    ("The company was founded last year and will list next year.",
     {"last year": ("DATE", "2024"), "next year": ("DATE", "2026")}),
    ("Prices rose over the weekend.", {"the weekend": ("DATE", "2025-W36-WE")}),
    ("Rescuers found survivors this weekend.", {"this weekend": ("DATE", "2025-W37-WE")}),
    # months: by tense, the year before when a past month lies ahead of the reference date
    ("The plan was announced in June and again in November.",
     {"June": ("DATE", "2025-06"), "November": ("DATE", "2024-11")}),
    ("The plan will take effect in November.", {"November": ("DATE", "2025-11")}),
    ("Prices have risen since May.", {"May": ("DATE", "2025-05")}),
    ("Mid-March, the river flooded; by late April it had receded.",
     {"late April": ("DATE", "2025-04")}),
    # absolute dates resolve with or without context
    ("The accord was signed on June 5, 2024, in Paris.", {"June 5, 2024": ("DATE", "2024-06-05")}),
    ("The accord was signed on 5 June 2024 in Paris.", {"5 June 2024": ("DATE", "2024-06-05")}),
    ("The accord was signed on Sept. 3 in Paris.", {"Sept. 3": ("DATE", "2025-09-03")}),
    ("Elections are set for October 12.", {"October 12": ("DATE", "2025-10-12")}),
    ("The strike began in October 2023.", {"October 2023": ("DATE", "2023-10")}),
    ("Unemployment peaked in 2020 and fell in mid-2022.",
     {"2020": ("DATE", "2020"), "mid-2022": ("DATE", "2022")}),
    ("The report, dated 2025-08-28, was leaked.", {"2025-08-28": ("DATE", "2025-08-28")}),
    # decades, centuries, seasons, quarters, halves
    ("The treaty dates from the 1990s and the country from the 19th century.",
     {"the 1990s": ("DATE", "199"), "the 19th century": ("DATE", "18")}),
    ("Rents climbed this spring and may fall next winter.",
     {"this spring": ("DATE", "2025-SP"), "next winter": ("DATE", "2025-WI")}),
    ("The dig resumes in the spring of 2026.", {"the spring of 2026": ("DATE", "2026-SP")}),
    ("Profits rose in the second quarter and in the first half of 2024.",
     {"the second quarter": ("DATE", "2025-Q2"), "the first half of 2024": ("DATE", "2024-H1")}),
    # anaphora to the last day mentioned
    ("The ceasefire began on Sunday. The day before, shelling killed six people.",
     {"Sunday": ("DATE", "2025-09-07"), "The day before": ("DATE", "2025-09-06")}),
    ("The ceasefire began on Sunday. Two days later, shelling resumed.",
     {"Two days later": ("DATE", "2025-09-09")}),
    # durations
    ("The siege lasted 51 days; the trial took nearly three hours.",
     {"51 days": ("DURATION", "P51D"), "nearly three hours": ("DURATION", "PT3H")}),
    ("He has led the party for two years and served for decades.",
     {"two years": ("DURATION", "P2Y"), "decades": ("DURATION", "PXDE")}),
    ("Output fell over the past 12 months; a 52-year-old was arrested.",
     {"the past 12 months": ("DURATION", "P12M"), "52-year-old": ("DURATION", "P52Y")}),
    ("It signed a three-year deal after a decade of talks.",
     {"three-year": ("DURATION", "P3Y"), "a decade": ("DURATION", "P1DE")}),
    ("Fighting continued for several days.", {"several days": ("DURATION", "PXD")}),
    # sets
    ("The ferry runs every week and the bus twice a day.",
     {"every week": ("SET", "P1W"), "twice a day": ("SET", "P1D")}),
    ("Figures are published daily; the market is shut on Sundays.",
     {"daily": ("SET", "P1D"), "Sundays": ("SET", "XXXX-WXX-7")}),
    ("The war costs $30 million a day.", {"a day": ("SET", "P1D")}),
    # clock times take the day they are attached to
    ("Polls open at 7 a.m. on Friday.",
     {"7 a.m.": ("TIME", "2025-09-12T07:00"), "Friday": ("DATE", "2025-09-12")}),
    ("The ceremony began at 10:30 a.m.", {"10:30 a.m.": ("TIME", "2025-09-10T10:30")}),
    # present, past and future references
    ("Prices are now falling, after rising sharply recently.",
     {"now": ("DATE", "PRESENT_REF"), "recently": ("DATE", "PAST_REF")}),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_pattern(nlp, text, expected):
    got = found(nlp, text)
    for surface, typed in expected.items():
        assert got.get(surface) == typed, f"{surface!r}: {got}"


@pytest.mark.parametrize("text", [
    "The May Fair opens, and the party may win.",  # the modal, a name
    "He sent 2024 soldiers and met 26 countries.",  # a year-shaped count
    "She had a second chance and a third of the vote.",
    "The fall of the government was swift.",
    "Call 555-123-4567 or read page 2019 of the report.",
    "The Arab Spring changed the region.",
    "He won a winter storm award.",
])
def test_not_a_time(nlp, text):
    assert run(nlp, text).timexes == (), text


def test_without_reference_date_relative_values_are_none(nlp):
    a = run(nlp, "The accord was signed on June 5, 2024. Talks resumed on Monday and will end next week. "
                 "They lasted three days.", published=None)
    assert a.article.reference_date is None
    got = {t.text: t.value for t in a.timexes}
    assert got == {"June 5, 2024": "2024-06-05", "Monday": None, "next week": None, "three days": "P3D"}


def test_reference_date_changes_the_year(nlp):
    assert found(nlp, "Sales fell in December.", "2025-01-08")["December"] == ("DATE", "2024-12")
    assert found(nlp, "Sales fell in December.", "2025-12-20")["December"] == ("DATE", "2025-12")
    assert found(nlp, "The new law takes effect on January 1.", "2022-12-30")["January 1"] == (
        "DATE", "2023-01-01")


def test_excluded_text_is_not_read(nlp):
    text = "Photo taken Monday, June 2.\nThe talks ended on Tuesday."
    article = Article(id="x", text=text, source={}, reference_date="2025-09-10",
                      excluded=(Excluded(0, 27, "caption"),))
    doc = nlp(nlp_text(article))
    assert [t.text for t in extract_timexes(doc, article)] == ["Tuesday"]


def test_seed_dates(nlp, seed_path):
    a = analyze(read_file(str(seed_path)), nlp)  # type: ignore[arg-type]
    assert isinstance(a, Analysis)
    assert a.article.reference_date == "2025-09-05"
    values = [(t.text, t.value) for t in a.timexes]
    assert ("Friday", "2025-09-05") in values and ("Thursday", "2025-09-04") in values
    assert ("June", "2025-06") in values and ("August", "2025-08") in values
    assert ("Earlier this year", "2025") in values
    # The stale header date line is excluded: it is not a time expression of the story.
    assert all(t.start >= 15 for t in a.timexes)
