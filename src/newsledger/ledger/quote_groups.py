"""Quotes across articles: reports of the same words by the same speaker share one cluster.

`quotes.cluster_id` is the quotes.id of the cluster's first-seen report (the earliest article by
ledger/chronology.py, then the lower quote id); a quote reported once is its own cluster.

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


def _speakers(conn: sqlite3.Connection, cluster: int) -> set[int]:
    """The resolved speakers of a cluster's reports."""
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT ae.entity_id FROM quotes q JOIN article_entities ae ON ae.article_id = q.article_id"
        " AND ae.local_id = q.speaker_local WHERE q.cluster_id = ? AND ae.entity_id IS NOT NULL", (cluster,))}


def _cluster_one(conn: sqlite3.Connection, qid: int) -> tuple[int, bool]:
    """Put one quote in its cluster; (cluster id, shares it with another report)."""
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
    matched: list[int] = []
    for cand in sorted(minhash.candidates(conn, "quote_bands", "quote_id", keys, exclude=qid)):
        _, cname, ctext, cluster, cspeaker, cstory = conn.execute(_ROW, (cand,)).fetchone()
        if cluster is not None and cluster not in matched \
                and _match(ws, minhash.words(ctext), speaker, cspeaker, name, cname, story == cstory):
            matched.append(cluster)
    minhash.store_bands(conn, "quote_bands", "quote_id", qid, keys)
    # Join clusters whose speakers agree with each other (an unresolved speaker agrees with anyone).
    known = {speaker} if speaker is not None else set()
    joined: list[int] = []
    for cluster in matched:
        spk = _speakers(conn, cluster)
        if len(known | spk) <= 1:
            joined.append(cluster)
            known |= spk
    if not joined:
        conn.execute("UPDATE quotes SET cluster_id = ? WHERE id = ?", (qid, qid))
        return qid, False
    firsts = [*joined, qid]
    arts = dict(conn.execute(f"SELECT id, article_id FROM quotes WHERE id IN ({','.join('?' * len(firsts))})",
                             firsts).fetchall())
    order = order_keys(conn, arts.values())
    first = min(firsts, key=lambda q: (order[arts[q]], q))
    conn.execute("UPDATE quotes SET cluster_id = ? WHERE id = ?", (first, qid))
    for cluster in joined:
        if cluster != first:
            conn.execute("UPDATE quotes SET cluster_id = ? WHERE cluster_id = ?", (first, cluster))
    return first, True


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
            conn.execute("ROLLBACK")
            raise
    final = {conn.execute("SELECT cluster_id FROM quotes WHERE id = ?", (c,)).fetchone()[0] for c in shared}
    return QuoteCounts(quotes=done, repeated=repeated, clusters=len(final))
