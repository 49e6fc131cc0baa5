"""Quality gate for quotes: the whole `analyze` pipeline scored on the PolNeAR dev set.

Runs ../shared/eval/evaluate.py quotes (304 political news articles, 7,364 attributions, two thirds of
them indirect) and checks span precision and F1, speaker accuracy and end-to-end F1 against floors
pinned about 0.01 below what was measured, so a regression fails CI while run-to-run noise does not. Measured:

  span P/R/F1 0.807/0.668/0.731   speaker accuracy 0.934   end-to-end F1 0.672
  span recall by kind: direct 0.93, mixed 0.81, indirect 0.57
  (with the learned content ends of extract/quotes/boundary.py, sources of extract/quotes/source.py and
  keep decision of extract/quotes/keep.py; every quote kept and the rules' sources: 0.779/0.683/0.728,
  0.926, 0.666; the rules' own ends too: 0.725 / 0.926 / 0.663)
  (textacy 0.13 direct_quotations per paragraph: span F1 0.235, end-to-end 0.221; bench/quotes_vs_textacy.py)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evalgate import assert_floors, run_evaluate

FLOORS = {"span_p": 0.797, "span_f1": 0.721, "speaker_acc": 0.924, "e2e_f1": 0.663}


@pytest.mark.slow
def test_polnear_dev_floor(tmp_path: Path) -> None:
    result, report = run_evaluate("quotes", "polnear", tmp_path)
    figures = {"span_p": result["span"]["p"], "span_f1": result["span"]["f1"],
               "speaker_acc": result["speaker_acc"]["acc"], "e2e_f1": result["e2e"]["f1"]}
    assert_floors("quotes", figures, FLOORS, report)
