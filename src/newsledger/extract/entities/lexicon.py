"""Lexicons for entity extraction: the TSV tables beside the extract modules, one set per language,
compiled once per process (`lexicon(lang)`, `lex_of(doc)`).

They stay in newsledger/extract/ (other extractors read them too); the tables here are shared by the
span, person and other-entity passes. Another language's tables (roles.fr.tsv, ...) hold its own
words; proper names that do not change with the language (places, given names, name particles) are
the English tables' rows plus the language's own, which win where they differ ("Jean" is a man's name
in French). Countries keep their English names as values, so a French and an English article about
the same country or person agree in the ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc

from newsledger.extract.lexicons import DEFAULT, Grammar, doc_lang, grammar, tsv_rows

ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}


def norm(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").split())


@dataclass(slots=True)
class EntityLexicon:
    """The entity tables of one language."""

    lang: str
    grammar: Grammar
    titles: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # form → (kind, role, gender)
    modifiers: dict[str, str] = field(default_factory=dict)
    role_gender: dict[str, str] = field(default_factory=dict)
    given_gender: dict[str, str] = field(default_factory=dict)
    title_last: dict[str, int] = field(default_factory=dict)  # last word of a title → most tokens it spans
    demonym: dict[str, str] = field(default_factory=dict)
    country_name: dict[str, str] = field(default_factory=dict)
    places: set[str] = field(default_factory=set)
    cities: set[str] = field(default_factory=set)
    party_word: dict[str, str] = field(default_factory=dict)
    party_code: dict[str, str] = field(default_factory=dict)
    particles: set[str] = field(default_factory=set)
    suffixes: set[str] = field(default_factory=set)
    org_heads: set[str] = field(default_factory=set)
    company_heads: set[str] = field(default_factory=set)
    fac_heads: set[str] = field(default_factory=set)
    ner_labels: dict[str, str] = field(default_factory=dict)  # the model's NER label → ours ("PER" → PERSON)

    @property
    def possessive(self) -> frozenset[str]:
        return self.grammar["possessive"]


def _rows(name: str, lang: str, inherit: bool) -> list[list[str]]:
    """The language's rows first (setdefault keeps them), then, for shared names, the English ones."""
    own = tsv_rows(name, lang=lang) if lang != DEFAULT else []
    return own + (tsv_rows(name) if inherit or lang == DEFAULT else [])


def _load(lang: str) -> EntityLexicon:
    lex = EntityLexicon(lang, grammar(lang))
    for f, role, kind, g in _rows("roles.tsv", lang, inherit=False):
        lex.titles.setdefault(f, (kind, role, g.strip("-")))
    lex.modifiers = {f: ("" if r == "-" else r) for f, (k, r, _) in lex.titles.items() if k == "modifier"}
    lex.role_gender = {r: g for _, (k, r, g) in lex.titles.items() if k == "role" and g}
    for name, g in _rows("given_names.tsv", lang, inherit=True):
        lex.given_gender.setdefault(name, g)
    for f, (k, _r, _) in lex.titles.items():
        if k != "modifier":
            most = len(re.findall(r"\w+|[^\w\s]", f))
            last = re.split(r"[\s-]", f)[-1]
            lex.title_last[last] = max(lex.title_last.get(last, 1), most)
            if lang != DEFAULT and "'" in last:  # the French tokenizer splits elisions: "l'" + "habitation"
                last = last.rsplit("'", 1)[-1]
                lex.title_last[last] = max(lex.title_last.get(last, 1), most)
    for f, c, k in _rows("demonyms.tsv", lang, inherit=True):
        if k in ("name", "alias"):
            lex.country_name.setdefault(f, c)
        if k not in ("region", "city"):
            lex.demonym.setdefault(f, c)
        if k in ("name", "alias", "region", "city"):
            lex.places.add(f)
        if k == "city":
            lex.cities.add(f)
    for f, p, k in _rows("parties.tsv", lang, inherit=True):
        if k == "word":
            lex.party_word.setdefault(f, p)
        elif k == "code" and lang == DEFAULT:  # "(D-Mass.)" is a US convention
            lex.party_code.setdefault(f, p)
    for w, c in ((w.lower(), c) for w, c in _rows("name_words.tsv", lang, inherit=True)):
        {"particle": lex.particles, "suffix": lex.suffixes}.get(c, set()).add(w)
        if c in ("org_head", "company", "facility"):
            lex.org_heads.add(w)
        if c == "company":
            lex.company_heads.add(w)
        if c == "facility":
            lex.fac_heads.add(w)
    if lang != DEFAULT:
        lex.ner_labels = dict(tsv_rows("ner_labels.tsv", lang=lang))
    return lex


@lru_cache(maxsize=4)
def lexicon(lang: str = DEFAULT) -> EntityLexicon:
    return _load(lang)


def lex_of(doc: Doc) -> EntityLexicon:
    return lexicon(doc_lang(doc))


# The English tables under their old names, for the readers that are English-only (event arguments).
_EN = lexicon(DEFAULT)
POSSESSIVE = set(_EN.possessive)
TITLES = _EN.titles
MODIFIERS = _EN.modifiers
ROLE_GENDER = _EN.role_gender
GIVEN_GENDER = _EN.given_gender
TITLE_LAST = _EN.title_last
DEMONYM = _EN.demonym
COUNTRY_NAME = _EN.country_name
PLACES = _EN.places
CITIES = _EN.cities
PARTY_WORD = _EN.party_word
PARTY_CODE = _EN.party_code
PARTICLES = _EN.particles
SUFFIXES = _EN.suffixes
ORG_HEADS = _EN.org_heads
COMPANY_HEADS = _EN.company_heads
FAC_HEADS = _EN.fac_heads
