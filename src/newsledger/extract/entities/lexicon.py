"""Lexicons for entity extraction: the TSV tables beside the extract modules, compiled once at import.

They stay in newsledger/extract/ (other extractors read them too); the tables here are shared by the
span, person and other-entity passes.
"""

from __future__ import annotations

import re

from newsledger.extract.lexicons import tsv_rows

ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
POSSESSIVE = {"'s", "’s", "'", "’"}


def norm(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").split())


# Lexicons, compiled once at import.
TITLES: dict[str, tuple[str, str, str]] = {
    f: (kind, role, g.strip("-")) for f, role, kind, g in tsv_rows("roles.tsv")}
MODIFIERS = {f: ("" if r == "-" else r) for f, (k, r, _) in TITLES.items() if k == "modifier"}
ROLE_GENDER = {r: g for _, (k, r, g) in TITLES.items() if k == "role" and g}
GIVEN_GENDER = dict(tsv_rows("given_names.tsv"))
TITLE_LAST: dict[str, int] = {}  # last word of a title form -> most tokens a form ending in it may span
for _f, (_k, _r, _) in TITLES.items():
    if _k != "modifier":
        _last = re.split(r"[\s-]", _f)[-1]
        TITLE_LAST[_last] = max(TITLE_LAST.get(_last, 1), len(re.findall(r"\w+|[^\w\s]", _f)))
DEMONYM: dict[str, str] = {}
COUNTRY_NAME: dict[str, str] = {}
PLACES: set[str] = set()
CITIES: set[str] = set()
for _f, _c, _k in tsv_rows("demonyms.tsv"):
    if _k in ("name", "alias"):
        COUNTRY_NAME.setdefault(_f, _c)
    if _k not in ("region", "city"):
        DEMONYM.setdefault(_f, _c)
    if _k in ("name", "alias", "region", "city"):
        PLACES.add(_f)
    if _k == "city":
        CITIES.add(_f)
PARTY_WORD = {f: p for f, p, k in tsv_rows("parties.tsv") if k == "word"}
PARTY_CODE = {f: p for f, p, k in tsv_rows("parties.tsv") if k == "code"}
_NAME_WORDS = [(w.lower(), c) for w, c in tsv_rows("name_words.tsv")]
PARTICLES = {w for w, c in _NAME_WORDS if c == "particle"}
SUFFIXES = {w for w, c in _NAME_WORDS if c == "suffix"}
ORG_HEADS = {w for w, c in _NAME_WORDS if c in ("org_head", "company", "facility")}
COMPANY_HEADS = {w for w, c in _NAME_WORDS if c == "company"}
FAC_HEADS = {w for w, c in _NAME_WORDS if c == "facility"}
