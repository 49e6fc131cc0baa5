"""Shared by the quality gates: run ../shared/eval/evaluate.py on a dev set through the real CLI, and
compare the figures with floors pinned a little below what was measured."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SHARED

EVAL = SHARED / "eval"  # the sets stay out of the repo (publishers' copyright)
EVALUATE = EVAL / "evaluate.py"


def run_evaluate(task: str, data: str, tmp_path: Path, max_failed: int = 0) -> tuple[dict[str, Any], str]:
    """The scores JSON of `evaluate.py TASK` (skipping the test when the dev set `data` is absent),
    after checking analyze ran and refused at most `max_failed` documents; also the printed report."""
    if not (EVAL / data).exists():
        pytest.skip(f"dev set {data!r} not found under {EVAL} (the eval sets live in ../shared/eval)")
    scores = tmp_path / f"{task}.json"
    cmd = f"{shlex.quote(sys.executable)} -m newsledger analyze --jsonl -"
    proc = subprocess.run([sys.executable, str(EVALUATE), task, "--cmd", cmd, "--scores", str(scores)],
                          cwd=ROOT, capture_output=True, text=True, timeout=3000, check=False)
    assert scores.exists(), f"evaluate.py wrote no scores (exit {proc.returncode}):\n{proc.stderr[-2000:]}"
    result = json.loads(scores.read_text())
    run = result["_run"]
    assert run["exit"] in (0, 1), f"analyze exited {run['exit']}:\n{proc.stderr[-2000:]}"
    assert run["docs"] - run["analysed"] <= max_failed, f"too many documents failed: {run}"
    return result, proc.stdout


def assert_floors(task: str, figures: dict[str, float], floors: dict[str, float], report: str = "") -> None:
    below = {k: (round(float(figures[k]), 4), floor) for k, floor in floors.items()
             if float(figures[k]) < floor}
    assert not below, f"{task}: figures below their floors (measured, floor): {below}\n{report}"
