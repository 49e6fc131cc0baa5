"""Reading the lexicon data files that live beside the extractors (extract/*.tsv, extract/events/*.tsv),
one file per language: `roles.tsv` is English, `roles.fr.tsv` French. The extractors are shared; each
takes the lexicon of its document's language (`doc_lang`), loaded once per process on first use.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc

DEFAULT = "en"
LANGUAGES = ("en", "fr")  # the languages with lexicons; a document in another is read as English


def lang_file(name: str, lang: str = DEFAULT) -> str:
    """The file name of a lexicon in a language: the English one has no language tag ("cues.tsv"),
    the others carry it before the extension ("cues.fr.tsv")."""
    if lang == DEFAULT:
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{lang}.{ext}" if dot else f"{name}.{lang}"


def read_text(name: str, package: str = "newsledger.extract", lang: str = DEFAULT) -> str:
    return resources.files(package).joinpath(lang_file(name, lang)).read_text(encoding="utf-8")


def tsv_rows(name: str, package: str = "newsledger.extract", lang: str = DEFAULT) -> list[list[str]]:
    """The rows of NAME (in `lang`) in `package`'s folder, split on tabs: blank and '#' lines skipped,
    the header line dropped."""
    text = read_text(name, package, lang)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [ln.split("\t") for ln in lines[1:]]


def doc_lang(doc: Doc) -> str:
    """The language whose lexicons read this document (English for a model of any other language)."""
    lang = doc.lang_
    return lang if lang in LANGUAGES else DEFAULT


class Grammar:
    """The closed-class words the shared code needs per language (grammar.tsv, grammar.fr.tsv): articles,
    the "of" preposition, weekdays, ... and the parse's labelling scheme: "clear" for the English models
    (dobj, pobj, nsubjpass), "ud" for Universal Dependencies (obj, obl + case, nsubj:pass), which the
    models of other languages use."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        words: dict[str, set[str]] = {}
        self.settings: dict[str, str] = {}
        for cls, value in tsv_rows("grammar.tsv", lang=lang):
            if cls.startswith("="):
                self.settings[cls[1:]] = value
            else:
                words.setdefault(cls, set()).add(value)
        self.words = {k: frozenset(v) for k, v in words.items()}
        self.ud = self.settings.get("scheme") == "ud"

    def __getitem__(self, cls: str) -> frozenset[str]:
        return self.words.get(cls, frozenset())


@lru_cache(maxsize=len(LANGUAGES))
def grammar(lang: str = DEFAULT) -> Grammar:
    return Grammar(lang)
