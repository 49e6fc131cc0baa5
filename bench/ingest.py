"""Ingest speed and memory: a Common Crawl-style WARC.gz (gzip per record) and a gzip bomb.

    .venv/bin/python bench/ingest.py [--records 5000]

Writes its inputs to a temporary folder (nothing is downloaded), then reads them with the same
functions `newsledger ingest` uses. Peak RSS is the whole process's, inputs' writing included.
"""

from __future__ import annotations

import argparse
import gzip
import io
import random
import resource
import tempfile
import time
import uuid
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from newsledger.ingest.sources import iter_sources
from newsledger.model import RawDoc

WORDS = ["minister", "said", "the", "government", "would", "announce", "measures", "on", "Friday",
         "Ottawa", "talks", "allies", "sanctions", "budget", "election", "court", "police", "percent"]


def page(rng: random.Random, words: int) -> bytes:
    paras = "".join("<p>" + " ".join(rng.choices(WORDS, k=60)) + ".</p>" for _ in range(words // 60))
    return f"<!doctype html><html><body><article>{paras}</article></body></html>".encode()


def response(uri: str, body: bytes) -> bytes:
    rec = WarcRecord()
    rec.init_headers(WarcRecordType.response, f"uuid:{uuid.uuid4()}".encode())
    rec.headers["WARC-Target-URI"] = uri
    rec.headers["Content-Type"] = "application/http; msgtype=response"
    http = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
    rec.set_bytes_content(http.encode() + body)
    out = io.BytesIO()
    rec.write(out, checksum_data=True)
    return gzip.compress(out.getvalue(), compresslevel=6)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, default=5000)
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "news.warc.gz"
        raw = 0
        with open(warc, "wb") as fh:
            for i in range(args.records):
                body = page(rng, rng.randint(300, 1500))
                raw += len(body)
                fh.write(response(f"https://news.example/{i}", body))
        start = time.perf_counter()
        n = sum(isinstance(x, RawDoc) for x in iter_sources([str(warc)]))
        took = time.perf_counter() - start
        start = time.perf_counter()
        with open(warc, "rb") as fh:  # fastwarc alone, its own gzip: the floor
            floor = sum(len(r.reader.read()) > 0 for r in ArchiveIterator(fh, WarcRecordType.response,
                                                                            fsspec_args=False))
        floor_took = time.perf_counter() - start
        print(f"fastwarc alone (its own gzip, no decoding): {floor} records in {floor_took:.2f} s")
        print(f"WARC.gz: {n} pages, {raw / 1e6:.0f} MB of HTML ({warc.stat().st_size / 1e6:.0f} MB "
              f"compressed) in {took:.2f} s = {n / took:,.0f} pages/s, {raw / 1e6 / took:.0f} MB/s")
        bomb = Path(tmp) / "bomb.html.gz"
        bomb.write_bytes(gzip.compress(b"\0" * (10 << 20), 9) * 100)  # inflates to 1 GB
        start = time.perf_counter()
        [failure] = list(iter_sources([str(bomb)]))
        print(f"gzip bomb ({bomb.stat().st_size / 1e6:.1f} MB -> 1 GB): {failure.reason!r} after "
              f"{time.perf_counter() - start:.3f} s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
