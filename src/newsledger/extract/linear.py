"""The linear models the extractors ship: named sparse features, plain weights in a JSON file.

Both learned decisions (which proposed events are events, extract/events/classifier.py; where reported
content ends, extract/quotes/boundary.py) are logistic regressions fitted by `make models`. They ship
as JSON read with the standard library and numpy: the package needs no machine-learning library at
run time, and a model file cannot execute code (unlike a pickle).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

import numpy as np

M = TypeVar("M")


class ModelError(RuntimeError):
    """A shipped model file is missing or unreadable: a broken install, said clearly at start-up."""


@dataclass(frozen=True, slots=True)
class Linear:
    """Weights over named sparse features, one column per class."""

    index: dict[str, int]  # feature -> row of weights
    weights: np.ndarray  # (features, columns)
    bias: np.ndarray  # (columns,)

    def scores(self, features: tuple[str, ...]) -> np.ndarray:
        rows = [self.index[f] for f in features if f in self.index]
        return self.bias + (self.weights[rows].sum(axis=0) if rows else 0.0)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Linear:
        """From a model file's `weights` ({feature: [one weight per column]}) and `bias` (one per column)."""
        bias = np.array(data["bias"], dtype=np.float64).reshape(-1)
        names = list(data["weights"])
        weights = np.array([data["weights"][n] for n in names], dtype=np.float64)
        weights = weights.reshape(len(names), len(bias))
        return cls({n: i for i, n in enumerate(names)}, weights, bias)


def read_model(package: str, filename: str, what: str, from_dict: Callable[[dict[str, Any]], M]) -> M:
    """A model file shipped in `package`, through its reader `from_dict`; a missing or unreadable file is
    a ModelError that says what to do (a broken install, or `make models` not run)."""
    try:
        text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
        return from_dict(json.loads(text))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        where = package.replace(".", "/")
        raise ModelError(f"the {what} ({filename} in {where}) cannot be read: {exc}; reinstall newsledger, "
                         "or rebuild it with `make models`") from exc
