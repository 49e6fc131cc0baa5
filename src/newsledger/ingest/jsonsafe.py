"""JSON from strangers, parsed with its nesting bounded.

The stdlib parser recurses once per level: a 2 KB line of 1,000 nested brackets raises RecursionError,
which no `except ValueError` catches and which aborts a whole run. A document is never deeper than a
few levels, so anything past MAX_DEPTH is refused as invalid before it is parsed. The check reads only
the brackets outside strings (strings are skipped by one regex), so it costs far less than the parse.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64
# a JSON string (escapes included), or one bracket: strings are matched whole so their brackets never count
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


class TooDeep(ValueError):
    """The JSON is nested deeper than MAX_DEPTH."""


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text` (which need not be valid JSON)."""
    level = deepest = 0
    for m in _TOKENS.finditer(text):
        c = m.group()
        if c in "[{":
            level += 1
            deepest = max(deepest, level)
        elif c in "]}":
            level -= 1
    return deepest


def loads(data: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads, but a document nested deeper than `max_depth` is a TooDeep (a ValueError), never a
    RecursionError. Invalid JSON raises json.JSONDecodeError (a ValueError) as usual."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    if depth(text) > max_depth:
        raise TooDeep(f"nested deeper than {max_depth} levels")
    return json.loads(text)
