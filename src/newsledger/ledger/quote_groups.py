"""Quotes across articles: reports of the same words by the same speaker share one cluster.

`quotes.cluster_id` is the quotes.id of the cluster's first-seen report (the earliest article by
ledger/chronology.py, then the lower quote id); a quote reported once is its own cluster. A new
report re-carves the clusters of every report connected to it by matches, in a canonical order, so
which reports share a cluster does not depend on the order they were ingested in.

Matching: words are folded (case, accents, curly vs straight marks, punctuation), shingled into
word 3-grams and MinHashed; LSH band buckets (quote_bands) give candidates by index lookups. A
candidate is the same quote when at least CONTAINED of the shorter quote's shingles are in the
other and the two share JACCARD of their shingles together (so a few words trimmed at either end
still match, but a stock phrase inside a long quote does not), and the speakers do not disagree:
when both are resolved to entities they must be the same entity; otherwise the quote must have at
least MIN_UNRESOLVED words ("a request for comment" is anyone's) and two unresolved speakers must
not be named differently. A quote shorter than SHINGLE words only matches the same words from the
same known speaker (one exact key in band
SHORT_BAND instead of MinHash bands, so "No comment" from thousands of speakers is no giant bucket).
Within one story (a re-post and its original), the same words from speakers that do not disagree
are the same report whatever their length: the copy reprints the original's quotes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from newsledger.ledger import minhash
from newsledger.ledger.chronology import order_keys, pending
from newsledger.ledger.names import name_key

SHINGLE = 3
NUM_PERM = 12
BANDS, ROWS = 6, 2  # P(candidate) = 1-(1-J^2)^6: 0.82 at J=0.5, 0.98 at 0.7, 0.998 at 0.8, 0.22 at 0.2
BUCKET_BYTES = 4  # 32-bit buckets: a quote costs 6 small index rows
CONTAINED = 0.8
JACCARD = 0.5
MIN_UNRESOLVED = 8  # words a quote needs to match when a speaker is not resolved to an entity
SHORT_BAND = -1  # the band of short quotes' exact keys (speaker entity + words)
MAX_GROUP = 500  # reports re-carved together at most (a quote reported by more is one cluster already)

_ROW = ("SELECT q.id, q.speaker_name, q.text, q.cluster_id, ae.entity_id,"
        " coalesce(a.story_id, a.id) FROM quotes q JOIN articles a ON a.id = q.article_id"
        " LEFT JOIN article_entities ae ON ae.article_id = q.article_id AND ae.local_id = q.speaker_local"
        " WHERE q.id = ?")


@dataclass(frozen=True, slots=True)
class QuoteCounts:
    quotes: int = 0  # quotes clustered by this run
    repeated: int = 0  # ... of them, the same words as a report already stored (a shared cluster)
    clusters: int = 0  # clusters with more than one report that this run added to or created


def _match(a: list[str], b: list[str], speaker_a: int | None, speaker_b: int | None,
           name_a: str | None, name_b: str | None, same_story: bool = False) -> bool:
    if same_story and a == b and (speaker_a is None or speaker_b is None or speaker_a == speaker_b) \
            and (speaker_a is not None or speaker_b is not None or not name_a or not name_b
                 or name_key(name_a) == name_key(name_b)):
        return True  # a re-post reprints its original's quotes
    if speaker_a is not None and speaker_b is not None:
        if speaker_a != speaker_b:
            return False
        if min(len(a), len(b)) < SHINGLE:
            return a == b
    elif min(len(a), len(b)) < MIN_UNRESOLVED:  # "a request for comment" could be anyone's words
        return False
    elif speaker_a is None and speaker_b is None and name_a and name_b \
            and name_key(name_a) != name_key(name_b):
        return False  # "The Trump campaign" and "An attorney": two unresolved, different speakers
    sa, sb = minhash.shingles(a, SHINGLE), minhash.shingles(b, SHINGLE)
    inter = len(sa & sb)
    return inter >= CONTAINED * min(len(sa), len(sb)) and inter >= JACCARD * len(sa | sb)


@dataclass(frozen=True, slots=True)
class _Report:
    id: int
    name: str | None
    words: list[str]
    speaker: int | None  # the speaker's corpus entity
    story: int
    article: int
    keys: list[tuple[int, int]]  # its band buckets


def _report(conn: sqlite3.Connection, qid: int) -> _Report:
    _, name, text, _, speaker, story = conn.execute(_ROW, (qid,)).fetchone()
    ws = minhash.words(text)
    if len(ws) >= SHINGLE:
        sig = minhash.signature(minhash.shingles(ws, SHINGLE), NUM_PERM)
        keys = minhash.band_keys(sig, BANDS, ROWS, BUCKET_BYTES)
    elif ws and speaker is not None:  # "No comment": only the same words from the same speaker
        keys = [(SHORT_BAND, minhash.bucket(f"{speaker}\x1f{' '.join(ws)}", BUCKET_BYTES))]
    elif ws:  # ... or the same words in the same story
        keys = [(SHORT_BAND, minhash.bucket(f"story {story}\x1f{' '.join(ws)}", BUCKET_BYTES))]
    else:
        keys = []
    article = conn.execute("SELECT article_id FROM quotes WHERE id = ?", (qid,)).fetchone()[0]
    return _Report(qid, name, ws, speaker, story, article, keys)


def _same(a: _Report, b: _Report) -> bool:
    return _match(a.words, b.words, a.speaker, b.speaker, a.name, b.name, a.story == b.story)


def _closure(conn: sqlite3.Connection, first: _Report) -> list[_Report]:
    """Every report connected to `first` by matches, through any chain (at most MAX_GROUP of them):
    the set a cluster is carved from. It is the same set whatever order the reports arrived in."""
    seen = {first.id: first}
    todo = [first]
    while todo and len(seen) < MAX_GROUP:
        r = todo.pop()
        for cand in sorted(minhash.candidates(conn, "quote_bands", "quote_id", r.keys, exclude=r.id)):
            if cand in seen or len(seen) >= MAX_GROUP:
                continue
            other = _report(conn, cand)
            if _same(r, other):
                seen[cand] = other
                todo.append(other)
    return list(seen.values())


def _partition(conn: sqlite3.Connection, reports: list[_Report]) -> list[list[_Report]]:
    """Reports → clusters, a function of the set alone: reports are taken in a canonical order (date
    the article speaks from, then the words, then the speaker as written) and each joins the first
    cluster that has a report it matches and whose speakers agree with it (an unresolved speaker
    agrees with anyone), else starts one. So the clusters never depend on the order of ingest."""
    order = order_keys(conn, {r.article for r in reports})
    ranked = sorted(reports, key=lambda r: (order[r.article][:2], " ".join(r.words), r.name or "", r.id))
    groups: list[tuple[list[_Report], set[int]]] = []
    for r in ranked:
        mine = {r.speaker} if r.speaker is not None else set()
        for members, speakers in groups:
            if len(speakers | mine) <= 1 and any(_same(r, m) for m in members):
                members.append(r)
                speakers |= mine
                break
        else:
            groups.append(([r], set(mine)))
    return [members for members, _ in groups]


def _cluster_one(conn: sqlite3.Connection, qid: int) -> tuple[int, bool]:
    """Put one quote in its cluster, re-carving the clusters of every report connected to it;
    (its cluster id, shares it with another report)."""
    report = _report(conn, qid)
    minhash.store_bands(conn, "quote_bands", "quote_id", qid, report.keys)
    group = _closure(conn, report)
    mine = qid
    together = False
    order = order_keys(conn, {r.article for r in group})
    for members in _partition(conn, group):
        first = min(members, key=lambda r: (order[r.article], r.id)).id  # the first-seen report
        conn.executemany("UPDATE quotes SET cluster_id = ? WHERE id = ? AND cluster_id IS NOT ?",
                         [(first, r.id, first) for r in members])
        if any(r.id == qid for r in members):
            mine, together = first, len(members) > 1
    return mine, together


def cluster_quotes(conn: sqlite3.Connection, new_ids: Sequence[int], chunk: int = 200) -> QuoteCounts:
    """Cluster the quotes of the given articles (and any an interrupted run left: cluster_id NULL),
    `chunk` articles per transaction. Run after entity resolution: it compares speakers as entities."""
    uniq = pending(conn, "quotes", "article_id", "cluster_id", new_ids)
    done = repeated = 0
    shared: set[int] = set()
    for i in range(0, len(uniq), chunk):
        part = uniq[i:i + chunk]
        marks = ",".join("?" * len(part))
        conn.execute("BEGIN IMMEDIATE")
        try:
            todo = conn.execute(f"SELECT id, article_id FROM quotes WHERE article_id IN ({marks})"
                                " AND cluster_id IS NULL", part).fetchall()
            order = order_keys(conn, {a for _, a in todo})
            for qid, _ in sorted(todo, key=lambda r: (order[r[1]], r[0])):
                cluster, together = _cluster_one(conn, qid)
                done += 1
                if together:
                    repeated += 1
                    shared.add(cluster)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                conn.execute("ROLLBACK")
            raise
    final = {conn.execute("SELECT cluster_id FROM quotes WHERE id = ?", (c,)).fetchone()[0] for c in shared}
    return QuoteCounts(quotes=done, repeated=repeated, clusters=len(final))
