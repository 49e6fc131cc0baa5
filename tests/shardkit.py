"""Small shard files for engine tests: JSONL, Parquet and WARC (written with fastwarc), invented text."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from fastwarc.stream_io import GzipWriter
from fastwarc.warc import WarcRecord, WarcRecordType

ARTICLES = [
    "Finance Minister Ana Ruiz said on Monday that the government would spend $4 billion on rail.",
    "The mayor of Tarrow, Ben Osei, threatened to sue the port authority over a 12% fee rise.",
    "Talks between the two unions collapsed on Friday, according to a spokesperson for Metro Workers.",
    "Health officials reported 340 new cases last week. Dr. Lena Fisk warned that schools may close.",
]
PAGE = ("<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{body}</p>"
        "<p>The council will vote on the plan next month, officials in the city said.</p></article>"
        "</body></html>")


def write_jsonl(path: Path, with_bad_lines: bool = True) -> Path:
    lines = [json.dumps({"id": f"j{i}", "text": t}) for i, t in enumerate(ARTICLES[:3])]
    if with_bad_lines:
        lines.insert(1, "{this is not json")
        lines.append(json.dumps({"id": "blank", "text": "   "}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_parquet(path: Path) -> Path:
    rows = [{"id": f"p{i}", "text": t, "html": None, "url": f"https://news.example/p{i}",
             "published": "2024-05-0" + str(i + 1)} for i, t in enumerate(ARTICLES[1:])]
    rows.append({"id": "ph", "text": None, "html": PAGE.format(title="Port fee row", body=ARTICLES[1]),
                 "url": "https://news.example/ph", "published": None})
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def _response(url: str, body: bytes, content_type: str) -> WarcRecord:
    rec = WarcRecord()
    rec.init_headers(record_type=WarcRecordType.response, record_urn=f"uuid:{uuid.uuid4()}".encode())
    rec.headers.append("WARC-Target-URI", url)
    rec.headers.append("Content-Type", "application/http; msgtype=response")
    rec.set_bytes_content(b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    return rec


def write_warc(path: Path) -> Path:
    """Two HTML responses and an image response (which a reader must skip); gzipped if .gz."""
    records = [
        _response("https://news.example/w1", PAGE.format(title="Rail plan", body=ARTICLES[0]).encode(),
                  "text/html; charset=utf-8"),
        _response("https://news.example/logo.png", b"\x89PNG\r\n\x1a\n", "image/png"),
        _response("https://news.example/w2", PAGE.format(title="Cases rise", body=ARTICLES[3]).encode(),
                  "text/html; charset=utf-8"),
    ]
    with path.open("wb") as fh:
        if path.name.endswith(".gz"):
            gz = GzipWriter(fh)
            for r in records:
                r.write(gz)
            gz.close()
        else:
            for r in records:
                r.write(fh)
    return path
