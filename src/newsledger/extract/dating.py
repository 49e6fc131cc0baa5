"""Placing things in time: the date of a quote or event, and the tense and calendar arithmetic that
timex.py uses to resolve "Friday" or "in June".

The date of a quote or event is its sentence's time expression, else the nearest governing one, else
the article's reference date — always saying which:

- "sentence": a date in the same sentence attached to the verb that governs the span. From the span's
  head we walk up the parse (the content of "X said on Friday that ..." hangs from "said"), never past
  the head of a clause of its own (an adverbial or relative clause, a conjunct), and take the time
  expression whose own verb is the nearest on that path. A date that describes a noun ("a 2020
  presidential run", "a reelection fight in 2018") dates nothing. Verbs inside a long span (a quote's
  content) do not count: "He said the attack happened in June" is dated by "said", not by "June".
  A short span (an event trigger, up to three tokens) counts its own verb, and a date in an adverbial
  clause of a verb on the path counts too ("speaking on Friday, he said"); one elsewhere in the
  sentence does not ("the law, passed in 2019, ..."; "a guarantee ... when it opens next year"), nor
  one inside a long span (a quote's own words).
- "governing": the most recent sentence before it in the same paragraph whose main verb carries a date.
- "reference": the article's reference date. (None, None) when there is none.

Only dates count: a DATE or TIME value naming a day, month or year ("2025-09-05", "2025-06", "2025");
weeks, seasons, quarters, durations and "now" do not date anything, nor does a date that bounds a
stretch of time ("since 2022", "until March", "by Friday").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

from spacy.tokens import Doc, Span, Token

from newsledger.extract.amounts import number_value
from newsledger.extract.lexicons import doc_lang, grammar
from newsledger.model import Article, Timex

_SENTS_KEY = "newsledger.sents"
_DATE = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?:T.*)?$")
SHORT_SPAN = 3  # tokens: a trigger, not a quote
# A date after these bounds a stretch of time ("since 2022", "until March"): it is not when anything happened.
_BOUNDARY = re.compile(r"\b(?:[Ss]ince|[Uu]ntil|[Tt]ill|[Bb]y|[Bb]efore|[Aa]fter|[Ff]rom|[Tt]hrough(?:out)?)"
                       r"\s+\Z")


# unit → (TIMEX3 letter, multiplier, is a time-of-day unit)
UNITS = {"second": ("S", 1, True), "minute": ("M", 1, True), "hour": ("H", 1, True), "day": ("D", 1, False),
         "week": ("W", 1, False), "fortnight": ("W", 2, False), "month": ("M", 1, False),
         "quarter": ("M", 3, False), "year": ("Y", 1, False), "decade": ("DE", 1, False),
         "century": ("CE", 1, False)}
VAGUE_NUM = r"(?:several|a\s+few|few|many|some|a\s+couple\s+of|couple\s+of|dozens\s+of|hundreds\s+of)"
_FUTURE_AUX = {"will", "shall", "'ll", "wo", "would", "could", "might", "may", "should", "must", "ca", "can",
               "going"}


# ---------------------------------------------------------------- tense: which way a verb points


def is_ud(doc: Doc) -> bool:
    """Is the document parsed with Universal Dependencies (the models of languages other than English)?"""
    return grammar(doc_lang(doc)).ud


def _verb_tense_ud(v: Token) -> int | None:
    """verb_tense from the morphology of a UD parse (French): the future, the conditional and a verb
    governed by "aller"/"devoir" + infinitive look ahead; the passé composé (an auxiliary with a
    participle), the imperfect and the simple past look back; the present is 0."""
    auxes = [c for c in v.children if c.dep_.startswith("aux")]
    forms = [v, *auxes]
    if any("Fut" in t.morph.get("Tense", []) or "Cnd" in t.morph.get("Mood", []) for t in forms):
        return 1
    if "Inf" in v.morph.get("VerbForm", []):
        head = v.head
        g = grammar(doc_lang(v.doc))
        if head.i != v.i and head.lemma_ in g["future_verb"]:
            # "allait annoncer" (the near future of a past) looks back
            return -1 if head.lemma_ in g["near_future"] and "Imp" in head.morph.get("Tense", []) else 1
        return None
    if "Part" in v.morph.get("VerbForm", []) and "Past" in v.morph.get("Tense", []):
        aux_tense = [a for a in auxes if a.dep_ in ("aux:tense", "aux")]
        if aux_tense or v.dep_ in ("ROOT", "parataxis", "ccomp", "conj"):
            return -1
        return None  # a participle describing a noun
    if any(t in v.morph.get("Tense", []) for t in ("Past", "Imp")):
        return -1
    return 0


def verb_tense(v: Token) -> int | None:
    """-1 past, +1 future, 0 present; None when the verb form does not say (a bare -ing participle)."""
    if is_ud(v.doc):
        return _verb_tense_ud(v)
    auxes = {c.lower_ for c in v.children if c.dep_ in ("aux", "auxpass")}
    if auxes & _FUTURE_AUX or "to" in auxes:
        return 1
    tag = v.tag_
    if tag == "VBD" or auxes & {"did", "had", "'d"}:
        return -1
    if tag == "VBN":
        if auxes & {"is", "are", "am", "be", "'re", "'m"} and not auxes & {"has", "have", "been"}:
            return 0
        return -1
    if tag == "VBG":
        if auxes & {"was", "were"}:
            return -1
        return 1 if auxes & {"is", "are", "am", "'re", "'m"} else None
    return 0


def direction(doc: Doc, start: int, end: int) -> tuple[int, bool, Token | None]:
    """Tense of the verb the span start..end hangs from (-1/0/+1), whether a noun lies between, and
    the verb."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return 0, False, None
    tok, via_noun = span.root, False
    for _ in range(12):
        outside = not (span.start <= tok.i < span.end)
        if outside and tok.pos_ == "VERB" and tok.tag_ == "VBN" and tok.dep_ == "acl":
            via_noun = True  # "a meeting planned in June": the participle describes the noun
        elif outside and tok.pos_ in ("VERB", "AUX"):
            tense = verb_tense(tok)
            if tense is not None:
                return tense, via_noun, tok
        elif outside and tok.pos_ in ("NOUN", "PROPN"):
            via_noun = True
        if tok.head.i == tok.i:
            break
        tok = tok.head
    return 0, via_noun, None


# ---------------------------------------------------------------- calendar arithmetic


def week_value(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, min(d.day, calendar.monthrange(d.year + y, m + 1)[1]))


def pick(cands: list[tuple[str, date, date]], ref: date, tense: int) -> str:
    """The candidate period the tense points to: past → latest starting on/before ref, future → first
    ending on/after ref, else the nearest (ties go to the past)."""
    if tense < 0:
        ok = [c for c in cands if c[1] <= ref]
        return max(ok, key=lambda c: c[1])[0] if ok else cands[0][0]
    if tense > 0:
        ok = [c for c in cands if c[2] >= ref]
        return min(ok, key=lambda c: c[1])[0] if ok else cands[-1][0]

    def dist(c: tuple[str, date, date]) -> tuple[int, int]:
        if c[1] <= ref <= c[2]:
            return 0, 0
        return min(abs((c[1] - ref).days), abs((c[2] - ref).days)), 0 if c[2] < ref else 1
    return min(cands, key=dist)[0]


def years_around(ref: date, make: Callable[[int], tuple[str, date, date]]) -> list[tuple[str, date, date]]:
    """`make(year)` for the years before, of and after `ref`: the candidates `pick` chooses from."""
    return [make(y) for y in (ref.year - 1, ref.year, ref.year + 1)]


def season_span(y: int, code: str, first: int) -> tuple[str, date, date]:
    end = add_months(date(y, first, 1), 3) - timedelta(days=1)
    return f"{y}-{code}", date(y, first, 1), end


def unit_value(d: date, unit: str) -> str:
    """The TIMEX3 value of the `unit` (day, week, month, ...) that contains `d`."""
    unit = unit.lower()
    if unit == "day":
        return d.isoformat()
    if unit == "week":
        return week_value(d)
    if unit == "weekend":
        return week_value(d) + "-WE"
    if unit == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if unit == "quarter":
        return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
    if unit == "decade":
        return f"{d.year // 10:03d}"
    if unit == "century":
        return f"{d.year // 100:02d}"
    return f"{d.year:04d}"

def shift(d: date, unit: str, n: float) -> date:
    """`d` moved by `n` units (days, weeks, months, quarters, years, decades, centuries)."""
    unit = unit.lower().rstrip("s")
    if unit in ("day",):
        return d + timedelta(days=round(n))
    if unit in ("week", "weekend", "fortnight"):
        return d + timedelta(weeks=round(n * (2 if unit == "fortnight" else 1)))
    if unit in ("month", "quarter"):
        return add_months(d, round(n * (3 if unit == "quarter" else 1)))
    mult = {"year": 1, "decade": 10, "century": 100, "centurie": 100, "centuri": 100}.get(unit, 1)
    try:
        return d.replace(year=d.year + round(n * mult))
    except ValueError:  # 29 February
        return d.replace(year=d.year + round(n * mult), day=28)


def fmt_num(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


def duration_value(num: str | None, unit: str, half: bool = False) -> str:
    """TIMEX3 duration: ("three", "days") → "P3D", ("several", "hours") → "PTXH", ("a", "decade") → "P1DE"."""
    unit = unit.lower().rstrip("s").replace("centurie", "century").replace("centuri", "century")
    letter, mult, is_time = UNITS[unit]
    t = "T" if is_time else ""
    n_s = re.sub(r"\s+", " ", (num or "a").lower())
    if re.fullmatch(VAGUE_NUM, n_s):
        return f"P{t}X{letter}"
    n = 0.5 if n_s.startswith("half") else number_value(n_s)
    if n is None:
        return f"P{t}X{letter}"
    n = (n + (0.5 if half else 0)) * mult
    if letter in ("DE", "CE") and n != int(n):  # "half a century": P50Y, not P0.5CE
        n, letter = n * (10 if letter == "DE" else 100), "Y"
    return f"P{t}{fmt_num(n)}{letter}"


def date_value(t: Timex) -> str | None:
    """The calendar date a time expression names ("2025-09-05", "2025-06", "2025"), if any."""
    if t.type not in ("DATE", "TIME") or not t.value:
        return None
    m = _DATE.match(t.value)
    if m is None or (t.type == "DATE" and "T" in t.value):
        return None
    return m.group(1)


def _verb_of(tok: Token, inside: range | None = None) -> Token | None:
    """The first verb at or above `tok` (outside `inside`, the time expression's own tokens)."""
    for _ in range(12):
        if tok.pos_ in ("VERB", "AUX") and (inside is None or tok.i not in inside):
            return tok
        if tok.head.i == tok.i:
            return None
        tok = tok.head
    return None


# Links into a clause of its own: what governs it from above is another statement, with its own time
# ("... a reelection fight in 2018, ... now that Cruz has endorsed Trump": not an endorsement in 2018).
_OWN_CLAUSE = {"advcl", "relcl", "acl", "appos", "parataxis", "conj", "csubj"}


def _chain(root: Token, stop_at_clause: bool = False, free_links: int = 0) -> list[Token]:
    """`root` and its ancestors, nearest first; with `stop_at_clause`, not past the head of a clause of
    its own (an adverbial or relative clause, a conjunct) once a verb has been passed. The first
    `free_links` links are always followed (a quote's content hangs from its cue however it is parsed)."""
    out = [root]
    seen_verb = root.pos_ in ("VERB", "AUX")
    while out[-1].head.i != out[-1].i and len(out) < 20:
        if stop_at_clause and seen_verb and len(out) > free_links and out[-1].dep_ in _OWN_CLAUSE:
            break
        out.append(out[-1].head)
        seen_verb = seen_verb or out[-1].pos_ in ("VERB", "AUX")
    return out


def _dates_the_verb(span: Span) -> bool:
    """Is the time expression about its verb ("said on Friday", "met in 2015", "in 2018, X …"), not a
    noun's description ("a 2020 presidential run", "the 2016 election", "a fight in 2018")?"""
    root = span.root
    tok = root.head if root.dep_ == "pobj" and root.head.dep_ == "prep" else root
    return tok.head.pos_ in ("VERB", "AUX") or tok.head.i == tok.i


def _local_root(sent: Span, start: int, end: int) -> Token | None:
    toks = [t for t in sent if start <= t.idx < end]
    if not toks:
        return None
    ids = {t.i for t in toks}
    heads = [t for t in toks if t.head.i not in ids or t.head.i == t.i]
    return min(heads, key=lambda t: len(list(t.ancestors)))


def _sents(doc: Doc) -> list[Span]:
    """The doc's sentences, computed once per doc (`doc.sents` walks every token on each access)."""
    cached = doc.user_data.get(_SENTS_KEY)
    if cached is None:
        cached = list(doc.sents)
        doc.user_data[_SENTS_KEY] = cached
    return cached  # type: ignore[no-any-return]


def _span_tokens(doc: Doc, t: Timex) -> Span | None:
    return doc.char_span(t.start, t.end, alignment_mode="expand")


def _outside(start: int, end: int, short: bool) -> Callable[[Token], bool]:
    """Whether a verb may govern the span: any verb for a short span, else one outside it."""
    return lambda v: short or not (start <= v.idx < end)


def _sentence_date(start: int, end: int, doc: Doc, dated: list[tuple[Timex, str]]) -> str | None:
    sents = [s for s in _sents(doc) if s.start_char < end and start < s.end_char]
    # The sentence holding the span's end first (a cue usually follows a quote), then the others.
    sents.sort(key=lambda s: not (s.start_char <= end - 1 < s.end_char))
    for sent in sents:
        in_sent = [(t, v) for t, v in dated if sent.start_char <= t.start < sent.end_char]
        root = _local_root(sent, start, end) if in_sent else None
        if root is None:
            continue
        short = sum(1 for t in sent if start <= t.idx < end) <= SHORT_SPAN
        outside = _outside(start, end, short)
        chain = [v for v in _chain(root, stop_at_clause=True, free_links=0 if short else 1)
                 if v.pos_ in ("VERB", "AUX") and outside(v)]
        rank = {v.i: float(k) for k, v in enumerate(chain)}
        best: tuple[float, int, str] | None = None
        for t, value in in_sent:
            span = _span_tokens(doc, t)
            if span is None or not len(span) or not _dates_the_verb(span):
                continue
            verb = _verb_of(span.root, range(span.start, span.end))
            if verb is None:
                continue
            if verb.i in rank:  # hangs from the governing verb or one above it
                k = rank[verb.i]
            elif verb.dep_ == "advcl" and verb.head.i in rank:  # "speaking on Friday, ... said"
                k = rank[verb.head.i] + 0.5
            else:
                continue
            key = (k, abs(t.start - start), value)
            if best is None or key[:2] < best[:2]:
                best = key
        if best is not None:
            return best[2]
    return None


def _governing_date(start: int, doc: Doc, text: str, dated: list[tuple[Timex, str]]) -> str | None:
    para_start = text.rfind("\n", 0, start) + 1
    sents = _sents(doc)
    first = next((s for s in sents if s.start_char <= start < s.end_char), None)
    limit = first.start_char if first is not None else start
    for sent in reversed([s for s in sents if para_start <= s.end_char and s.end_char <= limit]):
        in_sent = [(t, v) for t, v in dated if max(sent.start_char, para_start) <= t.start < sent.end_char]
        if not in_sent:
            continue
        for t, v in in_sent:  # the date of the sentence's main verb, not of a clause inside it
            span = _span_tokens(doc, t)
            if span is not None and len(span) and _dates_the_verb(span):
                verb = _verb_of(span.root, range(span.start, span.end))
                if verb is not None and (verb.i == sent.root.i
                                         or (verb.dep_ == "advcl" and verb.head.i == sent.root.i)):
                    return v
    return None


def date_of(start: int, end: int, doc: Doc, timexes: tuple[Timex, ...], article: Article
            ) -> tuple[str | None, str | None]:
    """(date, basis) for the text span start..end; basis is sentence | governing | reference | None.

    For an event, pass its trigger span (a long span's own verbs do not count); for a quote, its span."""
    text = article.text
    dated = [(t, v) for t in timexes
             if (v := date_value(t)) and not _BOUNDARY.search(text, max(0, t.start - 16), t.start)]
    if dated and len(doc):
        found = _sentence_date(start, end, doc, dated)
        if found:
            return found, "sentence"
        found = _governing_date(start, doc, article.text, dated)
        if found:
            return found, "governing"
    if article.reference_date:
        return article.reference_date, "reference"
    return None, None
