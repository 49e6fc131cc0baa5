"""Political events coded in PLOVER categories: who did what to whom, how much, and when."""

from __future__ import annotations

from spacy.tokens import Doc

from newsledger.model import Amount, Article, Entity, Event, Quote, Timex


def extract_events(doc: Doc, article: Article, entities: tuple[Entity, ...], quotes: tuple[Quote, ...],
                   amounts: tuple[Amount, ...], timexes: tuple[Timex, ...]) -> tuple[Event, ...]:
    return ()
