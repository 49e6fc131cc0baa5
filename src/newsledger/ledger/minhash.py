"""MinHash signatures and LSH band buckets kept in SQLite, shared by story and quote grouping.

datasketch computes the signatures (scheme pinned to affine32, so stored values stay comparable
across datasketch versions and runs); the LSH index is a plain table (band, bucket, id) with a
primary-key index, so finding candidates for a new text is one index query per band, never an
in-memory LSH of the whole corpus.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
from datasketch import MinHash

SCHEME = "affine32"  # 32-bit hash values: a signature is num_perm × 4 bytes
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_APOS = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def words(text: str) -> list[str]:
    """Lower-cased words of `text` with accents, punctuation and quote-mark styles folded away."""
    folded = text.casefold().translate(_APOS)
    if not folded.isascii():  # strip accents (the slow part) only where there are any
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return _WORD.findall(folded)


def shingles(ws: Sequence[str], k: int) -> set[str]:
    """Word k-grams; a text shorter than k words is one shingle (so it still matches itself)."""
    if len(ws) < k:
        return {" ".join(ws)} if ws else set()
    return {" ".join(ws[i:i + k]) for i in range(len(ws) - k + 1)}


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> np.ndarray:
    return MinHash(num_perm=num_perm, seed=1, scheme=SCHEME).permutations


def signature(shs: Iterable[str], num_perm: int) -> np.ndarray:
    """The MinHash signature (uint32 × num_perm) of a shingle set."""
    m = MinHash(num_perm=num_perm, permutations=_permutations(num_perm), scheme=SCHEME)
    m.update_batch([s.encode("utf-8", "surrogatepass") for s in shs])
    return np.asarray(m.hashvalues, dtype=np.uint32)


def to_blob(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity the two signatures estimate (the share of equal minima)."""
    return float(np.count_nonzero(a == b)) / len(a)


def bucket(data: str | bytes, size: int = 8) -> int:
    """A signed hash of `size` bytes (an SQLite INTEGER) of a band's bytes or of a text key."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return int.from_bytes(hashlib.blake2b(raw, digest_size=size).digest(), "little", signed=True)


def band_keys(sig: np.ndarray, bands: int, rows: int, size: int = 8) -> list[tuple[int, int]]:
    """(band, bucket) of each LSH band: a signed `size`-byte hash of the band's `rows` values.
    Fewer bytes make a smaller table; a rare bucket collision only adds a candidate to check."""
    raw = sig.astype("<u4").tobytes()
    width = rows * 4
    return [(b, bucket(raw[b * width:(b + 1) * width], size)) for b in range(bands)]


def candidates(conn: sqlite3.Connection, table: str, id_col: str, keys: Sequence[tuple[int, int]],
               exclude: int | None = None, limit: int = 500) -> set[int]:
    """Ids sharing at least one band bucket with `keys` (one primary-key lookup per band). At most
    `limit` per bucket, newest first: a bucket that big is one mega-group already, and the bound keeps
    each lookup cheap however large the corpus grows."""
    found: set[int] = set()
    for band, bucket in keys:
        for (i,) in conn.execute(f"SELECT {id_col} FROM {table} WHERE band = ? AND bucket = ?"
                                 f" ORDER BY {id_col} DESC LIMIT ?", (band, bucket, limit)):
            found.add(i)
    found.discard(exclude)  # type: ignore[arg-type]
    return found


def store_bands(conn: sqlite3.Connection, table: str, id_col: str, item: int,
                keys: Sequence[tuple[int, int]]) -> None:
    conn.executemany(f"INSERT OR IGNORE INTO {table}(band, bucket, {id_col}) VALUES (?,?,?)",
                     [(b, k, item) for b, k in keys])
