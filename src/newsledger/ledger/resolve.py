"""Entities across articles: link each article entity (article_entities) to a corpus-wide entity.

analyze already merged the mentions within one article, so each article entity usually carries
the fullest name that article used. Across articles:
- an actor-dictionary name or alias maps to that actor (origin 'dictionary', its canonical name);
- a country name, official name or alias ("the Russian Federation", "U.S.") is one GPE entity per
  country, with its ISO alpha-3 code; capitals and demonyms keep their own entity but get `country`;
- a person matches on given name + surname ("Russian President Vladimir Putin" = "Vladimir Putin");
  a different given name, middle initial or suffix is a different person ("Mary Smith" ≠ "John
  Smith", "George W. Bush" ≠ "George H.W. Bush", "Donald Trump Jr." ≠ "Donald Trump"); an initial
  fits its name. A bare surname joins a person only when one candidate fits, or the article's context (roles,
  affiliation, co-occurring entities) singles one out; otherwise it stays apart;
- anything else matches on its folded name within its type.
Lookups go through entity_keys (an index), so the cost is per new article entity. Each link also
puts the entity's quotes and events from that article on its timeline (entity_timeline).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from newsledger.ledger.actors import Actor, ActorDictionary
from newsledger.ledger.chronology import article_date, pending
from newsledger.ledger.names import PersonName, name_key, person_name, same_person
from newsledger.ledger.places import place

COOCCUR_SAMPLE = 200  # a candidate's most recent articles checked for co-occurring entities


@dataclass(frozen=True, slots=True)
class EntityCounts:
    articles: int = 0  # articles whose entities this run resolved
    resolved: int = 0  # article entities given an entity_id
    linked: int = 0  # ... of them, to an entity that already existed
    created: int = 0  # new corpus entities
    dictionary: int = 0  # article entities matched through the actor dictionary
    folded: int = 0  # entities already stored that a new actor dictionary took over


@dataclass(frozen=True, slots=True)
class _Seen:
    """One article entity to resolve."""

    local_id: str
    name: str
    type: str
    roles: tuple[str, ...]
    affiliation: str | None


def _ids(conn: sqlite3.Connection, key: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT entity_id FROM entity_keys WHERE key = ? ORDER BY entity_id",
                                       (key,))]


def _add_keys(conn: sqlite3.Connection, eid: int, keys: Sequence[str]) -> None:
    conn.executemany("INSERT OR IGNORE INTO entity_keys(key, entity_id) VALUES (?,?)",
                     [(k, eid) for k in keys if k])


def _person_keys(p: PersonName, surname: bool = True) -> list[str]:
    return [f"PERSON:full:{p.full}"] + ([f"PERSON:sur:{p.surname}"] if surname else [])


def _create(conn: sqlite3.Connection, name: str, type_: str, *, roles: Sequence[str] = (),
            affiliation: str | None = None, country: str | None = None, wikidata: str | None = None,
            aliases: Sequence[str] = (), origin: str = "auto") -> int:
    cur = conn.execute(
        "INSERT INTO entities(name, type, roles, affiliation, country, wikidata, aliases, origin)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (name, type_, json.dumps(sorted(set(roles)), ensure_ascii=False), affiliation, country, wikidata,
         json.dumps(list(dict.fromkeys(aliases)), ensure_ascii=False), origin))
    return int(cur.lastrowid or 0)


def _absorb(conn: sqlite3.Connection, eid: int, seen: _Seen, person: PersonName | None) -> None:
    """Add what this article says about the entity: the name as written, roles, affiliation; a
    fuller person name becomes the canonical name of an auto entity ("Putin" → "Vladimir Putin")."""
    name, roles, aff, aliases, origin, country = conn.execute(
        "SELECT name, roles, affiliation, aliases, origin, country FROM entities WHERE id = ?",
        (eid,)).fetchone()
    al, rl = json.loads(aliases), json.loads(roles)
    new_al = [*al, seen.name] if seen.name not in al else al
    new_rl = sorted(set(rl) | set(seen.roles))
    new_name = name
    if person and origin == "auto":
        old = person_name(name)
        if old is None or (len(person.written.split()) > len(old.written.split()) and person.given):
            new_name = person.written
            _add_keys(conn, eid, _person_keys(person))
    new_aff = aff or seen.affiliation
    new_country = country
    if person and not country and seen.affiliation and (pl := place(seen.affiliation)):
        new_country = pl.alpha3
    if (new_al, new_rl, new_name, new_aff, new_country) != (al, rl, name, aff, country):
        conn.execute("UPDATE entities SET name = ?, roles = ?, affiliation = ?, aliases = ?, country = ?"
                     " WHERE id = ?", (new_name, json.dumps(new_rl, ensure_ascii=False), new_aff,
                                       json.dumps(new_al, ensure_ascii=False), new_country, eid))


def _dictionary_entity(conn: sqlite3.Connection, actor: Actor, type_: str) -> tuple[int, bool]:
    """The entity of a dictionary actor, created (with all its name keys) on first use."""
    found = _ids(conn, f"dict:{actor.key}")
    if found:
        return found[0], False
    typ = actor.type or type_
    eid = _create(conn, actor.name, typ, country=actor.country, wikidata=actor.wikidata,
                  aliases=[actor.name, *actor.aliases], origin="dictionary")
    keys = [f"dict:{actor.key}"]
    for n in (actor.name, *actor.aliases):
        p = person_name(n) if typ == "PERSON" else None
        keys += _person_keys(p, surname=n == actor.name or p.given is not None) if p else \
            [f"{typ}:full:{name_key(n)}"]
    _add_keys(conn, eid, keys)
    return eid, True


def _context_score(conn: sqlite3.Connection, eid: int, seen: _Seen, context: set[int]) -> int:
    """How well a candidate fits this article: shared roles, same affiliation, entities it has been
    named with before (in its most recent COOCCUR_SAMPLE articles)."""
    roles, aff = conn.execute("SELECT roles, affiliation FROM entities WHERE id = ?", (eid,)).fetchone()
    score = len(set(json.loads(roles)) & set(seen.roles))
    if aff and seen.affiliation and name_key(aff) == name_key(seen.affiliation):
        score += 2
    ctx = sorted(context - {eid})
    if ctx:
        marks = ",".join("?" * len(ctx))
        score += conn.execute(
            "SELECT count(DISTINCT b.entity_id) FROM (SELECT article_id FROM article_entities"
            " WHERE entity_id = ? ORDER BY article_id DESC LIMIT ?) a JOIN article_entities b"
            f" ON b.article_id = a.article_id WHERE b.entity_id IN ({marks})",
            (eid, COOCCUR_SAMPLE, *ctx)).fetchone()[0]
    return score


def _best(conn: sqlite3.Connection, cands: list[int], seen: _Seen, context: set[int]) -> int | None:
    """The one candidate that fits: the only one, or the single best-scoring one in context."""
    if len(cands) == 1:
        return cands[0]
    scored = sorted(((_context_score(conn, c, seen, context), c) for c in cands), reverse=True)
    if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    return None


def _person(conn: sqlite3.Connection, seen: _Seen, p: PersonName, context: set[int]) -> tuple[int, bool]:
    """(entity, created) for a person; registers the name keys a later article will find it by."""
    if p.given:
        exact = _ids(conn, f"PERSON:full:{p.full}")
        if exact:
            return _best(conn, exact, seen, context) or exact[0], False
    fits = []
    for c in _ids(conn, f"PERSON:sur:{p.surname}"):
        other = person_name(conn.execute("SELECT name FROM entities WHERE id = ?", (c,)).fetchone()[0])
        if other and same_person(other, p):
            fits.append(c)
    chosen = _best(conn, fits, seen, context) if fits else None
    if chosen is not None:
        if p.given:  # "V. Putin" found by its own key next time
            _add_keys(conn, chosen, [f"PERSON:full:{p.full}"])
        return chosen, False
    if not p.given and fits:  # an ambiguous bare surname: apart, found only by the same bare name
        same = _ids(conn, f"PERSON:full:{p.full}")
        if same:
            return same[0], False
        eid = _create(conn, p.written, "PERSON")
        _add_keys(conn, eid, _person_keys(p, surname=False))
        return eid, True
    # A new person; a first bare "Putin" too: a surname-only entity that a full name may join later.
    eid = _create(conn, p.written, "PERSON")
    _add_keys(conn, eid, _person_keys(p))
    return eid, True


def _resolve_one(conn: sqlite3.Connection, seen: _Seen, context: set[int],
                 actors: ActorDictionary | None) -> tuple[int, bool, bool]:
    """(entity id, created, via the dictionary) for one article entity."""
    if actors and (actor := actors.lookup(seen.name, seen.type)):
        eid, created = _dictionary_entity(conn, actor, seen.type)
        _absorb(conn, eid, seen, None)
        return eid, created, True
    p = person_name(seen.name) if seen.type == "PERSON" else None
    if p is not None:
        eid, created = _person(conn, seen, p, context)
        _absorb(conn, eid, seen, p)
        return eid, created, False
    pl = place(seen.name) if seen.type in ("GPE", "LOC", "NORP") else None
    if pl and pl.kind == "country" and seen.type != "NORP":
        key = f"GPE:iso:{pl.alpha3}" if pl.alpha3 else f"GPE:country:{name_key(pl.country)}"
        typ, name, country = "GPE", pl.country, pl.alpha3
    else:
        key, typ, name = f"{seen.type}:full:{name_key(seen.name)}", seen.type, seen.name
        country = pl.alpha3 if pl else None
    found = _ids(conn, key)
    created = not found
    eid = found[0] if found else _create(conn, name, typ, country=country)
    _add_keys(conn, eid, [key])
    _absorb(conn, eid, seen, None)
    return eid, created, False


def _order(seen: _Seen) -> int:
    """Resolve places and organisations first, then full person names, then bare surnames, so a
    bare surname is judged with the rest of the article already known."""
    if seen.type != "PERSON":
        return 0
    p = person_name(seen.name)
    return 1 if p and p.given else 2


def _timeline(conn: sqlite3.Connection, aid: int, local_id: str, eid: int, day: str | None) -> None:
    """The quotes the article entity said and the events it acts in, on its entity's timeline."""
    conn.execute("INSERT INTO entity_timeline(entity_id, date, kind, item_id, role) SELECT ?,"
                 " coalesce(date, ?), 'quote', id, 'speaker' FROM quotes WHERE article_id = ?"
                 " AND speaker_local = ?", (eid, day, aid, local_id))
    for role in ("actor", "target"):
        conn.execute("INSERT INTO entity_timeline(entity_id, date, kind, item_id, role) SELECT ?,"
                     f" coalesce(date, ?), 'event', id, '{role}' FROM events WHERE article_id = ?"
                     f" AND {role}_local = ?", (eid, day, aid, local_id))


def _resolve_article(conn: sqlite3.Connection, aid: int, actors: ActorDictionary | None) -> tuple[int, ...]:
    pub, ref, stale = conn.execute(
        "SELECT published, reference_date, EXISTS (SELECT 1 FROM flags WHERE article_id = articles.id"
        " AND code = 'stale_date') FROM articles WHERE id = ?", (aid,)).fetchone()
    day = article_date(pub, ref, bool(stale))
    rows = conn.execute("SELECT local_id, name, type, roles, affiliation, entity_id FROM article_entities"
                        " WHERE article_id = ?", (aid,)).fetchall()
    context = {r[5] for r in rows if r[5] is not None}
    todo = sorted((_Seen(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4]) for r in rows if r[5] is None),
                  key=_order)
    resolved = linked = created = via_dict = 0
    for seen in todo:
        eid, new, dic = _resolve_one(conn, seen, context, actors)
        conn.execute("UPDATE article_entities SET entity_id = ? WHERE article_id = ? AND local_id = ?",
                     (eid, aid, seen.local_id))
        _timeline(conn, aid, seen.local_id, eid, day)
        context.add(eid)
        resolved += 1
        created += new
        linked += not new
        via_dict += dic
    return resolved, linked, created, via_dict


TYPES = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW")


def _fold(conn: sqlite3.Connection, src: int, dst: int) -> None:
    """Merge entity `src` into `dst`: its article links, timeline, keys, names and roles."""
    for table in ("article_entities", "entity_timeline"):
        conn.execute(f"UPDATE {table} SET entity_id = ? WHERE entity_id = ?", (dst, src))
    conn.execute("INSERT OR IGNORE INTO entity_keys(key, entity_id) SELECT key, ? FROM entity_keys"
                 " WHERE entity_id = ?", (dst, src))
    conn.execute("DELETE FROM entity_keys WHERE entity_id = ?", (src,))
    get = "SELECT aliases, roles, affiliation, country FROM entities WHERE id = ?"
    al, rl, aff, country = conn.execute(get, (src,)).fetchone()
    dal, drl, daff, dcountry = conn.execute(get, (dst,)).fetchone()
    aliases = list(dict.fromkeys([*json.loads(dal), *json.loads(al)]))
    roles = sorted(set(json.loads(drl)) | set(json.loads(rl)))
    conn.execute("UPDATE entities SET aliases = ?, roles = ?, affiliation = ?, country = ? WHERE id = ?",
                 (json.dumps(aliases, ensure_ascii=False), json.dumps(roles, ensure_ascii=False),
                  daff or aff, dcountry or country, dst))
    conn.execute("DELETE FROM entities WHERE id = ?", (src,))


def apply_dictionary(conn: sqlite3.Connection, actors: ActorDictionary) -> int:
    """Fold the auto entities named like a dictionary actor into that actor's entity, once per
    dictionary version (its fingerprint is kept in corpus_state): a dictionary given to a ledger
    that already holds those names overrides them too. Returns the entities folded."""
    seen = conn.execute("SELECT value FROM corpus_state WHERE name = 'actors'").fetchone()
    if seen and seen[0] == actors.fingerprint:
        return 0
    folded = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for actor in actors.actors:
            for n in (actor.name, *actor.aliases):
                p = person_name(n) if actor.type in (None, "PERSON") else None
                keys = [f"{t}:full:{name_key(n)}" for t in ((actor.type,) if actor.type else TYPES)]
                keys += [f"PERSON:full:{p.full}"] if p else []
                for eid in {e for k in keys for e in _ids(conn, k)}:
                    origin, typ = conn.execute("SELECT origin, type FROM entities WHERE id = ?",
                                               (eid,)).fetchone()
                    if origin == "auto" and actors.lookup(n, typ) is actor:
                        _fold(conn, eid, _dictionary_entity(conn, actor, typ)[0])
                        folded += 1
        conn.execute("INSERT INTO corpus_state(name, value) VALUES ('actors', ?) ON CONFLICT(name)"
                     " DO UPDATE SET value = excluded.value", (actors.fingerprint,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
            conn.execute("ROLLBACK")
        raise
    return folded


def resolve_entities(conn: sqlite3.Connection, new_ids: Sequence[int], actors: ActorDictionary | None = None,
                     chunk: int = 200) -> EntityCounts:
    """Link the given articles' entities (and any an interrupted run left: entity_id NULL) to corpus
    entities, `chunk` articles per transaction."""
    folded = apply_dictionary(conn, actors) if actors else 0
    todo = pending(conn, "article_entities", "article_id", "entity_id", new_ids)
    totals = [0, 0, 0, 0]
    for i in range(0, len(todo), chunk):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for aid in todo[i:i + chunk]:
                for j, n in enumerate(_resolve_article(conn, aid, actors)):
                    totals[j] += n
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                conn.execute("ROLLBACK")
            raise
    resolved, linked, created, via_dict = totals
    return EntityCounts(len(todo), resolved, linked, created, via_dict, folded)
