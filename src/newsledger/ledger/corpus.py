"""The corpus steps run after each ingest on the articles it added: stories (near-duplicates),
entities across articles, quotes across articles — in that order, since quote clusters compare
speakers as corpus entities.

Each step only looks at the given articles and reaches older ones through indexes (LSH band
tables, entity name keys), works in transactions, and picks up only what is still unset
(story_id / entity_id / cluster_id NULL): a second run changes nothing, and a run after a crash
finishes the work the crash interrupted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, fields

from newsledger.ledger.actors import ActorDictionary
from newsledger.ledger.quote_groups import cluster_quotes
from newsledger.ledger.resolve import resolve_entities
from newsledger.ledger.stories import group_stories


@dataclass(frozen=True, slots=True)
class CorpusReport:
    """What the corpus steps did, for the ingest summary."""

    articles: int = 0  # articles grouped into stories
    stories: int = 0  # distinct stories those articles are in
    republished: int = 0  # new articles that are later copies of an earlier one
    repointed: int = 0  # stories whose original changed (an earlier copy arrived late)
    entities_resolved: int = 0  # article entities linked to a corpus entity
    entities_linked: int = 0  # ... of them, to an entity that already existed
    entities_created: int = 0
    dictionary_matches: int = 0  # article entities matched through the actor dictionary
    entities_folded: int = 0  # stored entities a new or changed actor dictionary took over
    quotes: int = 0  # quotes clustered
    quotes_repeated: int = 0  # ... of them, already reported elsewhere (sharing a cluster)
    quote_clusters: int = 0  # clusters with several reports that this run touched

    def __add__(self, other: CorpusReport) -> CorpusReport:
        """Totals over several batches (a story or cluster touched by two batches counts twice)."""
        return CorpusReport(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def summary(self) -> str:
        """One line for the ingest summary."""
        return (f"{self.stories} stories ({self.republished} republished, {self.repointed} re-pointed), "
                f"{self.entities_created} new entities, {self.entities_linked} linked"
                + (f" ({self.dictionary_matches} by the actor dictionary)" if self.dictionary_matches else "")
                + (f", {self.entities_folded} taken over by the dictionary" if self.entities_folded else "")
                + f", {self.quotes_repeated} repeated quotes in {self.quote_clusters} clusters")


def run_corpus_steps(conn: sqlite3.Connection, new_ids: Sequence[int], *,
                     actors: ActorDictionary | None = None) -> CorpusReport:
    """Group, resolve and cluster the articles `new_ids` (articles.id an ingest just stored)."""
    s = group_stories(conn, new_ids)
    e = resolve_entities(conn, new_ids, actors)
    q = cluster_quotes(conn, new_ids)
    return CorpusReport(articles=s.articles, stories=s.stories, republished=s.republished,
                        repointed=s.repointed, entities_resolved=e.resolved, entities_linked=e.linked,
                        entities_created=e.created, dictionary_matches=e.dictionary,
                        entities_folded=e.folded, quotes=q.quotes, quotes_repeated=q.repeated,
                        quote_clusters=q.clusters)
