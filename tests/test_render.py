"""render.py (spans → escaped, well-nested HTML) and chart.py (SVG timeline) on small inputs."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from newsledger.web import chart, render
from newsledger.web.render import Mark


class _Nesting(HTMLParser):
    """Fails on a closing tag that does not match the innermost open one; collects the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1] == "span" and self.tags and
                (self.tags[-1][1].get("class") or "") == "who"):
            self.text.append(data)


def _parse(markup: str) -> _Nesting:
    p = _Nesting()
    p.feed(markup)
    p.close()
    assert not p.stack, f"unclosed {p.stack}"
    return p


def test_text_survives_exactly_and_is_escaped() -> None:
    text = 'He said "<script>alert(1)</script>" & left <b>.'
    out = render.highlight(text, [Mark(8, 36, "q", "q:Q1", anchor="q-Q1", label="<i>Bob</i>", focus=True)])
    assert "<script>" not in out and "<i>" not in out and "<b>" not in out
    p = _parse(str(out))
    assert "".join(p.text) == text  # every character shown, nothing added or lost
    assert p.tags[0][1]["id"] == "q-Q1" and p.tags[0][1]["tabindex"] == "0"


def test_overlapping_spans_are_split_and_reopened() -> None:
    text = "0123456789abcdefghij"
    marks = [Mark(0, 10, "q", "q:Q1", anchor="q-Q1", focus=True), Mark(5, 15, "en", "e:E1", anchor="en-E1"),
             Mark(12, 30, "x", "x:0")]  # the last runs past the text: clipped
    p = _parse(str(render.highlight(text, marks)))
    assert "".join(p.text) == text
    pieces = [a for t, a in p.tags if a.get("data-rec") == "e:E1"]
    assert len(pieces) == 2  # the mention crosses the quote's end: closed and reopened
    assert pieces[0].get("id") == "en-E1" and "cont" not in (pieces[0]["class"] or "")
    assert pieces[1].get("id") is None and "cont" in (pieces[1]["class"] or "")
    assert sum(1 for _, a in p.tags if a.get("id")) == 2  # one id per record, never duplicated


def test_bad_offsets_are_ignored() -> None:
    text = "short"
    out = render.highlight(text, [Mark(3, 2, "q"), Mark(-1, 2, "q"), Mark(9, 12, "q"), Mark(0, 0, "en")])
    assert str(out) == "short"


@pytest.mark.parametrize(("url", "ok"), [("https://example.org/a?b=1", True), ("http://x.y", True),
                                         ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False),
                                         ("data:text/html,<b>", False), ("/relative", False),
                                         ("//evil.example", False), (None, False), ("https://", False)])
def test_only_http_urls_are_linked(url: str | None, ok: bool) -> None:
    assert (render.safe_url(url) is not None) is ok


def test_search_hits_and_snippet() -> None:
    text = "Pressure grows. The pressure-cooker, depressurised, is under PRESSURE."
    hits = render.term_hits(text, ["pressure"])
    assert [text[a:b] for a, b in hits] == ["Pressure", "pressure", "PRESSURE"]  # not inside "depressurised"
    snip = str(render.snippet(text + " <tag>", ["cooker"], width=10))
    assert "<mark" in snip and "&lt;tag&gt;" not in snip  # cut around the hit
    assert "<tag>" not in str(render.snippet("<tag> x", ["x"]))


def test_timeline_chart_markers() -> None:
    items = [{"type": "quote", "date": "2025-09-05"}, {"type": "quote", "date": "2025-09-05"},
             {"type": "event", "date": "2025-09-05"}, {"type": "quote", "date": "2025-06"},
             {"type": "event", "date": None}, {"type": "quote", "date": "not a date"}]
    svg = str(chart.timeline_svg(items, "A <b>name</b>"))
    assert svg.startswith("<svg") and "<b>" not in svg and "A &lt;b&gt;name&lt;/b&gt;" in svg
    marks = re.findall(r'<a href="#([^"]+)" data-count="(\d+)" data-kind="(\w+)"', svg)
    assert sorted(marks) == sorted([("d-2025-09-05", "2", "quote"), ("d-2025-09-05", "1", "event"),
                                    ("d-2025-06", "1", "quote")])
    assert svg.count("approx") == 1  # the month-only date is drawn hollow
    assert "<circle" in svg and "<rect" in svg  # shape, not only colour, tells quotes from events
    assert "no dated" in str(chart.timeline_svg([{"type": "quote", "date": None}], "X"))
    assert html.unescape(chart.day_anchor("2025-09-05")) == "d-2025-09-05"
