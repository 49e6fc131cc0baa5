"""Article text → escaped HTML with its annotations marked, built from the stand-off spans.

The text is cut at every span boundary and each piece escaped on its own (markupsafe), so article
data is never markup: the only tags in the output are the ones written here. Spans may overlap
(a speaker mention inside its quote, a quote crossing an excluded line); an element that would
break nesting is closed and reopened, and only its first piece carries the id, tab stop and label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

PALETTE = 8  # speaker colours s0..s7; each also has its own underline pattern (see style.css)
# Nesting rank when two spans start together and end together: outer first.
_RANK = {"x": 0, "q": 1, "hit": 2, "ev": 3, "am": 4, "en": 5, "tx": 6, "cue": 7}


@dataclass(frozen=True, slots=True)
class Mark:
    """One span to mark: `kind` (x q ev am en tx cue hit), its record key and its attributes."""

    start: int
    end: int
    kind: str
    key: str | None = None  # record key in the page's records (data-rec); None: not clickable
    anchor: str | None = None  # element id on the first piece (for links to the span)
    css: str = ""  # extra classes
    label: str | None = None  # visible badge on the first piece (a speaker's name)
    title: str | None = None  # native tooltip: the record in one line, also without script
    focus: bool = False  # a tab stop on the first piece


def safe_url(url: object) -> str | None:
    """`url` when it is an http(s) URL we may link to; None for javascript:, data:, relative…"""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def speaker_colours(quotes: Iterable[dict[str, Any]]) -> dict[str, int]:
    """speaker key → palette index, in order of first appearance (stable for one article)."""
    out: dict[str, int] = {}
    for q in quotes:
        key = speaker_key(q)
        if key is not None and key not in out:
            out[key] = len(out) % PALETTE
    return out


def speaker_key(q: dict[str, Any]) -> str | None:
    sp = q.get("speaker")
    if not sp:
        return None
    return str(sp.get("entity") or "") or ("name:" + str(sp.get("name") or "").lower())


def _open(m: Mark, first: bool) -> str:
    classes = " ".join(c for c in (m.kind, m.css, "" if first else "cont") if c)
    attrs = [f'class="{escape(classes)}"']
    if first and m.anchor:
        attrs.append(f'id="{escape(m.anchor)}"')
    if m.key:
        attrs.append(f'data-rec="{escape(m.key)}"')
        attrs.append('tabindex="0"' if first and m.focus else 'tabindex="-1"')
    if m.title:
        attrs.append(f'title="{escape(m.title)}"')
    tag = "mark" if m.kind in ("q", "hit") else "span"
    badge = f'<span class="who">{escape(m.label)}</span>' if first and m.label else ""
    return f"<{tag} {' '.join(attrs)}>{badge}"


def _close(m: Mark) -> str:
    return "</mark>" if m.kind in ("q", "hit") else "</span>"


def highlight(text: str, marks: Sequence[Mark]) -> Markup:
    """`text` as HTML with every mark around its span; offsets outside the text are clipped."""
    n = len(text)
    spans = sorted((m for m in marks if 0 <= m.start < m.end and m.start < n),
                   key=lambda m: (m.start, -m.end, _RANK.get(m.kind, 9)))
    points = sorted({0, n, *(m.start for m in spans), *(min(m.end, n) for m in spans)})
    out: list[str] = []
    stack: list[Mark] = []
    i = 0
    for a, b in pairwise(points):
        # close what ends at a (reopening what was opened inside it but goes on)
        if any(min(m.end, n) <= a for m in stack):
            reopen: list[Mark] = []
            while any(min(m.end, n) <= a for m in stack):
                m = stack.pop()
                out.append(_close(m))
                if min(m.end, n) > a:
                    reopen.append(m)
            for m in reversed(reopen):
                out.append(_open(m, first=False))
                stack.append(m)
        while i < len(spans) and spans[i].start == a:
            m = spans[i]
            out.append(_open(m, first=True))
            stack.append(m)
            i += 1
        out.append(str(escape(text[a:b])))
    while stack:
        out.append(_close(stack.pop()))
    return Markup("".join(out))


def term_hits(text: str, terms: Sequence[str], limit: int = 200) -> list[tuple[int, int]]:
    """(start, end) of each case-insensitive occurrence of a search term at a word start."""
    words = [t for t in terms if t]
    if not words:
        return []
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in
                                                 sorted(words, key=len, reverse=True)) + ")", re.I)
    return [(m.start(), m.end()) for _, m in zip(range(limit), pattern.finditer(text), strict=False)]


def snippet(text: str, terms: Sequence[str], width: int = 90) -> Markup:
    """A short escaped excerpt around the first search hit, the hits marked (<mark>)."""
    hits = term_hits(text, terms)
    if not hits:
        cut = text[: 2 * width]
        return Markup(escape(cut + ("…" if len(text) > len(cut) else "")))
    s = max(0, hits[0][0] - width)
    e = min(len(text), hits[0][1] + width)
    body = highlight(text[s:e], [Mark(a - s, b - s, "hit") for a, b in hits if a >= s and b <= e])
    return Markup(("…" if s else "") + body + ("…" if e < len(text) else ""))


# ----------------------------------------------------------------------------- article records

def _fmt_amount(x: dict[str, Any]) -> str:
    bits = [x.get("kind") or ""]
    if x.get("value") is not None:
        bits.append(f"{x['value']:g}")
    if x.get("currency"):
        bits.append(str(x["currency"]) + (" (inferred)" if x.get("currency_inferred") else ""))
    if x.get("unit"):
        bits.append(str(x["unit"]))
    return " ".join(b for b in bits if b)


def _ref(r: dict[str, Any] | None) -> str:
    return str(r.get("name") or "—") if r else "—"


def article_marks(art: dict[str, Any], terms: Sequence[str] = ()
                  ) -> tuple[list[Mark], dict[str, dict[str, Any]], dict[str, int]]:
    """The marks of an article (contract shape), the records behind them (key → title, fields,
    links) for the detail panel, and the speaker palette. Entity links use `entity_id` when the
    corpus entity is known."""
    marks: list[Mark] = []
    recs: dict[str, dict[str, Any]] = {}
    colours = speaker_colours(art.get("quotes") or [])
    ents = {e["id"]: e for e in art.get("entities") or []}

    def ent_link(local: object) -> list[list[str]]:
        e = ents.get(local) if isinstance(local, str) else None
        if e and isinstance(e.get("entity_id"), int):
            return [[f"Entity page: {e['name']}", f"/entities/{e['entity_id']}"]]
        return []

    for i, x in enumerate(art.get("excluded") or []):
        key = f"x:{i}"
        recs[key] = {"title": "Excluded (not article prose)", "fields": [["reason", x.get("reason")]]}
        marks.append(Mark(x["start"], x["end"], "x", key, title=f"excluded: {x.get('reason')}"))
    for q in art.get("quotes") or []:
        key = f"q:{q['id']}"
        sp = q.get("speaker")
        name = str(sp.get("name") or "unnamed speaker") if sp else "no speaker"
        colour = colours.get(speaker_key(q) or "")
        css = f"s{colour}" if colour is not None else "s-none"
        recs[key] = {"title": f"Quote {q['id']} ({q.get('kind')})", "fields": [
            ["speaker", name], ["kind", q.get("kind")], ["cue", (q.get("cue") or {}).get("text")],
            ["date", q.get("date")], ["date basis", q.get("date_basis")],
            ["via", ", ".join(str(v.get("name")) for v in q.get("via") or []) or None],
            ["text", q.get("text")]],
            "links": [["Link to this quote", f"#q-{q['id']}"],
                      *(ent_link(sp.get("entity")) if sp else [])]}
        marks.append(Mark(q["start"], q["end"], "q", key, anchor=f"q-{q['id']}", css=css, label=name,
                          title=f"quote {q['id']} · {q.get('kind')} · {name} · {q.get('date') or 'undated'}",
                          focus=True))
        if q.get("cue"):
            marks.append(Mark(q["cue"]["start"], q["cue"]["end"], "cue", key))
    for ev in art.get("events") or []:
        key = f"v:{ev['id']}"
        tr = ev["trigger"]
        recs[key] = {"title": f"Event {ev['id']}: {ev.get('category')}", "fields": [
            ["category", ev.get("category")], ["mode", ev.get("mode")], ["modality", ev.get("modality")],
            ["actor", _ref(ev.get("actor"))], ["target", _ref(ev.get("target"))],
            ["trigger", tr.get("text")], ["date", ev.get("date")], ["date basis", ev.get("date_basis")],
            ["amounts", ", ".join(ev.get("amounts") or []) or None], ["reported in", ev.get("quote")]],
            "links": [["Link to this event", f"#ev-{ev['id']}"],
                      *ent_link((ev.get("actor") or {}).get("entity"))]}
        marks.append(Mark(tr["start"], tr["end"], "ev", key, anchor=f"ev-{ev['id']}",
                          css=f"c-{str(ev.get('category', '')).lower()}", label=None,
                          title=f"event {ev['id']} · {ev.get('category')} · {ev.get('modality')}",
                          focus=True))
    for x in art.get("amounts") or []:
        key = f"a:{x['id']}"
        recs[key] = {"title": f"Amount {x['id']}: {x.get('text')}", "fields": [
            ["kind", x.get("kind")], ["value", x.get("value")], ["currency", x.get("currency")],
            ["currency inferred", "yes" if x.get("currency_inferred") else "no"], ["unit", x.get("unit")],
            ["of", x.get("of")], ["approximate", x.get("approx")]]}
        marks.append(Mark(x["start"], x["end"], "am", key, anchor=f"am-{x['id']}",
                          title=f"amount {x['id']} · {_fmt_amount(x)}", focus=True))
    for e in art.get("entities") or []:
        key = f"e:{e['id']}"
        recs[key] = {"title": f"{e['name']} ({e.get('type')})", "fields": [
            ["type", e.get("type")], ["roles", ", ".join(e.get("roles") or []) or None],
            ["affiliation", e.get("affiliation")], ["mentions here", len(e.get("mentions") or [])]],
            "links": ent_link(e["id"])}
        for j, m in enumerate(e.get("mentions") or []):
            marks.append(Mark(m["start"], m["end"], "en", key, anchor=f"en-{e['id']}" if j == 0 else None,
                              css=f"t-{str(e.get('type', '')).lower()}",
                              title=f"{e['name']} · {e.get('type')}"))
    for j, t in enumerate(art.get("timexes") or []):
        key = f"t:{j}"
        recs[key] = {"title": f"Time expression: {t.get('text')}",
                     "fields": [["type", t.get("type")], ["value", t.get("value")]]}
        marks.append(Mark(t["start"], t["end"], "tx", key, title=f"{t.get('type')} {t.get('value') or ''}"))
    for j, (a, b) in enumerate(term_hits(art.get("text") or "", terms)):
        marks.append(Mark(a, b, "hit", None, anchor=f"hit-{j + 1}"))
    for rec in recs.values():  # unknown stays unknown, shown as such
        rec["fields"] = [[k, "—" if v is None or v == "" else str(v)] for k, v in rec["fields"]]
        rec.setdefault("links", [])
    return marks, recs, colours
