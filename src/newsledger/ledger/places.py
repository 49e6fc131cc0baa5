"""Countries and their names for entity resolution: pycountry's names and official names plus the
news names, aliases, demonyms and capitals in extract/demonyms.tsv and extract/events/capitals.tsv,
each mapped to one country with its ISO 3166 alpha-3 code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pycountry

from newsledger.extract.lexicons import tsv_rows
from newsledger.ledger.names import name_key


@dataclass(frozen=True, slots=True)
class Place:
    country: str  # the country's name as news writes it ("Russia"), the entity's canonical name
    alpha3: str | None  # ISO 3166 alpha-3, None for a place pycountry does not list (e.g. Kosovo)
    kind: str  # country (a name of the country itself) | capital | demonym


def _alpha3(*names: str) -> str | None:
    for n in names:
        try:
            return str(pycountry.countries.lookup(n).alpha_3)
        except LookupError:
            continue
    return None


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Place]:
    """name_key → Place. Country names win over capitals and demonyms when a key is both."""
    aliases: dict[str, list[str]] = {}
    demonyms: dict[str, str] = {}
    for row in tsv_rows("demonyms.tsv"):
        form, country, kind = row[0], row[1], row[2] if len(row) > 2 else "name"
        if kind in ("name", "alias"):
            aliases.setdefault(country, []).append(form)
        elif kind in ("adj", "people"):
            demonyms[form] = country
    out: dict[str, Place] = {}
    by_code: dict[str, str] = {}
    for country, forms in aliases.items():
        code = _alpha3(country, *forms)
        if code:
            by_code.setdefault(code, country)
        for f in [country, *forms]:
            out.setdefault(name_key(f), Place(country, code, "country"))
    for c in pycountry.countries:  # official and common names the lexicon lacks
        news = str(by_code.get(c.alpha_3) or getattr(c, "common_name", None) or c.name)
        for written in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)):
            if written:
                out.setdefault(name_key(written), Place(news, c.alpha_3, "country"))
    for row in tsv_rows("capitals.tsv", "newsledger.extract.events"):
        seat = out.get(name_key(row[1]))
        out.setdefault(name_key(row[0]), Place(row[1], seat.alpha3 if seat else None, "capital"))
    for form, country in demonyms.items():
        land = out.get(name_key(country))
        out.setdefault(name_key(form), Place(country, land.alpha3 if land else None, "demonym"))
    return out


def place(name: str) -> Place | None:
    """The country a place name or demonym refers to, if the tables know it."""
    return gazetteer().get(name_key(name))
