"""The cue lexicon: the words that attribute speech, writing, belief or intention, and what each takes as
content (its frames), read once from `cues.tsv` beside this file.

Verbs are matched on their lemma or on an inflected form (the lemmatizer errs on rare verbs), so every
regular form of each verb is generated here (English by rule, other languages from the ending tables
of their lexicon: `inflect` rows); string hashes of all cue words let the attribution pass screen a
document's tokens in one array read. One lexicon per language (cues.tsv, cues.fr.tsv), each with the
closed-class words of that language (extract/grammar*.tsv).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from spacy.strings import get_string_id
from spacy.tokens import Doc

from newsledger.extract.lexicons import DEFAULT, Grammar, doc_lang, grammar, tsv_rows


@dataclass(frozen=True, slots=True)
class CueSense:
    frames: frozenset[str]
    cls: str

    @property
    def preps(self) -> frozenset[str]:
        return frozenset(f[5:] for f in self.frames if f.startswith("prep:"))


@dataclass(slots=True)
class Lexicon:
    verbs: dict[str, CueSense] = field(default_factory=dict)  # lemma
    phrasal: dict[tuple[str, str], CueSense] = field(default_factory=dict)  # (lemma, particle)
    nouns: dict[str, CueSense] = field(default_factory=dict)
    media: set[str] = field(default_factory=set)
    phrases: dict[tuple[str, ...], CueSense] = field(default_factory=dict)
    phrase_starts: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)  # "in a new poll, ..." sets a clause in one
    adverbs: dict[str, CueSense] = field(default_factory=dict)  # "X is reportedly ...": hearsay, nobody named
    forms: dict[str, str] = field(default_factory=dict)  # inflected form -> lemma (the lemmatizer errs)
    hashes: set[int] = field(default_factory=set)  # string ids of every word that may start a cue
    grammar: Grammar = field(default_factory=grammar)  # the language's closed-class words

    def __len__(self) -> int:
        return (len(self.verbs) + len(self.phrasal) + len(self.nouns) + len(self.media) + len(self.phrases)
                + len(self.adverbs))


def load_lexicon(name: str = "cues.tsv", lang: str = DEFAULT) -> Lexicon:
    rows = tsv_rows(name, "newsledger.extract.quotes", lang)
    lex = Lexicon(grammar=grammar(lang))
    endings: dict[str, list[str]] = {}
    for form, kind, frames, cls in rows:
        sense = CueSense(frozenset(frames.split()) - {"-"}, cls)
        words = tuple(form.lower().split())
        if kind == "verb" and len(words) == 2:
            lex.phrasal[(words[0], words[1])] = sense
        elif kind == "verb":
            lex.verbs[words[0]] = sense
        elif kind == "noun":
            lex.nouns[words[0]] = sense
        elif kind == "medium":
            lex.media.add(words[0])
        elif kind == "phrase":
            lex.phrases[words] = sense
            lex.phrase_starts.add(words[0])
        elif kind == "document":
            lex.documents.add(words[0])
        elif kind == "adverb":
            lex.adverbs[words[0]] = sense
        elif kind == "form":
            lex.forms[words[0]] = frames
        elif kind == "inflect":
            endings[form] = frames.split()
        else:
            raise ValueError(f"{name}: unknown cue type {kind!r} for {form!r}")
    for lemma in sorted({*lex.verbs, *(v for v, _ in lex.phrasal)}):
        for f in (_inflections(lemma) if lang == DEFAULT else _by_endings(lemma, endings)):
            lex.forms.setdefault(f, lemma)
    cue_words = {*lex.forms, *lex.verbs, *(v for v, _ in lex.phrasal), *lex.nouns, *lex.phrase_starts,
                 *lex.adverbs}
    if lex.documents:
        cue_words.add("in")
    lex.hashes = {get_string_id(w) for w in cue_words} | {get_string_id(w.capitalize()) for w in cue_words}
    return lex


def _inflections(v: str) -> set[str]:
    """Regular forms of a verb (both spellings where consonant doubling is unsure: "admitted", "edited")."""
    stem = v[:-1] if v.endswith("e") else v
    out = {v, v + "s", stem + "ed", stem + "ing"}
    if v.endswith(("s", "sh", "ch", "x", "z", "o")):
        out.add(v + "es")
    if v.endswith("y") and len(v) > 2 and v[-2] not in "aeiou":
        out |= {v[:-1] + "ies", v[:-1] + "ied"}
    if len(v) > 2 and v[-1] not in "aeiouwxy" and v[-2] in "aeiou" and v[-3] not in "aeiou":
        out |= {v + v[-1] + "ed", v + v[-1] + "ing"}
    return out


def _by_endings(lemma: str, endings: dict[str, list[str]]) -> set[str]:
    """Regular forms of a verb from its lexicon's ending table: the lemma's class is the longest ending
    it has ("er": "déclarer" → "déclar" + "e", "é", "ait", ...)."""
    out = {lemma}
    cls = max((c for c in endings if lemma.endswith(c)), key=len, default=None)
    if cls is not None:
        stem = lemma[: -len(cls)]
        out |= {stem + e for e in endings[cls]}
    return out


LEXICON = load_lexicon()  # the English one, loaded once per process


@lru_cache(maxsize=4)
def lexicon(lang: str = DEFAULT) -> Lexicon:
    return LEXICON if lang == DEFAULT else load_lexicon("cues.tsv", lang)


def lexicon_of(doc: Doc) -> Lexicon:
    """The cue lexicon of a document's language."""
    return lexicon(doc_lang(doc))
