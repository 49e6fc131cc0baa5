"""Plain text → Article without changing the text: header (date line, title line) and excluded spans.

Scraped or pasted news text arrives with its page furniture: a date line and the headline on top,
image file names, bare URLs, video captions, share widgets and comment forms. Nothing is deleted
(offsets into the caller's text must stay valid): junk lines become `Excluded` spans with a reason,
the header becomes `published` / `title` with the spans they were read from.

Everything here is line-based, with regexes compiled once: it runs on every document, in front of
spaCy, so it must cost next to nothing. The boilerplate rules live as data in `boilerplate.tsv`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from importlib.resources import files
from urllib.parse import urlsplit

from newsledger.clean import language
from newsledger.model import Article, Evidence, Excluded, Flag, RawDoc, Span

# ---------------------------------------------------------------------------------------------------
# Boilerplate rules (data file) and the few rules that need code.

MAX_JUNK_WORDS = 40  # no boilerplate line is longer: a longer line is prose and is never excluded
MAX_JUNK_CHARS = 400


def _load_rules() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation over every rule of boilerplate.tsv; `lastgroup` names the rule that matched."""
    parts: list[str] = []
    reasons: dict[str, str] = {}
    raw = files("newsledger.clean").joinpath("boilerplate.tsv").read_text(encoding="utf-8")
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        reason, flags, pattern = line.split("\t", 2)
        group = f"r{len(parts)}"
        scoped = f"(?i:{pattern})" if "i" in flags else f"(?:{pattern})"
        parts.append(f"(?P<{group}>{scoped})")
        reasons[group] = reason
    return re.compile("|".join(parts)), reasons


_RULES, _RULE_REASON = _load_rules()

_URL_LINE = re.compile(r"<?((?:https?://|www\.)[^\s<>\"]+)>?", re.I)
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?|svg|heic)(?![a-z])", re.I)
# Image CDN paths (/fileImage/, /image/upload/, /images/, /img/) and image-format query parameters.
_IMAGE_PATH = re.compile(r"/(?:file)?(?:images?|img|imgs)(?=[/_.-]|$)", re.I)
_IMAGE_QUERY = re.compile(r"(?:^|&)(?:format|fm|ext|type)=(?:jpe?g|png|gif|webp|avif)\b", re.I)

# Media captions whose next lines may echo them: the caption body is what follows the label.
_CAPTION_BODY = re.compile(r"^[^|:–—-]{1,30}[|:–—-]\s*(.*)$")
_ECHO_REASONS = frozenset({"media-caption", "related-link"})
ECHO_WINDOW = 3  # non-blank lines after a caption that may repeat it
ECHO_MIN_SIMILARITY = 0.6
_WORD = re.compile(r"\w+")

# A comment form opened near the end: what follows that is plainly a form field goes too.
_COMMENT_OPENERS = re.compile(r"(?i)leave a (?:reply|comment)\b.*|\d*\s*comments|post (?:a )?comment")
_FORM_FIELD = re.compile(
    r"(?i)(?:comment|name|e-?mail(?: address)?|website|url|message|your (?:name|e-?mail|comment|message))"
    r"\s*\*?|submit|send|post|reply|Δ|[^.!?]{1,40}\s\*")
COMMENT_BLOCK_FROM = 0.5  # a comment form only opens in the second half of the text

# ---------------------------------------------------------------------------------------------------
# Header: date lines.

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "janvier", "janv", "januar", "jänner", "enero", "ene", "gennaio", "gen",
        "janeiro", "januari"),
    2: ("february", "feb", "février", "fevrier", "févr", "fevr", "februar", "febrero", "febbraio",
        "fevereiro", "fev", "februari"),
    3: ("march", "mar", "mars", "märz", "maerz", "mär", "marzo", "março", "marco", "maart", "mrt"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile"),
    5: ("may", "mai", "mayo", "maggio", "mag", "maio", "mei"),
    6: ("june", "jun", "juin", "juni", "junio", "giugno", "giu", "junho"),
    7: ("july", "jul", "juillet", "juil", "juli", "julio", "luglio", "lug", "julho"),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "augustus"),
    9: ("september", "sept", "sep", "septembre", "septiembre", "setiembre", "settembre", "set",
        "setembro"),
    10: ("october", "oct", "octobre", "oktober", "okt", "octubre", "ottobre", "ott", "outubro", "out"),
    11: ("november", "nov", "novembre", "noviembre", "novembro"),
    12: ("december", "dec", "décembre", "decembre", "déc", "dezember", "dez", "diciembre", "dic",
         "dicembre", "dezembro"),
}
_MONTH = {name: num for num, names in _MONTH_NAMES.items() for name in names}
_MONTH_RE = "|".join(sorted(_MONTH, key=len, reverse=True))
_DATE = re.compile(
    rf"\b(?P<m1>{_MONTH_RE})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th|er|\.|º)?\s+(?:de\s+)?(?P<m2>{_MONTH_RE})\.?,?\s+(?:de\s+)?"
    rf"(?P<y2>\d{{4}})\b"
    r"|\b(?P<y3>\d{4})-(?P<mo3>\d{1,2})-(?P<d3>\d{1,2})"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
    r"|\b(?P<y4>\d{4})/(?P<mo4>\d{1,2})/(?P<d4>\d{1,2})\b"
    r"|\b(?P<d5>\d{1,2})\.(?P<mo5>\d{1,2})\.(?P<y5>\d{4})\b"
    r"|\b(?P<a6>\d{1,2})/(?P<b6>\d{1,2})/(?P<y6>\d{4})\b",
    re.I,
)
# What may surround the date on a date line: times, zones, weekdays, labels ("Published:", "Updated").
_TIME = re.compile(
    r"\b\d{1,2}(?::\d{2}){1,2}\s*(?:[ap]\.?\s?m\.?)?(?!\w)|\b\d{1,2}\s*[ap]\.?m\.?(?!\w)|\b\d{1,2}h\d{2}\b"
    r"|\b\d{1,2}\.\d{2}(?:\s*(?:uhr|h)\b)?(?!\d)"
    r"|\b(?:[ECMPA][SD]?T|UTC|GMT|BST|CES?T|EES?T|IST|AES?T|AEDT|JST|HKT|SGT|MSK|Z)\b(?:\s*[+-]\d{1,2}(?::?\d{2})?)?"
    r"|[+-]\d{2}:?\d{2}\b",
    re.I,
)
_WEEKDAY = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|montag|dienstag|mittwoch|donnerstag|freitag"
    r"|samstag|sonntag|lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo|lunedì"
    r"|martedì|mercoledì|giovedì|venerdì|sabato|domenica|segunda-feira|terça-feira|quarta-feira"
    r"|quinta-feira|sexta-feira|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)\b\.?",
    re.I,
)
_LABEL_WORDS = frozenset((
    "published", "publish", "posted", "updated", "update", "last", "first", "date", "dated",
    "modified", "on", "at", "the", "original", "publié", "publie", "le", "mis", "à", "jour",
    "veröffentlicht", "am", "aktualisiert", "um", "uhr", "publicado", "el", "actualizado", "a", "las",
    "pubblicato", "il", "aggiornato", "alle", "ore", "gepubliceerd", "op", "bijgewerkt", "om",
    "atualizado", "em", "às", "de", "h",
))
_UPDATED = re.compile(r"(?i)updat|modif|mis à jour|aktualis|actualiz|aggiorn|bijgewerkt|atualiz")
_RESIDUE_WORD = re.compile(r"[^\s,|·•/:;()\[\]–—-]+")
# The part of a date line that is not the date: a byline ("By Jane Doe, Reuters") or a short source name.
_NAME = r"[A-ZÀ-Ý][\w'’.-]*(?:\s+(?:[A-ZÀ-Ý][\w'’.-]*|van|von|de|der|den|da|di|du|la|le|bin|al|el)){0,4}"
_BYLINE = re.compile(
    rf"(?:[Bb]y|BY|Written by|Words by)\s+"
    rf"(?P<names>{_NAME}(?:(?:\s*,\s*{_NAME})*\s*(?:\band\b|&)\s*{_NAME})?)"
    rf"(?:\s*(?:,|\||·|•|—|–|-|/|\bfor\b)\s*(?:[Tt]he\s+)?{_NAME})?")
_NAME_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")
_SOURCE_NAME = re.compile(rf"{_NAME}")

# ---------------------------------------------------------------------------------------------------
# Header: title line.

HEADER_LINES = 8  # non-blank lines at the top that may hold the header
BODY_WORDS = 25  # a line this long is a body paragraph: the header ends before it
TITLE_MIN_WORDS, TITLE_MAX_WORDS, TITLE_MAX_CHARS = 3, 25, 200
_ALPHA_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SENTENCE_BREAK = re.compile(r"(\w*)[.!?][\"”’»)]*\s+[\"“‘«(]?[A-Z0-9]")
_ABBREV = frozenset((
    "mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "lt", "col", "sgt", "jr", "sr", "no",
    "vs", "prof", "mt", "ft", "rev", "hon", "capt", "cmdr",
))
# Words a headline never ends on (it would be a wrapped line): articles and conjunctions.
_CONNECTOR = frozenset(("the", "a", "an", "of", "and", "or", "nor", "but", "than"))
_CLOSERS = "\"”’»)]'"
_LABEL_OPENING = re.compile(r"[A-Z][\w'’.-]*(?: [\w'’.-]+){0,3}: \S")  # "Poll: …", "The Latest: …"
# "WASHINGTON (AP) — …", "PURCHASE, N.Y., April 1 (UPI) — …", "New York (AFP) – …"
_DATELINE_OPENING = re.compile(
    r"(?:[A-Z]{3,}[A-Z.'’ -]*(?:,[\w.'’ ]{1,25}){0,2}\s*(?:\([A-Z][\w. ]{1,20}\)\s*)?"
    r"|[A-Z][\w.'’ ]{1,30}(?:,[\w.'’ ]{1,25}){0,2}\s*\([A-Z][\w. ]{1,20}\)\s*)[—–-]\s")

LANG_MIN_WORDS = 20  # shorter texts get language None: too little to tell
LANG_SAMPLE_CHARS = 400  # py3langid walks the bytes in Python: cost grows with the sample


@dataclass(slots=True)
class _Line:
    start: int  # offsets of the stripped content
    end: int
    text: str
    index: int  # position among all lines (blank ones included)


def _lines(text: str) -> list[_Line]:
    """Every line with the offsets of its content stripped of surrounding whitespace."""
    out: list[_Line] = []
    pos = 0
    for i, raw in enumerate(text.splitlines(keepends=True)):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        out.append(_Line(pos + lead, pos + lead + len(stripped), stripped, i))
        pos += len(raw)
    return out


# ---------------------------------------------------------------------------------------------------
# Junk lines.


def _image_url(url: str) -> bool:
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
    except ValueError:
        return False
    return bool(_IMAGE_EXT.search(parts.path) or _IMAGE_PATH.search(parts.path)
                or _IMAGE_QUERY.search(parts.query))


def _junk(line: str) -> tuple[str, str | None] | None:
    """(reason, image URL or None) when the whole line is page furniture, else None."""
    if len(line) > MAX_JUNK_CHARS or line.count(" ") >= MAX_JUNK_WORDS:
        return None
    m = _RULES.fullmatch(line)
    if m:
        return _RULE_REASON[m.lastgroup or ""], None
    u = _URL_LINE.fullmatch(line)
    if u:
        url = u.group(1)
        return "url", (url if _image_url(url) else None)
    return None


def _tokens(s: str) -> set[str]:
    return set(_WORD.findall(s.lower()))


def _echoes(caption: str, line: str) -> bool:
    """Is `line` a near copy of the caption body (garbled quote marks, a dropped word)?"""
    if len(line) > 1.5 * len(caption) + 20:
        return False
    a, b = _tokens(caption), _tokens(line)
    if not a or not b:
        return False
    if len(a & b) / len(a | b) >= ECHO_MIN_SIMILARITY:
        return True
    sm = SequenceMatcher(None, caption.lower(), line.lower(), autojunk=False)
    return sm.quick_ratio() >= ECHO_MIN_SIMILARITY and sm.ratio() >= ECHO_MIN_SIMILARITY


# ---------------------------------------------------------------------------------------------------
# Header.


@dataclass(frozen=True, slots=True)
class _DateLine:
    iso: str | None  # None when the line is a date line whose date is ambiguous (03/04/2025)
    authors: tuple[str, ...]
    updated: bool  # labelled as an update, not the publication


def _to_iso(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    try:
        if g["m1"]:
            y, mo, d = int(g["y1"]), _MONTH[g["m1"].lower()], int(g["d1"])
        elif g["m2"]:
            y, mo, d = int(g["y2"]), _MONTH[g["m2"].lower()], int(g["d2"])
        elif g["y3"]:
            y, mo, d = int(g["y3"]), int(g["mo3"]), int(g["d3"])
        elif g["y4"]:
            y, mo, d = int(g["y4"]), int(g["mo4"]), int(g["d4"])
        elif g["y5"]:
            y, mo, d = int(g["y5"]), int(g["mo5"]), int(g["d5"])
        else:  # a/b/yyyy: month-first in the US, day-first elsewhere: decide only when one can't be a month
            a, b, y = int(g["a6"]), int(g["b6"]), int(g["y6"])
            if a > 12 >= b:
                mo, d = b, a
            elif b > 12 >= a or a == b:
                mo, d = a, b
            else:
                return None
        if not 1900 <= y <= 2100:
            return None
        return date(y, mo, d).isoformat()
    except (ValueError, KeyError):
        return None


def _byline_authors(s: str) -> tuple[str, ...] | None:
    m = _BYLINE.fullmatch(s)
    if not m:
        return None
    return tuple(n for n in _NAME_SPLIT.split(m.group("names")) if n)


def _date_line(line: str) -> _DateLine | None:
    """A line that is a date and nothing else but its furniture: labels, weekday, time, zone, byline."""
    if len(line) > 160 or not any(c.isdigit() for c in line):
        return None
    matches = list(_DATE.finditer(line))
    if not matches:
        return None
    residue = _TIME.sub(" ", _WEEKDAY.sub(" ", _DATE.sub(" ", line)))
    words = [w for w in _RESIDUE_WORD.findall(residue) if w.lower().strip(".") not in _LABEL_WORDS]
    authors: tuple[str, ...] = ()
    if words:
        rest = " ".join(words)
        found = _byline_authors(rest)
        if found is not None:
            authors = found
        elif rest.lower().startswith("by ") and len(words) <= 6:
            pass  # "Posted on … by admin": a date line; no proper name to report
        elif not (len(words) <= 4 and _SOURCE_NAME.fullmatch(rest)):  # "… | Metro News"
            return None
    # Prefer the date labelled as publication over one labelled as an update.
    chosen, updated = matches[0], False
    for i, m in enumerate(matches):
        before = line[matches[i - 1].end() if i else 0:m.start()]
        if not _UPDATED.search(before):
            chosen, updated = m, False
            break
        updated = True
    return _DateLine(_to_iso(chosen), authors, updated)


def _headline_with_stop(s: str, words: list[str], nxt: _Line | None) -> bool:
    """A full stop ends a short first paragraph far more often than a headline; accept it only with
    a headline's marks: Title Case, a "Label: …" opening, or a dateline opening the next paragraph."""
    content = [w for w in words if len(w) >= 4]
    if len(content) >= 2 and sum(w[0].isupper() for w in content) >= 0.8 * len(content):
        return True
    if _LABEL_OPENING.match(s):
        return True
    return nxt is not None and bool(_DATELINE_OPENING.match(nxt.text))


def _title_like(line: _Line, nxt: _Line | None) -> bool:
    """A headline: short, one sentence, not ending like a wrapped or running paragraph."""
    s = line.text
    words = _ALPHA_WORD.findall(s)
    if not TITLE_MIN_WORDS <= len(words) <= TITLE_MAX_WORDS or len(s) > TITLE_MAX_CHARS:
        return False
    if not (s[0].isupper() or s[0].isdigit() or s[0] in "\"“‘«'("):
        return False
    core = s.rstrip(_CLOSERS)
    if not core or core[-1] in ",;:–—-(/&" or core.split()[-1].lower() in _CONNECTOR:
        return False
    for m in _SENTENCE_BREAK.finditer(s):  # two sentences make a paragraph, not a headline
        word = m.group(1).lower()
        if not (word in _ABBREV or len(word) == 1):
            return False
    if core[-1] == "." and not _headline_with_stop(s, words, nxt):
        return False
    # A hard-wrapped paragraph, not a headline: the next line follows at once and continues in lower
    # case, or is about as long (wrapped at a fixed width).
    if nxt is None:
        return False  # a headline heads something: a lone line is a sentence, or a fragment
    if nxt.index == line.index + 1:
        if nxt.text[:1].islower():
            return False
        if len(s) >= 40 and 0.75 <= len(nxt.text) / len(s) <= 1.33:
            return False
    return True


# ---------------------------------------------------------------------------------------------------


def _language(lines: list[_Line], skip: set[int]) -> str | None:
    """ISO 639-1 code of the kept text; None when it is too short, or the identifier unsure, to tell."""
    kept = [ln.text for ln in lines if ln.text and ln.index not in skip]
    if sum(len(t.split()) for t in kept) < LANG_MIN_WORDS:
        return None
    # A sample of running prose in reading order: as good as the whole text, and far cheaper. It runs
    # on past the first LANG_SAMPLE_CHARS so that an unsure first guess can be retried on more text.
    sample: list[str] = []
    size = 0
    for t in kept:
        sample.append(t)
        size += len(t) + 1
        if size >= language.RETRY_CHARS:
            break
    return language.confident(" ".join(sample), LANG_SAMPLE_CHARS)


def clean_text(raw: RawDoc) -> Article:
    """Fix a plain-text document as an Article: text verbatim, header read, junk lines marked."""
    text = raw.text or ""
    source = {"path": raw.path or raw.id, "format": raw.format}
    if raw.url:
        source["url"] = raw.url

    lines = _lines(text)
    nonblank = [ln for ln in lines if ln.text]
    reasons: dict[int, str] = {}  # line index → exclusion reason
    images: dict[str, None] = {}

    # -- body: junk lines, caption echoes, the comment form ------------------------------------------
    caption: tuple[str, int] | None = None  # (caption body, its position among non-blank lines)
    in_comments = False
    for k, ln in enumerate(nonblank):
        found = _junk(ln.text)
        if found:
            reason, image = found
            reasons[ln.index] = reason
            if image:
                images.setdefault(image, None)
            if reason in _ECHO_REASONS:
                body = _CAPTION_BODY.match(ln.text)
                caption = (body.group(1) if body else ln.text, k)
            if (reason == "comment-form" and _COMMENT_OPENERS.fullmatch(ln.text)
                    and ln.start >= COMMENT_BLOCK_FROM * len(text)):
                in_comments = True
            continue
        if caption and k - caption[1] <= ECHO_WINDOW and _echoes(caption[0], ln.text):
            reasons[ln.index] = "media-echo"
            continue
        if in_comments and len(ln.text) <= 60 and _FORM_FIELD.fullmatch(ln.text):
            reasons[ln.index] = "comment-form"

    # -- header: date lines, byline, title --------------------------------------------------------------
    # The date line is marked "header-date": it is page metadata (TimeML's document creation time, not a
    # time expression of the story), fully kept as `published_evidence`; blanked, it cannot pose as a
    # story date to the extractors nor vote on weekdays in refdate. A byline is marked "byline" for the
    # same reason (its names are in `authors`). The title is NOT excluded: a headline is the article's own
    # prose — its names and quoted words ("calls for 'maximum pressure'") are facts an analyst reads.
    dates: list[tuple[_Line, _DateLine]] = []
    authors: list[str] = []
    title: _Line | None = None
    title_open = True
    for k, ln in enumerate(nonblank[:HEADER_LINES]):
        if len(ln.text.split()) >= BODY_WORDS:
            break
        if ln.index in reasons:
            continue
        dl = _date_line(ln.text)
        if dl is not None:
            dates.append((ln, dl))
            authors.extend(a for a in dl.authors if a not in authors)
            reasons[ln.index] = "header-date"
            continue
        names = _byline_authors(ln.text)
        if names is not None:
            authors.extend(a for a in names if a not in authors)
            reasons[ln.index] = "byline"
            continue
        if title_open:
            nxt = nonblank[k + 1] if k + 1 < len(nonblank) else None
            if _title_like(ln, nxt):
                title, title_open = ln, False
            elif len(_ALPHA_WORD.findall(ln.text)) > 2:
                title_open = False  # the first prose line is not a headline: no title, never a guess
            # else: a one- or two-word kicker ("Politics", "World news") above the headline

    # Several date lines: a page shows when it was published and when updated, and an update never
    # precedes publication — so the earliest date not labelled as an update is the publication date.
    header = min((d for d in dates if d[1].iso and not d[1].updated), key=lambda d: d[1].iso or "",
                 default=None) or next((d for d in dates if d[1].iso), None)
    header_ev = (Evidence(text=header[0].text, note="date line in the text header",
                          start=header[0].start, end=header[0].end) if header else None)
    flags: tuple[Flag, ...] = ()
    if raw.published:
        published: str | None = raw.published
        published_ev: Evidence | None = Evidence(text=raw.published, note="given by the caller")
        if header and header_ev and header[1].iso != raw.published:
            flags = (Flag(code="date_line_differs",
                          message=f"the caller gives {raw.published}, "
                                  f"the text's date line says {header[1].iso}",
                          evidence=(header_ev, Evidence(text=raw.published, note="given by the caller"))),)
    else:
        published, published_ev = (header[1].iso, header_ev) if header else (None, None)

    excluded = tuple(Excluded(ln.start, ln.end, reasons[ln.index]) for ln in nonblank if ln.index in reasons)
    return Article(
        id=raw.id,
        text=text,
        source=source,
        title=title.text if title else None,
        title_span=Span(title.start, title.end, title.text) if title else None,
        published=published,
        published_evidence=published_ev,
        language=_language(lines, {*reasons, *([title.index] if title else [])}),
        url=raw.url,
        authors=tuple(authors),
        images=tuple(images),
        excluded=excluded,
        flags=flags,
    )
