"""WARC / WARC.gz reading on real archives written with fastwarc (gzip per record, as Common Crawl)."""

from __future__ import annotations

import gzip
import io
import uuid

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
        assert "corrupt WARC" in items[0].reason


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
