"""clean_text: plain text → Article, text verbatim, header read, junk lines marked as excluded spans.

The articles below are invented for these tests; the seed tests check the founding example end to end.
"""

from __future__ import annotations

import pytest

from newsledger.clean.text import clean_text
from newsledger.model import Article, RawDoc


def run(text: str, **kw: str) -> Article:
    return clean_text(RawDoc(id=kw.pop("id", "t"), text=text, **kw))


def excluded(a: Article) -> list[tuple[str, str]]:
    """(reason, covered text) for every excluded span, in order."""
    return [(x.reason, a.text[x.start:x.end]) for x in a.excluded]


def lines_starting(text: str, *openings: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip().startswith(openings)]


def assert_prose_kept(a: Article, prose: list[str]) -> None:
    for sentence in prose:
        start = a.text.index(sentence)
        end = start + len(sentence)
        hit = [x for x in a.excluded if x.start < end and start < x.end]
        assert not hit, f"prose excluded: {sentence!r} by {hit}"


# ----------------------------------------------------------------------------------------------------
# An invented WordPress-style repost with every kind of junk line.

HARBOUR = """Published: Wednesday, March 12, 2025

Halifax council approves $40-million harbour plan after long debate

By Jane Doe and Omar Haddad

Advertisement

Halifax regional council voted 12 to 4 on Tuesday to approve a $40-million plan to rebuild the \
city's aging harbour walls, ending a debate that stretched over three meetings.

IMG_2031.jpeg
17

"We cannot keep patching the same concrete every spring," Mayor Linda Chow told reporters after the \
vote. "This plan finally fixes the problem."

WATCH: Harbour walls crumble after winter storms
Harbour walls crumble after winter storms ”

Residents can share their views on the plan at https://halifax.example/harbour before April 1, the \
city said. Councillor Ray Ng said he would subscribe to any plan that protected the waterfront.

https://cdn.example.com/uploads/2025/03/harbour-walls.jpg?w=620
https://res.example.net/image/upload/v1712/harbour_aerial
https://halifax.example/news/harbour-plan
https://cdn.example.com/uploads/2025/03/harbour-walls.jpg?w=620

Construction is expected to start in June and take about two years, according to a staff report.

Share this:
Click to share on Twitter (Opens in new window)
Facebook
Subscribe to our newsletter
Follow us on Instagram
Sponsored
Read more: Dartmouth ferry terminal to close for repairs

About the author

Leave a Comment
Comment *
Name *
Email *
Website
Save my name, email, and website in this browser for the next time I comment.
Post Comment
"""


@pytest.fixture(scope="module")
def harbour() -> Article:
    return run(HARBOUR, id="harbour", path="in/harbour.txt")


def test_text_is_verbatim(harbour: Article) -> None:
    assert harbour.text == HARBOUR
    assert harbour.source == {"path": "in/harbour.txt", "format": "text"}


def test_every_junk_line_is_excluded_with_its_reason(harbour: Article) -> None:
    assert excluded(harbour) == [
        ("header-date", "Published: Wednesday, March 12, 2025"),
        ("byline", "By Jane Doe and Omar Haddad"),
        ("ad", "Advertisement"),
        ("image-filename", "IMG_2031.jpeg"),
        ("lone-number", "17"),
        ("media-caption", "WATCH: Harbour walls crumble after winter storms"),
        ("media-echo", "Harbour walls crumble after winter storms ”"),
        ("url", "https://cdn.example.com/uploads/2025/03/harbour-walls.jpg?w=620"),
        ("url", "https://res.example.net/image/upload/v1712/harbour_aerial"),
        ("url", "https://halifax.example/news/harbour-plan"),
        ("url", "https://cdn.example.com/uploads/2025/03/harbour-walls.jpg?w=620"),
        ("share-line", "Share this:"),
        ("share-line", "Click to share on Twitter (Opens in new window)"),
        ("share-line", "Facebook"),
        ("share-line", "Subscribe to our newsletter"),
        ("share-line", "Follow us on Instagram"),
        ("ad", "Sponsored"),
        ("related-link", "Read more: Dartmouth ferry terminal to close for repairs"),
        ("author-box", "About the author"),
        ("comment-form", "Leave a Comment"),
        ("comment-form", "Comment *"),
        ("comment-form", "Name *"),
        ("comment-form", "Email *"),
        ("comment-form", "Website"),
        ("comment-form", "Save my name, email, and website in this browser for the next time I comment."),
        ("comment-form", "Post Comment"),
    ]


def test_no_prose_paragraph_is_excluded(harbour: Article) -> None:
    prose = lines_starting(HARBOUR, "Halifax", '"We cannot', "Residents can", "Construction")
    assert len(prose) == 5
    assert "share their views" in prose[3] and "https://" in prose[3]  # "share" and a URL mid-sentence
    assert "subscribe to any plan" in prose[3]
    assert_prose_kept(harbour, prose)


def test_header(harbour: Article) -> None:
    assert harbour.published == "2025-03-12"
    ev = harbour.published_evidence
    assert ev is not None and ev.note == "date line in the text header"
    assert ev.start is not None and ev.end is not None
    assert HARBOUR[ev.start:ev.end] == ev.text == "Published: Wednesday, March 12, 2025"
    assert harbour.title == "Halifax council approves $40-million harbour plan after long debate"
    span = harbour.title_span
    assert span is not None and HARBOUR[span.start:span.end] == span.text == harbour.title
    assert not any(x.start <= span.start < x.end for x in harbour.excluded)  # the headline is prose
    assert harbour.authors == ("Jane Doe", "Omar Haddad")


def test_images_are_image_urls_deduplicated_in_order(harbour: Article) -> None:
    assert harbour.images == (
        "https://cdn.example.com/uploads/2025/03/harbour-walls.jpg?w=620",
        "https://res.example.net/image/upload/v1712/harbour_aerial",
    )


def test_language(harbour: Article) -> None:
    assert harbour.language == "en"


# ----------------------------------------------------------------------------------------------------
# Header formats.


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("October 8, 2025", "2025-10-08"),
        ("8 October 2025", "2025-10-08"),
        ("2025-10-08", "2025-10-08"),
        ("2025-10-08T10:32:00Z", "2025-10-08"),
        ("Oct. 8, 2025 10:32 AM ET", "2025-10-08"),
        ("Published: Wednesday, October 8, 2025", "2025-10-08"),
        ("Sept. 5, 2025", "2025-09-05"),
        ("5th September 2025", "2025-09-05"),
        ("Wed 8 Oct 2025 10.32 BST", "2025-10-08"),
        ("Posted on October 8, 2025 at 4:15 pm", "2025-10-08"),
        ("08.10.2025", "2025-10-08"),
        ("2025/10/08", "2025-10-08"),
        ("13/04/2025", "2025-04-13"),  # day-first is the only reading
        ("mercredi 8 octobre 2025", "2025-10-08"),
        ("8. Oktober 2025", "2025-10-08"),
        ("8 de octubre de 2025", "2025-10-08"),
        ("Updated: Oct. 9, 2025 | Published: Oct. 8, 2025", "2025-10-08"),
        ("October 8, 2025 | Metro News", "2025-10-08"),
    ],
)
def test_date_line_formats(line: str, iso: str) -> None:
    text = f"{line}\n\nTown reopens library after flood repairs\n\n{BODY}"
    a = run(text)
    assert a.published == iso
    assert a.published_evidence is not None and a.published_evidence.text == line
    assert ("header-date", line) in excluded(a)
    assert a.title == "Town reopens library after flood repairs"


BODY = ("The public library on Main Street reopened on Monday, eight months after a flood ruined its "
        "basement and most of the children's collection. Staff said about 3,000 books had been replaced "
        "with donations from neighbouring towns.")


@pytest.mark.parametrize("line", ["03/04/2025", "February 30, 2025"])
def test_ambiguous_or_impossible_date_gives_no_date(line: str) -> None:
    a = run(f"{line}\n\nTown reopens library after flood repairs\n\n{BODY}")
    assert a.published is None and a.published_evidence is None
    assert a.title == "Town reopens library after flood repairs"  # the date line is still not a title


def test_title_after_date_and_byline_with_date() -> None:
    a = run(f"Town reopens library after flood repairs\nBy Ana Ruiz | October 8, 2025\n\n{BODY}")
    assert a.title == "Town reopens library after flood repairs"
    assert a.published == "2025-10-08"
    assert a.authors == ("Ana Ruiz",)


def test_several_date_lines_publication_is_the_earliest_not_updated() -> None:
    a = run(f"Town reopens library after flood repairs\n\nOctober 20, 2025\n\nOctober 8, 2025\n\n{BODY}")
    assert a.published == "2025-10-08"
    assert [r for r, _ in excluded(a)] == ["header-date", "header-date"]


def test_a_year_in_a_headline_is_not_a_date_line() -> None:
    a = run(f"2025 budget: what the province plans for hospitals\n\n{BODY}")
    assert a.published is None
    assert a.title == "2025 budget: what the province plans for hospitals"
    assert a.excluded == ()


def test_date_in_a_body_sentence_is_not_a_header() -> None:
    a = run(f"{BODY}\n\nThe library first opened on October 8, 1925, and was expanded in 1970.")
    assert a.published is None and a.title is None and a.excluded == ()


def test_caller_published_wins() -> None:
    a = run(f"October 8, 2025\n\nTown reopens library after flood repairs\n\n{BODY}", published="2025-09-05")
    assert a.published == "2025-09-05"
    ev = a.published_evidence
    assert ev is not None and ev.note == "given by the caller" and ev.start is None and ev.end is None
    assert ("header-date", "October 8, 2025") in excluded(a)
    flag = next(f for f in a.flags if f.code == "date_line_differs")
    assert {e.text for e in flag.evidence} == {"October 8, 2025", "2025-09-05"}


def test_caller_published_agreeing_with_the_text_raises_no_flag() -> None:
    a = run(f"October 8, 2025\n\nTown reopens library after flood repairs\n\n{BODY}", published="2025-10-08")
    assert a.published == "2025-10-08" and a.flags == ()


@pytest.mark.parametrize(
    "text",
    [
        BODY + "\n\n" + BODY,  # starts with a body paragraph
        "It was a quiet morning in the harbour.\n\n" + BODY,  # a short first paragraph is no headline
        "the council met again on Tuesday\n\n" + BODY,  # lower case: not a headline
    ],
)
def test_no_header_gives_no_title_and_no_date(text: str) -> None:
    a = run(text)
    assert a.title is None and a.title_span is None
    assert a.published is None and a.published_evidence is None
    assert a.excluded == ()


def test_hard_wrapped_first_paragraph_is_not_a_title() -> None:
    text = ("The public library on Main Street reopened on Monday, eight months\n"
            "after a flood ruined its basement and most of the children's collection.\n\n" + BODY)
    assert run(text).title is None


def test_kicker_above_the_headline_is_skipped() -> None:
    a = run(f"Politics\n\nWhy the mayor's harbour plan split the council?\n\n{BODY}")
    assert a.title == "Why the mayor's harbour plan split the council?"


def test_headline_with_a_full_stop_needs_a_headline_mark() -> None:
    dateline = "HALIFAX (CP) — " + BODY
    assert run(f"Council approves harbour plan.\n\n{dateline}").title == "Council approves harbour plan."
    assert run(f"Council approves harbour plan.\n\n{BODY}").title is None


# ----------------------------------------------------------------------------------------------------
# Junk rules in isolation: what they take and what they must leave.


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("0", "lone-number"),
        ("1,204", "lone-number"),
        ("mayor-chow.JPG", "image-filename"),
        ("Look | Firefighters battle harbour blaze", "media-caption"),
        ("Watch | Firefighters battle harbour blaze", "media-caption"),
        ("VIDEO: Firefighters battle harbour blaze", "media-caption"),
        ("Image caption, Firefighters at the harbour", "media-caption"),
        ("Photo: Ana Ruiz/Metro News", "photo-credit"),
        ("RELATED: Ferry terminal to close", "related-link"),
        ("Leave a Reply", "comment-form"),
        ("Cancel reply", "comment-form"),
        ("Your email address will not be published. Required fields are marked *", "comment-form"),
        ("24 Comments", "comment-form"),
        ("About The Author", "author-box"),
        ("Share on Facebook", "share-line"),
        ("Sign up for our daily briefing", "share-line"),
        ("Sign up for breaking news alerts", "share-line"),
        ("ADVERTISEMENT", "ad"),
        ("Skip Ad", "ad"),
        ("Story continues below advertisement", "ad"),
        ("We use cookies to improve your experience on our site.", "cookie-notice"),
        ("© 2025 Metro News. All rights reserved.", "copyright"),
        ("Tags: harbour, council, Halifax", "tag-line"),
        ("4 min read", "reading-time"),
        ("Skip to main content", "navigation"),
        ("Home » News » Halifax", "breadcrumb"),
        ("www.example.org/harbour", "url"),
    ],
)
def test_junk_line(line: str, reason: str) -> None:
    text = f"{BODY}\n\n{line}\n\n{BODY}"
    a = run(text)
    assert excluded(a) == [(reason, line)]
    assert a.images == ()


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell 4 percent after the announcement, the exchange said.",
        "Subscribers to the service rose 10 percent last year, the company said.",
        "Sign up for the program using the same email as your library card.",
        "Follow-up inspections are planned for next spring, the city said.",
        "Watch the vote live at https://halifax.example/live from 7 p.m., the clerk said.",
        "Look, nobody wants another winter like that, the mayor said.",
        "Comments from residents were mostly positive, according to the report.",
        "The 2025 budget sets aside $12 million for the project.",
        "Advertisements for the new ferry will run through the summer.",
    ],
)
def test_prose_with_junk_words_is_kept(line: str) -> None:
    a = run(f"{BODY}\n\n{line}\n\n{BODY}")
    assert a.excluded == ()


def test_a_long_line_is_prose_whatever_its_opening() -> None:
    line = "Related: " + BODY + " The council will review the plan again next year."
    assert len(line.split()) > 40
    assert run(f"{BODY}\n\n{line}\n\n{BODY}").excluded == ()


def test_caption_echo_needs_a_near_copy_close_by() -> None:
    text = (f"{BODY}\n\nWatch | Mayor Chow tours the flooded harbour walls\n\n"
            "Mayor Chow tours the flooded harbour walls\n\n"
            "The mayor toured the harbour walls on Monday with engineers from the province.\n\n"
            f"{BODY}\n\nA hundred metres of the harbour walls were flooded, Mayor Chow said.\n")
    assert [r for r, _ in excluded(run(text))] == ["media-caption", "media-echo"]


def test_comment_form_fields_only_after_a_comment_form_near_the_end() -> None:
    early = run(f"Name *\n\n{BODY}\n\n{BODY}")
    assert ("comment-form", "Name *") in excluded(early)  # a required-field marker is furniture anywhere
    website = run(f"{BODY}\n\nWebsite\n\n{BODY}")
    assert website.excluded == ()  # a lone "Website" is only a form field inside a comment form
    late = run(f"{BODY}\n\n{BODY}\n\nLeave a Reply\nWebsite\nSubmit")
    assert [r for r, _ in excluded(late)] == ["comment-form"] * 3


def test_image_urls() -> None:
    urls = [
        "https://i.example.ca/1.7/fileImage/httpImage/image.JPG_gen/derivatives/16x9/mayor.JPG?im=Resize",
        "https://static.example.com/photos/harbour.webp",
        "https://img.example.com/p/harbour?format=jpg&w=800",
    ]
    page = "https://halifax.example/2025/03/12/harbour-plan"
    text = BODY + "\n\n" + "\n".join([*urls, page, urls[0]]) + "\n\n" + BODY
    a = run(text)
    assert a.images == tuple(urls)
    assert [r for r, _ in excluded(a)] == ["url"] * 5


def test_offsets_hold_with_crlf_and_indentation() -> None:
    text = f"  October 8, 2025  \r\n\r\nTown reopens library after flood repairs\r\n\r\n{BODY}\r\n\t0\r\n"
    a = run(text)
    assert a.text == text
    assert excluded(a) == [("header-date", "October 8, 2025"), ("lone-number", "0")]
    assert a.title_span is not None and text[a.title_span.start:a.title_span.end] == a.title


def test_language_of_a_french_text_and_of_a_short_text() -> None:
    fr = ("Le conseil municipal a approuvé mardi un plan de 40 millions de dollars pour reconstruire les "
          "murs du port, mettant fin à un débat qui a duré trois réunions. La construction doit commencer "
          "en juin et durer environ deux ans, selon un rapport du personnel.")
    assert run(fr).language == "fr"
    short = run("Council approves harbour plan after long debate")
    assert short.language is None
    assert short.title is None  # a lone line heads nothing: not a headline


def test_empty_text() -> None:
    a = run("", url="https://halifax.example/a")
    assert a.text == "" and a.title is None and a.published is None and a.excluded == ()
    assert a.language is None and a.url == "https://halifax.example/a"
    assert a.source["url"] == "https://halifax.example/a"


# ----------------------------------------------------------------------------------------------------
# The founding example.


@pytest.fixture(scope="module")
def seed(seed_path) -> Article:  # type: ignore[no-untyped-def]
    return clean_text(RawDoc(id="seed", text=seed_path.read_text(encoding="utf-8"), path=str(seed_path)))


def test_seed_text_verbatim_and_header(seed: Article, seed_path) -> None:  # type: ignore[no-untyped-def]
    assert seed.text == seed_path.read_text(encoding="utf-8")
    assert seed.published == "2025-10-08"
    ev = seed.published_evidence
    assert ev is not None and ev.start is not None and seed.text[ev.start:ev.end] == ev.text
    assert seed.title == "Carney calls for “maximum pressure” on Russia while Putin threatens the allies"
    assert seed.title_span is not None
    assert seed.text[seed.title_span.start:seed.title_span.end] == seed.title
    assert seed.language == "en"


def test_seed_excluded(seed: Article) -> None:
    got = excluded(seed)
    reasons = [r for r, _ in got]
    assert reasons == ["header-date", "lone-number", "image-filename", "media-caption", "media-echo", "url",
                       "author-box", "comment-form", "comment-form"]
    texts = dict(zip(reasons, [t for _, t in got], strict=False))
    assert texts["lone-number"] == "0"
    assert texts["image-filename"].endswith(".JPG")
    assert texts["media-caption"].startswith("Look | ")
    assert texts["url"].startswith("https://") and seed.images == (texts["url"],)
    assert got[-2:] == [
        ("comment-form", "Leave a Reply"),
        ("comment-form", "Your email address will not be published. Required fields are marked *"),
    ]
    assert ("author-box", "About The Author") in got


def test_seed_no_prose_excluded(seed: Article) -> None:
    junk = {t for _, t in excluded(seed)}
    prose = [ln.strip() for ln in seed.text.splitlines() if len(ln.split()) >= 8 and ln.strip() not in junk]
    assert len(prose) >= 15
    assert all(ln.endswith((".", "”")) for ln in prose if ln != seed.title)  # what is left is sentences
    assert_prose_kept(seed, prose)
