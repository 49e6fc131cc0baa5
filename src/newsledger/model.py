"""The records that cross stage borders: frozen, slotted, picklable, free of spaCy objects.

Every extracted fact points into `Article.text` by Python string offsets (`start`, `end`).
`to_dict` turns an `Analysis` into the JSON contract of `newsledger analyze` (DESIGN.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RawDoc:
    """A document as it arrived, before cleaning. Exactly one of `text` / `html` is set."""

    id: str
    text: str | None = None
    html: str | None = None
    url: str | None = None
    published: str | None = None  # caller-supplied date (YYYY-MM-DD), trusted over the page's own
    path: str | None = None
    format: str = "text"  # text | html | jsonl-text | jsonl-html
    # The source given to `ingest` that this document came from (a folder, WARC, feed, URL list);
    # `path` / `url` say where inside it. None for `analyze` inputs, where path is the source.
    origin: str | None = None
    # What reading learnt about the document itself — an archive record cut short, text taken from
    # a feed entry because its page could not be fetched — passed on to the analysis record's flags.
    flags: tuple[Flag, ...] = ()


def raw_key(raw: RawDoc) -> str:
    """sha256 of what arrived (text or HTML, not where from): the same bytes are the same document,
    so a re-run or a second copy is recognised before any analysis."""
    body = raw.html if raw.html is not None else (raw.text or "")
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def locator(raw: RawDoc) -> str:
    """Where inside its source a document was found: its URL, else its path (path:line), else id."""
    return raw.url or raw.path or raw.id


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Excluded:
    """A stretch of a plain-text input that is not article prose (kept in `text`, marked here)."""

    start: int
    end: int
    reason: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a flag or inferred value rests on: a span of the text, or a value found elsewhere
    (a URL in the page's metadata); `start`/`end` are None when it is not in `text`."""

    text: str
    note: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    message: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """RawDoc after cleaning: the fixed text plus page metadata. `text` never changes after this."""

    id: str
    text: str
    source: dict[str, str]
    title: str | None = None
    title_span: Span | None = None
    published: str | None = None
    published_evidence: Evidence | None = None
    reference_date: str | None = None
    language: str | None = None
    site: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    excluded: tuple[Excluded, ...] = ()
    flags: tuple[Flag, ...] = ()

    def masked_text(self) -> str:
        """`text` with excluded spans blanked (line breaks kept): same length, so offsets hold.

        What spaCy and every rule see, so junk lines (captions, image names) never feed NER, sentence
        splitting or the weekday vote of the reference date.
        """
        if not self.excluded:
            return self.text
        chars = list(self.text)
        for x in self.excluded:
            for i in range(x.start, x.end):
                if chars[i] not in "\n\r":
                    chars[i] = " "
        return "".join(chars)


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str
    type: str
    roles: tuple[str, ...] = ()
    affiliation: str | None = None
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True, slots=True)
class Ref:
    """A mention in one attribution or event, resolved to an entity (entity is None if unresolved)."""

    entity: str | None
    name: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Quote:
    id: str
    start: int
    end: int
    text: str
    kind: str  # direct | indirect | mixed
    speaker: Ref | None
    cue: Span | None
    via: tuple[Ref, ...] = ()
    date: str | None = None
    # How `date` was found: "sentence" (a time expression in its sentence), "governing" (the nearest
    # governing one before it), "reference" (the article's reference date), None when unknown.
    date_basis: str | None = None
    # What the quote reports (extract/quotes/extract.py, `reported`): "speech" (words said or written:
    # quoted, or a clause after a cue of speech), "belief" (what someone thinks or wants: "believes that",
    # "wants to", "is expected to"), "evidence" (what a poll, study or inquiry found) or "topic" (a noun
    # phrase: what the report was about or for, not its content: "endorsed Clinton", "denied the report").
    reported: str = "speech"


@dataclass(frozen=True, slots=True)
class Amount:
    id: str
    start: int
    end: int
    text: str
    kind: str  # money | percent | count | fraction
    value: float | None
    currency: str | None = None
    currency_inferred: bool = False
    of: str | None = None
    unit: str | None = None
    approx: str | None = None  # the qualifier kept in `text`, normalised: "around", "more than", …


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    category: str
    mode: str | None
    modality: str
    actor: Ref | None
    target: Ref | None
    trigger: Span
    evidence: tuple[int, int]
    date: str | None = None
    date_basis: str | None = None  # as Quote.date_basis
    amounts: tuple[str, ...] = ()
    quote: str | None = None  # the id of the quote whose claim reports this event
    confidence: float | None = None  # the event model's P(this is an event), for trading recall for precision


@dataclass(frozen=True, slots=True)
class Timex:
    start: int
    end: int
    text: str
    type: str  # DATE | TIME | DURATION | SET
    value: str | None


@dataclass(frozen=True, slots=True)
class StageError:
    stage: str
    message: str


@dataclass(frozen=True, slots=True)
class Analysis:
    article: Article
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    events: tuple[Event, ...] = ()
    amounts: tuple[Amount, ...] = ()
    timexes: tuple[Timex, ...] = ()
    flags: tuple[Flag, ...] = ()
    errors: tuple[StageError, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Failure:
    """A document that could not be analysed at all: reported, never raised past the batch."""

    id: str
    source: str
    stage: str
    reason: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """One document's result as the ledger receives it, whichever engine produced it.

    `key` is the sha256 of the raw document (its text or HTML): the identity that makes ingest
    idempotent and resumable. Exactly one of `record` (the analyze contract, `to_dict`) and
    `failure` is set.
    """

    key: str
    origin: str  # the source given to ingest: file, folder, WARC, feed, URL list, Parquet dir
    locator: str  # where inside it: a path, path:line, WARC record URI, an article URL
    record: dict[str, Any] | None = None
    failure: Failure | None = None


def _plain(obj: Any) -> Any:
    return asdict(obj) if obj is not None else None


def _event_dict(ev: Event) -> dict[str, Any]:
    d = asdict(ev)
    d["evidence"] = {"start": ev.evidence[0], "end": ev.evidence[1]}
    d["amounts"] = list(ev.amounts)
    return d


def to_dict(a: Analysis) -> dict[str, Any]:
    """The analyze JSON contract (DESIGN.md): plain dicts/lists, keys in contract order."""
    art = a.article
    return {
        "id": art.id,
        "source": dict(art.source),
        "title": art.title,
        "published": art.published,
        "reference_date": art.reference_date,
        "language": art.language,
        "site": art.site,
        "url": art.url,
        "authors": list(art.authors),
        "images": list(art.images),
        "text": art.text,
        "excluded": [asdict(x) for x in art.excluded],
        "entities": [
            {**asdict(e), "roles": list(e.roles), "mentions": [asdict(m) for m in e.mentions]}
            for e in a.entities
        ],
        "quotes": [
            {**asdict(q), "speaker": _plain(q.speaker), "cue": _plain(q.cue),
             "via": [asdict(v) for v in q.via]}
            for q in a.quotes
        ],
        "events": [_event_dict(ev) for ev in a.events],
        "amounts": [asdict(x) for x in a.amounts],
        "timexes": [asdict(x) for x in a.timexes],
        "flags": [
            {"code": f.code, "message": f.message, "evidence": [asdict(e) for e in f.evidence]}
            for f in (*art.flags, *a.flags)
        ],
        "errors": [asdict(e) for e in a.errors],
    }
