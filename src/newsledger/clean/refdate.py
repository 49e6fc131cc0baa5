"""The date the text speaks from (reference_date) and the stale-date check."""

from __future__ import annotations

from dataclasses import replace

from newsledger.model import Article


def settle_reference_date(article: Article) -> Article:
    return replace(article, reference_date=article.published)
