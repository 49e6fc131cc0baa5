"""The Fetcher against a real local HTTP server: limits, redirects, politeness, refusals."""

from __future__ import annotations

import gzip
import itertools
import tracemalloc
import zlib

import brotli
import httpcore
import httpx
import pytest

from localhttp import Route, Site, gzip_bomb, html_page
from newsledger import __version__
from newsledger.ingest.web import Fetched, Fetcher, PublicOnlyBackend
from newsledger.model import Failure

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def site():
    with Site() as s:
        yield s


def fetcher(**kw) -> Fetcher:
    kw.setdefault("allow_private", True)
    kw.setdefault("rate", 0.0)
    kw.setdefault("trust_env", False)
    return Fetcher(**kw)


def test_fetches_a_page_with_a_clear_user_agent_and_its_charset(site):
    site.routes["/a"] = Route(body="<html><body><p>Café crème</p></body></html>".encode("latin-1"),
                              headers={"Content-Type": "text/html; charset=ISO-8859-1"})
    with fetcher() as f:
        got = f.fetch(site.url("/a"))
    assert isinstance(got, Fetched)
    assert got.status == 200 and got.content_type == "text/html" and got.charset == "iso-8859-1"
    assert "Café crème" in got.text()
    ua = site.hits[0].headers["User-Agent"]
    assert ua.startswith(f"newsledger/{__version__}") and "+http" in ua


def test_http_404_names_the_status(site):
    with fetcher() as f:
        got = f.fetch(site.url("/missing"))
    assert isinstance(got, Failure) and got.stage == "fetch"
    assert "HTTP 404" in got.reason and got.id == site.url("/missing")


def test_slow_server_is_a_timeout(site):
    site.routes["/slow"] = Route(body=b"late", headers=HTML, delay=1.5)
    with fetcher(read_timeout=0.3) as f:
        got = f.fetch(site.url("/slow"))
    assert isinstance(got, Failure) and got.reason.startswith("timeout")


def test_redirects_are_followed_and_loops_stop(site):
    site.routes["/old"] = Route(301, headers={"Location": "/new"})
    site.routes["/new"] = Route(body=html_page("New", "Moved here."), headers=HTML)
    site.routes["/loop1"] = Route(302, headers={"Location": "/loop2"})
    site.routes["/loop2"] = Route(302, headers={"Location": site.url("/loop1")})
    with fetcher(max_redirects=5) as f:
        moved = f.fetch(site.url("/old"))
        loop = f.fetch(site.url("/loop1"))
    assert isinstance(moved, Fetched) and moved.final_url == site.url("/new")
    assert moved.url == site.url("/old")
    assert isinstance(loop, Failure) and "too many redirects" in loop.reason
    assert site.paths().count("/loop1") + site.paths().count("/loop2") == 6  # the first hop + 5 redirects


def test_every_redirect_hop_is_checked(site):
    site.routes["/to-ftp"] = Route(302, headers={"Location": "ftp://example.org/file"})
    site.routes["/to-nowhere"] = Route(302, headers={"Location": "http://no-such-host.invalid/x"})
    with fetcher() as f:
        ftp = f.fetch(site.url("/to-ftp"))
        dns = f.fetch(site.url("/to-nowhere"))
    assert isinstance(ftp, Failure) and "unsupported URL scheme 'ftp'" in ftp.reason
    assert "redirected to ftp://example.org/file" in ftp.reason
    assert isinstance(dns, Failure) and dns.reason.startswith("DNS failure")


def test_malformed_redirect_is_a_failure_not_an_exception(site):
    site.routes["/bad"] = Route(302, headers={"Location": "http://[not-an-address/"})
    with fetcher() as f:
        got = f.fetch(site.url("/bad"))
    assert isinstance(got, Failure) and got.stage == "fetch"


def test_oversize_bodies_are_abandoned_with_or_without_content_length(site):
    big = b"<html><body>" + b"x" * 300_000 + b"</body></html>"
    site.routes["/big"] = Route(body=big, headers=HTML)
    site.routes["/big-chunked"] = Route(body=big, headers=HTML, chunked=True)
    site.routes["/small"] = Route(body=html_page("Small", "Fits."), headers=HTML)
    with fetcher(max_bytes=100_000) as f:
        declared, streamed, small = (f.fetch(site.url(p)) for p in ("/big", "/big-chunked", "/small"))
    assert isinstance(declared, Failure) and declared.reason.startswith("too large")
    assert isinstance(streamed, Failure) and streamed.reason.startswith("too large")
    assert isinstance(small, Fetched)


def test_gzip_bomb_over_http_stops_at_the_limit(site):
    site.routes["/bomb"] = Route(body=gzip_bomb(1 << 30), headers={**HTML, "Content-Encoding": "gzip"})
    site.routes["/zipped"] = Route(body=gzip.compress(html_page("Z", "Compressed page.")),
                                   headers={**HTML, "Content-Encoding": "gzip"})
    site.routes["/deflated"] = Route(body=zlib.compress(html_page("D", "Deflated page.")),
                                     headers={**HTML, "Content-Encoding": "deflate"})
    with fetcher(max_bytes=2_000_000) as f:
        bomb, zipped, deflated = (f.fetch(site.url(p)) for p in ("/bomb", "/zipped", "/deflated"))
    assert isinstance(bomb, Failure) and "decompressed size over the limit" in bomb.reason
    assert isinstance(zipped, Fetched) and b"Compressed page." in zipped.body
    assert isinstance(deflated, Fetched) and b"Deflated page." in deflated.body


def test_non_page_content_types_are_refused(site):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    site.routes["/img"] = Route(body=png, headers={"Content-Type": "image/png"})
    with fetcher() as f:
        got = f.fetch(site.url("/img"))
    assert isinstance(got, Failure) and "not HTML or text" in got.reason and "image/png" in got.reason


def test_loopback_is_refused_by_default_without_any_request(site):
    site.routes["/a"] = Route(body=html_page("A", "Hello."), headers=HTML)
    with Fetcher(trust_env=False) as f:
        got = f.fetch(site.url("/a"))
        local = f.fetch("http://localhost:9/")
        mapped = f.fetch("http://[::ffff:127.0.0.1]:9/")
    assert isinstance(got, Failure) and got.reason.startswith("refused") and "loopback" in got.reason
    assert isinstance(local, Failure) and local.reason.startswith("refused")
    assert isinstance(mapped, Failure) and mapped.reason.startswith("refused")
    assert site.hits == []


@pytest.mark.parametrize("url", ["http://10.1.2.3/", "http://169.254.169.254/latest/meta-data/",
                                 "http://224.0.0.1/", "http://0.0.0.0/", "http://[fe80::1]/",
                                 "http://240.0.0.1/", "http://100.64.0.1/"])
def test_private_link_local_multicast_and_reserved_addresses_are_refused(url):
    with Fetcher(trust_env=False) as f:
        got = f.fetch(url)
    assert isinstance(got, Failure) and got.reason.startswith("refused"), got


def test_dns_failure_and_bad_scheme():
    with fetcher() as f:
        dns = f.fetch("http://no-such-host.invalid/")
        ftp = f.fetch("ftp://example.org/")
    assert isinstance(dns, Failure) and dns.reason.startswith("DNS failure")
    assert isinstance(ftp, Failure) and "unsupported URL scheme" in ftp.reason


def test_same_host_waits_for_the_rate_other_hosts_do_not(site):
    try:
        other = Site("127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 is not bindable here")
    for s in (site, other):
        for p in ("/1", "/2", "/3"):
            s.routes[p] = Route(body=html_page(p, "Page."), headers=HTML)
    with other, fetcher(rate=0.2) as f:
        for p in ("/1", "/2", "/3"):
            assert isinstance(f.fetch(site.url(p)), Fetched)
        assert isinstance(f.fetch(other.url("/1")), Fetched)
    same = [h.at for h in site.hits]
    gaps = [b - a for a, b in itertools.pairwise(same)]
    assert len(gaps) == 2 and all(g >= 0.2 for g in gaps), gaps
    # the other host is asked right after the last request to the first: no politeness wait
    assert other.hits[0].at - same[-1] < 0.15


def test_connections_go_only_to_the_addresses_checked_at_connect_time(site):
    """The guard against DNS rebinding: the backend checks the address it connects to."""
    site.routes["/a"] = Route(body=html_page("A", "Pinned."), headers=HTML)
    with pytest.raises(httpcore.ConnectError, match=r"refused: 127\.0\.0\.1 resolves to a loopback"):
        PublicOnlyBackend().connect_tcp("127.0.0.1", site.port, timeout=1)
    # with a check that lets loopback through, the same backend connects and serves a real request
    transport = httpx.HTTPTransport()
    transport._pool._network_backend = PublicOnlyBackend(lambda ip: None)
    with httpx.Client(transport=transport, trust_env=False) as client:
        assert client.get(site.url("/a")).status_code == 200
    # a Fetcher that refuses private addresses installs this backend
    with Fetcher(trust_env=False) as f:
        assert isinstance(f._client._transport._pool._network_backend, PublicOnlyBackend)


def test_brotli_pages_are_decoded_and_a_brotli_bomb_stops_at_the_limit(site):
    """Before: a `Content-Encoding: br` page was refused as "unsupported content encoding 'br'"."""
    page = html_page("B", "Brotli page.")
    site.routes["/br"] = Route(body=brotli.compress(page), headers={**HTML, "Content-Encoding": "br"})
    site.routes["/stacked"] = Route(body=brotli.compress(gzip.compress(page)),
                                    headers={**HTML, "Content-Encoding": "gzip, br"})
    bomb = brotli.compress(b"<html><body>" + b"\0" * (128 << 20), quality=4)  # 128 MB in ~230 bytes
    site.routes["/bomb"] = Route(body=bomb, headers={**HTML, "Content-Encoding": "br"}, chunked=True)
    site.routes["/bad"] = Route(body=b"not brotli at all", headers={**HTML, "Content-Encoding": "br"})
    site.routes["/zstd"] = Route(body=b"(\xb5/\xfd" + b"\0" * 20,
                                 headers={**HTML, "Content-Encoding": "zstd"})
    with fetcher(max_bytes=2_000_000) as f:
        tracemalloc.start()
        try:
            paths = ("/br", "/stacked", "/bomb", "/bad", "/zstd")
            br, stacked, bombed, bad, zstd = (f.fetch(site.url(p)) for p in paths)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert isinstance(br, Fetched) and br.body == page
    assert isinstance(stacked, Fetched) and stacked.body == page
    assert isinstance(bombed, Failure) and bombed.reason == "decompressed size over the limit of 2 MB"
    assert peak < 20_000_000, peak  # the cap and a few buffers, not the 128 MB
    assert isinstance(bad, Failure) and bad.reason.startswith("bad br body: corrupt compressed data")
    assert isinstance(zstd, Failure) and zstd.reason == "unsupported content encoding 'zstd'"
    assert "br" in site.hits[0].headers["Accept-Encoding"]


@pytest.mark.parametrize("charset", ["undefined", "base64", "unicode_escape", "utf-7", "no-such-charset"])
def test_a_bogus_declared_charset_falls_back_to_sniffing(charset: str) -> None:
    """A server's charset that is no text encoding of the web must not abort the run or mangle text."""
    from newsledger.ingest.web import decode_body

    page = "<html><body><p>Café owners said the rent had doubled.</p></body></html>".encode()
    assert "Café owners" in decode_body(page, charset)
