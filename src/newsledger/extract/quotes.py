"""Quotes and speakers: direct, mixed and indirect speech, attributed to resolved entities."""

from __future__ import annotations

from spacy.tokens import Doc

from newsledger.model import Article, Entity, Quote


def extract_quotes(doc: Doc, article: Article, entities: tuple[Entity, ...]) -> tuple[Quote, ...]:
    return ()
