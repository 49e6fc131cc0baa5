"""Time expressions as TIMEX3 values resolved against the article's reference date.

Recognition is a set of compiled regexes over the text spaCy saw (excluded spans blanked), one per
kind of expression (dates, weekdays, "last month", "three weeks ago", durations, sets, clock times,
seasons, quarters, decades, "now"/"recently"); where two overlap the longer wins. Words that are also
ordinary words ("May", "fall", "2024" as a count) need a cue: a preposition or modifier before them, or
spaCy's DATE label. spaCy's DATE/TIME entities are otherwise not trusted: they include "the day", "the
hottest year".

Resolution (TIMEX3 values: "2025-09-05", "2025-W37", "2025-06", "2025-SP", "2025-Q3", "199", "P3D",
"PT5H", "PXY", "PRESENT_REF", "2025-09-05TNI", "XXXX-WXX-1"):
- Relative expressions need `article.reference_date`; without it their value is None, never a guess.
  Expressions that carry their own year ("June 5, 2024", "the 1990s", "three days") still resolve.
- An expression missing its year or week ("Friday", "in June", "the spring", "the fourth quarter") is
  placed by the tense of the verb it hangs from (`direction`): past → the latest such time on or before
  the reference date, future → the first on or after it, present or unknown → the nearest. When the
  path to the verb runs through a noun ("a loss for the fourth quarter", "Sunday's run-off") the tense
  is the noun's business, not the time's, and the nearest wins.
- "last/this/next Friday" is Friday of the previous/current/next ISO week.
- Anaphoric ones ("the day before", "two days later", "the following week") count from the last
  day-precise date mentioned before them, else from the reference date.
- A clock time ("10 a.m.") takes the day of a day-precise date in its sentence, else the reference date.

Other languages: the patterns of a language are data (timex.fr.json) with the same kinds and group
names as the English ones; their group values are put in the resolver's words ("novembre" → "november",
"il y a" → "ago") and resolved by the same code. The tense that places "mercredi" is read from the
verb's morphology (dating.verb_tense).
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources

from spacy.tokens import Doc, Token

from newsledger.extract.amounts import DIGITS, WORDNUM, find_in, number_value, windows
from newsledger.extract.dating import (
    UNITS,
    VAGUE_NUM,
    direction,
    duration_value,
    fmt_num,
    month_end,
    pick,
    season_span,
    shift,
    unit_value,
    week_value,
    years_around,
)
from newsledger.extract.lexicons import Grammar, doc_lang, grammar, read_text
from newsledger.model import Article, Timex

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
               "oct": 10, "nov": 11, "dec": 12})
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
SEASONS = {"spring": ("SP", 3), "summer": ("SU", 6), "autumn": ("FA", 9), "fall": ("FA", 9),
           "winter": ("WI", 12)}
_WORDS = json.loads(resources.files("newsledger.extract").joinpath("timex.json").read_text(encoding="utf-8"))
HOLIDAYS: dict[str, list[int]] = _WORDS["holidays"]
SET_ADVERBS: dict[str, str] = _WORDS["set_adverbs"]
REFS: dict[str, str] = _WORDS["refs"]
CUE_WORDS = set(_WORDS["cue_words"])

_MON = (r"(?P<mon>(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
        r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?:\.|(?=\s+\d)))")
_WD = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:,.]\d|\d|%)"
_YEAR = r"(?P<year>1[6-9]\d\d|20\d\d)(?![\d%]|s\b|-\d|[.,]\d)"
_MOD = r"(?P<mod>(?i:early|late|mid|the\s+(?:end|beginning|start|middle)\s+of))[\s-]+"
_UNIT = r"(?P<unit>second|minute|hour|day|week|fortnight|month|quarter|year|decade|centur(?:y|ies))s?"
_NUMW = rf"(?P<num>{DIGITS}|half\s+an?|{VAGUE_NUM}|{WORDNUM}|an?)"
_PART = r"(?P<part>(?i:morning|afternoon|evening|night))"
# Approximation kept inside a duration ("nearly three hours"); not "over"/"under"/"some", which before a
# duration mean "during"/"less than"/a vague amount more often than "approximately".
_APPROX = (r"(?:(?:just|well)\s+)?(?:more\s+than|less\s+than|fewer\s+than|up\s+to|at\s+least|at\s+most"
           r"|close\s+to|upwards\s+of|nearly|almost|about|around|approximately|roughly)\s+")

PATTERNS: list[tuple[str, re.Pattern[str]]] = [(k, re.compile(p)) for k, p in [
    ("iso", r"(?<!\d)(?P<year>1[6-9]\d\d|20\d\d)-(?P<mm>0[1-9]|1[0-2])-(?P<dd>0[1-9]|[12]\d|3[01])(?!\d)"),
    ("mdy", rf"(?:{_WD},?\s+)?{_MON}\s+{_DAY}(?:,?\s+{_YEAR})?"),
    ("dmy", rf"(?:{_WD},?\s+)?(?<![\d,.$€£])(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MON}(?:,?\s+{_YEAR})?"),
    ("month", rf"(?:{_MOD}|(?P<rel>(?i:last|next|this))\s+)?{_MON}(?:,?\s+(?:of\s+)?{_YEAR})?"),
    ("year", rf"(?:{_MOD}|(?<![\d$€£¥.,#/-])){_YEAR}"),
    ("decade", r"(?i:(?:the\s+)?(?:(?:early|late|mid)[\s-]+)?)"
               r"(?:(?P<dec>1[6-9]\d0|20\d0)s|['’](?P<dec2>\d0)s)\b"),
    ("century", r"(?i:(?:the\s+)?(?:(?:early|late|mid)[\s-]+)?"
                r"(?P<cent>1\d|2\d|[1-9])(?:st|nd|rd|th)\s+century)"),
    ("weekday", rf"(?:(?P<rel>(?i:last|next|this|past|coming))\s+|(?i:early|late)\s+)?{_WD}(?:\s+{_PART})?"),
    ("weekdays", r"\b(?P<swd>Mondays|Tuesdays|Wednesdays|Thursdays|Fridays|Saturdays|Sundays)\b"),
    ("named", rf"(?i:(?P<el>(?:earlier|later)\s+)?\b(?P<nd>yesterday|today|tomorrow|tonight)\b(?:\s+{_PART})?"
              r"|\b(?P<dem>this|last)\s+(?P<part2>morning|afternoon|evening|night)\b)"),
    ("relunit", r"(?i:\b(?:(?P<el>earlier|later|early|late)\s+"
                r"|(?P<endof>the\s+(?:end|beginning|start|middle)\s+of)\s+)?(?P<rel>this|last|next|the\s+current|the)\s+(?P<unit>week|weekend|month|year|quarter|"
                r"decade|century)\b)"),
    ("inthe", r"(?i:\b(?P<el>earlier|later)\s+in\s+the\s+(?P<unit>week|month|year|day)\b)"),
    ("anchored", r"(?i:\bthe\s+(?P<unit>day|week|month|year)\s+(?P<dir>before|after|earlier|later)\b"
                 r"|\bthe\s+(?P<dir2>following|previous|preceding|same)\s+(?P<unit2>day|week|month|year|morning|"
                 r"afternoon|evening|night)\b|\bthat\s+(?P<unit3>day|morning|afternoon|evening|night)\b"
                 r"|\bthe\s+next\s+(?P<unit4>day|morning|afternoon|evening|night)\b)"),
    ("theunit", r"(?i:\b(?:for|during|in|over|through|throughout|of)\s+(?P<t>the\s+(?P<unit>year|quarter))\b)"
                r"(?!\s*(?:'s|’s|of|before|after|earlier|later|ago|ahead|to\s+date)\b)"),
    # "more than two years ago": the qualifier only ranks it above the duration "more than two years"
    ("ago", rf"(?i:(?:\b{_APPROX})?(?P<t>\b{_NUMW}\s+{_UNIT}\s+"
            r"(?P<dir>ago|earlier|later|before|after|from\s+now|hence)\b))"),
    ("set", rf"(?i:\b(?:every|each)\s+(?P<other>other\s+)?(?:{_NUMW}\s+)?(?:{_UNIT}|(?P<swd>monday|tuesday|"
            r"wednesday|thursday|friday|saturday|sunday))\b|\b(?P<freq>once|twice|thrice|\w+\s+times)\s+"
            r"(?:a|an|per|each|every)\s+(?P<unit2>second|minute|hour|day|week|month|year)\b|\b(?P<adv>daily|"
            r"weekly|monthly|yearly|annually|hourly|nightly|fortnightly|quarterly|biweekly)\b)"),
    ("per", r"(?P<pre>[\w%$€£]+)\s+(?P<t>(?i:a|an|per)\s+(?P<unit>hour|day|week|month|year))\b"),
    ("duration", rf"(?i:(?:(?P<the>\bthe\s+(?:past|last|next|coming|previous|first|final|following)\s+)"
                 rf"|(?P<approx>\b{_APPROX}))?(?:\b{_NUMW}[\s-]+)?{_UNIT}(?P<half>\s+and\s+a\s+half)?\b"
                 r"(?P<old>-old)?)"),
    ("vague", r"(?i:\b(?:for|within|in|over)\s+"
              r"(?P<t>(?P<unit>hours|days|weeks|months|years|decades|centuries)))\b"),
    ("clock", rf"(?i:\b(?P<h>1[0-2]|0?[1-9])(?::(?P<mi>[0-5]\d))?\s*"
              r"(?P<ap>a\.m\.|p\.m\.|a\.m|p\.m|am|pm)(?!\w))"
              rf"(?:\s+(?:local\s+time|[ECMP][SD]?T|GMT|UTC|BST|CES?T)\b)?(?:,?\s+(?:{_WD}|(?P<nd>(?i:today|"
              r"tomorrow|yesterday))\b))?"),
    ("clock24", r"(?<![\d:.])(?P<h>[01]?\d|2[0-3])[:.](?P<mi>[0-5]\d)\s*(?:GMT|UTC|BST|CES?T|[ECMP][SD]?T|"
                r"local\s+time|hours|hrs)\b"),
    ("noon", r"(?i:\b(?P<nm>noon|midday|midnight)\b)"),
    ("ref", r"(?i:\b(?P<ref>now|currently|nowadays|these\s+days|recently|lately|the\s+future)\b(?!-)"
            r"|\bin\s+(?P<t>the\s+past)\b(?!\s+(?:\d|few|several|two|three|four|five|six|seven|eight|nine|ten|"
            r"year|month|week|day|decade|centur))|\b(?P<t2>(?P<rec>recent)\s+(?P<vu>years|months|"
            r"weeks|days|decades))\b)"),
    ("holiday", r"(?P<hol>Christmas(?:\s+(?:Day|Eve))?|New\s+Year['’]s(?:\s+(?:Day|Eve))?|Halloween|"
                r"Valentine['’]s\s+Day|Boxing\s+Day)"),
    ("quarter", r"(?i:\b(?P<the>the\s+)?(?P<ord>first|second|third|fourth|final|1st|2nd|3rd|4th)[\s-]+"
                r"(?P<qh>quarter|half)(?:\s+of\s+(?:(?P<qy>1[6-9]\d\d|20\d\d)|(?P<qrel>this|last|next)\s+year|"
                r"the\s+year))?\b)|\bQ(?P<qn>[1-4])(?:\s+(?P<qy2>20\d\d))?\b"),
    ("season", r"(?i:\b(?:(?P<srel>this|last|next|the|early|late|mid)[\s-]+)?(?P<season>spring|summer|autumn|"
               r"fall|winter)\b(?:\s+(?:of\s+)?(?P<sy>1[6-9]\d\d|20\d\d)\b)?)"),
]]
# The word every match of a pattern contains: patterns run only in windows around these (find_near).
_K_YEAR = r"(?<!\d)(?:1[6-9]|20)\d\d(?!\d)"
_K_MON = r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_K_WD = r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days?\b"
_K_UNIT = (r"\b(?:[Ss]econd|[Mm]inute|[Hh]our|[Dd]ay|[Ww]eek|[Ff]ortnight|[Mm]onth|[Qq]uarter|[Yy]ear"
           r"|[Dd]ecade|[Cc]entur|[Mm]orning|[Aa]fternoon|[Ee]vening|[Nn]ight|[Dd]aily|[Ww]eekly|[Mm]onthly|[Yy]early"
           r"|[Aa]nnually|[Hh]ourly|[Nn]ightly|[Ff]ortnightly|[Qq]uarterly|[Bb]iweekly"
           r"|(?:[Mm]on|[Tt]ues|[Ww]ednes|[Tt]hurs|[Ff]ri|[Ss]atur|[Ss]un)day)")
_KEYS = {"iso": _K_YEAR, "mdy": _K_MON, "dmy": _K_MON, "month": _K_MON, "year": _K_YEAR,
         "decade": r"\d0s\b", "century": r"(?i:centur)", "weekday": _K_WD, "weekdays": _K_WD,
         "named": r"(?i:\b(?:yesterday|today|tomorrow|tonight|morning|afternoon|evening|night)\b)",
         **dict.fromkeys(("relunit", "inthe", "theunit", "anchored", "ago", "set", "per", "duration",
                          "vague"), _K_UNIT),
         "clock": r"(?i:\d\s*[ap]\.?m\b)", "clock24": r"\d[:.][0-5]\d",
         "noon": r"(?i:\b(?:noon|midday|midnight)\b)",
         "ref": r"(?i:\b(?:now|currently|nowadays|these\s+days|recently|lately|future|past|recent|coming)\b)",
         "holiday": r"\b(?:Christmas|New\s+Year|Halloween|Valentine|Boxing)",
         "quarter": r"(?i:\b(?:quarter|half)\b)|\bQ[1-4]\b",
         "season": r"(?i:\b(?:spring|summer|autumn|fall|winter)\b)"}
_KEY_RX = {k: re.compile(v) for k, v in _KEYS.items()}
CACHE_KEY = "newsledger.timexes"
_RANK = {k: i for i, (k, _) in enumerate(PATTERNS)}


@dataclass(frozen=True, slots=True)
class _Pattern:
    kind: str
    rx: re.Pattern[str]
    key: re.Pattern[str]
    rank: int
    fixed: tuple[tuple[str, str], ...] = ()  # constant group values ("il y a" → dir=ago)


class _Language:
    """One language's patterns, and how its group values become the resolver's (English) words."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.grammar: Grammar = grammar(lang)
        self.words: dict[str, dict[str, str]] = {}
        self.tense_words: dict[str, re.Pattern[str]] = {}
        if lang == "en":
            self.patterns = [_Pattern(k, rx, _KEY_RX[k], _RANK[k]) for k, rx in PATTERNS]
            return
        data = json.loads(read_text("timex.json", lang=lang))
        self.patterns = [_Pattern(p["kind"], re.compile(p["re"]), re.compile(p["key"]), i,
                                  tuple(sorted(p.get("set", {}).items())))
                         for i, p in enumerate(data["patterns"])]
        self.words = data["words"]
        for cls, ws in data.get("tense", {}).items():
            alt = "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True))
            self.tense_words[cls] = re.compile(rf"(?<!\w)(?:{alt})\s*(?:l'|le\s+|la\s+|les\s+)?\Z", re.I)

    def groups(self, m: re.Match[str], fixed: tuple[tuple[str, str], ...]) -> dict[str, str | None]:
        """The match's groups in the resolver's words. A group named "x_" fills "x" when that is empty
        (French puts some words after what the English pattern has them before: "lundi dernier")."""
        g = m.groupdict()
        if self.lang == "en":
            return g
        out: dict[str, str | None] = {}
        for name, value in g.items():
            key = name.rstrip("_")
            if value is None or out.get(key):
                out.setdefault(key, None)
                continue
            out[key] = self._word(key, value)
        out.update(fixed)
        return out

    def _word(self, group: str, value: str) -> str:
        v = " ".join(value.lower().split())
        own, common = self.words.get(group, {}), self.words.get("*", {})
        if v in own:
            return own[v]
        if v in common:
            return common[v]
        return " ".join(own.get(w, common.get(w, w)) for w in v.split())


_LANGUAGES: dict[str, _Language] = {}


def _language(doc: Doc) -> _Language:
    lang = doc_lang(doc)
    if lang not in _LANGUAGES:
        _LANGUAGES[lang] = _Language(lang)
    return _LANGUAGES[lang]


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    kind: str
    m: re.Match[str]
    length: int  # what ranks overlapping candidates: the span, or for "ago" the whole match
    g: dict[str, str | None]  # the groups in the resolver's words
    rank: int = 0


# ---------------------------------------------------------------- recognition


def _prev_word(text: str, i: int) -> str:
    m = re.search(r"([\w’'–-]+)[\s,]*$", text[max(0, i - 30):i])
    return m.group(1).lower() if m else ""


def _token(doc: Doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


_DETERMINERS = {"the", "a", "an", "this", "that", "its", "his", "her", "their", "our", "my", "your"}


def _accept_other(c: _Cand, doc: Doc, text: str) -> bool:
    """Another language's patterns carry their own cues (a year needs "en", "depuis", ...; a season an
    article or preposition); what is left to check needs the parse."""
    g, k = c.g, c.kind
    if k == "season" and not (g.get("srel") or g.get("pre") or g.get("sy")):
        return False  # "a été" is no summer
    if k == "relunit" and g.get("rel") == "the" and not g.get("endof") and g.get("unit") != "weekend":
        return False  # "la semaine" alone is no particular week
    if k == "year" and not g.get("mod"):
        tok = _token(doc, c.start, c.end)
        nxt = doc[tok.i + 1] if tok is not None and tok.i + 1 < len(doc) else None
        lead = text[max(0, c.m.start()):c.start].strip().lower()
        if nxt is not None and nxt.pos_ == "NOUN" and lead in grammar(doc_lang(doc))["count_lead"]:
            return False  # "près de 2000 personnes": a count
    return True


def _accept(c: _Cand, doc: Doc, text: str) -> bool:
    """Cues for words that are not always times ("May", "fall", a bare year, "now")."""
    m, k = c.m, c.kind
    g = m.groupdict()
    bare = not g.get("mod") and not g.get("rel")
    if k in ("year", "month") and bare and not (k == "month" and g.get("year")):
        tok = _token(doc, c.start, c.end)
        cue = _prev_word(text, c.start) in CUE_WORDS
        if k == "year":
            nxt = doc[tok.i + 1] if tok is not None and tok.i + 1 < len(doc) else None
            if nxt is not None and nxt.tag_ == "NNS":
                return cue  # "the 2024 elections", but "sent 2024 soldiers" is a count
            if tok is not None and tok.dep_ == "nummod" and tok.head.tag_ in ("NNS", "NNPS") \
                    and _prev_word(text, c.start) not in _DETERMINERS:
                return False  # "a poll of 2047 registered voters": a count of the plural noun it modifies
            return cue or (tok is not None and tok.ent_type_ == "DATE")
        if g["mon"] == "May":  # the modal, and a name: only after a preposition or modifier
            return _prev_word(text, c.start) in CUE_WORDS - {"the", "and", "or", "year", "on", "–", "-"}
        if len(g["mon"]) <= 4:
            return cue or (tok is not None and tok.ent_type_ == "DATE")
        return tok is None or tok.ent_type_ not in ("PERSON", "ORG", "WORK_OF_ART", "PRODUCT")
    if k == "weekday":
        tok = _token(doc, m.start("wd"), m.end("wd"))
        return tok is None or tok.ent_type_ not in ("ORG", "WORK_OF_ART", "LAW", "FAC", "PRODUCT")
    if k == "season" and not g.get("sy"):
        if not g.get("srel") and _prev_word(text, c.start) not in CUE_WORDS:
            return False
        if re.match(r"\s+of\b", text[c.end:c.end + 4]):
            return False  # "the fall of the government"
        tok = _token(doc, m.start("season"), m.end("season"))
        return tok is None or (tok.dep_ not in ("compound", "amod") and tok.pos_ != "VERB")
    if k == "quarter" and g.get("qh") and g["qh"].lower() == "half" and not (g.get("qy") or g.get("qrel")
                                                                           or "year" in m.group(0).lower()):
        # "in the second half" of the current year, but not "the second half of the match"
        prev = _prev_word(text, c.start)
        return bool(g.get("the")) and prev in ("in", "for", "during", "by", "over", "into") \
            and not re.match(r"\s+of\b", text[c.end:c.end + 4])
    if k == "theunit":
        tok = _token(doc, c.end - 1, c.end)
        nxt = doc[tok.i + 1] if tok is not None and tok.i + 1 < len(doc) else None
        return nxt is None or nxt.pos_ not in ("NOUN", "PROPN", "NUM", "ADJ")
    if k == "quarter" and g.get("ord") and not (g.get("the") or g.get("qy") or g.get("qrel")
                                                or "-" in m.group(0)):
        return False
    if k == "relunit" and g["rel"].lower() == "the" and not g.get("endof") and g["unit"].lower() != "weekend":
        return False
    if k == "ago" and g["dir"].lower() in ("before", "after") and re.match(r"\s*[\w$€£]",
                                                                           text[c.end:c.end + 3]):
        return False  # "two days before the vote": a duration, then an event anchor
    if k == "ago" and re.match(r"\s+than\b", text[c.end:c.end + 6]):
        return False
    if k == "duration":
        num = (g.get("num") or "").lower()
        unit = g["unit"].lower()
        if not num and not g.get("the"):
            return False
        if num in ("a", "an", "one") and unit.startswith(("second", "quarter", "minute")):
            return False  # "a second round", "a quarter of"
        if num in ("a", "an") and re.match(r"\s+(?:of|or\s+so\s+of)\b", text[c.end:c.end + 8]) and \
                unit.startswith("quarter"):
            return False
        if unit.startswith("quarter") and not (num and num[0].isdigit()):
            return False
    if k == "per":
        pre = g["pre"].lower()
        return bool(re.search(r"[\d%]$|(?:million|billion|thousand|trillion|dollars|euros|pounds|cents|times|"
                              r"[mbk]n?)$", pre))
    if k == "ref" and (g.get("ref") or "").lower() == "now":
        tok = _token(doc, c.start, c.end)
        return tok is None or tok.pos_ in ("ADV", "NOUN")
    return True


def _candidates(doc: Doc, text: str) -> list[_Cand]:
    found: list[_Cand] = []
    wins: dict[str, list[tuple[int, int]]] = {}
    lang = _language(doc)
    accept = _accept if lang.lang == "en" else _accept_other
    for pat in lang.patterns:
        kind, rx = pat.kind, pat.rx
        key = pat.key.pattern
        if key not in wins:
            wins[key] = windows(pat.key, text)
        for m in find_in(rx, wins[key], text):
            if "t" in rx.groupindex and m.group("t"):
                s, e = m.span("t")
            elif "t2" in rx.groupindex and m.group("t2"):
                s, e = m.span("t2")
            else:
                s, e = m.span()
            while e > s and text[e - 1] in " ,":
                e -= 1
            if e > s:
                c = _Cand(s, e, kind, m, m.end() - m.start() if kind == "ago" else e - s,
                          lang.groups(m, pat.fixed), pat.rank)
                if accept(c, doc, text):
                    found.append(c)
    found.sort(key=lambda c: (-c.length, c.rank, c.start))
    taken = bytearray(len(text))
    chosen = []
    for c in found:
        if not any(taken[c.start:c.end]):
            chosen.append(c)
            taken[c.start:c.end] = b"\x01" * (c.end - c.start)
    chosen.sort(key=lambda c: c.start)
    return chosen


# ---------------------------------------------------------------- resolution


class _Resolver:
    """Turns recognised expressions into (type, value), in text order (anaphors need what came before)."""

    def __init__(self, doc: Doc, text: str, ref: date | None):
        self.doc, self.text, self.ref = doc, text, ref
        self.lang = _language(doc)
        self.anchor: date | None = None  # last day-precise date mentioned
        self.sent_days: list[tuple[int, date]] = []  # (offset, day) of day-precise dates
        self.last_period: str | None = None  # last calendar date value mentioned ("1997-Q4")

    def tense(self, c: _Cand, day: bool = False) -> int:
        """Where to look for a time missing its year or week. A preposition can override the verb:
        "since" looks back; "by", "for", "to" name a deadline or target that the verb's tense
        does not place ("postponed to April 2"). Present simple schedules a day ("opens on Friday")."""
        if self.lang.tense_words:
            return self._tense_words(c, day)
        prev = _prev_word(self.text, c.start)
        if prev == "since":
            return -1
        if prev in ("to", "for", "by", "before"):
            return 0
        t, via_noun, verb = direction(self.doc, c.start, c.end)
        if via_noun:
            return 0
        if t == 0 and day and verb is not None and verb.tag_ in ("VBZ", "VBP") and verb.lemma_ != "be":
            return 1
        return t

    def _tense_words(self, c: _Cand, day: bool) -> int:
        """`tense` for a language whose words are data: "depuis" looks back, "d'ici" forward, "jusqu'à"
        names a limit; else the verb's tense, a present ("se réunit jeudi") scheduling a day."""
        before = self.text[max(0, c.start - 24):c.start]
        for cls, sign in (("since", -1), ("future", 1), ("bound", 0)):
            rx = self.lang.tense_words.get(cls)
            if rx is not None and rx.search(before):
                return sign
        t, via_noun, verb = direction(self.doc, c.start, c.end)
        if via_noun:
            return 0
        if t == 0 and day and verb is not None and "Fin" in verb.morph.get("VerbForm", []) \
                and verb.lemma_ not in self.lang.grammar["copula"] | self.lang.grammar["auxiliary"]:
            return 1
        return t

    def resolve(self, c: _Cand) -> tuple[str, str | None]:
        fn = getattr(self, "_" + c.kind)
        typ, value = fn(c, c.g)
        if value and re.fullmatch(r"\d{4}-\d\d-\d\d(?:T.*)?", value):
            self.anchor = date.fromisoformat(value[:10])
        if typ == "DATE" and value and re.match(r"\d{4}(?:$|-)", value):
            self.last_period = value
        return typ, value

    def _theunit(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        """"for the year", "in the quarter": the one last spoken of, else the reference date's."""
        last, unit = self.last_period, g["unit"].lower()
        if unit == "year" and last:
            return "DATE", last[:4]
        if unit == "quarter" and last and re.fullmatch(r"\d{4}-Q[1-4]", last):
            return "DATE", last
        return "DATE", unit_value(self.ref, unit) if self.ref else None

    # -- absolute and partial dates
    def _iso(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        return "DATE", f"{g['year']}-{g['mm']}-{g['dd']}"

    def _day_of(self, c: _Cand, mon: int, day: int, year: str | None) -> str | None:
        if year:
            return f"{year}-{mon:02d}-{day:02d}"
        if self.ref is None:
            return None
        cands = []
        for y in (self.ref.year - 1, self.ref.year, self.ref.year + 1):
            try:
                d = date(y, mon, day)
            except ValueError:
                continue
            cands.append((d.isoformat(), d, d))
        return pick(cands, self.ref, self.tense(c, day=True)) if cands else None

    def _mdy(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        return "DATE", self._day_of(c, MONTHS[g["mon"].rstrip(".").lower()], int(g["day"]), g.get("year"))

    _dmy = _mdy

    def _month(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        mon = MONTHS[g["mon"].rstrip(".").lower()]
        if g.get("year"):
            return "DATE", f"{g['year']}-{mon:02d}"
        if self.ref is None:
            return "DATE", None
        cands = [(f"{y}-{mon:02d}", date(y, mon, 1), month_end(y, mon)) for y in
                 (self.ref.year - 1, self.ref.year, self.ref.year + 1)]
        rel = (g.get("rel") or "").lower()
        if rel == "last":
            return "DATE", max((x for x in cands if x[2] < self.ref), key=lambda x: x[1])[0]
        if rel == "next":
            return "DATE", min((x for x in cands if x[1] > self.ref), key=lambda x: x[1])[0]
        if rel == "this":
            return "DATE", f"{self.ref.year}-{mon:02d}"
        return "DATE", pick(cands, self.ref, self.tense(c))

    def _year(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        return "DATE", g["year"]

    def _decade(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        if g.get("dec"):
            return "DATE", g["dec"][:3]
        d = int(g["dec2"])
        this_year = self.ref.year if self.ref else 2000
        return "DATE", str((2000 + d if 2000 + d <= this_year else 1900 + d) // 10)

    def _century(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        return "DATE", f"{int(g['cent']) - 1:02d}"

    def _holiday(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        mon, day = HOLIDAYS[re.sub(r"\s+", " ", g["hol"].replace("’", "'")).lower()]
        return "DATE", self._day_of(c, mon, day, None)

    # -- days and parts of days
    def _weekday_date(self, c: _Cand, wd: int, rel: str) -> date | None:
        ref = self.ref
        if ref is None:
            return None
        monday = ref - timedelta(days=ref.weekday())
        if rel in ("last", "next", "this"):
            return monday + timedelta(days=wd + {"last": -7, "this": 0, "next": 7}[rel])
        back = ref - timedelta(days=(ref.weekday() - wd) % 7)
        fwd = ref + timedelta(days=(wd - ref.weekday()) % 7)
        if rel == "past":
            return back if back != ref else back - timedelta(days=7)
        if rel == "coming":
            return fwd if fwd != ref else fwd + timedelta(days=7)
        tense = self.tense(c, day=True)
        if tense < 0:
            return back
        if tense > 0:
            return fwd
        return back if (ref - back) <= (fwd - ref) else fwd

    def _weekday(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        d = self._weekday_date(c, WEEKDAYS[g["wd"].lower()], (g.get("rel") or "").lower())
        if g.get("part"):
            return "TIME", f"{d.isoformat()}T{PARTS[g['part'].lower()]}" if d else None
        return "DATE", d.isoformat() if d else None

    def _named(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        if self.ref is None:
            return ("TIME" if g.get("part") or g.get("part2") or (g.get("nd") or "").lower() == "tonight"
                    else "DATE"), None
        nd = (g.get("nd") or "").lower()
        if g.get("dem"):
            part = g["part2"].lower()
            d = self.ref - timedelta(days=1) if g["dem"].lower() == "last" and part in ("night", "evening") \
                else self.ref
            return "TIME", f"{d.isoformat()}T{PARTS[part]}"
        d = self.ref + timedelta(days={"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[nd])
        part = (g.get("part") or ("night" if nd == "tonight" else "")).lower()
        if part:
            return "TIME", f"{d.isoformat()}T{PARTS[part]}"
        return "DATE", d.isoformat()

    def _relunit(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        if self.ref is None:
            return "DATE", None
        unit, rel = g["unit"].lower(), re.sub(r"\s+", " ", g["rel"].lower())
        if unit == "weekend" and rel == "the":
            tense = self.tense(c)
            sat = self.ref + timedelta(days=5 - self.ref.weekday())
            if tense < 0 and self.ref.weekday() < 5:
                sat -= timedelta(days=7)
            return "DATE", week_value(sat) + "-WE"
        n = {"last": -1, "next": 1}.get(rel, 0)
        return "DATE", unit_value(shift(self.ref, unit, n), unit)

    def _inthe(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        base = self.anchor if g["unit"].lower() == "day" and self.anchor else self.ref
        return "DATE", unit_value(base, g["unit"]) if base else None

    def _anchored(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        base = self.anchor or self.ref
        if base is None:
            return "DATE", None
        if g.get("unit3"):
            unit, n = g["unit3"].lower(), 0
        elif g.get("unit4"):
            unit, n = g["unit4"].lower(), 1
        elif g.get("unit2"):
            unit = g["unit2"].lower()
            n = {"following": 1, "previous": -1, "preceding": -1, "same": 0}[g["dir2"].lower()]
        else:
            unit = g["unit"].lower()
            n = 1 if g["dir"].lower() in ("after", "later") else -1
        if unit in PARTS:
            day = shift(base, "day", n)
            return "TIME", f"{day.isoformat()}T{PARTS[unit]}"
        return "DATE", unit_value(shift(base, unit, n), unit)

    def _ago(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        unit = g["unit"].lower().rstrip("s").replace("centurie", "century")
        d = g["dir"].lower()
        sign = 1 if d in ("later", "after", "from now", "hence") else -1
        base = self.ref if d in ("ago", "from now", "hence") else (self.anchor or self.ref)
        n = number_value(g["num"]) if not re.fullmatch(VAGUE_NUM, g["num"].lower()) else None
        if n is None:
            return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF"
        if base is None or UNITS.get(unit, ("", 1, True))[2]:
            return ("TIME" if UNITS.get(unit, ("", 1, False))[2] else "DATE"), None
        return "DATE", unit_value(shift(base, unit, sign * n), unit)

    # -- durations, sets, times
    def _duration(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        num = g.get("num")
        if num is None and g.get("the"):
            plural = c.m.group(0).rstrip().lower().endswith("s")
            num = "several" if plural else "1"  # "the first months": vague
        return "DURATION", duration_value(num, g["unit"], bool(g.get("half")))

    def _vague(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        return "DURATION", duration_value("several", g["unit"])

    def _set(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        if g.get("adv"):
            return "SET", SET_ADVERBS[g["adv"].lower()]
        if g.get("swd"):
            return "SET", f"XXXX-WXX-{WEEKDAYS[g['swd'].lower()] + 1}"
        if g.get("unit2"):
            return "SET", duration_value("1", g["unit2"])
        num = g.get("num") or "1"
        value = duration_value(num, g["unit"])
        if g.get("other"):
            value = re.sub(r"(\d+(?:\.\d+)?)", lambda x: fmt_num(2 * float(x.group(1))), value, count=1)
        return "SET", value

    def _weekdays(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        return "SET", f"XXXX-WXX-{WEEKDAYS[g['swd'][:-1].lower()] + 1}"

    def _per(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        return "SET", duration_value("1", g["unit"])

    def _clock(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        h = int(g["h"])
        if g.get("ap"):
            h = h % 12 + (12 if g["ap"].lower().startswith("p") else 0)
        hm = f"T{h:02d}:{g.get('mi') or '00'}"
        day = self._same_sentence_day(c, g)
        return "TIME", f"{day.isoformat()}{hm}" if day else None

    _clock24 = _clock

    def _noon(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        hm = "T24:00" if g["nm"].lower() == "midnight" else "T12:00"
        day = self._same_sentence_day(c, g)
        return "TIME", f"{day.isoformat()}{hm}" if day else None

    def _same_sentence_day(self, c: _Cand, g: dict) -> date | None:
        if g.get("wd"):
            return self._weekday_date(c, WEEKDAYS[g["wd"].lower()], "")
        if g.get("nd"):
            return self.ref + timedelta(days={"yesterday": -1, "today": 0, "tomorrow": 1}[g["nd"].lower()]) \
                if self.ref else None
        # The day right after it ("at 7 a.m. on November 5"), else one earlier in its sentence.
        tok = _token(self.doc, c.start, c.end)
        if tok is not None:
            sent = tok.sent
            after = [d for off, d in self.sent_days if c.end <= off <= c.end + 20 and off < sent.end_char]
            before = [d for off, d in self.sent_days if sent.start_char <= off < c.start]
            if after or before:
                return (after or before[::-1])[0]
        return self.ref

    def _ref(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        if g.get("t"):
            return "DATE", "PAST_REF"
        if g.get("rec"):
            return "DATE", "PAST_REF"
        return "DATE", REFS[re.sub(r"\s+", " ", g["ref"].lower())]

    def _quarter(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        if g.get("qn"):
            q, code, year = int(g["qn"]), "Q", g.get("qy2")
        else:
            o = g["ord"].lower()
            q = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
                 "final": 4}[o]
            code = "Q" if g["qh"].lower() == "quarter" else "H"
            if code == "H" and q > 2:
                return "DATE", None
            year = g.get("qy")
            if g.get("qrel") and self.ref:
                year = str(self.ref.year + {"this": 0, "last": -1, "next": 1}[g["qrel"].lower()])
        if year:
            return "DATE", f"{year}-{code}{q}"
        if self.ref is None:
            return "DATE", None
        months = 3 if code == "Q" else 6
        first = (q - 1) * months + 1
        return "DATE", pick(years_around(self.ref, lambda y: (
            f"{y}-{code}{q}", date(y, first, 1), month_end(y, first + months - 1))), self.ref, self.tense(c))

    def _season(self, c: _Cand, g: dict) -> tuple[str, str | None]:
        code, first = SEASONS[g["season"].lower()]
        if g.get("sy"):
            return "DATE", f"{g['sy']}-{code}"
        if self.ref is None:
            return "DATE", None
        cands = years_around(self.ref, lambda y: season_span(y, code, first))
        if first == 12:
            cands = [season_span(y, code, first) for y in range(self.ref.year - 2, self.ref.year + 1)]
        rel = (g.get("srel") or "").lower()
        if rel == "last":
            return "DATE", max((x for x in cands if x[2] < self.ref), key=lambda x: x[1])[0]
        if rel == "next":
            return "DATE", min((x for x in cands if x[1] > self.ref), key=lambda x: x[1])[0]
        if rel == "this":
            inside = [x for x in cands if x[1] <= self.ref <= x[2]]
            return "DATE", inside[0][0] if inside else f"{self.ref.year}-{code}"
        return "DATE", pick(cands, self.ref, self.tense(c))


def _ref_date(article: Article) -> date | None:
    try:
        return date.fromisoformat(article.reference_date) if article.reference_date else None
    except ValueError:
        return None


def extract_timexes(doc: Doc, article: Article) -> tuple[Timex, ...]:
    """Time expressions of one document in text order, with TIMEX3 type and value.

    The result is also left in `doc.user_data` so that amounts can skip numbers that are times."""
    cached = doc.user_data.get(CACHE_KEY)
    if cached is not None and cached[0] == article.reference_date:
        return cached[1]  # type: ignore[no-any-return]
    text = doc.text
    res = _Resolver(doc, text, _ref_date(article))
    cands = _candidates(doc, text)
    out: dict[int, Timex] = {}
    clocks = [c for c in cands if c.kind in ("clock", "clock24", "noon")]
    days: list[tuple[int, date]] = []
    for c in cands:
        if c.kind in ("clock", "clock24", "noon"):
            continue
        typ, value = res.resolve(c)
        if typ == "DATE" and value and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            days.append((c.start, date.fromisoformat(value)))
        out[c.start] = Timex(c.start, c.end, article.text[c.start:c.end], typ, value)
    res.sent_days = days
    for c in clocks:
        typ, value = res.resolve(c)
        out[c.start] = Timex(c.start, c.end, article.text[c.start:c.end], typ, value)
    result = tuple(out[k] for k in sorted(out))
    doc.user_data[CACHE_KEY] = (article.reference_date, result)
    return result
