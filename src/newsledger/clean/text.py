"""Plain text → Article without changing the text: header (date line, title line) and excluded spans."""

from __future__ import annotations

from newsledger.model import Article, RawDoc


def clean_text(raw: RawDoc) -> Article:
    text = raw.text or ""
    source = {"path": raw.path or raw.id, "format": raw.format}
    if raw.url:
        source["url"] = raw.url
    return Article(id=raw.id, text=text, source=source, published=raw.published, url=raw.url)
