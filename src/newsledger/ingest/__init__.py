"""① Where documents come from: each reader yields RawDoc records, or Failure records for inputs
that cannot become one (unreadable, binary, too large, invalid JSON, a dead link).

- `sources.py`  `iter_sources`: one entry point for `ingest`, dispatching on what each argument is
- `files.py`    .txt / .html / .jsonl files and stdin (also `analyze`'s reader), their .gz variants
- `warc.py`     WARC / WARC.gz archives (Common Crawl News), with fastwarc
- `feeds.py`    RSS / Atom feeds → the articles they link to, with feedparser
- `web.py`      `Fetcher`: HTTP(S) with timeouts, size cap, checked redirects, per-host rate, httpx
- `compressed.py` gzip/deflate decompression by streaming, with a cap (no gzip bombs)
"""
