"""② RawDoc → Article: fix the text once (HTML → main text; plain text kept verbatim), mark what is
not article prose, read the page metadata, and settle the date the text speaks from."""

from __future__ import annotations

from newsledger.clean.html import clean_html
from newsledger.clean.refdate import settle_reference_date
from newsledger.clean.text import clean_text
from newsledger.model import Article, RawDoc


def clean(raw: RawDoc) -> Article:
    article = clean_html(raw) if raw.html is not None else clean_text(raw)
    return settle_reference_date(article)
