"""The ledger's commands: ingest, export, serve and the queries (quotes, events, entities, timeline,
show, stats). Each parses nothing itself (cli.py does) and calls plain functions from pipeline.py,
ledger/ and web/; results print as Rich tables, or JSON / CSV for scripts (tables.py)."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from typing import IO, Any

from newsledger.cli import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE


class _Progress:
    """A live line on stderr, only on a terminal: documents done (of how many, when known), the rate,
    the time left, and what was new, seen before or failed."""

    def __init__(self, err: IO[str], enabled: bool, total: int | None = None) -> None:
        self.enabled = enabled and err.isatty()
        self.total = total
        self.bar: Any = None
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                TimeElapsedColumn(), console=Console(file=err), transient=True)
            self.task = self.bar.add_task("loading the language model, analysing the first documents…",
                                          total=total)
            self.bar.start()
            self.t0 = time.monotonic()

    def update(self, s: Any) -> None:
        if not self.enabled:
            return
        done = s.read
        elapsed = max(time.monotonic() - self.t0, 1e-6)
        rate = done / elapsed
        of = f" of {self.total:,}" if self.total else ""
        left = ""
        if self.total and rate > 0 and done < self.total:
            secs = (self.total - done) / rate
            left = f", about {secs / 60:,.0f} min left" if secs >= 90 else f", about {secs:,.0f} s left"
        self.bar.update(self.task, completed=done,
                        description=f"{done:,}{of} documents, {rate:,.1f}/s{left}: {s.new:,} new, "
                        f"{s.duplicates + s.known:,} already stored, {s.failed:,} failed")

    def close(self) -> None:
        if self.enabled:
            self.bar.stop()


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _ingest_summary_text(s: Any, seconds: float, db: str, report: dict[str, Any]) -> str:
    """The closing summary, in words a journalist uses."""
    lines = [f"ingested into {db} in {seconds:,.1f} s ({s.read / max(seconds, 1e-6):,.1f} documents/s)",
             f"  {_n(s.read, 'document')} read: {_n(s.new, 'new article')}, "
             f"{_n(s.duplicates, 'exact copy', 'exact copies')} of articles already stored, "
             f"{s.known:,} already in the ledger from the same place, {s.failed:,} failed"]
    if s.new:
        lines.append(f"  in the new articles: {_n(report.get('quotes', 0), 'quote')}, "
                     f"{_n(report.get('events', 0), 'event')}, {_n(report.get('entities', 0), 'name')} of "
                     f"people, organisations and places")
        c = s.corpus
        lines.append(f"  across the ledger: {_n(c.stories, 'story', 'stories')} touched "
                     f"({_n(c.republished, 'article')} a later copy of another), "
                     f"{_n(c.entities_created, 'new entity', 'new entities')}, "
                     f"{_n(c.entities_linked, 'name')} linked to known ones, "
                     f"{_n(c.quotes_repeated, 'quote')} already reported elsewhere")
    warn = []
    if report.get("undated"):
        warn.append(f"{_n(report['undated'], 'article')} with no date: their quotes and events are dated "
                    "only where the text says when (give `published` in JSONL input)")
    if report.get("untitled"):
        warn.append(f"{_n(report['untitled'], 'article')} with no title")
    if report.get("languages"):
        lines.append("  languages: " + ", ".join(f"{lang} {n:,}" for lang, n in report["languages"].items()))
    if report.get("unsupported"):
        gated = sum(report["languages"].get(x, 0) for x in report["unsupported"])
        warn.append(f"{_n(gated, 'article')} in a language newsledger does not read "
                    f"({', '.join(report['unsupported'])}): stored, text and metadata, with an "
                    "unsupported_language flag; nothing extracted")
    for w in warn:
        lines.append(f"  ⚠ {w}")
    if s.failed:
        lines.append(f"  {_n(s.failed, 'document')} failed, by reason:")
    for reason, n in s.failures.most_common(10):
        lines.append(f"    {n:>6,} × {reason}")
    if len(s.failures) > 10:
        lines.append(f"    … and {len(s.failures) - 10} other reasons (see the failures table)")
    return "\n".join(lines)


def run_ingest(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from newsledger import nlp as nlp_mod
    from newsledger import pipeline
    from newsledger.engines import get_engine
    from newsledger.ingest.files import DEFAULT_MAX_BYTES
    from newsledger.ingest.sources import count_documents, iter_sources_tagged, missing_paths
    from newsledger.ingest.web import Fetcher
    from newsledger.ledger import store
    from newsledger.ledger.actors import ActorDictionaryError, load_actors

    if not args.sources and not args.from_parquet:
        err.write("newsledger ingest: give at least one SOURCE, or --from-parquet DIR\n")
        return EXIT_USAGE
    missing = missing_paths(args.sources)
    if missing:
        err.write("newsledger ingest: no such file or folder: " + ", ".join(missing) + "\n")
        return EXIT_USAGE
    try:
        actors = load_actors(args.actors) if args.actors else None
        conn = store.connect(args.db)
    except store.StorageError as exc:  # found before any document is read or analysed
        err.write(f"newsledger ingest: {args.db}: {exc}\n")
        return EXIT_USAGE
    except (store.LedgerError, ActorDictionaryError, OSError) as exc:
        err.write(f"newsledger ingest: {exc}\n")
        return EXIT_USAGE
    t0 = time.monotonic()
    total = None if (args.from_parquet or args.quiet or not err.isatty()) else count_documents(args.sources)
    progress = _Progress(err, not args.quiet, total)
    try:
        if args.from_parquet or args.engine == "ray":
            from newsledger.engines.ray_engine import (
                RayMissing,
                RayRunFailed,
                analyze_to_parquet,
                read_outcomes,
            )

            folder = args.from_parquet
            if folder is None:
                folder = args.parquet_out or f"{args.db}.parquet-{int(time.time())}"
                try:
                    run = analyze_to_parquet(args.sources, folder, address=args.address,
                                             num_actors=max(args.workers, 1), model=args.model)
                except (RayMissing, RayRunFailed, ValueError) as exc:
                    progress.close()
                    err.write(f"newsledger ingest: {exc}\n")
                    return EXIT_USAGE if not isinstance(exc, RayRunFailed) else EXIT_SOME_FAILED
                err.write(f"analysed on Ray: {run.documents:,} documents ({run.failed:,} failed) in "
                          f"{run.seconds:,.1f} s, Parquet in {folder}\n")
            summary = pipeline.ingest_outcomes(conn, read_outcomes(folder), on_batch=progress.update,
                                               actors=actors)
        else:
            max_bytes = args.max_bytes or DEFAULT_MAX_BYTES
            seen = pipeline.SeenURLs(conn)
            with Fetcher(max_bytes=max_bytes, allow_private=args.allow_private, rate=args.rate,
                         read_timeout=args.timeout) as fetcher, \
                    get_engine("local", workers=args.workers, model=args.model) as engine:
                items = iter_sources_tagged(args.sources, max_bytes=max_bytes,
                                            allow_private=args.allow_private, fetcher=fetcher,
                                            seen=seen, no_fetch=args.no_fetch)
                summary = pipeline.ingest_items(conn, items, engine, on_batch=progress.update, actors=actors,
                                                skipped=seen)
    except nlp_mod.ModelNotFound as exc:
        progress.close()
        err.write(f"newsledger: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        progress.close()
        err.write("\ninterrupted: every finished batch is stored; run the same command again to resume\n")
        return 130
    except store.StorageError as exc:  # the disk filled, the file turned read-only, a lock held too long
        progress.close()
        conn.close()
        err.write(f"newsledger ingest: {args.db}: {exc}\n")
        return EXIT_USAGE
    finally:
        progress.close()
    from newsledger.ledger.queries import ingest_report

    report = ingest_report(conn, summary.new_ids)
    conn.close()
    seconds = time.monotonic() - t0
    if args.json:
        out.write(json.dumps({"read": summary.read, "new": summary.new, "duplicates": summary.duplicates,
                              "known": summary.known, "failed": summary.failed,
                              "failures": dict(summary.failures), "seconds": round(seconds, 2),
                              "corpus": asdict(summary.corpus), "new_articles": report},
                             ensure_ascii=False) + "\n")
    else:
        err.write(_ingest_summary_text(summary, seconds, args.db, report) + "\n")
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def run_export(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from newsledger.ledger import store
    from newsledger.ledger.export import export_parquet

    try:
        conn = store.connect_readonly(args.db)
    except store.LedgerError as exc:
        err.write(f"newsledger export: {exc}\n")
        return EXIT_USAGE
    try:
        written = export_parquet(conn, args.parquet, args.tables)
    except ValueError as exc:
        err.write(f"newsledger export: {exc}\n")
        return EXIT_USAGE
    except OSError as exc:
        err.write(f"newsledger export: cannot write {args.parquet}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    for table, n in written.items():
        out.write(f"{args.parquet}/{table}.parquet  {n:,} rows\n")
    return EXIT_OK



def _reader(args: argparse.Namespace, err: IO[str]) -> Any:
    from newsledger.ledger import store

    try:
        return store.connect_readonly(args.db)
    except store.LedgerError as exc:
        err.write(f"newsledger {args.command}: {exc}\n")
        return None


def _resolve(conn: Any, command: str, name: str, err: IO[str], role: str = "") -> dict[str, Any] | None:
    """The entity a typed name or id stands for (the likeliest: queries.find_entities), saying on
    stderr which one was taken and what else matched, or that nothing did, with near names."""
    from newsledger.ledger import queries

    found = queries.find_entities(conn, name, limit=6)
    if not found:
        near = queries.suggest_entities(conn, name)
        hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else \
            f" (list them with: newsledger entities --search {name.split()[-1]!r})"
        err.write(f"newsledger {command}: no entity named {name!r}{hint}\n")
        return None
    chosen = found[0]
    if len(found) > 1 and not name.isdigit():
        def said(e: dict[str, Any]) -> str:
            c = e["counts"]
            return f"{e['name']} (id {e['id']}, {e['type']}, {c['quotes']} quotes, {c['events']} events)"
        others = "; ".join(said(e) for e in found[1:6])
        err.write(f"{role or command} {name!r}: taking {said(chosen)}; also matching: {others} "
                  "(give an id to choose)\n")
    return chosen


def _who(ref: dict[str, Any] | None) -> str | None:
    return ref.get("name") if ref else None


def run_quotes(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from newsledger.ledger import queries
    from newsledger.tables import QUOTE_CSV, Column, emit, get, per_source

    if (conn := _reader(args, err)) is None:
        return EXIT_USAGE
    speaker = args.speaker
    if speaker and queries.has_entities(conn):
        chosen = _resolve(conn, "quotes", speaker, err, "--speaker")
        speaker = str(chosen["id"]) if chosen else speaker  # no entity: the name as written (full text)
    rows = queries.quotes(conn, speaker=speaker, search=args.search, since=args.since, until=args.until,
                          limit=args.limit, offset=args.offset, oldest=args.oldest, lang=args.lang,
                          reported=args.reported)
    emit(rows, [Column("first seen", get("first_seen")), Column("speaker", lambda r: _who(r.get("speaker"))),
                Column("kind", get("kind")), Column("quote", get("text"), width=80),
                Column("sources", lambda r: len(r.get("sources") or []))],
         args.fmt, out, title="quotes", csv_columns=QUOTE_CSV, csv_rows=per_source)
    return EXIT_OK


def run_events(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from newsledger.ledger import queries
    from newsledger.tables import EVENT_CSV, Column, emit, get

    if (conn := _reader(args, err)) is None:
        return EXIT_USAGE
    names = {"actor": args.actor, "target": args.target}
    if queries.has_entities(conn):
        for role, name in names.items():
            if name:
                chosen = _resolve(conn, "events", name, err, f"--{role}")
                if chosen is None:
                    return EXIT_SOME_FAILED
                names[role] = str(chosen["id"])
    rows = queries.events(conn, actor=names["actor"], target=names["target"], category=args.category,
                          since=args.since, until=args.until, limit=args.limit, offset=args.offset,
                          oldest=args.oldest, lang=args.lang)
    emit(rows, [Column("date", get("date")), Column("category", get("category")), Column("mode", get("mode")),
                Column("modality", get("modality")), Column("actor", lambda r: _who(r.get("actor"))),
                Column("target", lambda r: _who(r.get("target"))), Column("trigger", get("trigger", "text")),
                Column("article", get("article", "title"), width=50)],
         args.fmt, out, title="events", csv_columns=EVENT_CSV)
    return EXIT_OK


def run_entities(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from newsledger.ledger import queries
    from newsledger.tables import Column, emit, get

    if (conn := _reader(args, err)) is None:
        return EXIT_USAGE
    rows = queries.entities(conn, type=args.type, search=args.search, limit=args.limit, offset=args.offset)
    emit(rows, [Column("id", get("id")), Column("name", get("name")), Column("type", get("type")),
                Column("roles", get("roles"), width=30), Column("affiliation", get("affiliation")),
                Column("articles", get("counts", "articles")), Column("quotes", get("counts", "quotes")),
                Column("events", get("counts", "events"))],
         args.fmt, out, title="entities")
    return EXIT_OK


def run_timeline(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from newsledger.ledger import queries
    from newsledger.tables import TIMELINE_CSV, Column, emit, get

    if (conn := _reader(args, err)) is None:
        return EXIT_USAGE
    chosen = _resolve(conn, "timeline", args.entity, err)
    if chosen is None:
        return EXIT_SOME_FAILED
    wanted = {"said": "speaker", "did": "actor", "target": "target"}
    roles = tuple(wanted[r] for r in args.role) if args.role else queries.ROLES
    rows = queries.timeline(conn, chosen["id"], since=args.since, until=args.until, limit=args.limit,
                            roles=roles)
    label = {"speaker": "said", "actor": "did", "target": "was target"}
    emit(rows, [Column("date", get("date")), Column("role", lambda r: label.get(str(r.get("role")), "")),
                Column("what", lambda r: (f"{r['category']} ({r['modality']})" if r.get("category") and
                                      r.get("modality") not in (None, "asserted") else
                                      r.get("category") or r.get("kind"))),
                Column("words", lambda r: r.get("text") or get("trigger", "text")(r), width=80),
                Column("article", get("article", "title"), width=40)],
         args.fmt, out, title=f"{chosen['name']}: what they said and did", csv_columns=TIMELINE_CSV)
    return EXIT_OK


def run_show(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from newsledger.ledger import queries
    from newsledger.tables import show_article

    if (conn := _reader(args, err)) is None:
        return EXIT_USAGE
    art = queries.find_article(conn, args.article)
    if art is None:
        err.write(f"newsledger show: no article {args.article!r} in {args.db}\n")
        return EXIT_SOME_FAILED
    if args.fmt == "json":
        out.write(json.dumps(art, ensure_ascii=False, indent=2) + "\n")
    elif args.fmt == "csv":
        err.write("newsledger show: --csv is for lists; use --json for one article\n")
        return EXIT_USAGE
    else:
        show_article(art, out)
    return EXIT_OK


def run_stats(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from newsledger.ledger import queries
    from newsledger.tables import Column, emit

    if (conn := _reader(args, err)) is None:
        return EXIT_USAGE
    stats = queries.stats(conn)
    if args.fmt == "json":
        out.write(json.dumps(stats, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    emit([{"what": k, "count": v} for k, v in stats.items() if not isinstance(v, dict)],
         [Column("what", lambda r: r["what"]), Column("count", lambda r: r["count"])],
         args.fmt, out, title=args.db)
    return EXIT_OK


def run_serve(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from newsledger.ledger import store
    from newsledger.web.app import serve

    try:
        serve(args.db, host=args.host, port=args.port, allow_analyze=args.allow_analyze,
              max_analyze_bytes=args.max_analyze_bytes, analyze_timeout=args.analyze_timeout)
    except store.LedgerError as exc:
        err.write(f"newsledger serve: {exc}\n")
        return EXIT_USAGE
    return EXIT_OK


COMMANDS = {"ingest": run_ingest, "export": run_export, "quotes": run_quotes, "events": run_events,
            "entities": run_entities, "timeline": run_timeline, "show": run_show, "stats": run_stats,
            "serve": run_serve}
