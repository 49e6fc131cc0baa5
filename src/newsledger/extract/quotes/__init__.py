"""④ Quotes: who said what — direct, mixed and indirect speech, attributed to resolved entities.

extract.py      the document pass that puts the pieces together into Quote records
marks.py        quoted stretches, from the quotation marks alone
attribution.py  cues, sources and content from the dependency parse (syntax.py, content.py)
cues.py         the reporting cues and their frames (cues.tsv beside it): the one place for cues
speakers.py     speakers as Refs: pronouns, role nouns and names resolved to entities
"""

from newsledger.extract.quotes.extract import extract_quotes

__all__ = ["extract_quotes"]
