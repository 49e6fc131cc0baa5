"""Feeds, URL lists and bare URLs through iter_sources, against a real local HTTP server."""

from __future__ import annotations

import pytest

from localhttp import Route, Site, html_page
from newsledger.ingest.feeds import looks_like_feed, parse_feed
from newsledger.ingest.sources import iter_sources
from newsledger.ingest.web import Fetcher
from newsledger.model import Failure, RawDoc

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS_TYPE = {"Content-Type": "application/rss+xml"}


def rss(items: list[str]) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>News</title>'
            "<link>http://example.org/</link><description>d</description>"
            + "".join(items) + "</channel></rss>").encode()


def item(title: str, link: str | None, date: str | None = None) -> str:
    return (f"<item><title>{title}</title>" + (f"<link>{link}</link>" if link else "")
            + (f"<pubDate>{date}</pubDate>" if date else "") + "</item>")


@pytest.fixture
def site():
    with Site() as s:
        s.routes["/a1"] = Route(body=html_page("First", "The first story."), headers=HTML)
        s.routes["/a2"] = Route(body=html_page("Second", "The second story."), headers=HTML)
        s.routes["/plain"] = Route(body=b"A plain text story.\n", headers={"Content-Type": "text/plain"})
        s.routes["/moved"] = Route(301, headers={"Location": "/a2"})
        s.routes["/feed"] = Route(body=rss([
            item("First", s.url("/a1"), "Tue, 03 Jun 2025 10:00:00 GMT"),
            item("Second", "/a2"),  # relative: resolved against the feed's URL
            item("No link", None),
            item("First again", s.url("/a1"), "Tue, 03 Jun 2025 10:00:00 GMT"),
        ]), headers=RSS_TYPE)
        s.routes["/feed-as-html"] = Route(body=rss([item("First", s.url("/a1"))]), headers=HTML)
        s.routes["/fake-feed"] = Route(body=html_page("Oops", "An HTML page, not a feed."), headers=RSS_TYPE)
        yield s


@pytest.fixture
def fetcher():
    with Fetcher(allow_private=True, rate=0.0, trust_env=False) as f:
        yield f


def run(sources, fetcher, **kw):
    return list(iter_sources(sources, fetcher=fetcher, **kw))


def test_feed_url_yields_its_articles_with_dates(site, fetcher):
    items = run([site.url("/feed")], fetcher)
    docs = [x for x in items if isinstance(x, RawDoc)]
    assert [d.url for d in docs] == [site.url("/a1"), site.url("/a2")]  # the duplicate link is not fetched
    assert [d.published for d in docs] == ["2025-06-03", None]
    assert all(d.origin == site.url("/feed") and d.format == "html" for d in docs)
    assert "The first story." in (docs[0].html or "")
    [nolink] = [x for x in items if isinstance(x, Failure)]
    assert nolink.stage == "feed" and "has no link" in nolink.reason and "No link" in nolink.reason
    assert site.paths() == ["/feed", "/a1", "/a2"]


def test_resume_does_not_fetch_stored_articles_again(site, fetcher):
    first = [x for x in run([site.url("/feed")], fetcher) if isinstance(x, RawDoc)]
    stored = {d.url for d in first if d.url}
    site.hits.clear()
    again = [x for x in run([site.url("/feed")], fetcher, seen=stored.__contains__) if isinstance(x, RawDoc)]
    assert again == [] and site.paths() == ["/feed"]


def test_feed_served_as_html_is_still_a_feed_and_html_served_as_feed_is_not(site, fetcher):
    as_html = run([site.url("/feed-as-html")], fetcher)
    assert [x.url for x in as_html if isinstance(x, RawDoc)] == [site.url("/a1")]
    [fake] = run([site.url("/fake-feed")], fetcher)
    assert isinstance(fake, Failure) and fake.reason.startswith("not an RSS/Atom feed")


def test_local_feed_files(site, fetcher, tmp_path):
    atom = (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
            f'<entry><title>One</title><link href="{site.url("/a1")}"/><published>2025-05-01T08:00:00Z'
            f"</published><updated>2025-05-02T08:00:00Z</updated></entry></feed>")
    (tmp_path / "news.atom").write_text(atom)
    (tmp_path / "broken.xml").write_text("<html><body><p>Not a feed at all</p></body></html>")
    items = run([str(tmp_path / "news.atom"), str(tmp_path / "broken.xml")], fetcher)
    assert isinstance(items[0], RawDoc) and items[0].published == "2025-05-01"
    assert items[0].origin == str(tmp_path / "news.atom") and items[0].url == site.url("/a1")
    assert isinstance(items[1], Failure) and items[1].reason.startswith("not an RSS/Atom feed")


def test_bare_urls_articles_text_and_redirects(site, fetcher):
    page, plain, moved, missing = run([site.url(p) for p in ("/a1", "/plain", "/moved", "/nope")], fetcher)
    assert isinstance(page, RawDoc) and page.id == page.url == page.origin == site.url("/a1")
    assert isinstance(plain, RawDoc) and plain.text == "A plain text story.\n" and plain.format == "text"
    # a redirected page keeps the URL that was asked for, so a resumed run recognises it
    assert isinstance(moved, RawDoc) and moved.url == site.url("/moved")
    assert "second story" in (moved.html or "")
    assert isinstance(missing, Failure) and "HTTP 404" in missing.reason


def test_url_lists(site, fetcher, tmp_path):
    urls = tmp_path / "reading.urls"
    urls.write_text(f"# to read\n{site.url('/a1')}\n\nnot a url\n{site.url('/feed')}\n{site.url('/gone')}\n")
    items = run([str(urls)], fetcher)
    fetched = [x.url for x in items if isinstance(x, RawDoc)]
    assert fetched == [site.url("/a1"), site.url("/a1"), site.url("/a2")]
    reasons = [x.reason for x in items if isinstance(x, Failure)]
    assert any(r.startswith("not an http(s) URL") for r in reasons)
    assert any("HTTP 404" in r for r in reasons) and any("has no link" in r for r in reasons)
    txt = tmp_path / "list.txt"
    txt.write_text(f"{site.url('/a2')}\n")
    [doc] = run([str(txt)], fetcher)
    assert isinstance(doc, RawDoc) and doc.url == site.url("/a2") and doc.origin == str(txt)


def test_loopback_urls_are_refused_unless_allowed(site):
    [refused] = list(iter_sources([site.url("/a1")]))
    assert isinstance(refused, Failure) and refused.reason.startswith("refused") and site.hits == []
    [allowed] = list(iter_sources([site.url("/a1")], allow_private=True))
    assert isinstance(allowed, RawDoc)
    [ftp] = list(iter_sources(["ftp://example.org/x"]))
    assert isinstance(ftp, Failure) and "only http" in ftp.reason


def test_parse_feed_and_sniffing():
    assert looks_like_feed(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- c --><rss version="2.0">')
    assert looks_like_feed(b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">')
    assert not looks_like_feed(b"<!doctype html><html><body>rss feed</body></html>")
    entries = parse_feed(rss([item("T", "https://x.example/1", "Mon, 02 Jun 2025 23:30:00 +0000")]))
    assert isinstance(entries, list) and entries[0].link == "https://x.example/1"
    assert entries[0].published == "2025-06-02"
    # the date the newsroom printed, in its own time zone (UTC would make it 2025-06-02)
    local = parse_feed(rss([item("T", "https://x.example/2", "Tue, 03 Jun 2025 00:30:00 +0200")]))
    assert isinstance(local, list) and local[0].published == "2025-06-03"
    atom = parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>a</title><entry><title>x</title>'
                      b'<link href="https://x.example/3"/><published>2025-06-03T00:30:00+02:00</published>'
                      b"</entry></feed>")
    assert isinstance(atom, list) and atom[0].published == "2025-06-03"
    assert isinstance(parse_feed(b"plain words, no markup"), str)
    assert parse_feed(rss([])) == []  # a valid feed with no entries is not an error


def test_tagged_items_name_their_source_even_for_failures(site, fetcher, tmp_path):
    from newsledger.ingest.sources import iter_sources_tagged

    (tmp_path / "a.txt").write_text("An article.\n")
    items = list(iter_sources_tagged([str(tmp_path), site.url("/nope")], fetcher=fetcher))
    kinds = [(o, type(x).__name__) for o, x in items]
    assert kinds == [(str(tmp_path), "RawDoc"), (site.url("/nope"), "Failure")]


def test_relative_link_in_a_local_feed_is_a_clear_failure(fetcher, tmp_path):
    (tmp_path / "f.rss").write_bytes(rss([item("Rel", "/only/a/path")]))
    [fail] = run([str(tmp_path / "f.rss")], fetcher)
    assert isinstance(fail, Failure) and fail.reason.startswith("not an absolute http(s) URL")
