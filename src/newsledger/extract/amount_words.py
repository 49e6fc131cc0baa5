"""The words and patterns amounts.py reads, per language: the English ones are built in amounts.py;
another language's come from its data (amounts.fr.json, currencies.fr.tsv) and are compiled here with
the same named groups, so the extraction code is one.

French writes numbers with a decimal comma and groups thousands with (non-breaking) spaces ("1 250",
"3,2"), puts the currency after the number and a "de" before it after a scale word ("2 milliards de
dollars", "10 000 $", "9,5 M$" in Quebec for millions of dollars), the demonym after the currency
("dollars canadiens"), and reads percentages as "61 %" or "61 pour cent".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from newsledger.extract.lexicons import DEFAULT, read_text, tsv_rows


@dataclass(slots=True)
class AmountWords:
    """One language's amount patterns (same named groups in every language) and word tables."""

    lang: str
    money_prefix: re.Pattern[str]
    money_prefix_key: re.Pattern[str]
    money_suffix: re.Pattern[str]
    money_suffix_key: re.Pattern[str]
    percent: re.Pattern[str]
    percent_key: re.Pattern[str]
    fraction: re.Pattern[str]
    fraction_key: re.Pattern[str]
    value: Callable[[str], float | None]  # a number as written → its value
    symbols: dict[str, str]  # written before the number
    suffixes: dict[str, str]  # written after it (names, codes, and in French the symbols)
    needs_scale: set[str]
    numerator: dict[str, float]
    denominator: dict[str, float]
    share_of: re.Pattern[str]  # "of (the)" after a share
    fund_nouns: set[str]
    inherit: re.Pattern[str]
    approx_prefix: re.Pattern[str]
    place_country: dict[str, str]
    count: re.Pattern[str] | None = None  # counts by pattern (None: English reads them from the parse)
    count_key: re.Pattern[str] | None = None  # what every count contains: a digit or a number word
    not_counted: set[str] = field(default_factory=set)
    compact: dict[str, float] = field(default_factory=dict)  # "M" in "9,5 M$"
    family_default: dict[str, str] = field(default_factory=dict)  # "*dollar" → "CAD": the language's own


def _alt(forms: Iterable[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


def load(lang: str, common_rows: list[list[str]], adjectives: set[str]) -> AmountWords:
    """A language's AmountWords from its data files; `common_rows` are currencies.tsv's rows (symbols,
    codes, defaults and countries hold in every language), `adjectives` the demonyms that may follow a
    currency name ("dollars canadiens")."""
    assert lang != DEFAULT
    d = json.loads(read_text("amounts.json", lang=lang))
    own = tsv_rows("currencies.tsv", lang=lang)
    symbols = {f: v for f, v, k in common_rows if k == "symbol"}
    names = {f: v for f, v, k in own if k == "name"}
    after = {**{f: v for f, v, k in own if k == "symbol"}, **symbols, **names}
    group = "[" + re.escape(d["group"].replace(".", "")) + "]"
    dec = re.escape(d["decimal"])
    digits = rf"(?:\d{{1,3}}(?:{group}\d{{3}})+(?:{dec}\d+)?|\d+(?:{dec}\d+)?)"
    numbers: dict[str, float] = d["numbers"]
    scales: dict[str, float] = d["scales"]
    compact: dict[str, float] = d["compact_scales"]
    word = _alt(numbers)
    scale = _alt(scales)
    words = rf"(?:{word})(?:[\s-](?:{word}))*"
    number = rf"(?:{digits}|{words})(?:\s+(?:{scale})\b)?"
    approx = rf"(?i:(?:{_alt(d['approx'])})\s+)"
    adj = _alt(adjectives)
    money_suffix = re.compile(
        rf"(?P<approx>{approx})?(?<![\w$£€¥.,])(?P<num>{number})(?:\s?(?P<cs>{_alt(compact)})(?=\s?[$€£]))?"
        rf"\s*(?:(?:de\s+|d')\s*)?(?P<name>{_alt(after)})(?![\w])(?:\s+(?P<adj>{adj})\b)?")
    money_prefix = re.compile(
        rf"(?P<approx>{approx})?(?<![\w$£€¥])(?P<cur>{_alt(symbols)})\s?(?P<num>{number})")
    percent_words = [w for w in d["percent"] if w != "%"]
    percent = re.compile(
        rf"(?P<approx>{approx})?(?<![\w.,])(?P<num>{digits}|{words})"
        rf"(?:\s?%|\s+(?i:{_alt(percent_words)})\b|(?P<pp>[\s-](?i:{_alt(d['points'])})\s+de\s+pourcentage\b"
        rf"|[\s-](?i:points?\s+de\s+pourcentage)\b))")
    numerators: dict[str, float] = d["numerators"]
    denominators: dict[str, float] = d["denominators"]
    fraction = re.compile(
        rf"(?i:(?P<approx>{approx})?(?P<numer>\b(?:{_alt(numerators)})\s*)?(?<![^\W\d_])"
        rf"(?P<den>{_alt(denominators)})\b)")
    count = re.compile(
        rf"(?P<approx>{approx})?(?<![\w,.$€£-])(?P<num>{number})\s+(?:(?:de\s+|d')\s*)?(?P<unit>[^\W\d_][\w'-]*)")

    joiners, halves = frozenset(d.get("joiners", [])), frozenset(d.get("halves", []))

    def value(s: str) -> float | None:
        return _value(s, numbers, scales, compact, d["group"], d["decimal"], joiners, halves)

    sym_chars = "".join(sorted({ch for f in symbols for ch in f if not ch.isalnum() and ch != "."}))
    return AmountWords(
        lang=lang, money_prefix=money_prefix,
        money_prefix_key=re.compile(rf"[{re.escape(sym_chars)}]"),
        money_suffix=money_suffix, money_suffix_key=re.compile(rf"(?:{_alt(after)})(?![\w])"),
        percent=percent, percent_key=re.compile(r"%|(?i:pour\s?cent|pourcent|pourcentage)"),
        fraction=fraction, fraction_key=re.compile(rf"(?i:\b(?:{_alt(denominators)})\b)"),
        value=value, symbols=symbols, suffixes=after, needs_scale=set(), numerator=numerators,
        denominator=denominators,
        share_of=re.compile(rf"\s+(?:{d['share_of']})(?:(?:{_alt(d['share_dets'])})\s*)?"),
        fund_nouns=set(d["fund"]), inherit=re.compile(rf"(?i)^(?:{_alt(d['inherit'])})\b"),
        approx_prefix=re.compile(approx),
        place_country=dict(tsv_rows("currency_places.tsv", lang=lang) + tsv_rows("currency_places.tsv")[::-1]
                           [::-1]),
        count=count, count_key=re.compile(rf"\d|(?i:\b(?:{word})\b)"), not_counted=set(d["not_counted"]),
        compact=compact, family_default=d.get("family_default", {}))


def scaled(total: float, current: float, mult: float) -> tuple[float, float]:
    """One scale word in a spelled-out number, in any language: a hundred multiplies the group being
    read ("deux cents", "two hundred"); a thousand or more closes it into the total ("two million
    three hundred thousand" = 2e6 + 3e5). (total, current) after it."""
    if mult == 100:
        return total, (current or 1.0) * 100
    return total + (current or 1.0) * mult, 0.0


def _value(s: str, numbers: dict[str, float], scales: dict[str, float], compact: dict[str, float],
           group: str, decimal: str, joiners: frozenset[str] = frozenset(),
           halves: frozenset[str] = frozenset()) -> float | None:
    """The value of a number as the language writes it: "1 250" → 1250, "3,2" → 3.2, "1,5 million" →
    1.5e6, "9,5 M" → 9.5e6, "deux milliards" → 2e9, "un demi" → 0.5 (`halves` halve what comes before;
    `joiners` are skipped: "vingt et un")."""
    s = " ".join(s.split())
    m = re.fullmatch(rf"(\d[\d{re.escape(group)}]*(?:{re.escape(decimal)}\d+)?)\s*(\S*)", s)
    if m:
        num = m.group(1)
        for ch in group:
            num = num.replace(ch, "")
        try:
            v = float(num.replace(decimal, "."))
        except ValueError:
            return None
        tail = m.group(2)
        if not tail:
            return v
        mult = scales.get(tail.lower()) or compact.get(tail)
        return v * mult if mult else None
    total, current, seen = 0.0, 0.0, False
    for w in re.split(r"[\s-]+", s.lower()):
        if w in joiners:
            continue
        if w in halves:
            current = (current or 1.0) * 0.5
        elif w in numbers:
            current += numbers[w]
        elif w in scales:
            total, current = scaled(total, current, scales[w])
        else:
            return None
        seen = True
    return total + current if seen else None
