"""Hostile and odd files never stop a run (issue 16): generated, seeded, bounded inputs through the real
readers, and a real `newsledger ingest` of a folder of them in a subprocess.

What is checked: every read ends (a timeout guards each one, and a memory cap the subprocess), every bad
input is one counted failure with its reason, every good document beside the bad ones is stored exactly
once, and nothing is a traceback. `build_hostile_folder` is also what the README's table was measured on.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import gzip
import json
import os
import random
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from localhttp import gzip_bomb
from newsledger.ingest.files import DEFAULT_MAX_BYTES, read_file, read_gzip_file, read_jsonl_file
from newsledger.ingest.sources import iter_sources
from newsledger.model import Failure, RawDoc

SEED = 16
MAX_BYTES = 200_000  # the limit the folder run uses: small, so the oversized inputs stay small too
NAMES = ["Dana Whitfield", "Ana Ruiz", "Tomas Berg", "Lena Okafor", "Ravi Menon", "Jun Park", "Eva Lind"]
TOWNS = ["Harwick", "Selby", "Marlow", "Ostend", "Tarrow", "Bexley", "Corran", "Dunmore"]
WORDS = ["bridge", "budget", "harbour", "school", "council", "rail", "clinic", "ferry", "library", "road"]


def article(rng: random.Random, i: int, place: str | None = None) -> str:
    """A short news text, different for every `i`, that analyses into one article."""
    name, town = rng.choice(NAMES), place or rng.choice(TOWNS)
    thing, n = rng.choice(WORDS), rng.randint(2, 90)
    return (f"{town} {thing} vote number {i}\n\n{name} said on Tuesday that {town} would repair {n} "
            f"{thing}s before the winter of {2000 + i}. \"We will start in spring,\" {name.split()[-1]} "
            f"said. The {thing} plan costs {n * 3} million and was approved by {rng.randint(5, 40)} votes.\n")


def page(title: str, body: str, head: str = "") -> str:
    return (f"<!doctype html><html><head>{head}<title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{body}</p></article></body></html>")


def deep_json(rng: random.Random, depth: int) -> str:
    """A JSON value nested `depth` levels, arrays and objects mixed at random (valid JSON)."""
    opens, closes = [], []
    for _ in range(depth):
        if rng.random() < 0.5:
            opens.append("[")
            closes.append("]")
        else:
            opens.append('{"k":')
            closes.append("}")
    return "".join(opens) + "1" + "".join(reversed(closes))


def bounded(fn: Callable[[], Any], seconds: float, unblock: Callable[[], None] | None = None) -> Any:
    """`fn()` on a daemon thread; an AssertionError if it has not ended within `seconds` (then `unblock`
    is called so the thread can finish, e.g. by opening a FIFO's other end)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        if unblock is not None:
            unblock()
        raise AssertionError(f"the read did not end within {seconds} s (it blocked or read without end)")
    if "error" in box:
        raise box["error"]
    return box["value"]


def unblock_fifo(path: Path) -> Callable[[], None]:
    def go() -> None:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)  # the blocked reader's open returns and it reads end of file
        except OSError:
            pass
    return go


def docs(items: list) -> list[RawDoc]:
    return [x for x in items if isinstance(x, RawDoc)]


def fails(items: list) -> list[Failure]:
    return [x for x in items if isinstance(x, Failure)]


# ---- the readers, in this process -------------------------------------------------------------------

def test_deep_jsonl_lines_are_one_failure_each_and_the_lines_around_them_are_read(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    lines, good, deep = [], [], 0
    for i in range(40):
        if i % 3 == 1:
            depth = rng.choice([65, 100, 1000, 3000, rng.randint(66, 5000)])
            lines.append(f'{{"id": "d{i}", "text": "x", "x": {deep_json(rng, depth)}}}')
            deep += 1
        else:
            good.append(f"g{i}")
            lines.append(json.dumps({"id": f"g{i}", "text": article(rng, i)}))
    lines.append("[" * 100_000)  # 100 KB of brackets, not even valid JSON
    lines.append('{"id": "ok64", "text": "Sixty-four levels are allowed.", "x": ' + deep_json(rng, 63) + "}")
    good.append("ok64")
    src = tmp_path / "deep.jsonl"
    src.write_text("\n".join(lines) + "\n")
    items = bounded(lambda: list(iter_sources([str(tmp_path)])), 20)
    assert [d.id for d in docs(items)] == good
    bad = fails(items)
    assert len(bad) == deep + 1
    assert all(f.reason == "invalid JSON: nested deeper than 64 levels" for f in bad), bad[:3]


def test_a_jsonl_line_that_is_hard_for_a_regex_is_still_quick(tmp_path: Path) -> None:
    """Escaped quotes that never close a string: a scan that restarts at every quote is quadratic."""
    after = json.dumps({"id": "after", "text": "Fine."})
    (tmp_path / "q.jsonl").write_text('\\"' * 60_000 + "\n" + after + "\n")
    start = time.monotonic()
    items = bounded(lambda: list(iter_sources([str(tmp_path / "q.jsonl")])), 20)
    assert time.monotonic() - start < 3
    assert [type(x) for x in items] == [Failure, RawDoc] and items[0].reason.startswith("invalid JSON")


def test_lone_surrogates_and_nul_in_jsonl_never_reach_the_ledger(tmp_path: Path) -> None:
    (tmp_path / "s.jsonl").write_text(
        '{"id": "ls", "text": "Mayor Ana Ruiz said \\ud800 the road \\udfff would open.", "url": "https://a.example/\\udc80"}\n'
        '{"id": "nul", "text": "A text with a \\u0000 NUL in it."}\n')
    items = list(iter_sources([str(tmp_path / "s.jsonl")]))
    assert [d.id for d in docs(items)] == ["ls", "nul"]
    for d in docs(items):
        for value in (d.text, d.url):
            if value is not None:
                value.encode("utf-8")  # strict: no lone surrogate left to fail in SQLite
    assert docs(items)[0].text == "Mayor Ana Ruiz said \ufffd the road \ufffd would open."
    # the same in a text file: UTF-8 with surrogates encoded one by one (CESU-8): a pair is its character
    (tmp_path / "c.txt").write_bytes(b"Smile \xed\xa0\xbd\xed\xb8\x80 and a lone \xed\xa0\x80 one, "
                                     b"caf\xc3\xa9.")
    assert read_file(str(tmp_path / "c.txt")).text == "Smile \U0001f600 and a lone \ufffd one, café."


def test_non_regular_files_in_a_folder_are_failures_named_by_what_they_are(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-good.txt").write_text(article(rng, 1))
    os.mkfifo(folder / "b-fifo.txt")
    os.mkfifo(folder / "b-fifo.jsonl")
    os.mkfifo(folder / "b-fifo.txt.gz")
    os.mkfifo(folder / "b-fifo.warc")
    (folder / "c-null.html").symlink_to("/dev/null")  # a character device (safe to read if a reader did)
    (folder / "d-loop.txt").symlink_to(folder / "d-loop.txt")
    (folder / "e-dangling.txt").symlink_to(folder / "nowhere.txt")
    sock = socket.socket(socket.AF_UNIX)
    with contextlib.suppress(OSError):  # a path too long for AF_UNIX: no socket then
        sock.bind(str(folder / "f-socket.txt"))
    (folder / "g-good.html").write_text(page("Good", article(rng, 2)))
    try:
        items = bounded(lambda: list(iter_sources([str(folder)], max_bytes=10_000)), 10,
                        unblock=lambda: [unblock_fifo(p)() for p in folder.glob("b-fifo*")])
    finally:
        sock.close()
    assert [d.id for d in docs(items)] == ["a-good", "g-good"]
    reasons = {Path(f.source).name: f.reason for f in fails(items)}
    assert reasons["b-fifo.txt"] == "not a regular file (a FIFO)"
    assert reasons["b-fifo.jsonl"] == "not a regular file (a FIFO)"
    assert reasons["b-fifo.txt.gz"] == "not a regular file (a FIFO)"
    assert reasons["b-fifo.warc"] == "not a regular file (a FIFO)"
    assert reasons["c-null.html"] == "not a regular file (a character device)"
    assert reasons["d-loop.txt"] == "cannot read file: Too many levels of symbolic links"
    assert reasons["e-dangling.txt"] == "cannot read file: No such file or directory"
    if (folder / "f-socket.txt").exists():
        assert reasons["f-socket.txt"] == "not a regular file (a socket)"
    assert len(reasons) == len(fails(items))  # one failure each


def test_each_file_reader_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "p.txt"
    os.mkfifo(fifo)
    for reader in (lambda: read_file(str(fifo)), lambda: read_gzip_file(str(fifo)),
                   lambda: list(read_jsonl_file(str(fifo)))):
        got = bounded(reader, 10, unblock=unblock_fifo(fifo))
        got = got[0] if isinstance(got, list) else got
        assert isinstance(got, Failure) and got.reason == "not a regular file (a FIFO)"
    assert read_file(str(tmp_path)).reason == "is a directory"


def test_dev_zero_is_never_read_and_reads_are_capped_by_bytes_read(tmp_path: Path) -> None:
    """A symlink to /dev/zero reports size 0 and never ends: run in a child with a memory cap, so a
    reader that trusts st_size fails this test by MemoryError instead of filling the machine."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "zero.jsonl").symlink_to("/dev/zero")
    (folder / "zero.txt.gz").symlink_to("/dev/zero")
    (folder / "ok.txt").write_text("An article that is fine.\n")
    code = ("import json, sys\nfrom newsledger.ingest.sources import iter_sources\n"
            "from newsledger.ingest.files import read_file\n"
            "items = list(iter_sources([sys.argv[1]], max_bytes=100_000))\n"
            "items.append(read_file(sys.argv[1] + '/zero.txt'))\n"
            "print(json.dumps([[type(x).__name__, getattr(x, 'source', x.id), getattr(x, 'reason', '')] "
            "for x in items]))\n")
    proc = _run([sys.executable, "-c", code, str(folder)], timeout=60, memory=1 << 30)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout)
    assert [g[0] for g in got] == ["RawDoc", "Failure", "Failure", "Failure", "Failure"]
    assert {g[2] for g in got[1:]} == {"not a regular file (a character device)"}


def test_unreadable_subfolder_is_one_failure_with_its_reason(tmp_path: Path, monkeypatch) -> None:
    """Permission bits do not stop root, so the refusal is made by os.scandir here (the folder run below
    makes it real, with the capabilities that let root read anything dropped)."""
    rng = random.Random(SEED)
    (tmp_path / "a.txt").write_text(article(rng, 1))
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(article(rng, 2))
    (tmp_path / "z.txt").write_text(article(rng, 3))
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = list(iter_sources([str(tmp_path)]))
    assert [d.id for d in docs(items)] == ["a", "z"]
    (f,) = fails(items)
    assert f.source == str(locked) and f.reason == "cannot read folder: Permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a folder whatever its permission bits; "
                    "the folder run below drops root's read capabilities to make this real")
def test_unreadable_subfolder_for_real(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("text")
    locked.chmod(0)
    try:
        (f,) = fails(list(iter_sources([str(tmp_path)])))
    finally:
        locked.chmod(0o755)
    assert f.reason == "cannot read folder: Permission denied"


ENCODED_TEXT = "Zürich’s mayor said the €40 million “Brücke” would open in Kraków-style spring — 東京 too.\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-8"])
@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_bom_marked_unicode_is_text(tmp_path: Path, codec: str, suffix: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE, "utf-8": codecs.BOM_UTF8,
           "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[codec]
    body = ENCODED_TEXT if suffix == ".txt" else page("Brücke", ENCODED_TEXT)
    p = tmp_path / f"doc{suffix}"
    p.write_bytes(bom + body.encode(codec))
    doc = read_file(str(p))
    assert isinstance(doc, RawDoc), doc
    assert (doc.text if suffix == ".txt" else doc.html) == body
    gz = tmp_path / f"doc{suffix}.gz"
    gz.write_bytes(gzip.compress(bom + body.encode(codec)))
    zipped = read_gzip_file(str(gz))
    assert isinstance(zipped, RawDoc) and (zipped.text or zipped.html) == body


LEGACY = [
    ("iso-8859-1", '<meta charset="iso-8859-1">',
     "Málaga and Zürich agreed; the café in Besançon stays open."),
    ("cp1252", '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
     "The “€5 million” plan — approved in Zürich — is ‘final’."),
    ("shift_jis", "<meta charset='Shift_JIS'>",
     "東京都の知事は火曜日、新しい橋を建設すると述べた。大阪も同様。"),
    ("cp1251", '<META HTTP-EQUIV="content-type" CONTENT="text/html;charset=windows-1251">',
     "Мэр Москвы заявил во вторник, что мост откроют весной."),
    ("euc-kr", '<meta charset="euc-kr">', "서울 시장은 화요일에 새 다리를 봄에 열겠다고 말했다."),
    # what browsers do, and pages in the wild need: "iso-8859-1" read as its superset windows-1252
    ("cp1252", '<meta charset="iso-8859-1">', "The “€5 million” plan — approved in Zürich — is ‘final’."),
    ("mac_roman", '<meta charset="x-mac-roman">', "Le café coûte cher à Besançon."),
]


@pytest.mark.parametrize(("codec", "meta", "text"), LEGACY,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(LEGACY)])
def test_legacy_encodings_declared_by_the_page_are_read_as_text(tmp_path: Path, codec: str, meta: str,
                                                                  text: str) -> None:
    p = tmp_path / "legacy.html"
    p.write_bytes(page("News", text, head=meta).encode(codec))
    doc = read_file(str(p))
    assert isinstance(doc, RawDoc) and doc.html is not None and text in doc.html


@pytest.mark.parametrize("label", ["undefined", "base64", "rot13", "unicode_escape", "utf-7", "x" * 300,
                                   "utf-16"])
def test_a_declared_charset_that_is_no_web_text_encoding_is_ignored(tmp_path: Path, label: str) -> None:
    """Python knows codecs that always raise ("undefined"), are not text ("base64") or make lone
    surrogates ("unicode_escape", "utf-7"): a page naming one is read as if it declared nothing."""
    p = tmp_path / "odd.html"
    p.write_bytes(f'<html><head><meta charset="{label}"></head><body><p>'.encode()
                  + "Caf\xe9 \\ud800 +2AA- in Besan\xe7on.".encode("latin-1") + b"</p></body></html>")
    doc = read_file(str(p))
    assert isinstance(doc, RawDoc) and doc.html is not None
    doc.html.encode("utf-8")  # no lone surrogate
    assert "Besançon" in doc.html and "\\ud800 +2AA-" in doc.html


def test_undeclared_legacy_text_is_detected_and_real_binary_stays_binary(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    (tmp_path / "latin.txt").write_bytes(("Le maire de Besançon a déclaré mardi que le pont "
                                          "serait réparé à l'été. " * 20).encode("latin-1"))
    doc = read_file(str(tmp_path / "latin.txt"))
    assert isinstance(doc, RawDoc) and "Besançon a déclaré" in (doc.text or "")
    binaries = {
        "png.html": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + rng.randbytes(4000),
        "pdf.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n"
                    + rng.randbytes(4000)),
        "zip.txt": b"PK\x03\x04\x14\0\0\0\x08\0" + rng.randbytes(4000),
        "nul.txt": b"Almost text\0\0\0 with NUL bytes in it\0" * 100,
        "random.html": bytes(rng.randrange(1, 256) for _ in range(6000)),
        "bom-junk.txt": codecs.BOM_UTF16_LE + rng.randbytes(6000),
        "bom32-junk.txt": codecs.BOM_UTF32_LE + rng.randbytes(6000),
    }
    for name, data in binaries.items():
        (tmp_path / name).write_bytes(data)
        got = read_file(str(tmp_path / name))
        assert isinstance(got, Failure) and got.reason == "binary data, not text or HTML", name


def test_size_messages_use_the_units_the_limit_is_documented_in(tmp_path: Path) -> None:
    assert DEFAULT_MAX_BYTES == 10_000_000  # README and --help: "default 10 MB"
    (tmp_path / "big.txt").write_bytes(b"word " * 2_600_000)  # 13 MB
    got = read_file(str(tmp_path / "big.txt"))
    assert isinstance(got, Failure)
    assert got.reason == "too large: 13 MB > limit of 10 MB (raise it with --max-bytes)"
    small = read_file(str(tmp_path / "big.txt"), max_bytes=5_000)
    assert small.reason == "too large: 13 MB > limit of 5 kB (raise it with --max-bytes)"
    (tmp_path / "edge.txt").write_bytes(b"x" * 10_000_001)
    edge = read_file(str(tmp_path / "edge.txt"))
    assert edge.reason == ("too large: 10,000,001 bytes > limit of 10,000,000 bytes "
                           "(raise it with --max-bytes)")


@pytest.mark.parametrize("value", ["0", "-1"])
def test_max_bytes_zero_or_negative_is_a_usage_error(tmp_path: Path, value: str) -> None:
    (tmp_path / "a.txt").write_text("text")
    proc = _run([sys.executable, "-m", "newsledger", "ingest", str(tmp_path), "--db", str(tmp_path / "l.db"),
                 "--max-bytes", value], timeout=60)
    assert proc.returncode == 2 and "--max-bytes" in proc.stderr and "1 or more" in proc.stderr
    assert not (tmp_path / "l.db").exists()


def test_gzip_bombs_of_lines_or_of_one_line_end_quickly_with_a_failure(tmp_path: Path) -> None:
    (tmp_path / "newlines.jsonl.gz").write_bytes(gzip.compress(b"\n" * 60_000_000, compresslevel=9))
    (tmp_path / "zeros.jsonl.gz").write_bytes(gzip_bomb(1 << 30))
    good = json.dumps({"id": "g", "text": "An article."}).encode() + b"\n"
    (tmp_path / "mixed.jsonl.gz").write_bytes(gzip.compress(good + b"\n" * 60_000_000 + good,
                                                            compresslevel=9))
    for name in ("newlines.jsonl.gz", "zeros.jsonl.gz", "mixed.jsonl.gz"):
        start = time.monotonic()
        items = bounded(lambda name=name: list(iter_sources([str(tmp_path / name)], max_bytes=100_000)), 60)
        assert time.monotonic() - start < 3, name
        assert isinstance(items[-1], Failure), name
        assert items[-1].reason.startswith("decompressed size over"), items[-1].reason
    assert [d.id for d in docs(items)] == ["g"]  # the line before the bomb is read


def test_seeded_mutations_of_good_files_never_raise_and_each_file_is_one_item(tmp_path: Path) -> None:
    """Fuzz: good documents, JSONL and gzip files cut, flipped, padded and spliced with hostile bytes."""
    rng = random.Random(SEED)
    hostile = [b"\0", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\xed\xa0\x80", b"[" * 200,
               b'\\"' * 50, b"\n", b"\r", b"<meta charset=shift_jis>", b"<meta charset=utf-16>",
               b"<meta charset=undefined>", b"<meta charset=utf-7>+2AA-", b"\x1f\x8b\x08", b"}" * 50]
    seeds = {
        ".txt": article(rng, 1).encode(),
        ".html": page("T", article(rng, 2), '<meta charset="utf-8">').encode(),
        ".jsonl": "\n".join(json.dumps({"id": f"j{i}", "text": article(rng, i)}) for i in range(3)).encode(),
    }

    def mutate(data: bytes) -> bytes:
        data = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            op = rng.randrange(5)
            at = rng.randrange(len(data) + 1)
            if op == 0 and data:
                data[min(at, len(data) - 1)] ^= 1 << rng.randrange(8)
            elif op == 1:
                data[at:at] = rng.choice(hostile)
            elif op == 2:
                data = data[:at]
            elif op == 3:
                data[at:at] = rng.randbytes(rng.randint(1, 64))
            else:
                data[at:at] = rng.choice(hostile) * rng.randint(1, 200)
        return bytes(data)

    expected_files = 0
    for n in range(500):
        suffix = rng.choice(list(seeds))
        data = mutate(seeds[suffix])
        if rng.random() < 0.3:
            data = gzip.compress(data)
            data = mutate(data) if rng.random() < 0.5 else data
            suffix += ".gz"
        (tmp_path / f"m{n:03d}{suffix}").write_bytes(data)
        expected_files += ".jsonl" not in suffix
    start = time.monotonic()
    items = bounded(lambda: list(iter_sources([str(tmp_path)], max_bytes=50_000)), 60)
    assert time.monotonic() - start < 20
    per_file: dict[str, int] = {}
    for x in items:
        where = (x.path if isinstance(x, RawDoc) else x.source) or ""
        name = Path(where.rsplit(":", 1)[0] if ".jsonl" in where else where).name
        per_file[name] = per_file.get(name, 0) + 1
        if isinstance(x, RawDoc):
            (x.text or x.html or "").encode("utf-8")  # no lone surrogate: SQLite takes it
            assert (x.text or x.html or "").strip()
        else:
            assert x.reason and x.stage == "read"
    one_item = [name for name in per_file if ".jsonl" not in name]
    assert len(one_item) == expected_files and all(per_file[name] == 1 for name in one_item)


# ---- a real ingest of a folder of hostile files, in a subprocess --------------------------------------

@dataclass
class HostileFolder:
    root: Path
    bad: dict[str, str] = field(default_factory=dict)  # locator -> the reason its failure must give
    good: dict[str, str] = field(default_factory=dict)  # locator -> a phrase its stored text must hold
    needs_no_root: set[str] = field(default_factory=set)  # bad only where permission bits are obeyed


def build_hostile_folder(root: Path, seed: int = SEED, max_bytes: int = MAX_BYTES) -> HostileFolder:
    """A folder of generated good documents with every kind of hostile input between them."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    h = HostileFolder(root)
    n = 0

    def good_file(rel: str, data: bytes | None = None, phrase: str | None = None) -> None:
        nonlocal n
        n += 1
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = article(rng, n)
        path.write_bytes(data if data is not None else text.encode())
        h.good[str(path)] = phrase or text.split("\n")[0]

    def bad(rel: str, reason: str, make: Callable[[Path], object]) -> None:
        path = root / rel
        make(path)
        h.bad[str(path)] = reason
        good_file(rel.rsplit(".", 1)[0] + "-next.txt")  # a good document right after each bad one

    jl = root / "10-lines.jsonl"
    rows: list[bytes] = []
    for line_no, kind in enumerate(["good", "deep", "good", "huge", "good", "bracket", "quotes", "good",
                                    "notobject", "badjson", "latin1", "surrogate", "good-no-newline"], 1):
        where = f"{jl}:{line_no}"
        if kind.startswith("good") or kind == "surrogate":
            text = article(rng, 100 + line_no)
            row = json.dumps({"id": f"line{line_no}", "text": text})
            if kind == "surrogate":  # a lone surrogate escape: valid JSON, not valid Unicode
                row = row.replace(" said ", " said \\ud800 ", 1)
            rows.append(row.encode())
            h.good[where] = "\ufffd" if kind == "surrogate" else text.split("\n")[0]
            continue
        row, h.bad[where] = {
            "deep": ('{"id": "deep", "text": "x", "x": ' + deep_json(rng, 1000) + "}",
                     "invalid JSON: nested deeper than 64 levels"),
            "huge": (json.dumps({"id": "huge", "text": "word " * (max_bytes // 4)}), "line too large"),
            "bracket": ("[" * 50_000, "invalid JSON: nested deeper than 64 levels"),
            "quotes": ('\\"' * 40_000, "invalid JSON"),
            "notobject": ("[1, 2, 3]", "a JSONL line must be an object"),
            "badjson": ('{"id": "cut", "text": "the line ends', "invalid JSON"),
            "latin1": ('{"id": "l1", "text": "caf\xe9"}', "invalid JSON"),
        }[kind]
        rows.append(row.encode("latin-1" if kind == "latin1" else "utf-8"))
    jl.write_bytes(b"\n".join(rows))  # the last line has no newline

    good_file("00-first.txt")
    bad("11-fifo.txt", "not a regular file (a FIFO)", os.mkfifo)
    bad("12-fifo.warc.gz", "not a regular file (a FIFO)", os.mkfifo)
    bad("13-zero.txt", "not a regular file (a character device)", lambda p: p.symlink_to("/dev/zero"))
    bad("14-loop.html", "cannot read file: Too many levels of symbolic links", lambda p: p.symlink_to(p))
    bad("15-junk.txt", "binary data, not text or HTML", lambda p: p.write_bytes(rng.randbytes(20_000)))
    bad("16-junk.html", "binary data, not text or HTML",
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + rng.randbytes(20_000)))
    whole = gzip.compress(article(rng, 900).encode() * 40)
    bad("17-cut.txt.gz", "bad gzip file: truncated", lambda p: p.write_bytes(whole[: len(whole) // 2]))
    bad("18-corrupt.html.gz", "bad gzip file",
        lambda p: p.write_bytes(whole[:10] + rng.randbytes(2_000)))
    bad("19-bomb.txt.gz", "decompressed size over the limit", lambda p: p.write_bytes(gzip_bomb(1 << 30)))
    bad("20-nul.txt", "binary data, not text or HTML",
        lambda p: p.write_bytes(article(rng, 901).encode().replace(b" ", b"\0")))
    bad("21-empty.txt", "empty document", lambda p: p.write_bytes(b""))
    bad("22-blank.html", "empty document", lambda p: p.write_bytes(b" \n\t\n" * 100))
    bad("23-longline.txt", "too large", lambda p: p.write_bytes(b"word " * (max_bytes // 4)))
    bad("24-unreadable.txt", "cannot read file: Permission denied",
        lambda p: (p.write_text(article(rng, 902)), p.chmod(0)))
    h.needs_no_root.add(str(root / "24-unreadable.txt"))

    def locked(p: Path) -> None:
        p.mkdir()
        (p / "inside.txt").write_text(article(rng, 903))
        p.chmod(0)
    bad("25-locked", "cannot read folder: Permission denied", locked)
    h.needs_no_root.add(str(root / "25-locked"))
    bad("26-dangling.txt", "cannot read file: No such file or directory",
        lambda p: p.symlink_to(root / "does-not-exist.txt"))

    # good, though odd: every one is stored once
    bodies = {"30-utf16.txt": ("utf-16", "Zürich"), "31-utf16be.html": ("utf-16-be", "Brücke"),
              "32-utf32.txt": ("utf-32", "Kraków"), "33-utf8bom.txt": ("utf-8-sig", "São Paulo")}
    for rel, (codec, place) in bodies.items():
        text = article(rng, 200 + len(h.good), place=place)
        body = page(place, text.replace("\n", " ")) if rel.endswith(".html") else text
        data = body.encode(codec) if codec != "utf-16-be" else codecs.BOM_UTF16_BE + body.encode(codec)
        good_file(rel, data, place)
    for rel, codec, meta, place in [
        ("34-latin1.html", "latin-1", '<meta charset="ISO-8859-1">', "Besançon"),
        ("35-cp1252.html", "cp1252",
         '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">', "“Málaga”"),
        ("36-sjis.html", "shift_jis", '<meta charset="Shift_JIS">', "東京"),
    ]:
        text = article(rng, 300 + len(h.good), place=place).replace("\n", " ")
        good_file(rel, page(place, text, head=meta).encode(codec), place)
    good_file("37-dir.txt/inside.txt")  # a folder named like a document is walked like any folder
    text = article(rng, 950)  # with a lone surrogate in UTF-8 form (ED A0 80): not UTF-8, read all the same
    data = text.replace(" said ", " said \udcff ", 1).encode("utf-8", "surrogateescape")
    good_file("38-surrogate.txt", data.replace(b"\xff", b"\xed\xa0\x80"), "said \ufffd on Tuesday")
    weird = os.fsdecode(b"39-\xff\xfe-name.txt")
    good_file(weird)
    good_file("40-last.txt")
    return h


@functools.cache
def _drop_read_capabilities() -> list[str]:
    """A command prefix that makes root obey permission bits (no CAP_DAC_OVERRIDE/READ_SEARCH), so an
    unreadable file is unreadable; [] when not root or when setpriv cannot do it here."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return []
    prefix = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
              "--bounding-set=-dac_override,-dac_read_search", "--"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    return prefix if probe.returncode == 0 else []


def _run(cmd: list[str], timeout: float, memory: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run `cmd` in its own process group with an address-space cap; on timeout kill the whole group
    (workers included) and fail with what it printed."""
    def limits() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=limits)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"{' '.join(cmd[:6])} did not end within {timeout} s:\n{err[-2000:]}") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _ingest(h: HostileFolder, db: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    prefix = _drop_read_capabilities()
    cmd = [*prefix, sys.executable, "-m", "newsledger", "ingest", str(h.root), "--db", str(db), "--json",
           "--quiet", "--max-bytes", str(MAX_BYTES), *extra]
    proc = _run(cmd, timeout=240, memory=3 << 30)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 1, f"exit {proc.returncode}: {proc.stderr[-3000:]}"
    return proc, json.loads(proc.stdout.strip().splitlines()[-1])


def _expected_bad(h: HostileFolder) -> dict[str, str]:
    if os.geteuid() == 0 and not _drop_read_capabilities():
        return {k: v for k, v in h.bad.items() if k not in h.needs_no_root}
    return h.bad


def _label(path: str) -> str:
    """How a path is written in the ledger: bytes that are not UTF-8 as \\xNN escapes."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _check_ledger(h: HostileFolder, db: Path, summary: dict) -> int:
    """Every bad input is one failure with its reason, every good one stored once: the good count."""
    bad = _expected_bad(h)
    good = {_label(k): v for k, v in h.good.items()}
    if bad is not h.bad:  # root without setpriv: the "unreadable" file is read and its next one is too
        good[str(h.root / "24-unreadable.txt")] = "vote number"
        good[str(h.root / "25-locked" / "inside.txt")] = "vote number"
    with sqlite3.connect(db) as c:
        failures = dict(c.execute("SELECT locator, reason FROM failures"))
        copies = [r[0] for r in c.execute("SELECT locator FROM copies")]
        texts = dict(c.execute("SELECT c.locator, a.text FROM copies c "
                               "JOIN articles a ON a.id = c.article_id"))
        n_articles = c.execute("SELECT count(*) FROM articles").fetchone()[0]
    missing = {loc: why for loc, why in bad.items() if not failures.get(loc, "").startswith(why)}
    assert not missing, f"bad inputs without their failure: {missing}\nfailures: {failures}"
    assert set(failures) == set(bad), set(failures) ^ set(bad)
    assert summary["failed"] == len(bad)
    assert sorted(copies) == sorted(good), set(copies) ^ set(good)  # every good document, exactly once
    assert n_articles == len(good)
    wrong = {loc: phrase for loc, phrase in good.items() if phrase not in texts[loc]}
    assert not wrong, wrong
    return len(good)


def test_a_folder_of_hostile_files_is_ingested_every_failure_counted_every_good_document_stored_once(
        tmp_path: Path) -> None:
    h = build_hostile_folder(tmp_path / "in")
    db = tmp_path / "l.db"
    try:
        _proc, first = _ingest(h, db)
        assert first["new"] == _check_ledger(h, db, first)
        again = _ingest(h, db)[1]  # a re-run stops at nothing either, and adds nothing
        assert again["new"] == 0 and again["failed"] == first["failed"]
        _check_ledger(h, db, again)
    finally:
        for p in (h.root / "24-unreadable.txt", h.root / "25-locked"):
            p.chmod(0o755)


@pytest.mark.slow
def test_the_hostile_folder_with_two_workers(tmp_path: Path) -> None:
    h = build_hostile_folder(tmp_path / "in", seed=SEED + 1)
    db = tmp_path / "l.db"
    try:
        _proc, summary = _ingest(h, db, "--workers", "2")
        _check_ledger(h, db, summary)
    finally:
        for p in (h.root / "24-unreadable.txt", h.root / "25-locked"):
            p.chmod(0o755)
