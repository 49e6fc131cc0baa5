"""The per-document function: clean (②) → spaCy (③) → extract (④), returning plain records.

`analyze_stream` is what engines map over a stream: it batches documents through `nlp.pipe` and
wraps each batch in a spaCy memory zone, so memory stays flat over millions of documents. A failure
in one document becomes a Failure record; the stream goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import TYPE_CHECKING

from newsledger import nlp as nlp_mod
from newsledger.clean import clean
from newsledger.extract.amounts import extract_amounts
from newsledger.extract.dating import date_of
from newsledger.extract.entities import extract_entities
from newsledger.extract.events import extract_events
from newsledger.extract.quotes import extract_quotes
from newsledger.extract.timex import extract_timexes
from newsledger.model import Analysis, Article, Failure, RawDoc

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

BATCH = 64  # documents per memory zone: big enough for nlp.pipe batching, small enough to bound RSS


def nlp_text(article: Article) -> str:
    """The text spaCy sees: `text` with excluded spans blanked out (same length, so offsets hold)."""
    return article.masked_text()


def extract_before_events(article: Article, doc: Doc) -> Analysis:
    """Entities, dates, quotes and amounts: everything the event stage reads (training reads it too)."""
    entities = extract_entities(doc, article)
    timexes = extract_timexes(doc, article)
    quotes = tuple(replace(q, date=d, date_basis=basis) for q in extract_quotes(doc, article, entities)
                   for d, basis in [date_of(q.start, q.end, doc, timexes, article)])
    amounts = extract_amounts(doc, article, entities)
    return Analysis(article=article, entities=entities, quotes=quotes, events=(), amounts=amounts,
                    timexes=timexes)


def extract(article: Article, doc: Doc) -> Analysis:
    """Records from one parsed document. Plain data only: nothing from spaCy escapes."""
    a = extract_before_events(article, doc)
    return replace(a, events=extract_events(doc, article, a.entities, a.quotes, a.amounts, a.timexes))


def _label(raw: RawDoc) -> str:
    return raw.path or raw.url or raw.id


def _prepare(raw: RawDoc) -> Article | Failure:
    try:
        article = clean(raw)
    except Exception as exc:  # one bad page must not stop a batch
        return Failure(raw.id, _label(raw), "clean", f"{type(exc).__name__}: {exc}")
    if not article.text.strip():
        return Failure(raw.id, _label(raw), "clean", "no article text found")
    if len(article.text) > nlp_mod.MAX_CHARS:
        return Failure(raw.id, _label(raw), "clean",
                       f"article text too long: {len(article.text):,} characters > {nlp_mod.MAX_CHARS:,}")
    return article


def _extract_safe(article: Article, doc: Doc) -> Analysis | Failure:
    try:
        return extract(article, doc)
    except Exception as exc:
        return Failure(article.id, article.source.get("path") or article.id, "extract",
                       f"{type(exc).__name__}: {exc}")


def _run_batch(nlp: Language, items: list[Article | Failure]) -> list[Analysis | Failure]:
    """Each article goes to the model of its language (nlp.model_for); one in a language no model reads
    keeps its text and metadata, gets the unsupported_language flag, and nothing is extracted from it."""
    done: dict[int, Analysis | Failure] = {}
    groups: dict[int, tuple[Language, list[Article]]] = {}
    for a in items:
        if not isinstance(a, Article):
            continue
        try:
            model = nlp_mod.model_for(a.language, nlp)
        except nlp_mod.ModelNotFound as exc:
            done[id(a)] = Failure(a.id, a.source.get("path") or a.id, "nlp", str(exc))
            continue
        if model is None:
            done[id(a)] = Analysis(article=a, flags=(nlp_mod.unsupported_flag(a.language),))
        else:
            groups.setdefault(id(model), (model, []))[1].append(a)
    for model, articles in groups.values():
        _run_model(model, articles, done)
    return [done[id(x)] if isinstance(x, Article) else x for x in items]


def _run_model(nlp: Language, articles: list[Article], done: dict[int, Analysis | Failure]) -> None:
    with nlp.memory_zone():
        try:
            docs = list(nlp.pipe((nlp_text(a) for a in articles), batch_size=min(len(articles), 32) or 1))
            for a, d in zip(articles, docs, strict=True):
                done[id(a)] = _extract_safe(a, d)
        except Exception:
            # Isolate the document that broke the batch: redo one by one.
            for a in articles:
                try:
                    done[id(a)] = _extract_safe(a, nlp(nlp_text(a)))
                except Exception as exc:
                    done[id(a)] = Failure(a.id, a.source.get("path") or a.id, "nlp",
                                          f"{type(exc).__name__}: {exc}")


def analyze_stream(raws: Iterable[RawDoc | Failure], nlp: Language | None = None,
                   batch: int = BATCH) -> Iterator[Analysis | Failure]:
    """Analyse documents in input order; Failures in the input pass through in place."""
    model = nlp or nlp_mod.load()
    it = iter(raws)
    while chunk := list(islice(it, batch)):
        prepared = [x if isinstance(x, Failure) else _prepare(x) for x in chunk]
        yield from _run_batch(model, prepared)


def analyze(raw: RawDoc, nlp: Language | None = None) -> Analysis | Failure:
    """One document → its Analysis (or a Failure saying why not). Pure: no I/O, no global state."""
    return next(iter(analyze_stream([raw], nlp)))
