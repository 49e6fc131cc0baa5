"""Invented news texts for the tests that need many documents (a run long enough to kill, a disk to fill):
seeded, so every run writes the same files, and different enough from each other that the corpus
steps see separate stories, as they would in a real feed (near-copies would all join one story)."""

from __future__ import annotations

import json
import random
from pathlib import Path

FIRST = ["Ana", "Tom", "Mira", "Karl", "Lena", "Ben", "Dana", "Omar", "Ines", "Paul", "Rosa", "Yuki"]
LAST = ["Lopez", "Berg", "Osei", "Meyer", "Fisk", "Alder", "Whitfield", "Haddad", "Novak", "Reyes",
        "Sato", "Quinn", "Brandt", "Okafor", "Lindqvist", "Moreau"]
ROLE = ["Mayor", "Finance Minister", "union leader", "councillor", "Health Minister", "police chief",
        "port director", "school board chair"]
TOWN = ["Tarrow", "Dunmore", "Lisbon", "Kestrel Bay", "Norwick", "Ashford", "Valdea", "Corran"]
THING = ["bridges", "schools", "rail lines", "clinics", "harbour cranes", "bus routes", "libraries",
         "water mains"]
VERB = ["repair", "close", "build", "inspect", "sell", "fund", "replace", "expand"]
DAY = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
QUOTE = ["We will start in spring", "This cannot wait another year", "The money is already there",
         "Nobody asked the residents", "We are ready to sign", "The plan is not finished"]


def text(i: int, rng: random.Random) -> str:
    who = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    other = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    town, thing = rng.choice(TOWN), rng.choice(THING)
    return (f"{town} report {i}: plan for {rng.randint(2, 90)} {thing}\n\n"
            f"{rng.choice(ROLE).capitalize()} {who} said on {rng.choice(DAY)} that {town} would "
            f"{rng.choice(VERB)} {rng.randint(2, 90)} {thing} at a cost of ${rng.randint(2, 900)} million. "
            f"\u201c{rng.choice(QUOTE)},\u201d {who.split()[1]} told reporters.\n\n"
            f"{other}, a {rng.choice(ROLE)}, criticised the plan and said the council had ignored "
            f"{rng.randint(3, 40)} petitions since {rng.randint(2001, 2024)}.\n")


def write_jsonl(path: Path, n: int, seed: int = 16) -> list[str]:
    """`n` documents, one JSON line each ({"id": "doc<i>", "text"}); returns their ids."""
    rng = random.Random(seed)
    ids = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            ids.append(f"doc{i}")
            fh.write(json.dumps({"id": f"doc{i}", "text": text(i, rng)}) + "\n")
    return ids
