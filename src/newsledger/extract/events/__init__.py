"""④ PLOVER events: who did what to whom, how much, and when.

extract.py    one pass per sentence: triggers → nesting → arguments → modality → Event records
triggers.py   which words are event triggers in their frame (plover.tsv)
grammar.py    the parse around a trigger: subjects, agents, targets, modality
arguments.py  actor and target mentions resolved to the article's entities (capitals.tsv)
lexicon.py    the data files, read and checked once (plover.tsv, frames.tsv; PLOVER.md documents them)
"""

from newsledger.extract.events.extract import extract_events

__all__ = ["extract_events"]
