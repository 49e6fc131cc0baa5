"""JSON from strangers, parsed with its nesting bounded.

The stdlib parser recurses once per level: a 2 KB line of 1,000 nested brackets raises RecursionError,
which no `except ValueError` catches and which aborts a whole run. A document is never deeper than a
few levels, so anything past MAX_DEPTH is refused as invalid.

The C parser runs first: it refuses invalid JSON in linear time, and nesting past the interpreter's
recursion limit (~1,000 levels) as RecursionError, read here as TooDeep. The depth of what it parsed
is then measured on the values, one step per array or object, not per byte (a 10 MB article is one
string). Scanning the text for brackets instead costs ~80 ns a byte and is quadratic on a run of
unterminated strings such as `\\"\\"\\"...`, which would let one request body tie up a server.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64


class TooDeep(ValueError):
    """The JSON is nested deeper than MAX_DEPTH."""


def loads(data: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads, but a document nested deeper than `max_depth` is a TooDeep (a ValueError), never a
    RecursionError. Invalid JSON raises json.JSONDecodeError, bytes that are not UTF-8 a
    UnicodeDecodeError (both ValueErrors)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(f"nested deeper than {max_depth} levels") from None
    if nesting(value, max_depth) > max_depth:
        raise TooDeep(f"nested deeper than {max_depth} levels")
    return value


def nesting(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deep arrays and objects nest in a parsed JSON value (`[1]` is 1, `1` is 0), without
    recursion; the search stops as soon as it passes `limit`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            break
        stack.extend((c, level + 1) for c in children if isinstance(c, (dict, list)))
    return deepest
