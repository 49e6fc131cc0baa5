"""Named entities: spaCy NER, document-level repair, and clustering of mentions into entities."""

from __future__ import annotations

from spacy.tokens import Doc

from newsledger.model import Article, Entity, Mention

ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}


def extract_entities(doc: Doc, article: Article) -> tuple[Entity, ...]:
    groups: dict[tuple[str, str], list[Mention]] = {}
    for ent in doc.ents:
        if ent.label_ in ENTITY_LABELS:
            groups.setdefault((ent.text, ent.label_), []).append(Mention(ent.start_char, ent.end_char, ent.text))
    return tuple(Entity(id=f"E{i}", name=name, type=label, mentions=tuple(ms))
                 for i, ((name, label), ms) in enumerate(groups.items(), 1))
