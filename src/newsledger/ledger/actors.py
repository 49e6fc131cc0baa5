"""The optional actor dictionary: a YAML list of known actors that overrides entity resolution.

    - name: Vladimir Putin          # canonical name (required)
      aliases: [Putin, V. Putin]    # other ways articles write it
      type: PERSON                  # PERSON | ORG | GPE | ... (optional: matches any type)
      country: RUS                  # ISO 3166 alpha-3 or a country name (optional)
      wikidata: Q7747               # (optional)

An article entity whose name (or, for a person, the name without titles) equals an actor's name
or alias becomes that actor, under its canonical name. A malformed file is an ActorDictionaryError
naming the file and line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
import yaml

from newsledger.ledger.names import name_key, person_name
from newsledger.ledger.places import place

_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")
_FIELDS = {"name", "aliases", "type", "country", "wikidata"}


class ActorDictionaryError(ValueError):
    """An actor dictionary that cannot be read: the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    aliases: tuple[str, ...] = ()
    type: str | None = None
    country: str | None = None
    wikidata: str | None = None
    line: int = 0  # where the entry starts in its file (1-based), for messages

    @property
    def key(self) -> str:
        """What identifies the actor's entity in the ledger: its wikidata id, else its name."""
        return self.wikidata or name_key(self.name)


@dataclass(frozen=True, slots=True)
class ActorDictionary:
    actors: tuple[Actor, ...]
    source: str = "<actors>"
    index: dict[str, tuple[Actor, ...]] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    def of(actors: tuple[Actor, ...], source: str = "<actors>") -> ActorDictionary:
        index: dict[str, list[Actor]] = {}
        for a in actors:
            for n in (a.name, *a.aliases):
                keys = {name_key(n)}
                if a.type in (None, "PERSON") and (p := person_name(n)):
                    keys.add(p.full)
                for k in keys - {""}:
                    if a not in index.setdefault(k, []):
                        index[k].append(a)
        return ActorDictionary(actors, source, {k: tuple(v) for k, v in index.items()})

    @property
    def fingerprint(self) -> str:
        """Identifies this dictionary's content (to apply a changed dictionary to stored entities)."""
        data = [(a.name, a.aliases, a.type, a.country, a.wikidata) for a in self.actors]
        return hashlib.sha256(repr(data).encode("utf-8")).hexdigest()

    def lookup(self, name: str, type_: str) -> Actor | None:
        """The actor an entity named `name` of type `type_` is, when exactly one fits."""
        keys = [name_key(name)]
        if type_ == "PERSON" and (p := person_name(name)):
            keys.append(p.full)
        for k in keys:
            fits = [a for a in self.index.get(k, ()) if a.type in (None, type_)]
            if len(fits) == 1:
                return fits[0]
        return None


def _fail(source: str, line: int, problem: str) -> ActorDictionaryError:
    return ActorDictionaryError(f"{source}:{line}: {problem}")


def _text(node: yaml.Node, source: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise _fail(source, node.start_mark.line + 1, f"{what} must be a non-empty text")
    return str(node.value).strip()


def _actor(node: yaml.Node, source: str) -> Actor:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        raise _fail(source, line, "each actor must be a mapping with at least a 'name'")
    got: dict[str, yaml.Node] = {}
    for k, v in node.value:
        key = _text(k, source, "a field name")
        if key not in _FIELDS:
            raise _fail(source, k.start_mark.line + 1,
                        f"unknown field {key!r} (expected: {', '.join(sorted(_FIELDS))})")
        got[key] = v
    if "name" not in got:
        raise _fail(source, line, "actor without a 'name'")
    aliases: list[str] = []
    if "aliases" in got:
        al = got["aliases"]
        if isinstance(al, yaml.ScalarNode) and al.value:
            aliases = [_text(al, source, "an alias")]
        elif isinstance(al, yaml.SequenceNode):
            aliases = [_text(x, source, "an alias") for x in al.value]
        elif not (isinstance(al, yaml.ScalarNode) and al.tag.endswith(":null")):
            raise _fail(source, al.start_mark.line + 1, "'aliases' must be a list of names")
    opt = {k: _text(got[k], source, f"'{k}'") for k in ("type", "country", "wikidata") if k in got}
    country = opt.get("country")
    if country:
        p = place(country)
        iso = pycountry.countries.get(alpha_3=country.upper()) if len(country) == 3 else None
        code = str(iso.alpha_3) if iso else (p.alpha3 if p else None)
        if not code:
            raise _fail(source, got["country"].start_mark.line + 1,
                        f"unknown country {country!r} (give an ISO 3166 alpha-3 code such as RUS)")
        country = code
    wd = opt.get("wikidata")
    if wd and not _WIKIDATA.match(wd):
        raise _fail(source, got["wikidata"].start_mark.line + 1, f"wikidata id {wd!r} is not like Q7747")
    return Actor(_text(got["name"], source, "'name'"), tuple(aliases),
                 opt["type"].upper() if "type" in opt else None, country, wd, line)


def parse_actors(text: str, source: str = "<actors>") -> ActorDictionary:
    """An actor dictionary from YAML text (see the module docstring for the format)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise _fail(source, line, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if root is None:
        return ActorDictionary.of((), source)
    if not isinstance(root, yaml.SequenceNode):
        raise _fail(source, root.start_mark.line + 1, "the file must be a YAML list of actors")
    return ActorDictionary.of(tuple(_actor(n, source) for n in root.value), source)


def load_actors(path: str | Path) -> ActorDictionary:
    """Read an actor dictionary file; a missing or malformed file is an ActorDictionaryError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ActorDictionaryError(f"{path}: cannot read the actor dictionary: {exc}") from None
    return parse_actors(text, str(path))
