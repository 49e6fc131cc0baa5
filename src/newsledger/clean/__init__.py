"""② RawDoc → Article: fix the text once (HTML → main text; plain text kept verbatim), mark what is
not article prose, read the page metadata, and settle the date the text speaks from."""

from __future__ import annotations

from dataclasses import replace

from newsledger.clean.html import clean_html
from newsledger.clean.refdate import settle_reference_date
from newsledger.clean.text import clean_text
from newsledger.model import Article, Flag, RawDoc

UNDATED = Flag(code="undated", message="no publication date was found or given: quotes and events get a date "
               "only where the text states one, and timelines cannot place the rest (give `published` in "
               "JSONL input, or use pages that carry their date)")


def clean(raw: RawDoc) -> Article:
    article = settle_reference_date(clean_html(raw) if raw.html is not None else clean_text(raw))
    if raw.flags:  # what the reader found (a truncated record, text from a feed entry) comes first
        article = replace(article, flags=(*raw.flags, *article.flags))
    if article.reference_date is None and article.published is None:
        article = replace(article, flags=(*article.flags, UNDATED))
    return article
