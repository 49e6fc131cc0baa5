"""Name keys for matching entities across articles: folded case, accents and punctuation, and a
person's name split into given name and surname with role titles ("Russian President") dropped."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from newsledger.extract.lexicons import tsv_rows

_PUNCT = re.compile(r"[^\w\s'&]+")
_SPACE = re.compile(r"\s+")
_APOS = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def name_key(name: str) -> str:
    """'The U.S.' → 'us', 'Russia’s' → 'russia', 'Lagarde,' → 'lagarde': case, accents, dots,
    a possessive and a leading article folded away, so written variants of one name meet."""
    s = name.translate(_APOS).casefold()
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = s.replace(".", "")
    s = re.sub(r"'s\b|'$", "", s)
    s = _SPACE.sub(" ", _PUNCT.sub(" ", s).replace("-", " ")).strip()
    return s[4:] if s.startswith("the ") else s


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(title words to drop before a name, surname particles, name suffixes) from extract/*.tsv."""
    titles = {name_key(r[0]) for r in tsv_rows("roles.tsv")}
    titles |= {name_key(r[0]) for r in tsv_rows("demonyms.tsv") if len(r) > 2 and r[2] == "adj"}
    words = tsv_rows("name_words.tsv")
    particles = {name_key(r[0]) for r in words if r[1] == "particle"}
    suffixes = {name_key(r[0]) for r in words if r[1] == "suffix"}
    return frozenset(titles - {""}), frozenset(particles), frozenset(suffixes)


@dataclass(frozen=True, slots=True)
class PersonName:
    written: str  # the name with leading titles removed, as written ("Vladimir Putin")
    given: str | None  # folded first name or initial ("vladimir", "v"); None for a bare surname
    surname: str  # folded ("putin", "von der leyen")
    middle: str | None = None  # folded middle names or initials ("hw" in George H.W. Bush)
    suffix: str | None = None  # "jr", "ii": father and son are two people

    @property
    def full(self) -> str:
        return " ".join(x for x in (self.given, self.middle, self.surname, self.suffix) if x)


def person_name(name: str) -> PersonName | None:
    """Split a person's name; None when nothing name-like is left after the titles."""
    titles, particles, suffixes = _lexicon()
    raw = name.split()
    toks = [name_key(t) for t in raw]
    start = 0
    while start < len(toks) - 1:  # drop titles ("former prime minister"), never the last word
        for n in (4, 3, 2, 1):
            if start + n < len(toks) and " ".join(toks[start:start + n]) in titles:
                start += n
                break
        else:
            break
    end = len(toks)
    while end - start > 1 and toks[end - 1] in suffixes:
        end -= 1
    suffix = " ".join(t for t in toks[end:] if t) or None
    core = [t for t in toks[start:end] if t]
    if not core:
        return None
    written = " ".join(raw[start:])
    if len(core) == 1 or core[0] in particles:
        return PersonName(written, None, " ".join(core), None, suffix)
    first = len(core) - 1
    for i in range(1, len(core)):  # the surname starts at its first particle ("Ursula von der Leyen")
        if core[i] in particles:
            first = i
            break
    return PersonName(written, core[0], " ".join(core[first:]), " ".join(core[1:first]) or None, suffix)


def given_compatible(a: str | None, b: str | None) -> bool:
    """Two given (or middle) names can belong to one person: equal, one missing, or one the other's
    initial."""
    if a is None or b is None or a == b:
        return True
    return (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def same_person(a: PersonName, b: PersonName) -> bool:
    """Whether two names can be one person: same surname and suffix ("Donald Trump" is not "Donald
    Trump Jr."), given and middle names that fit ("George W. Bush" is not "George H.W. Bush")."""
    return (a.surname == b.surname and a.suffix == b.suffix and given_compatible(a.given, b.given)
            and given_compatible(a.middle, b.middle))
