"""Amounts: money with normalised value and currency, percentages and fractions, counts with units."""

from __future__ import annotations

from spacy.tokens import Doc

from newsledger.model import Amount, Article, Entity


def extract_amounts(doc: Doc, article: Article, entities: tuple[Entity, ...]) -> tuple[Amount, ...]:
    return ()
