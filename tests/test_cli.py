"""`newsledger analyze` as a user drives it: inputs, outputs, bad documents, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsledger import cli
from newsledger.schema import validate

ARTICLE = (
    "March 3, 2026\n\nMinister pledges help\n\n"
    "Foreign Minister Anna Berg said on Tuesday that Sweden would send aid to the region. "
    "\u201cWe will not wait,\u201d she said.\n"
)


def run(args, capsys):
    code = cli.main(args)
    cap = capsys.readouterr()
    records = [json.loads(line) for line in cap.out.splitlines() if line.strip()]
    errors = [json.loads(line)["error"] for line in cap.err.splitlines() if line.startswith("{")]
    return code, records, errors


def test_text_file_gives_one_valid_record_with_text_verbatim(tmp_path, capsys):
    f = tmp_path / "berg.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    code, records, errors = run(["analyze", str(f)], capsys)
    assert code == 0 and not errors
    (rec,) = records
    validate(rec)
    assert rec["text"] == ARTICLE
    assert rec["id"] == "berg"
    assert rec["source"] == {"path": str(f), "format": "text"}


def test_bad_documents_are_error_records_and_the_run_goes_on(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    binary = tmp_path / "photo.html"
    binary.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    big = tmp_path / "huge.html"
    big.write_bytes(b"<html><body>" + b"<p>news</p>" * (50 * 1024 * 1024 // 11) + b"</body></html>")
    missing = tmp_path / "missing.txt"
    code, records, errors = run(["analyze", str(binary), str(good), str(missing), str(empty), str(big),
                                 str(good)], capsys)
    assert code == 1
    assert [r["id"] for r in records] == ["good", "good"]
    reasons = {Path(e["source"]).name: e["reason"] for e in errors}
    assert "binary" in reasons["photo.html"]
    assert "cannot read" in reasons["missing.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "too large" in reasons["huge.html"]
    for r in records:
        validate(r)


def test_jsonl_lines_keep_input_order_and_bad_lines_are_reported(tmp_path, capsys):
    lines = [
        json.dumps({"id": "a", "text": ARTICLE, "published": "2026-03-03"}),
        "{not json",
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "b", "html": "<html><body><article><p>" + ARTICLE.replace("\n", " ")
                    + "</p></article></body></html>", "url": "https://example.org/news/b"}),
        json.dumps({"id": "c", "text": "The council met on Monday. Nothing was decided."}),
    ]
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, records, errors = run(["analyze", "--jsonl", str(f)], capsys)
    assert code == 1
    assert [r["id"] for r in records] == ["a", "b", "c"]
    assert records[0]["published"] == "2026-03-03"
    assert records[1]["source"]["format"] == "html"
    assert len(errors) == 3
    assert any("invalid JSON" in e["reason"] and e["source"].endswith(":2") for e in errors)
    for r in records:
        validate(r)


def test_out_file_and_pretty(tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out.json"
    code = cli.main(["analyze", str(f), "--out", str(out), "--pretty"])
    assert code == 0
    body = out.read_text(encoding="utf-8")
    assert body.startswith("{\n  ")
    assert json.loads(body)["text"] == ARTICLE
    assert capsys.readouterr().out == ""


def test_summary_is_readable(tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    code = cli.main(["analyze", str(f), "--summary"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Anna Berg" in out and "2026-03-03" in out


def test_workers_give_the_same_records_in_input_order(tmp_path, capsys):
    """`--workers 2` runs the worker pool `ingest` uses: the same records, in input order, the same error
    records for bad lines, the same exit code."""
    lines = [json.dumps({"id": f"doc{i}", "text": ARTICLE.replace("Sweden", f"Country {i}")})
             for i in range(6)]
    lines.insert(3, "{not json")
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = run(["analyze", "--jsonl", str(f)], capsys)
    two = run(["analyze", "--jsonl", str(f), "--workers", "2"], capsys)
    assert one[0] == two[0] == 1
    assert [r["id"] for r in two[1]] == [f"doc{i}" for i in range(6)]
    assert two[1] == one[1]
    assert [e["reason"] for e in two[2]] == [e["reason"] for e in one[2]] and len(two[2]) == 1


@pytest.mark.parametrize("extra", [["--workers", "0"], ["--workers", "2", "--summary"]])
def test_bad_worker_options_are_usage_errors(tmp_path, capsys, extra):
    f = tmp_path / "a.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    assert cli.main(["analyze", str(f), *extra]) == 2
    assert "--workers" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["analyze"], ["analyze", "--no-such-flag", "x.txt"],
                                  ["analyze", "-", "-"]])
def test_usage_errors_exit_2(argv, capsys):
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse exits by itself
        code = exc.code
    assert code == 2
    assert "usage" in capsys.readouterr().err.lower() or argv == ["analyze", "-", "-"]


def test_unwritable_out_is_a_usage_error(tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    assert cli.main(["analyze", str(f), "--out", str(tmp_path / "no" / "such" / "dir.json")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_stdin_and_console_script_without_traceback(tmp_path):
    """The installed entry point reads '-' and never prints a traceback for bad input."""
    exe = Path(sys.executable).with_name("newsledger")
    proc = subprocess.run([str(exe), "analyze", "-"], input=ARTICLE.encode(), capture_output=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["text"] == ARTICLE
    proc = subprocess.run([str(exe), "analyze", "--jsonl", "-"], input=b"\x00\x01garbage\n{]\n",
                          capture_output=True, check=False)
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr
    assert proc.stderr.count(b'"error"') == 2


def test_schema_command_prints_the_schema(capsys):
    assert cli.main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "newsledger analyze record"


def test_a_missing_dependency_is_named_not_a_traceback(tmp_path):
    """A broken install (a library the code imports is absent, as lxml_html_clean was after a plain
    `pip install` with lxml 6) names the library and says how to repair, with no traceback."""
    f = tmp_path / "berg.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    code = ("import sys; sys.modules['lxml_html_clean'] = None; sys.modules['lxml.html.clean'] = None\n"
            "from newsledger.cli import main; sys.exit(main(['analyze', sys.argv[1]]))")
    proc = subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == cli.EXIT_USAGE
    assert "lxml" in proc.stderr and "pip install" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
