"""Which language a document is written in: py3langid's guess, weighed against the page's own
declaration when it has one. The language decides which model reads the document (nlp.py) — and
whether any does: a language newsledger has no lexicons for is stored and flagged, never parsed
as English (an English model finds hundreds of "entities" in a German page, all noise).

A guess counts only when it is confident: an uncertain one gives None ("unknown"), which is read
with the default model as before, so a short or odd English text is never gated by a shaky guess.
"""

from __future__ import annotations

from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

MIN_PROB = 0.9  # a guess below this is no guess: language None (but see `confident`)
DEFAULT = "en"  # the language read when none is known (nlp.DEFAULT_LANGUAGE)
MIN_CHARS = 20  # shorter texts are not classified
SAMPLE_CHARS = 400  # enough for a confident guess on running prose; py3langid's cost grows with the text
RETRY_CHARS = 2000  # an unsure guess on the sample is retried once on this much text


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def guess(text: str, chars: int = SAMPLE_CHARS) -> tuple[str | None, float]:
    """(ISO 639-1 code, probability) of the text's first `chars` characters; (None, 0.0) when too short.

    When the sample leaves the identifier unsure and more text exists, it is retried on a longer
    stretch: a quotation or a list of names at the top may mislead it."""
    if len(text.strip()) < MIN_CHARS:
        return None, 0.0
    lang, prob = _identifier().classify(text[:chars])
    if prob < MIN_PROB and len(text) > chars and chars < RETRY_CHARS:
        lang, prob = _identifier().classify(text[:RETRY_CHARS])
    return str(lang) or None, float(prob)


def confident(text: str, chars: int = SAMPLE_CHARS) -> str | None:
    """The text's language when the identifier is sure of it, else None. An unsure guess of the default
    language is kept: it is read by the same model as an unknown one, so nothing is gated by it, and
    the `language` field of English documents says what it always said."""
    lang, prob = guess(text, chars)
    return lang if prob >= MIN_PROB or lang == DEFAULT else None


@lru_cache(maxsize=64)
def name(code: str | None) -> str:
    """English name of a language code ("de" → "German"), for messages; the code itself if unknown."""
    if not code:
        return "an unknown language"
    import pycountry  # imported late: only messages about other languages need it

    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    return str(found.name) if found is not None else code
