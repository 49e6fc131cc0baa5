"""The JSON Schema of analyze's output, shipped as a data file, and a validator over it."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

SCHEMA_FILE = "analysis.schema.json"


def schema_text() -> str:
    return files("newsledger.data").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(schema_text())  # type: ignore[no-any-return]


def validate(record: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError if `record` breaks the contract; also checks every offset
    points inside `text` (which JSON Schema cannot express)."""
    import jsonschema

    jsonschema.Draft202012Validator(schema()).validate(record)
    n = len(record["text"])
    for start, end, where in _offsets(record):
        if not (0 <= start <= end <= n):
            raise jsonschema.ValidationError(f"{where}: offsets {start}..{end} outside text of length {n}")


def _offsets(rec: dict[str, Any]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []

    def add(obj: dict[str, Any] | None, where: str) -> None:
        if obj and obj.get("start") is not None and obj.get("end") is not None:
            out.append((obj["start"], obj["end"], where))

    for x in rec["excluded"]:
        add(x, "excluded")
    for e in rec["entities"]:
        for m in e["mentions"]:
            add(m, f"entity {e['id']} mention")
    for q in rec["quotes"]:
        add(q, f"quote {q['id']}")
        add(q["speaker"], f"quote {q['id']} speaker")
        add(q["cue"], f"quote {q['id']} cue")
    for ev in rec["events"]:
        for k in ("actor", "target", "trigger", "evidence"):
            add(ev[k], f"event {ev['id']} {k}")
    for x in rec["amounts"] + rec["timexes"]:
        add(x, "amount/timex")
    for f in rec["flags"]:
        for ev in f["evidence"]:
            add(ev, f"flag {f['code']} evidence")
    return out
