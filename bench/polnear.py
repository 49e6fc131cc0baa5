"""What the quote benches share: where the PolNeAR dev set and its scorer live, and our quotes in the
scorer's format."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
DEV = EVAL / "polnear" / "dev.jsonl"


def score(gold: dict, pred: dict) -> dict:
    """The dev set's own scorer (../shared/eval/score_quotes.py), beside the data."""
    sys.path.insert(0, str(EVAL))
    import score_quotes

    return score_quotes.score(gold, pred)  # type: ignore[no-any-return]


def scored(quotes: Iterable[Any]) -> list[dict]:
    """newsledger Quote records as the scorer reads them: span, speaker name and mention."""
    return [{"start": q.start, "end": q.end, "speaker": q.speaker.name if q.speaker else None,
             "speaker_start": q.speaker.start if q.speaker else None,
             "speaker_end": q.speaker.end if q.speaker else None} for q in quotes]
