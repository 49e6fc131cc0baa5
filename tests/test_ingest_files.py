"""iter_sources over files and folders: document types, gzip with a cap, order, skipping, resume."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

from localhttp import gzip_bomb
from newsledger.ingest.files import read_file
from newsledger.ingest.sources import iter_sources
from newsledger.model import Failure, RawDoc, locator

ARTICLE = "Minister Jane Roe said on Friday that the budget would rise.\nShe spoke in Ottawa.\n"
PAGE = "<!doctype html><html><head><title>T</title></head><body><p>Hello page.</p></body></html>"


def docs(items):
    return [x for x in items if isinstance(x, RawDoc)]


def fails(items):
    return [x for x in items if isinstance(x, Failure)]


def make_tree(root: Path) -> None:
    (root / "b").mkdir(parents=True)
    (root / "a.txt").write_text(ARTICLE)
    (root / "b" / "c.html").write_text(PAGE)
    (root / "b" / "d.txt.gz").write_bytes(gzip.compress(b"Gzipped text article.\n"))
    (root / "b" / "e.html.gz").write_bytes(gzip.compress(PAGE.encode()))
    lines = [{"id": "j1", "text": "First line article.", "url": "https://news.example/j1"},
             {"id": "j2", "html": PAGE, "published": "2025-06-03"}]
    (root / "f.jsonl.gz").write_bytes(gzip.compress("\n".join(json.dumps(x) for x in lines).encode()))
    (root / "notes.pdf").write_bytes(b"%PDF-1.4 ...")
    (root / "list.urls").write_text("https://news.example/x\n")  # a URL list: never fetched from a folder
    (root / ".hidden.txt").write_text("hidden")
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_text("not a document")


def test_folder_is_walked_recursively_in_sorted_order_with_origin(tmp_path):
    make_tree(tmp_path)
    items = list(iter_sources([str(tmp_path)]))
    assert fails(items) == []
    got = docs(items)
    assert [d.id for d in got] == ["a", "c", "d", "e", "j1", "j2"]
    assert all(d.origin == str(tmp_path) for d in got)
    by_id = {d.id: d for d in got}
    assert by_id["a"].text == ARTICLE and by_id["a"].path == str(tmp_path / "a.txt")
    assert by_id["c"].html == PAGE and by_id["e"].html == PAGE and by_id["e"].format == "html"
    assert by_id["d"].text == "Gzipped text article.\n" and by_id["d"].format == "text"
    assert by_id["j1"].url == "https://news.example/j1" and by_id["j2"].published == "2025-06-03"
    assert by_id["j2"].path == f"{tmp_path / 'f.jsonl.gz'}:2"


def test_gzip_bomb_is_a_failure_read_by_streaming(tmp_path):
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip_bomb(1 << 30))  # ~1 MB that inflates to 1 GB
    assert bomb.stat().st_size < 2_000_000
    start = time.monotonic()
    items = list(iter_sources([str(bomb)], max_bytes=1_000_000))
    assert time.monotonic() - start < 2  # it stopped at the limit instead of inflating 1 GB
    assert len(items) == 1 and isinstance(items[0], Failure)
    assert items[0].reason.startswith("decompressed size over the limit")


def test_truncated_or_fake_gzip_is_a_failure(tmp_path):
    good = gzip.compress(ARTICLE.encode() * 50)
    (tmp_path / "cut.txt.gz").write_bytes(good[: len(good) // 2])
    (tmp_path / "fake.txt.gz").write_text("this was never gzipped")
    lines = "\n".join(json.dumps({"id": f"n{i}", "text": f"Line {i} " * 40}) for i in range(50)).encode()
    zipped = gzip.compress(lines)
    (tmp_path / "cut.jsonl.gz").write_bytes(zipped[: len(zipped) * 2 // 3])
    cut, fake = (list(iter_sources([str(tmp_path / n)])) for n in ("cut.txt.gz", "fake.txt.gz"))
    assert isinstance(cut[0], Failure) and "truncated" in cut[0].reason
    assert isinstance(fake[0], Failure) and "bad gzip" in fake[0].reason
    jl = list(iter_sources([str(tmp_path / "cut.jsonl.gz")]))
    assert len(docs(jl)) >= 5 and isinstance(jl[-1], Failure) and "truncated" in jl[-1].reason
    # the lines before the damage are intact
    assert [d.id for d in docs(jl)] == [f"n{i}" for i in range(len(docs(jl)))]


def test_explicit_files_binary_unsupported_and_missing(tmp_path):
    (tmp_path / "img.html").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0" * 50)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    items = list(iter_sources([str(tmp_path / "img.html"), str(tmp_path / "notes.pdf"),
                               str(tmp_path / "nope.txt")]))
    assert [type(x) for x in items] == [Failure, Failure, Failure]
    assert "binary" in items[0].reason
    assert items[1].reason.startswith("unsupported file type '.pdf'")
    assert items[2].reason == "no such file or folder"


def test_seen_files_and_lines_are_skipped(tmp_path):
    make_tree(tmp_path)
    first = docs(iter_sources([str(tmp_path)]))
    stored = {locator(d) for d in first[:3]}
    again = docs(iter_sources([str(tmp_path)], seen=stored.__contains__))
    assert [d.id for d in again] == [d.id for d in first[3:]]


def test_large_jsonl_line_is_a_failure_and_the_next_line_still_reads(tmp_path):
    big = json.dumps({"id": "big", "text": "x" * 5000})
    small = json.dumps({"id": "small", "text": "A short article."})
    (tmp_path / "a.jsonl").write_text(big + "\n" + small + "\n")
    items = list(iter_sources([str(tmp_path / "a.jsonl")], max_bytes=1000))
    assert isinstance(items[0], Failure) and "too large" in items[0].reason
    assert [d.id for d in docs(items)] == ["small"]


def test_read_file_for_analyze_is_unchanged(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text(ARTICLE)
    doc = read_file(str(p))
    assert isinstance(doc, RawDoc) and doc.text == ARTICLE and doc.origin is None and doc.path == str(p)


def test_txt_that_is_only_urls_is_a_url_list_but_an_article_is_not(tmp_path):
    from newsledger.ingest.sources import _is_url_list

    (tmp_path / "list.txt").write_text("# my reading list\nhttps://a.example/1\n\nhttp://b.example/2?x=1\n")
    (tmp_path / "art.txt").write_text("https://a.example/1\nThe minister said the plan would work.\n")
    (tmp_path / "one.txt").write_text("See https://a.example/1 for more.\n")
    assert _is_url_list(tmp_path / "list.txt", 10_000)
    assert not _is_url_list(tmp_path / "art.txt", 10_000)
    assert not _is_url_list(tmp_path / "one.txt", 10_000)
    assert docs(iter_sources([str(tmp_path / "art.txt")]))[0].text.startswith("https://a.example/1\nThe")


def test_inflater_reads_multi_member_gzip_exactly_at_any_chunk_size():
    import io
    import random

    from newsledger.ingest.compressed import Inflater

    rng = random.Random(3)
    members = [bytes(rng.randrange(256) for _ in range(rng.randint(0, 3000))) + b"abc" * rng.randint(0, 900)
               for _ in range(6)]
    data = b"".join(gzip.compress(m) for m in members) + b"\0" * 16  # NUL padding after the end is allowed
    for chunk in (1, 7, 512, 1 << 16):
        src = io.BytesIO(data)
        inflater = Inflater(lambda _n, src=src, chunk=chunk: src.read(chunk))
        out = io.BufferedReader(inflater).read()
        assert out == b"".join(members) and inflater.error is None


def test_jsonl_lines_keep_their_numbers_across_blank_lines_and_white_space(tmp_path):
    rows = [json.dumps({"id": f"r{i}", "text": f"Row {i}."}) for i in range(3)]
    text = "\n\n" + rows[0] + "\n \t\n\r\n" + rows[1] + "\n" + " " * 70_000 + "\n" + rows[2]
    (tmp_path / "a.jsonl").write_bytes(text.encode())
    got = docs(iter_sources([str(tmp_path / "a.jsonl")]))
    assert [(d.id, d.path.rsplit(":", 1)[1]) for d in got] == [("r0", "3"), ("r1", "6"), ("r2", "8")]


def test_counting_for_progress_never_opens_a_fifo_and_counts_it_as_one(tmp_path):
    import os
    import threading

    from newsledger.ingest.sources import count_documents

    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b.jsonl").write_text('{"id": "x", "text": "y"}\n{"id": "z", "text": "w"}\n')
    os.mkfifo(tmp_path / "p.txt")
    os.mkfifo(tmp_path / "q.jsonl")
    box = []
    t = threading.Thread(target=lambda: box.append(count_documents([str(tmp_path)])), daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():
        for name in ("p.txt", "q.jsonl"):  # let the blocked open return before failing
            os.close(os.open(tmp_path / name, os.O_WRONLY | os.O_NONBLOCK))
        raise AssertionError("count_documents blocked on a FIFO")
    assert box == [1 + 2 + 1 + 1]


def test_a_path_that_cannot_be_looked_at_is_named_with_its_reason_not_a_traceback(tmp_path, monkeypatch):
    import os

    from newsledger.ingest.sources import missing_paths

    real = os.stat
    hidden = str(tmp_path / "locked" / "a.txt")

    def stat(path, *args, **kwargs):
        if os.fspath(path) == hidden:
            raise PermissionError(13, "Permission denied", hidden)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    assert missing_paths([hidden, str(tmp_path / "nope.txt"), str(tmp_path), "https://a.example/", "-"]) == [
        f"{hidden} (Permission denied)", str(tmp_path / "nope.txt")]


def test_read_capped_asks_for_blocks_not_for_the_whole_limit():
    import io

    from newsledger.ingest.compressed import READ_BLOCK, read_capped

    asked: list[int] = []

    class Source(io.BytesIO):
        def read(self, n=-1):
            asked.append(n)
            return super().read(n)

    assert read_capped(Source(b"x" * 3_000_000), 10**12) == b"x" * 3_000_000  # a huge --max-bytes
    assert max(asked) <= READ_BLOCK
    assert read_capped(Source(b"x" * 101), 100) is None and read_capped(Source(b"x" * 100), 100) == b"x" * 100


def test_url_list_test_reads_only_as_far_as_the_first_line_that_is_not_a_url(tmp_path):
    from newsledger.ingest.sources import _is_url_list

    (tmp_path / "art.txt").write_bytes(b"The minister said.\n" + b"word " * 3_000_000)  # 15 MB after line 1
    (tmp_path / "cr.txt").write_bytes(b"\xef\xbb\xbfhttps://a.example/1\rhttps://b.example/2\r")
    assert not _is_url_list(tmp_path / "art.txt", 1 << 20)
    assert _is_url_list(tmp_path / "cr.txt", 1 << 20)
