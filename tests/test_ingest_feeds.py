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


def rss(items: list[str], link: str | None = "http://example.org/", base: str | None = None) -> bytes:
    """An RSS 2.0 feed; `link` is the channel's site link, `base` an xml:base on the channel."""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel'
            + (f' xml:base="{base}"' if base else "") + "><title>News</title>"
            + (f"<link>{link}</link>" if link else "") + "<description>d</description>"
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
            item("Second", "/a2"),  # relative: resolved against the feed's site link
            item("No link", None),
            item("First again", s.url("/a1"), "Tue, 03 Jun 2025 10:00:00 GMT"),
        ], link=s.url("/")), headers=RSS_TYPE)
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


def test_relative_links_resolve_against_the_feeds_base_site_link_or_url(site, fetcher, tmp_path):
    """Before: a local feed's relative entry links failed as "not an absolute http(s) URL" although
    the feed gives its site link."""
    (tmp_path / "site.rss").write_bytes(rss([item("Rel", "/a1"), item("Rel too", "a2")], link=site.url("/")))
    (tmp_path / "based.rss").write_bytes(rss([item("Based", "a2")], link="http://elsewhere.invalid/",
                                             base=site.url("/")))
    docs = run([str(tmp_path / "site.rss"), str(tmp_path / "based.rss")], fetcher)
    assert [d.url for d in docs] == [site.url("/a1"), site.url("/a2"), site.url("/a2")]
    assert all(isinstance(d, RawDoc) for d in docs)
    # a fetched feed without a site link: its own URL is the base; Atom: its URL before its site link
    site.routes["/news/feed"] = Route(body=rss([item("Rel", "../a1")], link=None), headers=RSS_TYPE)
    site.routes["/atom"] = Route(body=(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><link href="http://elsewhere.invalid/"/>'
        b'<entry><title>x</title><link href="/a2"/></entry></feed>'),
        headers={"Content-Type": "application/atom+xml"})
    fetched = run([site.url("/news/feed"), site.url("/atom")], fetcher)
    assert [d.url for d in fetched if isinstance(d, RawDoc)] == [site.url("/a1"), site.url("/a2")]
    # nothing to resolve against: a clear failure, and no request
    (tmp_path / "nobase.rss").write_bytes(rss([item("Rel", "/only/a/path")], link=None))
    site.hits.clear()
    [fail] = run([str(tmp_path / "nobase.rss")], fetcher)
    assert isinstance(fail, Failure) and fail.stage == "feed" and site.hits == []
    assert fail.reason == ("feed entry 1 has a relative link '/only/a/path' and the feed gives no base to "
                           "resolve it against (no xml:base, site link or feed URL)")


STORY = " ".join(f"Paragraph sentence {i}: the council met on Friday and agreed the budget."
                 for i in range(12))


def full_item(title: str, link: str | None, *, content: str | None = None, summary: str | None = None,
              date: str | None = "Tue, 03 Jun 2025 10:00:00 GMT") -> str:
    return (f"<item><title>{title}</title>" + (f"<link>{link}</link>" if link else "")
            + (f"<pubDate>{date}</pubDate>" if date else "") + "<author>desk@news.example (Ann Lee)</author>"
            + (f"<description><![CDATA[{summary}]]></description>" if summary else "")
            + (f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else "") + "</item>")


def offline_feed(site_link: str) -> bytes:
    return rss([
        full_item("Full", f"{site_link}full", content=f"<p>{STORY}</p>", summary="A teaser."),
        full_item("Long summary", f"{site_link}long", summary=f"<p>{STORY} {STORY}</p>"),
        full_item("Teaser only", f"{site_link}teaser", summary="The council met. Read more."),
        full_item("No link, full text", None, content=f"<p>{STORY}</p>"),
    ], link=site_link)


def test_an_unreachable_page_falls_back_to_the_entrys_content(site, fetcher, tmp_path):
    """Before: an entry whose page could not be fetched was a failure even when the feed carried the
    whole article; an entry with no link was one too."""
    (tmp_path / "news.rss").write_bytes(offline_feed(site.url("/")))  # the site answers 404 to every path
    items = run([str(tmp_path / "news.rss")], fetcher)
    full, long, teaser, nolink = items
    assert isinstance(full, RawDoc) and full.url == site.url("/full") and full.published == "2025-06-03"
    assert "Paragraph sentence 11" in (full.html or "") and "A teaser." not in (full.html or "")
    [flag] = full.flags
    assert flag.code == "from_feed_content"
    assert flag.message == ("the article page could not be fetched (HTTP 404 Not Found): the text is the "
                            "feed entry's full content, which may be shorter than the page or differ from it")
    assert flag.evidence[0].text == site.url("/full") and flag.evidence[0].note == "HTTP 404 Not Found"
    assert isinstance(long, RawDoc) and "summary (288 words)" in long.flags[0].message
    assert isinstance(teaser, Failure) and teaser.reason.startswith("HTTP 404")  # a teaser is not the article
    assert isinstance(nolink, RawDoc) and nolink.url is None and nolink.id == f"{tmp_path / 'news.rss'}#4"
    assert nolink.flags[0].message.startswith("feed entry 4 ('No link, full text') has no link: the text is")
    assert site.paths() == ["/full", "/long", "/teaser"]


def test_no_fetch_never_asks_the_network(site, tmp_path):
    """`--no-fetch`: a feed file yields its entries' content; URLs and URL lists are counted failures."""
    site.routes["/a1"] = Route(body=html_page("First", "The first story."), headers=HTML)
    (tmp_path / "news.rss").write_bytes(offline_feed(site.url("/")))
    (tmp_path / "list.urls").write_text(f"{site.url('/a1')}\n{site.url('/feed')}\n")
    items = list(iter_sources([str(tmp_path / "news.rss"), site.url("/a1"), str(tmp_path / "list.urls")],
                              allow_private=True, no_fetch=True))
    assert site.hits == []
    docs = [x for x in items if isinstance(x, RawDoc)]
    assert [d.url for d in docs] == [site.url("/full"), site.url("/long"), None]
    assert all(d.flags[0].message.startswith("the article page was not fetched (--no-fetch): ")
               for d in docs[:2])
    failures = [(x.id, x.reason) for x in items if isinstance(x, Failure)]
    assert failures == [(site.url(p), "not fetched (--no-fetch)") for p in ("/teaser", "/a1", "/a1", "/feed")]


def test_feed_content_and_its_flag_reach_the_ledger(site, tmp_path, nlp):
    from newsledger import pipeline
    from newsledger.engines import get_engine
    from newsledger.ingest.sources import iter_sources_tagged
    from newsledger.ledger import store

    (tmp_path / "news.rss").write_bytes(offline_feed(site.url("/")))
    conn = store.connect(str(tmp_path / "l.db"))
    with get_engine("inprocess", nlp=nlp) as engine:
        items = iter_sources_tagged([str(tmp_path / "news.rss")], no_fetch=True)
        summary = pipeline.ingest_items(conn, items, engine)
    assert summary.new == 3 and summary.failed == 1
    assert dict(summary.failures) == {"fetch: not fetched (--no-fetch)": 1}
    rows = conn.execute("SELECT a.url, a.title, a.published, f.message FROM flags f JOIN articles a "
                        "ON a.id = f.article_id WHERE f.code = 'from_feed_content' ORDER BY a.id").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [(site.url("/full"), "Full", "2025-06-03"),
                                                  (site.url("/long"), "Long summary", "2025-06-03"),
                                                  (None, "No link, full text", "2025-06-03")]
    assert all("not fetched (--no-fetch)" in r[3] for r in rows[:2])
    conn.close()


def test_ingest_no_fetch_from_the_command_line(site, tmp_path, nlp):
    """The CLI passes --no-fetch on: the feed's own content is stored and the site is never asked."""
    from newsledger import cli

    (tmp_path / "news.rss").write_bytes(offline_feed(site.url("/")))
    db = tmp_path / "cli.db"
    code = cli.main(["ingest", str(tmp_path / "news.rss"), "--db", str(db), "--no-fetch", "--allow-private",
                     "--quiet", "--json"])
    assert code == cli.EXIT_SOME_FAILED  # the teaser entry cannot be had without fetching: one failure
    assert site.hits == []
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
