"""Named entities: spaCy NER, document-level repair, and clustering of mentions into entities.

A statistical NER labels each occurrence on its own, so one person comes out as PERSON, GPE and ORG
in the same article, and "the Prime Minister" is not a mention at all. This package works at the
document level, in passes that are each linear in the number of tokens:

1. NER spans, trimmed to the name (no "the", no possessive "'s", no leading "Mr."/"President"); on a
   headline line, where every word is capitalised, to the part the article names elsewhere; words before
   a given name ("Crooked Hillary Clinton") dropped when the rest is a person named elsewhere.
2. Person repair: a name that is a PERSON somewhere (a full name's surname, a name after a title, or a
   name the model mostly calls PERSON) is a PERSON everywhere, whatever label the model gave it —
   except a known place labelled as a place, or a name inside a longer non-person name.
3. Person clustering: full names (same surname and first name, initials allowed, "Jr." kept apart);
   then bare surnames, "Mr."/"Mrs." + surname and first names alone (only when one person has it).
   A surname two people share goes to the one whose gender the honorific matches ("Mrs. Clinton"),
   else to one mentioned in the same or the previous sentence, else to the one mentioned most so far.
   Role nouns used alone ("the prime minister") join the one person holding that role (or, of
   several, the one mentioned last); a role with a place or party ("the Vermont senator") must match.
4. Roles and affiliation from premodifiers ("Brazilian President ..."), appositives ("..., Kenya's foreign
   minister,") and US party labels ("(D-Mass.)"), read from the parse and the lexicons in newsledger/extract/.
5. Other types: identical names grouped ("the"/case ignored), countries by their aliases, acronyms
   with their long form.
"""

from __future__ import annotations

from spacy.tokens import Doc

from newsledger.extract.entities import others, people
from newsledger.extract.entities.lexicon import ENTITY_LABELS, EntityLexicon, lex_of
from newsledger.extract.entities.spans import (
    Ent,
    headline_names,
    headline_runs,
    leading_words,
    repair,
    title_index,
    trim,
)
from newsledger.model import Article, Entity, Mention

__all__ = ["ENTITY_LABELS", "extract_entities"]


def extract_entities(doc: Doc, article: Article) -> tuple[Entity, ...]:
    """Entities of one document, ids E1, E2, ... in order of first mention."""
    text = article.text
    L = lex_of(doc)
    titles = title_index(doc)
    ents: list[Ent] = []
    for e in doc.ents:
        label = _label(L, e.label_, e.text) if L.ner_labels else e.label_
        if label in ENTITY_LABELS:
            trimmed = trim(doc, Ent(e.start, e.end, label), titles)
            if trimmed is not None:
                ents.append(trimmed)
        else:  # dates and numbers keep their tokens from being read as names
            ents.append(Ent(e.start, e.end, label))
    ents = leading_words(doc, headline_runs(doc, headline_names(doc, repair(doc, ents, titles))))
    ents.sort(key=lambda x: x.start)
    # Names inside a multi-word title ("Secretary of State", "Chancellor of the Exchequer") are not entities.
    inside = bytearray(len(doc))
    for t in titles.values():
        if t.end - t.start > 1:
            for k in range(t.start, t.end):
                inside[k] = 1
    ents = [x for x in ents if x.label == "PERSON" or not all(inside[k] for k in range(x.start, x.end))]
    ctx = people.Ctx(doc, ents, titles)
    persons = [x for x in ents if x.label == "PERSON"]
    clusters = people.people(ctx, persons, text)
    people.anaphors(ctx, clusters, text)
    records: list[tuple[str, str, list[Mention], tuple[str, ...], str | None]] = [
        (people.person_name(c), "PERSON", c.mentions, tuple(c.roles), c.affiliation) for c in clusters
    ]
    records += [(name, label, ms, (), None) for name, label, ms in others.others(doc, ents, text)]
    out = []
    for name, label, ms, roles, aff in records:
        uniq = sorted({(m.start, m.end): m for m in ms}.values(), key=lambda m: (m.start, m.end))
        if uniq:
            out.append((uniq[0].start, name, label, uniq, roles, aff))
    out.sort(key=lambda r: r[0])
    return tuple(Entity(id=f"E{i}", name=name, type=label, roles=roles, affiliation=aff, mentions=tuple(ms))
                 for i, (_, name, label, ms, roles, aff) in enumerate(out, 1))


def _label(L: EntityLexicon, label: str, text: str) -> str:
    """The contract's type for another language's NER label (ner_labels.fr.tsv): a LOC the lexicons know
    as a country, region or city is a GPE; a MISC that is a demonym is a NORP (others stay MISC, which
    is no entity type: its tokens are only kept from being read as names)."""
    mapped = L.ner_labels.get(label, label)
    if any(c in text for c in "$€£%"):
        return "MISC"  # "3,2 M$": an amount the model took for a name
    if mapped in ("LOC", "MISC") and text in L.demonym and text not in L.places:
        return "NORP"  # "les Québécois"
    if mapped == "LOC":
        bare = text.split("'", 1)[-1].split("’", 1)[-1] if text[:2].lower() in ("l'", "l’") else text
        bare = " ".join(w for w in bare.split() if w.lower() not in L.grammar["article"]) or bare
        return "GPE" if bare in L.places or bare in L.country_name else "LOC"
    return mapped
