"""Print query results for people (a Rich table) or for scripts (`--json`, `--csv`).

Each command gives its rows (plain dicts from ledger/queries.py) and the columns a person wants to
see; `--json` prints the rows whole, so a script gets every field, not just the table's columns.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from newsledger.report import clip


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    value: Callable[[dict[str, Any]], Any]
    width: int | None = None  # a cap for long text in the table (the JSON/CSV keep it whole)


def _cell(v: Any) -> str:
    """A value for a person: thousands separated, lists joined."""
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return "; ".join(_cell(x) for x in v)
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
        return f"{v:,.0f}"
    return str(v)


def _raw(v: Any) -> Any:
    """A value for a script: numbers stay numbers (no separators), lists joined."""
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return "; ".join(str(_raw(x)) for x in v)
    return v


def emit(rows: Sequence[dict[str, Any]] | dict[str, Any], columns: Sequence[Column], fmt: str,
         out: IO[str], title: str | None = None, csv_columns: Sequence[Column] | None = None,
         csv_rows: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None) -> None:
    """Write rows as `fmt` ("table", "json" or "csv"). The CSV has its own columns when given (the
    evidence a script needs: ids, offsets, the article), and `csv_rows` can turn one item into several
    rows (a quote reported by three articles is three rows of evidence)."""
    if fmt == "json":
        out.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    items = [rows] if isinstance(rows, dict) else list(rows)
    if fmt == "csv":
        cols = csv_columns or columns
        w = csv.writer(out)
        w.writerow([c.header for c in cols])
        for r in items:
            for row in (csv_rows(r) if csv_rows else [r]):
                w.writerow([_raw(c.value(row)) for c in cols])
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        table.add_column(c.header, max_width=c.width, overflow="fold")
    for r in items:
        table.add_row(*(_cell(c.value(r)) for c in columns))
    console = Console(file=out, width=None if out.isatty() else 160, soft_wrap=False)
    console.print(table)
    if not items:
        console.print("(nothing found)")


def get(*path: str | int) -> Callable[[dict[str, Any]], Any]:
    """A column value from a nested key path, None when any step is missing."""
    def value(row: dict[str, Any]) -> Any:
        cur: Any = row
        for p in path:
            if isinstance(cur, dict):
                cur = cur.get(p)  # type: ignore[call-overload]
            elif isinstance(cur, list) and isinstance(p, int) and p < len(cur):
                cur = cur[p]
            else:
                return None
            if cur is None:
                return None
        return cur
    return value


def article_columns(prefix: tuple[str, ...]) -> list[Column]:
    return [Column("article_id", get(*prefix, "article_id")), Column("title", get(*prefix, "title")),
            Column("url", get(*prefix, "url")), Column("published", get(*prefix, "published"))]


def per_source(q: dict[str, Any]) -> list[dict[str, Any]]:
    """One CSV row per article reporting a quote: each row is a piece of evidence."""
    return [{**q, "source": s} for s in (q.get("sources") or [{}])]


def _link(article_id: Any, kind: str, local_id: Any) -> str | None:
    """Where `newsledger serve` shows the words highlighted: a path to put after the server's address."""
    if article_id is None:
        return None
    return f"/articles/{article_id}" + (f"#{kind}-{local_id}" if local_id else "")


def _quote_csv() -> list[Column]:
    return [Column("quote_id", get("id")), Column("speaker_entity_id", get("speaker", "entity")),
            Column("speaker", get("speaker", "name")), Column("kind", get("kind")),
            Column("reported", get("reported")), Column("quote", get("text")),
            Column("cue", get("cue")), Column("date", get("date")), Column("first_seen", get("first_seen")),
            *article_columns(("source",)), Column("start", get("source", "start")),
            Column("end", get("source", "end")),
            Column("evidence_link", lambda r: _link(get("source", "article_id")(r), "q",
                                                    get("source", "local_id")(r)))]


def _event_csv() -> list[Column]:
    return [Column("event_id", get("id")), Column("date", get("date")), Column("category", get("category")),
            Column("mode", get("mode")), Column("modality", get("modality")),
            Column("actor_entity_id", get("actor", "entity")), Column("actor", get("actor", "name")),
            Column("target_entity_id", get("target", "entity")), Column("target", get("target", "name")),
            Column("trigger", get("trigger", "text")), *article_columns(("article",)),
            Column("trigger_start", get("trigger", "start")), Column("trigger_end", get("trigger", "end")),
            Column("evidence_start", get("evidence", "start")),
            Column("evidence_end", get("evidence", "end")),
            Column("confidence", get("confidence")), Column("evidence", get("evidence_text")),
            Column("evidence_link", lambda r: _link(get("article", "article_id")(r), "ev",
                                                    get("local_id")(r)))]


QUOTE_CSV = _quote_csv()
EVENT_CSV = _event_csv()


ARTICLE_CSV = [Column("article_id", get("article_id")), Column("title", get("title")),
               Column("url", get("url")),
               Column("site", get("site")), Column("published", get("published")),
               Column("quotes", get("counts", "quotes")), Column("events", get("counts", "events")),
               Column("flags", get("flags"))]
ENTITY_CSV = [Column("entity_id", get("id")), Column("name", get("name")), Column("type", get("type")),
              Column("roles", get("roles")), Column("affiliation", get("affiliation")),
              Column("articles", get("counts", "articles")), Column("quotes", get("counts", "quotes")),
              Column("events", get("counts", "events"))]
TIMELINE_CSV = [Column("type", get("type")), Column("role", get("role")), Column("id", get("id")),
                Column("date", get("date")),
                Column("category_or_kind", lambda r: r.get("category") or r.get("kind")),
                Column("modality", get("modality")), Column("words", lambda r: r.get("text")),
                *article_columns(("article",)), Column("start", get("evidence", "start")),
                Column("end", get("evidence", "end"))]
STORY_CSV = [Column("story_id", get("story_id")), Column("size", get("size")),
             Column("first_published", get("first_published")),
             Column("last_published", get("last_published")),
             Column("article_ids", lambda r: [a.get("article_id") for a in r.get("articles") or []])]


def csv_text(items: Sequence[dict[str, Any]], columns: Sequence[Column],
             rows: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None) -> str:
    """Items as CSV text (for the API's format=csv)."""
    buf = io.StringIO()
    emit(list(items), columns, "csv", buf, csv_rows=rows)
    return buf.getvalue()


def show_article(art: dict[str, Any], out: IO[str]) -> None:
    """`newsledger show`: an article from the ledger, its flags, copies, quotes and events, readably."""
    lines = [f"━━ {art.get('title') or '(untitled)'}  [ledger id {art['article_id']}, {art['id']}]"]
    date = f"published {art.get('published') or 'unknown'}"
    if art.get("reference_date") and art["reference_date"] != art.get("published"):
        date += f", speaks from {art['reference_date']}"
    lines.append(f"   {date}" + (f"; site {art['site']}" if art.get("site") else "")
                 + (f"; {art['url']}" if art.get("url") else ""))
    for f in art.get("flags") or []:
        lines.append(f"   ⚑ {f['code']}: {clip(f['message'], 110)}")
    story = art.get("story") or {}
    others = [s for s in story.get("articles") or [] if s.get("article_id") != art["article_id"]]
    if others:
        noun = "copy" if len(others) == 1 else "copies"
        lines.append(f"   story {story.get('story_id')}: {len(others)} other {noun}")
    for c in art.get("copies") or []:
        lines.append(f"   seen at {c['locator']} ({c['source']}, {c['seen_at']})")
    if art.get("quotes"):
        lines.append(f"   quotes ({len(art['quotes'])}):")
    for q in art.get("quotes") or []:
        who = q["speaker"]["name"] if q.get("speaker") else "unattributed"
        lines.append(f"     ❝ [{q['start']}:{q['end']}] {who} [{q['kind']}, {q.get('date') or 'undated'}]: "
                     f"{clip(q['text'], 80)}")
    if art.get("events"):
        lines.append(f"   events ({len(art['events'])}):")
    for ev in art.get("events") or []:
        actor = ev["actor"]["name"] if ev.get("actor") else "?"
        target = f" → {ev['target']['name']}" if ev.get("target") else ""
        when = ev.get("date") or "undated"
        lines.append(f"     ◆ {ev['category']} ({ev['modality']}, {when}) {actor}{target}:"
                     f" “{clip(ev['trigger']['text'], 40)}”")
    out.write("\n".join(lines) + "\n")
