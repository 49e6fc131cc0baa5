"""Quality gate for quotes: the whole `analyze` pipeline scored on the PolNeAR dev set.

Runs ../shared/eval/evaluate.py quotes (304 political news articles, 7,364 attributions, two thirds of
them indirect) and checks span F1, speaker accuracy and end-to-end F1 against floors pinned about 0.01
below what was measured, so a regression fails CI while run-to-run noise does not. Measured:

  span P/R/F1 0.771/0.671/0.717   speaker accuracy 0.926   end-to-end F1 0.657
  span recall by kind: direct 0.933, mixed 0.802, indirect 0.573
  halves by sha1(id) parity: even 0.705 / 0.924 / 0.642, odd 0.730 / 0.928 / 0.672 (span F1 / speaker / e2e)
  (textacy 0.13 direct_quotations per paragraph: span F1 0.235, end-to-end 0.221; bench/quotes_vs_textacy.py)
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"  # conftest.SHARED / "eval"; the sets stay out of the repo
EVALUATE = EVAL / "evaluate.py"

FLOORS = {"span_f1": 0.707, "speaker_acc": 0.916, "e2e_f1": 0.647}


@pytest.mark.slow
def test_polnear_dev_floor(tmp_path: Path) -> None:
    if not (EVAL / "polnear" / "dev.jsonl").exists():
        pytest.skip(f"PolNeAR dev set not found under {EVAL} (the eval sets live in ../shared/eval)")
    scores = tmp_path / "quotes.json"
    cmd = f"{shlex.quote(sys.executable)} -m newsledger analyze --jsonl -"
    proc = subprocess.run([sys.executable, str(EVALUATE), "quotes", "--cmd", cmd, "--scores", str(scores)],
                          cwd=ROOT, capture_output=True, text=True, timeout=3000, check=False)
    assert scores.exists(), f"evaluate.py wrote no scores (exit {proc.returncode}):\n{proc.stderr[-2000:]}"
    data = json.loads(scores.read_text())
    assert data["_run"]["exit"] in (0, 1), f"analyze failed: {data['_run']}\n{proc.stderr[-2000:]}"
    assert data["_run"]["analysed"] == data["_run"]["docs"], data["_run"]
    figures = {"span_f1": data["span"]["f1"], "speaker_acc": data["speaker_acc"]["acc"],
               "e2e_f1": data["e2e"]["f1"]}
    below = {k: (round(v, 4), FLOORS[k]) for k, v in figures.items() if v < FLOORS[k]}
    assert not below, f"quotes: figures below their floors (measured, floor): {below}\n{proc.stdout}"
