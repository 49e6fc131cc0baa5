"""WARC / WARC.gz reading on real archives written with fastwarc (gzip per record, as Common Crawl)."""

from __future__ import annotations

import gzip
import io
import random
import tracemalloc
import uuid
import zlib

import brotli
from fastwarc.warc import WarcRecord, WarcRecordType

from newsledger.ingest.sources import iter_sources
from newsledger.ingest.warc import read_warc
from newsledger.model import Failure, RawDoc

PAGE1 = "<html><head><title>One</title></head><body><p>First story, naïve café.</p></body></html>"
PAGE2 = "<html><body><p>Second story: Zürich and São Paulo.</p></body></html>"


def record(rtype: WarcRecordType, uri: str, block: bytes, content_type: str) -> bytes:
    rec = WarcRecord()
    rec.init_headers(rtype, f"uuid:{uuid.uuid4()}".encode())
    rec.headers["WARC-Target-URI"] = uri
    rec.headers["Content-Type"] = content_type
    rec.set_bytes_content(block)
    out = io.BytesIO()
    rec.write(out, checksum_data=True)
    return out.getvalue()


def response(uri: str, body: bytes, ctype: str = "text/html; charset=utf-8", status: str = "200 OK",
             extra: str = "") -> bytes:
    http = f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n{extra}Content-Length: {len(body)}\r\n\r\n"
    return record(WarcRecordType.response, uri, http.encode() + body, "application/http; msgtype=response")


def archive_records() -> list[bytes]:
    return [
        record(WarcRecordType.warcinfo, "", b"software: test\r\n", "application/warc-fields"),
        record(WarcRecordType.request, "https://news.example/1",
               b"GET /1 HTTP/1.1\r\nHost: news.example\r\n\r\n", "application/http; msgtype=request"),
        response("https://news.example/1", PAGE1.encode()),
        response("https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"),
        response("https://news.example/gone", b"<html><body>Not here</body></html>", status="404 Not Found"),
        response("https://news.example/2", PAGE2.encode("iso-8859-1"), "text/html; charset=ISO-8859-1"),
        response("https://news.example/3", gzip.compress(b"<html><body><p>Third, zipped.</p></body></html>"),
                 extra="Content-Encoding: gzip\r\n"),
    ]


def write(path, records, per_record_gzip=True):
    data = b"".join(gzip.compress(r) for r in records) if per_record_gzip else b"".join(records)
    path.write_bytes(data)
    return data


def test_html_responses_become_documents_in_order(tmp_path):
    recs = archive_records()
    for name, gz in (("cc.warc.gz", True), ("plain.warc", False)):
        write(tmp_path / name, recs, gz)
        items = list(read_warc(str(tmp_path / name), origin="crawl"))
        assert all(isinstance(x, RawDoc) for x in items), items
        assert [d.url for d in items] == [f"https://news.example/{n}" for n in (1, 2, 3)]
        assert [d.id for d in items] == [d.url for d in items]
        assert items[0].html == PAGE1 and items[1].html == PAGE2  # charset from the HTTP header
        assert "Third, zipped." in (items[2].html or "")
        assert all(d.format == "html" and d.origin == "crawl" and d.path == str(tmp_path / name)
                   and d.published is None for d in items)


def test_truncated_archive_keeps_earlier_pages_and_reports_once(tmp_path):
    recs = archive_records()
    members = [gzip.compress(r) for r in recs]
    write(tmp_path / "full.warc.gz", recs)
    full = [d.url for d in read_warc(str(tmp_path / "full.warc.gz"))]
    offset = 0
    for member in members:
        for frac in (0.3, 0.8):  # a cut inside every member: the download broke off there
            cut = tmp_path / "cut.warc.gz"
            cut.write_bytes(b"".join(members)[: offset + int(len(member) * frac)])
            items = list(read_warc(str(cut)))
            got = [x.url for x in items if isinstance(x, RawDoc)]
            failures = [x for x in items if isinstance(x, Failure)]
            assert got == full[: len(got)]
            assert len(failures) == 1 and failures[0].stage == "warc", (offset, frac, items)
            assert "truncated" in failures[0].reason
        offset += len(member)


def test_truncated_plain_warc_never_raises(tmp_path):
    data = write(tmp_path / "f.warc", archive_records(), per_record_gzip=False)
    full = [d.url for d in read_warc(str(tmp_path / "f.warc"))]
    for cut in range(1, len(data), max(1, len(data) // 60)):
        (tmp_path / "cut.warc").write_bytes(data[:cut])
        items = list(read_warc(str(tmp_path / "cut.warc")))
        got = [x.url for x in items if isinstance(x, RawDoc)]
        assert got == full[: len(got)]
        assert sum(isinstance(x, Failure) for x in items) <= 1


def test_not_a_warc_is_one_failure(tmp_path):
    (tmp_path / "junk.warc").write_text("this is not a WARC file\n" * 20)
    (tmp_path / "junk.warc.gz").write_bytes(gzip.compress(b"neither is this\n" * 20))
    for name in ("junk.warc", "junk.warc.gz"):
        items = list(read_warc(str(tmp_path / name)))
        assert len(items) == 1 and isinstance(items[0], Failure) and items[0].stage == "warc"
        assert "not a WARC archive" in items[0].reason
    (tmp_path / "empty.warc").write_bytes(b"")
    [empty] = read_warc(str(tmp_path / "empty.warc"))
    assert isinstance(empty, Failure) and empty.reason == "empty file: no WARC records"


def test_seen_records_are_skipped_and_big_ones_fail_alone(tmp_path):
    recs = archive_records()
    recs.insert(3, response("https://news.example/huge", b"<html><body>" + b"y" * 5000 + b"</body></html>"))
    write(tmp_path / "a.warc.gz", recs)
    items = list(read_warc(str(tmp_path / "a.warc.gz"), max_bytes=2000,
                           seen={"https://news.example/1"}.__contains__))
    assert [x.url for x in items if isinstance(x, RawDoc)] == ["https://news.example/2", "https://news.example/3"]
    [big] = [x for x in items if isinstance(x, Failure)]
    assert big.id == "https://news.example/huge" and big.reason.startswith("too large")


def test_folder_with_warc_through_iter_sources(tmp_path):
    (tmp_path / "crawl").mkdir()
    write(tmp_path / "crawl" / "x.warc.gz", archive_records())
    (tmp_path / "crawl" / "note.txt").write_text("A note that is also an article.\n")
    items = list(iter_sources([str(tmp_path / "crawl")]))
    assert [x.id for x in items] == ["note", "https://news.example/1", "https://news.example/2",
                                     "https://news.example/3"]
    assert all(isinstance(x, RawDoc) and x.origin == str(tmp_path / "crawl") for x in items)


# --- archives from the wild: every WARC version, wire encodings, cut records --------------------------
# Records written byte by byte in the shape of each version's writers (checked against warcio too):
# WARC/0.17 as Heritrix 1.14 wrote it, WARC/0.18 as ClueWeb09 has it (HTTP headers ending lines in a
# bare LF, "application/http;msgtype=response", an empty header, an impossible WARC-Date).


def http_block(body: bytes, ctype: str = "text/html", status: str = "200 OK", nl: bytes = b"\r\n",
               headers: tuple[str, ...] = (), length: int | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {ctype}", *headers,
             f"Content-Length: {len(body) if length is None else length}"]
    return nl.join(line.encode() for line in lines) + nl + nl + body


def warc_record(version: str, rtype: str, block: bytes, uri: str | None = None,
                content_type: str = "application/http; msgtype=response", headers: tuple[str, ...] = ()
                ) -> bytes:
    lines = [f"WARC/{version}", f"WARC-Type: {rtype}"]
    if uri:
        lines.append(f"WARC-Target-URI: {uri}")
    lines += ["WARC-Date: 2009-01-13T18:05:10Z", f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>", *headers,
              f"Content-Type: {content_type}", f"Content-Length: {len(block)}"]
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + block + b"\r\n\r\n"


def story(n: int) -> bytes:
    return (f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
            f"<p>Council member {n} said the budget would pass on Friday.</p></article></body></html>"
            ).encode()


def clueweb09(n_pages: int) -> bytes:
    """A WARC/0.18 file in ClueWeb09's shape: a warcinfo record, then `n_pages` responses."""
    info = warc_record("0.18", "warcinfo", b"software: Nutch 1.0-dev\r\nformat: WARC file version 0.18\r\n",
                       content_type="application/warc-fields")
    pages = [warc_record("0.18", "response", http_block(story(n), nl=b"\n", headers=("Server: WebServerX",)),
                         uri=f"http://news.example/{n}", content_type="application/http;msgtype=response",
                         headers=("WARC-Warcinfo-ID: 993d3969-9643-4934-b1c6-68d4dbe55b83",
                                  f"WARC-TREC-ID: clueweb09-en0000-00-{n:05d}",
                                  "WARC-Identified-Payload-Type: ", "WARC-Date: 2009-03-65T08:43:19-0800"))
             for n in range(n_pages)]
    return info + b"".join(pages)


def heritrix_017(n_pages: int) -> bytes:
    """A WARC/0.17 file as Heritrix 1.14 wrote it: request/response pairs with CRLF HTTP headers."""
    out = [warc_record("0.17", "warcinfo", b"software: Heritrix/1.14.0\r\n",
                       content_type="application/warc-fields")]
    for n in range(n_pages):
        uri = f"http://news.example/{n}"
        out.append(warc_record("0.17", "request", b"GET / HTTP/1.0\r\nHost: news.example\r\n\r\n", uri=uri,
                               content_type="application/http; msgtype=request"))
        out.append(warc_record("0.17", "response", http_block(story(n)), uri=uri,
                               headers=("WARC-IP-Address: 207.241.229.39",)))
    return b"".join(out)


def test_every_warc_version_reads_the_same_pages(tmp_path):
    """Before: a WARC/0.18 file of 29 pages (ClueWeb09's LF-terminated HTTP headers) was read as
    zero documents and no failure, because fastwarc's strict mode reads those records as empty."""
    expected = [f"http://news.example/{n}" for n in range(29)]
    v10 = [response(f"http://news.example/{n}", story(n)) for n in range(29)]  # fastwarc writes 1.1
    files = {"clueweb.warc": clueweb09(29), "heritrix.warc": heritrix_017(29),
             "v10.warc": b"".join(r.replace(b"WARC/1.1\r\n", b"WARC/1.0\r\n", 1) for r in v10),
             "v11.warc.gz": b"".join(gzip.compress(r) for r in v10),
             "clueweb.warc.gz": gzip.compress(clueweb09(29))}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        items = list(read_warc(str(tmp_path / name)))
        assert [x.url for x in items if isinstance(x, RawDoc)] == expected, (name, items[:2])
        assert not [x for x in items if isinstance(x, Failure)], name
        assert "Council member 7 said" in (items[7].html or "")


def test_a_warc_with_no_pages_says_why(tmp_path):
    """Before: a WARC of requests only (or of images and 404s) was read as nothing, silently."""
    get = b"GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"
    requests = b"".join(warc_record("1.0", "request", get, uri=f"http://a.example/{n}",
                                    content_type="application/http; msgtype=request") for n in range(12))
    (tmp_path / "requests.warc").write_bytes(requests)
    [why] = read_warc(str(tmp_path / "requests.warc"))
    assert isinstance(why, Failure) and why.stage == "warc"
    assert why.reason == "no HTML response records in WARC (found 12 records: 12 request)"
    mixed = [response("http://a.example/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"),
             response("http://a.example/gone", b"<html><body>gone</body></html>", status="404 Not Found"),
             response("http://a.example/old", b"", status="301 Moved Permanently"),
             record(WarcRecordType.metadata, "http://a.example/", b"fetchTimeMs: 12\r\n",
                    "application/warc-fields")]
    write(tmp_path / "mixed.warc.gz", mixed)
    [why] = read_warc(str(tmp_path / "mixed.warc.gz"))
    assert isinstance(why, Failure)
    assert why.reason.startswith("no HTML response records in WARC (found 4 records: 3 response, "
                                 "1 metadata); the responses: ")
    assert all(part in why.reason for part in ("1 image/png", "1 HTTP 404", "1 HTTP 301"))
    # a resumed run that skips every page because the ledger has them is not a failure
    write(tmp_path / "seen.warc.gz", [response("http://a.example/1", story(1))])
    assert list(read_warc(str(tmp_path / "seen.warc.gz"), seen=lambda uri: True)) == []


def test_wire_encodings_in_warc_payloads_are_decoded(tmp_path):
    """Before: brotli and deflate payloads were refused as "unsupported content encoding"."""
    page = story(5)
    recs = [response("http://e.example/br", brotli.compress(page), extra="Content-Encoding: br\r\n"),
            response("http://e.example/deflate", zlib.compress(page), extra="Content-Encoding: deflate\r\n"),
            response("http://e.example/raw-deflate", zlib.compress(page)[2:-4],
                     extra="Content-Encoding: deflate\r\n"),
            response("http://e.example/gzip", gzip.compress(page), extra="Content-Encoding: gzip\r\n"),
            response("http://e.example/stacked", brotli.compress(gzip.compress(page)),
                     extra="Content-Encoding: gzip, br\r\n"),
            response("http://e.example/decoded-already", page, extra="Content-Encoding: gzip\r\n"),
            response("http://e.example/zstd", b"(\xb5/\xfd" + b"\0" * 20, extra="Content-Encoding: zstd\r\n")]
    write(tmp_path / "enc.warc.gz", recs)
    items = list(read_warc(str(tmp_path / "enc.warc.gz")))
    docs = {x.url: x for x in items if isinstance(x, RawDoc)}
    assert list(docs) == ["http://e.example/" + p for p in ("br", "deflate", "raw-deflate", "gzip", "stacked",
                                                           "decoded-already")]
    assert all("Council member 5 said" in (d.html or "") and not d.flags for d in docs.values())
    [zstd] = [x for x in items if isinstance(x, Failure)]
    assert zstd.id == "http://e.example/zstd" and zstd.reason == "unsupported content encoding 'zstd'"


def test_a_brotli_bomb_in_a_warc_stops_at_the_limit(tmp_path):
    bomb = brotli.compress(b"<html><body>" + b"\0" * (128 << 20), quality=4)  # 128 MB in ~230 bytes
    bombed = response("http://b.example/bomb", bomb, extra="Content-Encoding: br\r\n")
    write(tmp_path / "bomb.warc.gz", [bombed,
                                      response("http://b.example/ok", story(1))])
    tracemalloc.start()
    try:
        items = list(read_warc(str(tmp_path / "bomb.warc.gz"), max_bytes=2_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(items[0], Failure) and "decompressed size over the limit of 2 MB" in items[0].reason
    assert isinstance(items[1], RawDoc) and items[1].url == "http://b.example/ok"
    assert peak < 20_000_000, peak  # the cap and a few buffers, not the 128 MB


def long_page(size: int) -> bytes:
    """An HTML page of exactly `size` bytes: the story first, then what follows it on a real page."""
    head = (b"<html><head><title>Budget vote</title></head><body><article><h1>Budget vote</h1>"
            b"<p>The council approved the budget on Friday, the mayor said.</p></article>")
    rng = random.Random(7)
    words = [b"related", b"story", b"comment", b"share", b"newsletter", b"weather", b"sport", b"market"]
    filler = b"".join(b"<li>" + b" ".join(rng.choice(words) for _ in range(8)) + b"</li>"
                      for _ in range(size // 40))
    tail = b"</body></html>"
    return head + filler[: size - len(head) - len(tail)] + tail


def test_a_page_cut_by_the_crawler_is_kept_with_a_truncated_flag(tmp_path):
    """Before: a Common Crawl News record holding 85 % of its page (WARC-Truncated, or a gzip body cut
    short) was dropped whole."""
    page = long_page(48_500)
    cut_85 = warc_record("1.0", "response", http_block(page[:41_230], length=48_500),
                         uri="http://cc.example/85", headers=("WARC-Truncated: length",))
    zipped = gzip.compress(page)
    cut_zip = warc_record("1.0", "response", http_block(zipped[: len(zipped) * 9 // 10], length=len(zipped),
                                                        headers=("Content-Encoding: gzip",)),
                          uri="http://cc.example/gz", headers=("WARC-Truncated: length",))
    cut_30 = warc_record("1.0", "response", http_block(page[:14_550], length=48_500),
                         uri="http://cc.example/30", headers=("WARC-Truncated: length",))
    chunked = http_block(page[:30_000], headers=("Transfer-Encoding: chunked",))
    unknown = warc_record("1.0", "response", chunked, uri="http://cc.example/unknown",
                          headers=("WARC-Truncated: time",))
    whole = warc_record("1.0", "response", http_block(page), uri="http://cc.example/whole")
    (tmp_path / "cc.warc").write_bytes(cut_85 + cut_zip + cut_30 + unknown + whole)
    items = list(read_warc(str(tmp_path / "cc.warc")))
    docs = {x.url: x for x in items if isinstance(x, RawDoc)}
    assert list(docs) == ["http://cc.example/85", "http://cc.example/gz", "http://cc.example/unknown",
                          "http://cc.example/whole"]
    [flag] = docs["http://cc.example/85"].flags
    assert flag.code == "truncated"
    assert flag.message.startswith("the archive record was cut: 41,230 of 48,500 bytes of the page "
                                   "arrived (85 %)")
    assert flag.evidence[0].text == "http://cc.example/85"
    assert "WARC-Truncated: length" in flag.evidence[0].note
    assert "The council approved the budget" in (docs["http://cc.example/gz"].html or "")
    assert (f"{len(zipped) * 9 // 10:,} of {len(zipped):,} bytes of the gzip-encoded page arrived (89 %)"
            in docs["http://cc.example/gz"].flags[0].message)
    assert "full size is unknown" in docs["http://cc.example/unknown"].flags[0].message
    assert docs["http://cc.example/whole"].flags == ()
    [under] = [x for x in items if isinstance(x, Failure)]
    assert under.id == "http://cc.example/30"
    assert under.reason == "truncated record: 14,550 of 48,500 bytes (30 %), under half of the page: not kept"


def test_a_download_cut_inside_the_last_page_keeps_most_of_it(tmp_path):
    """Before: the archive's last record, cut at 85 % of its page, was a failure and nothing of it kept."""
    page = long_page(48_500)
    first = warc_record("1.0", "response", http_block(story(1)), uri="http://cut.example/1")
    last = warc_record("1.0", "response", http_block(page), uri="http://cut.example/2")
    body_at = last.index(b"<html>")
    for cut, kept in ((body_at + 41_225, True), (body_at + 14_000, False)):
        (tmp_path / "cut.warc").write_bytes(first + last[:cut])
        items = list(read_warc(str(tmp_path / "cut.warc")))
        assert isinstance(items[0], RawDoc) and items[0].url == "http://cut.example/1"
        [failure] = [x for x in items if isinstance(x, Failure)]
        if kept:
            assert [x.url for x in items if isinstance(x, RawDoc)][1:] == ["http://cut.example/2"]
            [flag] = items[1].flags
            assert "41,225 of 48,500 bytes of the page arrived (85 %)" in flag.message
            assert "the archive file ends inside this record" in flag.evidence[0].note
            assert failure.reason.startswith("truncated WARC after 2 pages: the file ends inside the record "
                                             "of http://cut.example/2 (kept")
        else:
            assert len(items) == 2 and failure.reason.startswith("truncated record: 14,000 of 48,500 bytes")


def test_the_truncated_flag_reaches_the_ledger(tmp_path, nlp):
    from newsledger import pipeline
    from newsledger.engines import get_engine
    from newsledger.ingest.sources import iter_sources_tagged
    from newsledger.ledger import store

    page = long_page(48_500)
    rec = warc_record("1.0", "response", http_block(page[:41_230], length=48_500), uri="http://cc.example/85",
                      headers=("WARC-Truncated: length",))
    (tmp_path / "cc.warc").write_bytes(rec)
    conn = store.connect(str(tmp_path / "l.db"))
    with get_engine("inprocess", nlp=nlp) as engine:
        summary = pipeline.ingest_items(conn, iter_sources_tagged([str(tmp_path / "cc.warc")]), engine)
    assert summary.new == 1 and summary.failed == 0
    rows = conn.execute("SELECT code, message, evidence FROM flags").fetchall()
    [(message, evidence)] = [(r[1], r[2]) for r in rows if r[0] == "truncated"]
    assert "41,230 of 48,500 bytes" in message and "WARC-Truncated: length" in evidence
    conn.close()
