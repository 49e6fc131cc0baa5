"""reference_date: the stated date, unless asset/URL/dateline evidence and weekday words agree on an
earlier one (a re-post), which is then used and flagged `stale_date` with its evidence."""

from __future__ import annotations

from datetime import UTC, datetime

from newsledger.clean.refdate import settle_reference_date
from newsledger.model import Article, Evidence, Excluded


def art(text: str, published: str | None = "2026-03-11", **kw) -> Article:
    return settle_reference_date(Article(id="t", text=text, source={"format": "text"}, published=published,
                                         **kw))


def unix(y: int, m: int, d: int) -> int:
    return int(datetime(y, m, d, 14, 30, tzinfo=UTC).timestamp())


def test_no_evidence_keeps_published():
    a = art("The mayor spoke on Friday about the budget.")
    assert a.reference_date == "2026-03-11" and not a.flags


def test_unknown_published_stays_unknown():
    a = art("Officials met on Friday.", published=None)
    assert a.reference_date is None and not a.flags


def test_unix_timestamp_in_image_url_agreeing_with_weekday_is_used_and_flagged():
    # 2026-02-06 is a Friday; the stated date 2026-03-11 is a Wednesday.
    url = f"https://cdn.example.com/photos/{unix(2026, 2, 6)}/leader.jpg"
    text = f"The leader said on Friday that talks would go on.\nOn Friday evening, crowds gathered.\n{url}\n"
    a = art(text)
    assert a.reference_date == "2026-02-06"
    (flag,) = a.flags
    assert flag.code == "stale_date"
    url_ev = flag.evidence[0]
    assert url_ev.text == url and text[url_ev.start:url_ev.end] == url
    assert [e.text for e in flag.evidence[1:]] == ["Friday", "Friday"]
    assert all(text[e.start:e.end] == "Friday" for e in flag.evidence[1:])


def test_date_path_in_image_metadata_counts_too():
    a = art("Ministers met on Tuesday in Oslo.", images=("https://example.org/uploads/2026/02/03/oslo.jpg",))
    assert a.reference_date == "2026-02-03"  # a Tuesday
    assert a.flags[0].evidence[0].start is None  # found in metadata, not in the text


def test_evidence_that_disagrees_with_the_weekdays_is_ignored():
    # 2026-02-05 is a Thursday, but the text speaks of Friday.
    a = art("The minister said on Friday that aid was coming.",
            images=("https://example.org/uploads/2026/02/05/aid.jpg",))
    assert a.reference_date == "2026-03-11" and not a.flags


def test_stated_weekday_mentioned_as_often_wins():
    # Evidence for Friday 2026-02-06, but the text also speaks of the stated day (Wednesday).
    a = art("On Wednesday the council voted. On Friday, before, it had met.",
            images=("https://example.org/2026/02/06/council.jpg",))
    assert a.reference_date == "2026-03-11"


def test_weekdays_inside_excluded_spans_do_not_vote():
    text = "WATCH: what happened on Friday\nThe council met again.\n"
    a = art(text, images=("https://example.org/2026/02/06/x.jpg",),
            excluded=(Excluded(0, text.index("\n"), "media-caption"),))
    assert a.reference_date == "2026-03-11"


def test_dateline_is_evidence():
    text = "KYIV, Feb. 6 (Reuters) - Officials said on Friday that the convoy had arrived."
    a = art(text)
    assert a.reference_date == "2026-02-06"
    assert a.flags[0].evidence[0].start == 0


def test_future_and_ancient_evidence_is_ignored():
    a = art("He spoke on Friday.", images=(f"https://x.example/{unix(2026, 3, 13)}/a.jpg",
                                           "https://x.example/2019/02/01/a.jpg"))
    assert a.reference_date == "2026-03-11" and not a.flags


def test_stated_date_evidence_is_cited():
    stated = Evidence(text="March 11, 2026", note="date line in the text header", start=0, end=14)
    a = art("March 11, 2026\nTalks ended on Friday.", published_evidence=stated,
            images=("https://x.example/2026/02/06/a.jpg",))
    assert a.flags[0].evidence[-1] == stated
