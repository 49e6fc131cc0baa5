"""The event lexicons, parsed and checked once at import: plover.tsv (which words code which PLOVER
event), frames.tsv (the grammar around them) and capitals.tsv (capitals standing for their
government). Formats: PLOVER.md beside this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

CATEGORIES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
              "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")
# Modes per category (PLOVER manual; AID's from the project brief, the manual lists none there).
MODES: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "AGREE": "", "CONSULT": "visit third-party multilateral phone", "SUPPORT": "", "CONCEDE": "",
    "COOPERATE": "", "AID": "economic military humanitarian",
    "RETREAT": "withdraw release disarm ceasefire access resign",
    "REQUEST": "assist change yield meet", "ACCUSE": "disapprove investigate allege",
    "REJECT": "assist change yield meet", "THREATEN": "restrict arrest relations expel territory violence",
    "PROTEST": "demo riot strike hunger boycott obstruct vandalize",
    "SANCTION": "convict expel withdraw discontinue", "MOBILIZE": "troops weapons police militia",
    "COERCE": "seize restrict censor curfew martial-law arrest deport withhold misinformation cyber",
    "ASSAULT": "abduct beat torture sexual targeted destroy primitive firearms explosives suicide-attack "
               "aerial drone heavy-weapons crowd-control unconventional",
}.items()}
MODALITIES = ("asserted", "planned", "intended", "conditional", "negated")
_SET_KEYS = ("obj", "prt", "prep", "pobj", "mod", "subj", "of", "xcomp")
_FLAGS = ("comp", "neg", "attr", "nocomp", "bare", "must", "pred")
_FRAME_KINDS = ("report", "modal", "control", "cond", "neg", "undergo", "content", "agent", "combine",
                "threat", "request", "future", "mode", "objcontrol", "stative", "relational", "thing")


class LexiconError(ValueError):
    """A malformed row in one of the event lexicons (file and line in the message)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """Constraints a trigger's dependents must meet; None means no constraint, {'*'} any word."""

    obj: frozenset[str] | None = None
    prt: frozenset[str] | None = None
    prep: frozenset[str] | None = None
    pobj: frozenset[str] | None = None  # with prep: the object of that preposition
    mod: frozenset[str] | None = None
    subj: frozenset[str] | None = None
    of: frozenset[str] | None = None
    xcomp: frozenset[str] | None = None  # the verb of the clausal complement ("declined to comment")
    comp: bool = False  # governs an event complement and absorbs it ("threatened to cut off ...")
    neg: bool = False  # only when negated; the negation is part of the meaning ("will not allow")
    attr: bool = False  # predicate noun/adjective: the subject is the target ("X is the cause of ...")
    nocomp: bool = False  # only without a clausal complement ("demonstrated" but not "demonstrated that")
    bare: bool = False  # with a subjunctive complement ("insisted that Eritrea withdraw")
    must: bool = False  # reports an obligation laid on another party ("said the US must stop ...")
    pred: bool = False  # names its object as something ("called him a liar", "called the plan stupid")


@dataclass(frozen=True, slots=True)
class Entry:
    lemma: str
    pos: str  # V | N | A
    category: str | None  # None: the word is blocked in this frame (not an event)
    mode: str | None
    frame: Frame


@dataclass(frozen=True, slots=True)
class Combine:
    outer: str
    inner: str
    result: str  # a category or OUTER
    mode: str  # a mode, '-', inner, outer, threat, request


def _rows(name: str, width: int) -> list[tuple[int, list[str]]]:
    text = resources.files("newsledger.extract.events").joinpath(name).read_text(encoding="utf-8")
    out: list[tuple[int, list[str]]] = []
    header_seen = False
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:  # the first non-comment line names the columns
            header_seen = True
            continue
        cells = line.split("\t")
        if len(cells) != width:
            raise LexiconError(f"{name}:{n}: expected {width} tab-separated columns, got {len(cells)}")
        out.append((n, cells))
    return out


def parse_frame(spec: str, where: str = "frame") -> Frame:
    """'obj=a|b prt=up comp' -> Frame; '-' is the empty frame."""
    if spec == "-":
        return Frame()
    sets: dict[str, frozenset[str]] = {}
    flags: dict[str, bool] = {}
    for part in spec.split():
        key, eq, val = part.partition("=")
        if eq and key in _SET_KEYS and val:
            sets[key] = frozenset(w.lower() for w in val.split("|"))
        elif not eq and key in _FLAGS:
            flags[key] = True
        else:
            raise LexiconError(f"{where}: unknown frame constraint {part!r}")
    return Frame(**sets, **flags)  # type: ignore[arg-type]


def _load_lexicon() -> dict[tuple[str, str], tuple[Entry, ...]]:
    table: dict[tuple[str, str], list[Entry]] = {}
    for n, (lemma, pos, cat, mode, frame) in _rows("plover.tsv", 5):
        where = f"plover.tsv:{n}"
        if pos not in ("V", "N", "A"):
            raise LexiconError(f"{where}: pos must be V, N or A, not {pos!r}")
        if cat != "-" and cat not in CATEGORIES:
            raise LexiconError(f"{where}: unknown PLOVER category {cat!r}")
        if cat != "-" and mode != "-" and mode not in MODES[cat]:
            raise LexiconError(f"{where}: {mode!r} is not a PLOVER mode of {cat}")
        entry = Entry(lemma.lower(), pos, None if cat == "-" else cat, None if mode == "-" else mode,
                      parse_frame(frame, where))
        table.setdefault((entry.lemma, pos), []).append(entry)
    return {k: tuple(v) for k, v in table.items()}


@dataclass(frozen=True, slots=True)
class Frames:
    report: frozenset[str]
    modal: dict[str, str]
    control: dict[str, str]
    cond: dict[str, str]
    neg: frozenset[str]
    undergo: dict[str, str]
    content: frozenset[str]
    agent: frozenset[str]
    combine: tuple[Combine, ...]
    threat: dict[str, str]
    request: dict[str, str]
    future: dict[str, str]
    mode: dict[str, tuple[tuple[str, str], ...]]  # category -> ((word, mode), ...) in file order
    objcontrol: frozenset[str]
    stative: frozenset[str]
    relational: frozenset[str]
    thing: frozenset[str]


def _load_frames() -> Frames:
    by_kind: dict[str, list[tuple[int, str, str]]] = {k: [] for k in _FRAME_KINDS}
    for n, (kind, form, value) in _rows("frames.tsv", 3):
        if kind not in by_kind:
            raise LexiconError(f"frames.tsv:{n}: unknown kind {kind!r}")
        by_kind[kind].append((n, form, value))
    for kind in ("modal", "control", "cond"):
        for n, _, value in by_kind[kind]:
            if value not in MODALITIES:
                raise LexiconError(f"frames.tsv:{n}: unknown modality {value!r}")
    combine = []
    for n, form, value in by_kind["combine"]:
        outer, _, inner = form.partition(">")
        result, _, mode = value.partition(":")
        for c in (outer, inner):
            if c != "*" and c not in CATEGORIES:
                raise LexiconError(f"frames.tsv:{n}: unknown category {c!r}")
        if result != "OUTER" and result not in CATEGORIES:
            raise LexiconError(f"frames.tsv:{n}: unknown result {result!r}")
        combine.append(Combine(outer, inner, result, mode or "-"))
    for kind in ("future",):
        for n, form, value in by_kind[kind]:
            if form not in CATEGORIES or value not in CATEGORIES:
                raise LexiconError(f"frames.tsv:{n}: unknown category in {form!r} -> {value!r}")
    for kind, cat in (("threat", "THREATEN"), ("request", "REQUEST")):
        for n, _, value in by_kind[kind]:
            if value not in MODES[cat]:
                raise LexiconError(f"frames.tsv:{n}: {value!r} is not a PLOVER mode of {cat}")
    modes: dict[str, list[tuple[str, str]]] = {}
    for n, form, value in by_kind["mode"]:
        cat, _, word = form.partition(":")
        if cat not in CATEGORIES or not word or value not in MODES[cat]:
            raise LexiconError(f"frames.tsv:{n}: mode rows are CATEGORY:word -> a mode of it, "
                               f"not {form!r} -> {value!r}")
        modes.setdefault(cat, []).append((word.lower(), value))
    return Frames(
        report=frozenset(f for _, f, _ in by_kind["report"]),
        modal={f: v for _, f, v in by_kind["modal"]},
        control={f: v for _, f, v in by_kind["control"]},
        cond={f: v for _, f, v in by_kind["cond"]},
        neg=frozenset(f for _, f, _ in by_kind["neg"]),
        undergo={f: v for _, f, v in by_kind["undergo"]},
        content=frozenset(f for _, f, _ in by_kind["content"]),
        agent=frozenset(f for _, f, _ in by_kind["agent"]),
        combine=tuple(combine),
        threat={f: v for _, f, v in by_kind["threat"]},
        request={f: v for _, f, v in by_kind["request"]},
        future={f: v for _, f, v in by_kind["future"]},
        mode={k: tuple(v) for k, v in modes.items()},
        objcontrol=frozenset(f for _, f, _ in by_kind["objcontrol"]),
        stative=frozenset(f for _, f, _ in by_kind["stative"]),
        relational=frozenset(f for _, f, _ in by_kind["relational"]),
        thing=frozenset(f for _, f, _ in by_kind["thing"]),
    )


def _load_capitals() -> dict[str, str]:
    return {form: country for _, (form, country) in _rows("capitals.tsv", 2)}


LEXICON = _load_lexicon()
FRAMES = _load_frames()
CAPITALS = _load_capitals()


def combine(outer: str, inner: str) -> Combine:
    """The first combine row matching OUTER>INNER (the last row, *>*, always does)."""
    for row in FRAMES.combine:
        if row.outer in ("*", outer) and row.inner in ("*", inner):
            return row
    return Combine("*", "*", "OUTER", "outer")


def table_mode(table: dict[str, str], category: str, mode: str | None) -> str | None:
    """Look up CATEGORY:mode, then CATEGORY, then * in a threat/request table."""
    for key in (f"{category}:{mode}", category, "*"):
        if key in table:
            return table[key]
    return None
