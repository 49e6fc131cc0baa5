"""Amounts: money with normalised value and currency, percentages and fractions, counts with units.

Money, percentages and fractions are found by compiled regexes over the text spaCy saw (excluded spans
are blanked there, so nothing in them counts); counts come from the parse (a number that modifies a
noun, "26 countries", or heads an "of" phrase, "26 of Ukraine's allies"). Approximation words ("around",
"more than", "up to") stay inside the span, at its start, so nothing is silently made exact.

Currency. A symbol or name that says whose currency it is ("C$", "€", "euros", "US$") gives it
outright. One that several countries share ("$", "dollars", "¥", "rupees", "pounds", ...; a *family in
currencies.tsv) is resolved from the article's country context and marked `currency_inferred`:
1. the amount's sentence names exactly one country of that family — a country, its demonym, one of
   its regions, cities or institutions (currency_places.tsv), or a person affiliated to it;
2. else the article as a whole: mentions of each family country, plus a vote of 3 for the site's
   country-code domain (.ca, .com.au) and 2 for each explicit symbol of that country ("C$500,000");
   a country other than the family's default must score at least 2 and beat the default;
3. else the family default (USD for "$"): in English-language news an unqualified dollar is the US
   dollar far more often than not — still flagged as inferred.

Shares. A percentage or fraction followed by "of" links (`of`) to the amount it divides: the amount
right after "of" ("62% of the 1,400 people"), or, when "of" names money by a noun ("of the fund",
"of funding", "of the package"), the nearest money amount before it. "Another third" / "the
remaining 20%" with no "of" inherits the link of the share just before it.

Not amounts: years, dates and times (anything inside a time expression), ordinals, phone numbers,
ages ("aged 45", "a 45-year-old"), numbers in names ("Local 508", "G7").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.tokens import Doc, Token

from newsledger.extract import amount_words
from newsledger.extract.amount_words import AmountWords
from newsledger.extract.entities.lexicon import COUNTRY_NAME, DEMONYM, lexicon
from newsledger.extract.lexicons import DEFAULT, doc_lang, tsv_rows
from newsledger.model import Amount, Article, Entity

# ---------------------------------------------------------------- numbers

SMALL = {w: i for i, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"))}
TENS = {w: 10 * i for i, w in enumerate(
    ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), 2)}
SCALE = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
         "lakh": 1e5, "crore": 1e7, "k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "b": 1e9, "bn": 1e9,
         "bln": 1e9, "tn": 1e12, "trn": 1e12}
_SMALL_RE = "|".join(sorted(SMALL, key=len, reverse=True))
_TENS_RE = "|".join(TENS)
# A number written in words: "two", "twenty-five", "one hundred", and "a"/"half a" before a scale word.
WORDNUM = (rf"(?:(?:{_TENS_RE})(?:[-\s](?:{_SMALL_RE}))?|(?:{_SMALL_RE})(?:\s+hundred)?)")
DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SCALE_WORDS = r"(?:hundred|thousand|million|billion|trillion|lakh|crore)s?"
_SCALE_ABBR = r"(?i:mn|mln|bn|bln|tn|trn|[mbk])"
# Digits with an optional scale ("2", "1.2bn", "$2B", "31 million"), or words with one ("two billion",
# "a billion", "half a million").
NUMBER = (rf"(?:{DIGITS}(?:[\s-]?{_SCALE_WORDS}\b|{_SCALE_ABBR}\b|\s{_SCALE_ABBR}(?![\w.]))?"
          rf"|(?i:(?:{WORDNUM}|a|an|half\s+a)\s+{_SCALE_WORDS}\b|{WORDNUM}\b))")
APPROX = (r"(?i:(?:(?:just|well)\s+)?(?:more\s+than|less\s+than|fewer\s+than|up\s+to|at\s+least|at\s+most"
          r"|as\s+(?:many|much|few|little)\s+as|close\s+to|upwards\s+of|an\s+estimated|nearly|almost"
          r"|about|around|approximately|roughly|some|over|under)\s+)")


def windows(key: re.Pattern[str], text: str, before: int = 48, after: int = 48) -> list[tuple[int, int]]:
    """Disjoint stretches of `text` around the matches of a cheap `key` regex."""
    n, wins = len(text), list[tuple[int, int]]()
    for m in key.finditer(text):
        a, b = max(0, m.start() - before), min(n, m.end() + after)
        if wins and a <= wins[-1][1]:
            wins[-1] = (wins[-1][0], b)
        else:
            wins.append((a, b))
    return wins


def find_in(rx: re.Pattern[str], wins: list[tuple[int, int]], text: str) -> Iterator[re.Match[str]]:
    """`rx.finditer` over the given windows only; a match cut by a window's end is dropped (windows
    are wider than any expression around its key)."""
    n = len(text)
    for a, b in wins:
        for m in rx.finditer(text, a, b):
            if m.end() < b or b == n:
                yield m


def find_near(rx: re.Pattern[str], key: re.Pattern[str], text: str, before: int = 48,
              after: int = 48) -> Iterator[re.Match[str]]:
    """The matches of `rx` that lie around a match of `key` (a word every match must contain): the
    same matches as `rx.finditer`, without running a many-branched pattern at every character."""
    return find_in(rx, windows(key, text, before, after), text)


def number_value(s: str) -> float | None:
    """The value of a number as written: "1,100" → 1100, "1.2bn" → 1.2e9, "two billion" → 2e9."""
    s = s.strip().lower().replace(",", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)[\s-]?([a-z]*)", s)
    if m:
        scale = m.group(2).rstrip("s") if m.group(2) not in SCALE else m.group(2)
        if scale and scale not in SCALE:
            return None
        return float(m.group(1)) * SCALE.get(scale, 1.0)
    total, current, seen = 0.0, 0.0, False
    words = re.split(r"[\s-]+", s)
    for i, w in enumerate(words):
        if w in ("a", "an", "and"):
            current = current or 1.0
        elif w == "half" and words[max(0, i - 2):i] == ["and", "a"]:
            current += 0.5  # "two and a half (million)"
        elif w == "half":
            current = (current or 1.0) * 0.5  # "half a million", "a half"
        elif w in SMALL:
            current += SMALL[w]
        elif w in TENS:
            current += TENS[w]
        elif w.rstrip("s") in SCALE or w in SCALE:
            total, current = amount_words.scaled(total, current, SCALE.get(w, SCALE.get(w.rstrip("s"), 1.0)))
        else:
            return None
        seen = True
    return total + current if seen else None


# ---------------------------------------------------------------- lexicons


_CUR = tsv_rows("currencies.tsv")
SYMBOLS = {f: v for f, v, k in _CUR if k == "symbol"}
NAMES = {f: v for f, v, k in _CUR if k == "name"}
FAMILY_DEFAULT = {f: v for f, v, k in _CUR if k == "default"}
COUNTRY_CURRENCY = {f: v for f, v, k in _CUR if k == "country"}
PLACE_COUNTRY = dict(tsv_rows("currency_places.tsv"))
# family → {currency: country}, from the family default and every country issuing a member currency.
_FAMILY_OF_ISO: dict[str, str] = {}
for _fam, _iso in FAMILY_DEFAULT.items():
    _FAMILY_OF_ISO[_iso] = _fam
for _iso, _fam in (("CAD", "*dollar"), ("AUD", "*dollar"), ("NZD", "*dollar"), ("SGD", "*dollar"),
                   ("HKD", "*dollar"), ("TWD", "*dollar"), ("JMD", "*dollar"), ("BSD", "*dollar"),
                   ("BBD", "*dollar"), ("FJD", "*dollar"), ("LRD", "*dollar"), ("NAD", "*dollar"),
                   ("GYD", "*dollar"), ("TTD", "*dollar"), ("EGP", "*pound"), ("LBP", "*pound"),
                   ("SYP", "*pound"), ("SDG", "*pound"), ("SSP", "*pound"), ("CNY", "*yen"),
                   ("PKR", "*rupee"), ("LKR", "*rupee"), ("NPR", "*rupee"), ("MUR", "*rupee"),
                   ("SCR", "*rupee"), ("ARS", "*peso"), ("CLP", "*peso"), ("COP", "*peso"),
                   ("PHP", "*peso"), ("CUP", "*peso"), ("UYU", "*peso"), ("DOP", "*peso"),
                   ("RWF", "*franc"), ("BIF", "*franc"), ("GNF", "*franc"), ("CDF", "*franc"),
                   ("DJF", "*franc"), ("MGA", "*franc"), ("NOK", "*krone"), ("DKK", "*krone"),
                   ("ISK", "*krone"), ("IQD", "*dinar"), ("JOD", "*dinar"), ("BHD", "*dinar"),
                   ("LYD", "*dinar"), ("TND", "*dinar"), ("DZD", "*dinar"), ("RSD", "*dinar"),
                   ("QAR", "*riyal"), ("OMR", "*riyal"), ("YER", "*riyal"), ("IRR", "*riyal"),
                   ("ZAR", "*rand"), ("NAD", "*dollar")):
    _FAMILY_OF_ISO.setdefault(_iso, _fam)
FAMILY_COUNTRIES: dict[str, dict[str, str]] = {}
for _country, _iso in COUNTRY_CURRENCY.items():
    if _iso in _FAMILY_OF_ISO:
        FAMILY_COUNTRIES.setdefault(_FAMILY_OF_ISO[_iso], {})[_country] = _iso
TLD_COUNTRY = {"ca": "Canada", "au": "Australia", "nz": "New Zealand", "sg": "Singapore", "hk": "Hong Kong",
               "tw": "Taiwan", "jm": "Jamaica", "uk": "United Kingdom", "eg": "Egypt", "jp": "Japan",
               "cn": "China", "in": "India", "pk": "Pakistan", "lk": "Sri Lanka", "np": "Nepal",
               "mx": "Mexico", "ar": "Argentina", "ph": "Philippines", "ch": "Switzerland"}
# Names that are ordinary words too: money only with a scale word or digits right before ("5 billion won").
_NEEDS_SCALE = {"won", "real", "rand", "franc", "pound"}
FUND_NOUNS = {"fund", "funds", "funding", "money", "package", "aid", "budget", "amount", "sum", "total",
              "investment", "pledge", "grant", "loan", "spending", "assistance", "contribution", "envelope",
              "allocation", "financing", "cash", "payment", "cost", "costs", "bill", "deal"}
_SHARE_DETS = r"(?:the|its|their|this|that|these|those|his|her|our|your|a|an|all|total)"


def _alt(forms: list[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


_ADJ = r"(?:(?:U\.S\.|US|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s+)"
MONEY_PREFIX = re.compile(
    rf"(?P<approx>{APPROX})?(?<![\w$£€¥])(?P<cur>{_alt(list(SYMBOLS))})\s?(?P<num>{NUMBER})"
    rf"(?:\s+(?P<name>{_alt([n for n in NAMES if n not in _NEEDS_SCALE])})\b)?")
# After the number: a currency's name ("31 million dollars") or its ISO code ("40 million USD").
_CODES = {f: v for f, v in SYMBOLS.items() if re.fullmatch(r"[A-Z]{3}", f)}
SUFFIXES = {**NAMES, **_CODES}
MONEY_SUFFIX = re.compile(
    rf"(?P<approx>{APPROX})?(?<![\w$£€¥.,])(?P<num>{NUMBER})\s+(?P<adj>{_ADJ})?"
    rf"(?P<name>{_alt(list(SUFFIXES))})\b(?!\s+of\b)")
PERCENT = re.compile(
    rf"(?P<approx>{APPROX})?(?<![\w.,])(?P<num>{DIGITS}|(?i:{WORDNUM}))"
    r"(?:\s?%|\s(?i:per\s?cent|percent|pct)\b|\s?pc\b|(?P<pp>\s(?i:percentage\s+points?))\b)")
_NUMERATOR = {"a": 1, "an": 1, "one": 1, "another": 1, "a further": 1, "the other": 1, "the remaining": 1,
              "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_DENOM = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
          "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "eighth": 8, "eighths": 8,
          "tenth": 10, "tenths": 10}
FRACTION = re.compile(
    rf"(?i:(?P<approx>{APPROX})?(?P<numer>\b(?:another|a\s+further|the\s+other|the\s+remaining|an?|one|two|"
    r"three|four|five|six|seven|eight|nine)[\s-]+)?(?<![^\W\d_])(?P<den>half|halves|thirds?|quarters?|fourths?"
    r"|fifths?|sixths?|eighths?|tenths?)\b)")
_SYMBOL_CHARS = "".join(sorted({ch for f in SYMBOLS for ch in f if not ch.isalnum() and ch not in "."}))
MONEY_PREFIX_KEY = re.compile(
    rf"[{re.escape(_SYMBOL_CHARS)}]|\b(?:{_alt([f for f in SYMBOLS if f.isalpha() or f.endswith('.')])})")
MONEY_SUFFIX_KEY = re.compile(rf"\b(?:{_alt(list(SUFFIXES))})\b")
PERCENT_KEY = re.compile(r"%|\b(?:[Pp]er\s?[Cc]ent|[Pp]ercent|pct|[Pp]ercentage\s+point)|\dpc\b|\d pc\b")
FRACTION_KEY = re.compile(r"\b(?:[Hh]al(?:f|ves)|[Tt]hirds?|[Qq]uarters?|[Ff]ourths?|[Ff]ifths?|[Ss]ixths?"
                          r"|[Ee]ighths?|[Tt]enths?)\b")
PHONE = re.compile(r"(?:\+\d{1,3}[\s.-]?)?\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b")
_INHERIT = re.compile(r"(?i)^(?:another|a\s+further|the\s+other|the\s+remaining|the\s+rest)\b")
_TIME_UNITS = {"second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks",
               "month", "months", "year", "years", "decade", "decades", "century", "centuries", "times",
               "percent", "per", "cent", "%", "o'clock", "a.m.", "p.m.", "am", "pm", "time"}
_ORDINAL_WORDS = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                  "tenth", "eleventh", "twelfth", "last"}
_APPROX_TOKENS = re.compile(APPROX + r"$")
_APPROX_PREFIX = re.compile(APPROX)


def approx_of(text: str) -> str | None:
    """The approximation word an amount's text opens with ("More than 300" → "more than"), or None."""
    m = _APPROX_PREFIX.match(text)
    return " ".join(m.group(0).lower().split()) if m else None


# ---------------------------------------------------------------- currency context


def _country_of(name: str) -> str | None:
    return COUNTRY_NAME.get(name) or DEMONYM.get(name) or PLACE_COUNTRY.get(name)


class _Context:
    """Country mentions of one article, for resolving a shared currency name ("$") to a country's."""

    def __init__(self, doc: Doc, article: Article, entities: tuple[Entity, ...], explicit: list[str],
                 country_of: Callable[[str], str | None] = _country_of,
                 defaults: dict[str, str] = FAMILY_DEFAULT):
        self.defaults = defaults
        self.mentions: list[tuple[int, str]] = []  # (offset, country)
        for e in entities:
            country = e.affiliation if e.type == "PERSON" else country_of(e.name)
            if country is None and e.type != "PERSON":
                country = next((c for m in e.mentions if (c := country_of(m.text))), None)
            if country:
                self.mentions.extend((m.start, country) for m in e.mentions)
        self.votes: dict[str, float] = {}
        for _, c in self.mentions:
            self.votes[c] = self.votes.get(c, 0) + 1
        url = article.url or ""
        host = url.split("/")[2] if url.count("/") >= 2 else (article.site or "")
        tld = host.lower().rstrip(".").rsplit(".", 1)[-1] if "." in host else ""
        if tld in TLD_COUNTRY:
            self.votes[TLD_COUNTRY[tld]] = self.votes.get(TLD_COUNTRY[tld], 0) + 3
        for iso in explicit:
            for c, v in COUNTRY_CURRENCY.items():
                if v == iso and iso in _FAMILY_OF_ISO and v != defaults.get(_FAMILY_OF_ISO[iso]):
                    self.votes[c] = self.votes.get(c, 0) + 2
        self.sents = [(s.start_char, s.end_char) for s in doc.sents]

    def resolve(self, family: str, start: int) -> str:
        members = FAMILY_COUNTRIES.get(family, {})
        default = self.defaults[family]
        sent = next(((a, b) for a, b in self.sents if a <= start < b), (start, start))
        local = {c for off, c in self.mentions if sent[0] <= off < sent[1] and c in members}
        if len(local) == 1:
            return members[local.pop()]
        scored = sorted(((self.votes.get(c, 0), c) for c in members), reverse=True)
        default_score = max((s for s, c in scored if members[c] == default), default=0)
        if scored and scored[0][0] >= 2 and members[scored[0][1]] != default and scored[0][0] > default_score:
            return members[scored[0][1]]
        return default


# ---------------------------------------------------------------- extraction


def _taken_mask(n: int, spans: list[tuple[int, int]]) -> bytearray:
    mask = bytearray(n)
    for a, b in spans:
        mask[a:b] = b"\x01" * (b - a)
    return mask


def _free(mask: bytearray, a: int, b: int) -> bool:
    return not any(mask[a:b])


def _approx_ok(doc: Doc, m: re.Match[str]) -> int:
    """Start of the amount: the qualifier's start if it really qualifies the number, else the number's.

    "over"/"under"/"some" are prepositions or determiners as often as qualifiers ("spread over 10
    countries"): keep them only where the parser attaches them to the number (quantmod/advmod)."""
    if not m.group("approx"):
        return m.start()
    word = m.group("approx").split()[0].lower()
    if word in ("over", "under", "some"):
        tok = doc.char_span(m.start("approx"), m.start("approx") + len(word), alignment_mode="expand")
        if tok is None or tok[0].dep_ not in ("quantmod", "advmod", "amod", "nummod"):
            return m.end("approx")
    return m.start()


def _money(doc: Doc, text: str, mask: bytearray) -> list[tuple[int, int, float | None, str, str | None]]:
    """(start, end, value, currency-or-family, adj) for every money expression, longest first."""
    found: list[tuple[int, int, float | None, str, str | None]] = []
    for m in find_near(MONEY_PREFIX, MONEY_PREFIX_KEY, text, 40, 48):
        cur = SYMBOLS[m.group("cur")]
        if m.group("name") and cur.startswith("*"):  # "$5 Canadian dollars" is rare; "$5 dollars" is $5
            cur = NAMES[m.group("name")] if not NAMES[m.group("name")].startswith("*") else cur
        if m.group("cur").isalpha() and not m.group("num")[0].isdigit():
            continue  # "USD one" is not money; "USD 40m" is
        found.append((_approx_ok(doc, m), m.end(), number_value(m.group("num")), cur, None))
    for m in find_near(MONEY_SUFFIX, MONEY_SUFFIX_KEY, text, 72, 4):
        name = m.group("name")
        num = m.group("num")
        if name in _NEEDS_SCALE and not re.search(r"[a-z]{2,}$|\d[mbk]$|\d(?:bn|mn)$", num.lower()):
            continue
        if name in ("pounds", "pound") and re.match(r"\s+of\b", text[m.end():]):
            continue  # weight
        if re.fullmatch(r"(?i)an?|one", num.strip()):
            continue  # "a dollar" is a figure of speech, not an amount
        adj = m.group("adj").strip() if m.group("adj") else None
        found.append((_approx_ok(doc, m), m.end(), number_value(num), SUFFIXES[name], adj))
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    out = []
    for f in found:
        if _free(mask, f[0], f[1]):
            out.append(f)
            mask[f[0]:f[1]] = b"\x01" * (f[1] - f[0])
    return out


def _unit_after(doc: Doc, last: Token) -> Token | None:
    """The noun a number counts: its head when it modifies one ("26 countries", "300 industrial
    vessels"), or the object of a following "of" ("26 of Ukraine's allies")."""
    head = last.head
    if (last.dep_ in ("nummod", "amod", "compound") and head.i > last.i and head.i - last.i <= 6
            and head.pos_ in ("NOUN", "PROPN") and head.ent_type_ not in ("GPE", "PERSON", "ORG")):
        return head
    nxt = doc[last.i + 1] if last.i + 1 < len(doc) else None
    if nxt is not None and nxt.lower_ == "of" and last.dep_ not in ("nummod", "quantmod"):
        pobj = next((c for c in nxt.children if c.dep_ == "pobj"), None)
        if pobj is not None and pobj.pos_ in ("NOUN", "PROPN") and pobj.ent_type_ not in ("GPE", "ORG"):
            return pobj
    return None


def _counts(doc: Doc, text: str, mask: bytearray) -> list[tuple[int, int, float, str]]:
    """(start, end, value, unit) for numbers that count something."""
    out: list[tuple[int, int, float, str]] = []
    i, n = 0, len(doc)
    while i < n:
        t = doc[i]
        if not (t.like_num and t.lower_ not in _ORDINAL_WORDS
                and t.ent_type_ not in ("ORDINAL", "DATE", "TIME")
                and not re.search(r"\d(?:st|nd|rd|th)$", t.lower_) and _free(mask, t.idx, t.idx + len(t))):
            i += 1
            continue
        j = i
        while j + 1 < n and (doc[j + 1].like_num or doc[j + 1].lower_ in SCALE) and doc[j + 1].lower_ not in (
                "k", "m", "b") and _free(mask, doc[j + 1].idx, doc[j + 1].idx + 1):
            j += 1
        first, last = doc[i], doc[j]
        i = j + 1
        prev = doc[first.i - 1] if first.i > 0 else None
        if prev is not None and not prev.is_sent_start and prev.pos_ == "PROPN" and prev.text[:1].isupper() \
                and prev.whitespace_ and prev.ent_type_ != "GPE":
            continue  # a number in a name: "Local 508", "Article 5"
        if prev is not None and prev.lower_ in ("aged", "age", "ages", "no.", "number", "#", "page", "route"):
            continue
        if first.lower_ == "one" and last.dep_ != "nummod":
            continue  # "no one", "one of them"
        if last.i + 1 < n and doc[last.i + 1].text in ("-", "–") and not doc[last.i].whitespace_:
            continue  # a compound modifier: "one-time", "a 12-member team"
        unit = _unit_after(doc, last)
        if unit is None or unit.lower_ in _TIME_UNITS or unit.lemma_.lower() in _TIME_UNITS:
            continue
        if unit.pos_ != "NOUN" or not unit.text[:1].islower():
            continue  # a name or a title ("Fight for 15 Movement", "41 Shots")
        if re.fullmatch(r"1[6-9]\d\d|20\d\d", first.text) and first.i == last.i:
            continue  # "1995 tax filings", "the 2016 candidate": a year
        if unit.i + 2 < n and doc[unit.i + 1].text == "-" and doc[unit.i + 2].lower_ == "old":
            continue
        value = number_value(" ".join(doc[k].text for k in range(first.i, last.i + 1)))
        if value is None:
            continue
        if first.lower_ in SCALE and prev is not None and prev.lower_ in ("a", "an"):  # "a million people"
            half = first.i > 1 and doc[first.i - 2].lower_ == "half"
            first = doc[first.i - 2] if half else prev
            value *= 0.5 if half else 1.0
        if value != 1 and unit.tag_ not in ("NNS", "NNPS") and first.ent_type_ != "QUANTITY":
            continue  # "30 engage": a count names a plural (or a measure: "30 cm")
        start = first.idx
        k = first.i
        while k > 0 and k > first.i - 3:  # the qualifier in front: "about", "more than", "at least"
            cand = text[doc[k - 1].idx:first.idx]
            if (_APPROX_TOKENS.fullmatch(cand) and doc[k - 1].lower_ not in ("over", "under", "some")) or (
                    _APPROX_TOKENS.fullmatch(cand) and doc[k - 1].dep_ in ("quantmod", "advmod")):
                start = doc[k - 1].idx
            k -= 1
        if first.lower_ in ("one", "1") and start == first.idx:
            continue  # "one side", "one hell of a": a determiner more often than a count
        end = unit.idx + len(unit)
        if not _free(mask, start, end) and not _free(mask, first.idx, last.idx + len(last)):
            continue
        out.append((start, end, value, unit.text))
        mask[first.idx:last.idx + len(last)] = b"\x01" * (last.idx + len(last) - first.idx)
    return out


def _fractions(doc: Doc, text: str, mask: bytearray) -> list[tuple[int, int, float]]:
    out = []
    for m in find_near(FRACTION, FRACTION_KEY, text, 40, 4):
        den_word = m.group("den").lower()
        numer = re.sub(r"[\s-]+", " ", (m.group("numer") or "").lower()).strip()
        after = text[m.end():m.end() + 12]
        tok = doc.char_span(m.start("den"), m.end("den"), alignment_mode="expand")
        if tok is None:
            continue
        den_tok = tok[0]
        prev = doc[den_tok.i - 1] if den_tok.i > 0 else None
        followed_by_of = bool(re.match(r"\s+of\b", after))
        if den_word == "half":
            if prev is not None and (prev.lower_ in _ORDINAL_WORDS or prev.lower_ in ("other", "second")):
                continue  # "the first half of 2025" is a time
            if re.match(r"[\s-]+(?:an?\s+(?:hour|day|week|month|year|decade|century|dozen|million|billion|"
                        r"trillion|mile|kilomet)|hour|day|time|way)", after, re.I):
                continue
            if not (followed_by_of or numer or re.match(r"\s+(?:the|its|their|his|her|our|all)\b", after)):
                continue
        else:
            if not numer or numer in ("the other",):
                continue
            if not followed_by_of and (den_tok.pos_ != "NOUN" or (den_tok.i + 1 < len(doc)
                                                                    and doc[den_tok.i + 1].pos_ == "NOUN")):
                continue  # "a third suspect", "a quarter century": ordinal use
        n = _NUMERATOR.get(numer, 1)
        start = _approx_ok(doc, m) if m.group("approx") else (m.start("numer") if numer else m.start("den"))
        if not _free(mask, start, m.end()):
            continue
        out.append((start, m.end(), n / _DENOM[den_word]))
        mask[start:m.end()] = b"\x01" * (m.end() - start)
    return out


_SHARE_OF = re.compile(rf"\s+of\s+(?:{_SHARE_DETS}\s+)?")
_WORD = re.compile(r"[A-Za-z’']+")


def _share_target(text: str, end: int, amounts: list[Amount], share_of: re.Pattern[str] = _SHARE_OF,
                  fund_nouns: set[str] = FUND_NOUNS, word: re.Pattern[str] = _WORD) -> str | None:
    """The id of the amount a share divides, when an "of" phrase after it names one."""
    m = share_of.match(text[end:end + 40])
    if not m:
        return None
    at = end + m.end()
    direct = next((a for a in amounts if a.start == at or (a.start <= at < a.end)), None)
    if direct is not None and direct.kind in ("money", "count"):
        return direct.id
    words = word.findall(text[at:at + 40])[:3]
    if words and words[0].lower() in ("it", "that", "this"):
        prior = [a for a in amounts if a.kind == "money" and a.end <= end and end - a.end < 300]
        return prior[-1].id if prior else None
    if any(w.lower() in fund_nouns for w in words):
        prior = [a for a in amounts if a.kind == "money" and a.end <= end]
        return prior[-1].id if prior else None
    return None


@dataclass(frozen=True, slots=True)
class _Reading:
    """What turns found amounts into records in one language: currency adjectives and country names
    ("Canadian dollars", "dollars canadiens"), the places that say whose dollar it is, the qualifiers
    kept at an amount's start, and the words that link a share to what it divides."""

    demonym: dict[str, str]
    country_name: dict[str, str]
    country_of: Callable[[str], str | None]
    approx_prefix: re.Pattern[str]
    share_of: re.Pattern[str]
    fund_nouns: set[str]
    word: re.Pattern[str]
    inherit: re.Pattern[str]
    family_default: dict[str, str]  # family → the currency it means when the context does not say

    def approx(self, text: str) -> str | None:
        m = self.approx_prefix.match(text)
        return " ".join(m.group(0).lower().split()) if m else None


_ENGLISH = _Reading(DEMONYM, COUNTRY_NAME, _country_of, _APPROX_PREFIX, _SHARE_OF, FUND_NOUNS, _WORD,
                    _INHERIT, FAMILY_DEFAULT)
_Money = list[tuple[int, int, float | None, str, str | None]]
_Percents = list[tuple[int, int, float | None, str | None]]
_Fractions = list[tuple[int, int, float]]
_Counts = list[tuple[int, int, float, str]]


def extract_amounts(doc: Doc, article: Article, entities: tuple[Entity, ...]) -> tuple[Amount, ...]:
    """Amounts of one document, ids A1, A2, ... in text order."""
    text = doc.text
    spans: list[tuple[int, int]] = [(m.start(), m.end()) for m in PHONE.finditer(text)]
    from newsledger.extract.timex import extract_timexes  # cached on the doc; times are never counts

    spans += [(t.start, t.end) for t in extract_timexes(doc, article) if t.type != "SET"]
    mask = _taken_mask(len(text), spans)
    lang = doc_lang(doc)
    if lang != DEFAULT:
        w = _words(lang)
        found = _found_by_words(doc, text, mask, w)
        return _records(doc, article, entities, *found, reading=_reading(lang))
    money = _money(doc, text, mask)
    percents: _Percents = []
    for m in find_near(PERCENT, PERCENT_KEY, text, 56, 24):
        start = _approx_ok(doc, m)
        if _free(mask, m.start("num"), m.end()):
            percents.append((start, m.end(), number_value(m.group("num")), m.group("pp")))
            mask[start:m.end()] = b"\x01" * (m.end() - start)
    fractions = _fractions(doc, text, mask)
    counts = _counts(doc, text, mask)
    return _records(doc, article, entities, money, percents, fractions, counts, reading=_ENGLISH)


def _records(doc: Doc, article: Article, entities: tuple[Entity, ...], money: _Money, percents: _Percents,
             fractions: _Fractions, counts: _Counts, reading: _Reading) -> tuple[Amount, ...]:
    """The Amount records of what was found: currencies resolved, ids in text order, shares linked."""
    text = doc.text
    explicit = [c for *_, c, _ in money if not c.startswith("*")]
    ctx: _Context | None = None
    rows: list[tuple[int, int, str, float | None, str | None, bool, str | None]] = []
    for start, end, value, cur, adj in money:
        inferred = False
        if adj and (adj_country := reading.demonym.get(adj) or reading.country_name.get(adj)) \
                and cur.startswith("*"):
            cur = COUNTRY_CURRENCY.get(adj_country, cur)  # "Canadian dollars", "Egyptian pounds"
            if cur.startswith("*"):
                cur = reading.family_default[cur]
        elif adj and adj in ("US", "U.S.") and cur == "*dollar":
            cur = "USD"
        if cur.startswith("*"):
            ctx = ctx or _Context(doc, article, entities, explicit, reading.country_of,
                                  reading.family_default)
            cur, inferred = ctx.resolve(cur, start), True
        rows.append((start, end, "money", value, cur, inferred, None))
    rows += [(s, e, "percent", v, None, False, "percentage points" if pp else None)
             for s, e, v, pp in percents]
    rows += [(s, e, "fraction", v, None, False, None) for s, e, v in fractions]
    rows += [(s, e, "count", v, None, False, unit) for s, e, v, unit in counts]
    rows.sort(key=lambda r: r[0])
    amounts = [Amount(id=f"A{i}", start=s, end=e, text=article.text[s:e], kind=k, value=v, currency=c,
                      currency_inferred=inf, unit=u, approx=reading.approx(article.text[s:e]))
               for i, (s, e, k, v, c, inf, u) in enumerate(rows, 1)]
    # Shares: link percentages and fractions to what they divide, and "44 of the 50 delegates".
    linked: list[Amount] = []
    for a in amounts:
        if a.kind == "count" and " of " in a.text:
            inner = next((b for b in amounts if b.kind == "count" and a.start < b.start < a.end), None)
            if inner is not None:
                a = replace(a, of=inner.id)
        if a.kind in ("percent", "fraction"):
            of = _share_target(text, a.end, amounts, reading.share_of, reading.fund_nouns, reading.word)
            if of is None and reading.inherit.match(a.text):
                prev = [b for b in linked
                        if b.kind in ("percent", "fraction") and b.of and a.start - b.end < 400]
                of = prev[-1].of if prev else None
            if of is not None:
                a = replace(a, of=of)
        linked.append(a)
    return tuple(linked)


# ---------------------------------------------------------------- other languages


@lru_cache(maxsize=4)
def _words(lang: str) -> AmountWords:
    lex = lexicon(lang)
    # the demonyms that may follow a currency name ("dollars canadiens") are the lower-case ones
    return amount_words.load(lang, _CUR, {f for f in lex.demonym if f[:1].islower()})


@lru_cache(maxsize=4)
def _reading(lang: str) -> _Reading:
    w, lex = _words(lang), lexicon(lang)

    def country_of(name: str) -> str | None:
        return lex.country_name.get(name) or lex.demonym.get(name) or w.place_country.get(name)

    return _Reading(lex.demonym, lex.country_name, country_of, w.approx_prefix, w.share_of, w.fund_nouns,
                    re.compile(r"[^\W\d_]+"), w.inherit, {**FAMILY_DEFAULT, **w.family_default})


def _found_by_words(doc: Doc, text: str, mask: bytearray,
                    w: AmountWords) -> tuple[_Money, _Percents, _Fractions, _Counts]:
    """Money, percentages, fractions and counts by a language's patterns (amount_words.py). The patterns
    carry their own qualifiers ("près de", "plus de"), which are kept: in French they are seldom
    anything else before a number."""
    found: _Money = []
    for m in find_near(w.money_prefix, w.money_prefix_key, text, 40, 48):
        found.append((m.start(), m.end(), w.value(m.group("num")), w.symbols[m.group("cur")], None))
    for m in find_near(w.money_suffix, w.money_suffix_key, text, 72, 4):
        num = m.group("num")
        if not num[0].isdigit() and w.value(num) == 1:
            continue  # "un dollar", "une livre": a figure of speech more often than an amount
        value = w.value(num)
        if value is not None and m.group("cs"):
            value *= w.compact[m.group("cs")]  # "9,5 M$"
        found.append((m.start(), m.end(), value, w.suffixes[m.group("name")], m.group("adj")))
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    money: _Money = []
    for f in found:
        if _free(mask, f[0], f[1]):
            money.append(f)
            mask[f[0]:f[1]] = b"\x01" * (f[1] - f[0])
    percents: _Percents = []
    for m in find_near(w.percent, w.percent_key, text, 56, 40):
        if _free(mask, m.start(), m.end()):
            percents.append((m.start(), m.end(), w.value(m.group("num")), m.group("pp")))
            mask[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    fractions: _Fractions = []
    for m in find_near(w.fraction, w.fraction_key, text, 40, 4):
        numer = " ".join((m.group("numer") or "").lower().split())
        # "la moitié des", "deux tiers de": a share only with its "of" ("le tiers monde" is none)
        if not numer or not w.share_of.match(text, m.end()) or not _free(mask, m.start(), m.end()):
            continue
        value = w.numerator.get(numer, 1) / w.denominator[m.group("den").lower()]
        fractions.append((m.start(), m.end(), value))
        mask[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return money, percents, fractions, _counts_by_words(doc, text, mask, w)


def _counts_by_words(doc: Doc, text: str, mask: bytearray, w: AmountWords) -> _Counts:
    """Numbers that count something: a number before a common noun in the plural, perhaps with an
    adjective between ("85 nouveaux employés") or a "de" after a scale ("1,5 million de personnes")."""
    out: _Counts = []
    if w.count is None or w.count_key is None:
        return out
    for m in find_near(w.count, w.count_key, text, 40, 48):
        num = m.group("num")
        if not _free(mask, m.start("num"), m.end("num")) or (not num[0].isdigit() and w.value(num) == 1):
            continue  # inside a date or another amount; "un", "une" are determiners
        if re.fullmatch(r"1[6-9]\d\d|20\d\d", num):
            continue  # a year
        span = doc.char_span(m.start("unit"), m.end("unit"), alignment_mode="expand")
        if span is None:
            continue
        unit = span[0]
        if unit.pos_ == "ADJ" and unit.head.i > unit.i and unit.head.i - unit.i <= 2:
            unit = unit.head  # "85 nouveaux employés"
        # a common noun; the small models also tag a few as pronouns or adjectives ("210 000 usagers")
        noun = unit.pos_ == "NOUN" or (
            unit.pos_ in ("PRON", "ADJ", "X") and not unit.is_stop and unit.is_alpha)
        if not noun or not unit.text[:1].islower() or unit.lower_ in w.not_counted \
                or w.value(unit.text) is not None:
            continue  # a name, a measure, or a scale word with nothing counted ("95 millions")
        value = w.value(num)
        if value is None or (value != 1 and "Sing" in unit.morph.get("Number", [])):
            continue
        end = unit.idx + len(unit)
        if not _free(mask, m.start(), end):
            continue
        out.append((m.start(), end, value, unit.text))
        mask[m.start():end] = b"\x01" * (end - m.start())
    return out
