"""Time expressions as TIMEX3 values resolved against the article's reference date."""

from __future__ import annotations

from spacy.tokens import Doc

from newsledger.model import Article, Timex


def extract_timexes(doc: Doc, article: Article) -> tuple[Timex, ...]:
    return ()
