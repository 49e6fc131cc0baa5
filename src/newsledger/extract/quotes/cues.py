"""The cue lexicon: the words that attribute speech, writing, belief or intention, and what each takes as
content (its frames), read once from `cues.tsv` beside this file.

Verbs are matched on their lemma or on an inflected form (the lemmatizer errs on rare verbs), so every
regular form of each verb is generated here; string hashes of all cue words let the attribution pass
screen a document's tokens in one array read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.strings import get_string_id

from newsledger.extract.lexicons import tsv_rows


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

    def __len__(self) -> int:
        return (len(self.verbs) + len(self.phrasal) + len(self.nouns) + len(self.media) + len(self.phrases)
                + len(self.adverbs))


def load_lexicon(name: str = "cues.tsv") -> Lexicon:
    rows = tsv_rows(name, "newsledger.extract.quotes")
    lex = Lexicon()
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
        else:
            raise ValueError(f"{name}: unknown cue type {kind!r} for {form!r}")
    for lemma in {*lex.verbs, *(v for v, _ in lex.phrasal)}:
        for f in _inflections(lemma):
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


LEXICON = load_lexicon()  # loaded once per process
