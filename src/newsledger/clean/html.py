"""HTML → Article: main text and metadata with trafilatura and htmldate."""

from __future__ import annotations

import trafilatura

from newsledger.model import Article, RawDoc


def clean_html(raw: RawDoc) -> Article:
    html = raw.html or ""
    text = trafilatura.extract(html, url=raw.url, include_comments=False) or ""
    source = {"path": raw.path or raw.id, "format": raw.format}
    if raw.url:
        source["url"] = raw.url
    return Article(id=raw.id, text=text, source=source, published=raw.published, url=raw.url)
