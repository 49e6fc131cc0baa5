"""The learned decision on each event the rules propose: is it an event at all, and of which category.

A multinomial logistic regression over the sparse features of features.py, fitted by `make models`
(training/events/train.py) on the train splits only. Its classes are NONE (not an event) and the
PLOVER categories. (Two models, event-or-not then category, were tried too: at the same audited
precision they kept fewer of the dev PLOVER events.) It ships as `model.json` beside this module:
plain weights (extract/linear.py), read once per process.

An event is kept when P(event) = 1 - P(NONE) reaches the threshold chosen on the dev sets, one per
kind of proposal: the rules' event words, and quotes (whose words are harder to read, so they need
more confidence). Its category is the most probable one, unless the rules proposed a category the
model never saw in training: then the rules' category stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from newsledger.extract.events.lexicon import CATEGORIES
from newsledger.extract.linear import Linear, ModelError, read_model

__all__ = ["Decision", "EventModel", "ModelError", "from_dict", "load"]

MODEL_FILE = "model.json"
FORMAT = 2


@dataclass(frozen=True, slots=True)
class Decision:
    category: str | None  # None: not an event
    confidence: float  # P(an event), from the model: an analyst can trade recall for precision with it


@dataclass(frozen=True, slots=True)
class EventModel:
    linear: Linear  # one column per class of `classes`
    classes: tuple[str, ...]  # "NONE" and the categories
    thresholds: dict[str, float]  # proposal kind (rule | quote) -> the P(event) it must reach
    meta: dict[str, Any]

    def probabilities(self, features: tuple[str, ...]) -> np.ndarray:
        z = self.linear.scores(features)
        p = np.exp(z - z.max())
        return p / p.sum()  # type: ignore[no-any-return]

    def event_probability(self, features: tuple[str, ...]) -> float:
        return float(1.0 - self.probabilities(features)[self.classes.index("NONE")])

    def decide(self, features: tuple[str, ...], proposed: str, threshold: float) -> Decision:
        """Keep or drop one proposal (P(event) against `threshold`), and name its category."""
        p = self.probabilities(features)
        none = self.classes.index("NONE")
        event_p = float(1.0 - p[none])
        if event_p < threshold:
            return Decision(None, event_p)
        if proposed in CATEGORIES and proposed not in self.classes:
            return Decision(proposed, event_p)  # a category the training data lacks: the rules' word stands
        p[none] = 0.0
        return Decision(self.classes[int(p.argmax())], event_p)


def from_dict(data: dict[str, Any]) -> EventModel:
    if data.get("format") != FORMAT:
        raise ModelError(f"event model format {data.get('format')!r}, this newsledger reads {FORMAT}")
    classes = tuple(data["classes"])
    linear = Linear.from_dict(data)
    if linear.weights.shape[1] != len(classes):
        raise ModelError(f"event model has {linear.weights.shape[1]} weight columns, {len(classes)} classes")
    return EventModel(linear=linear, classes=classes,
                      thresholds={k: float(v) for k, v in data["thresholds"].items()},
                      meta=dict(data.get("meta", {})))


@lru_cache(maxsize=1)
def load() -> EventModel:
    """The shipped model, read once per process."""
    return read_model("newsledger.extract.events", MODEL_FILE, "event model", from_dict)
