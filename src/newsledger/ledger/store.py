"""Open a ledger file: WAL mode, foreign keys, the schema created or migrated to the current version.

The schema version is SQLite's `PRAGMA user_version`, so any SQLite tool shows it. `MIGRATIONS[v]`
upgrades a file at version v to v + 1; version 0 is an empty file and gets schema.sql whole.
Readers (`serve`, queries) open the file read-only and keep working while an ingest writes (WAL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path

SCHEMA_VERSION = 2
DEFAULT_DB = "newsledger.db"


class LedgerError(Exception):
    """A ledger that cannot be used: missing, not a ledger, or from a newer newsledger."""


def _schema_sql() -> str:
    return resources.files("newsledger.ledger").joinpath("schema.sql").read_text("utf-8")


# Each entry upgrades from its index to the next version (an SQL script, run in one transaction
# together with the version bump); append, never edit a released one.
MIGRATIONS: list[Callable[[], str]] = [
    _schema_sql,
    # 1 -> 2: the event model's confidence on each event (NULL for events stored before it existed)
    lambda: "ALTER TABLE events ADD COLUMN confidence REAL;",
]


def _tune(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")  # a reader or second writer waits rather than fails
    conn.row_factory = sqlite3.Row


def connect(path: str | Path = DEFAULT_DB) -> sqlite3.Connection:
    """The ledger at `path` for writing, created if absent and migrated to SCHEMA_VERSION."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    _tune(conn)
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise LedgerError(f"{path} is not a SQLite database: {exc}") from exc
    if mode.lower() != "wal":
        conn.close()
        raise LedgerError(f"{path}: cannot switch to WAL mode (got {mode!r})")
    conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses at most the last commit
    if version > SCHEMA_VERSION:
        conn.close()
        raise LedgerError(f"{path} has schema version {version}; this newsledger knows up to "
                          f"{SCHEMA_VERSION} — upgrade newsledger")
    if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        conn.close()
        raise LedgerError(f"{path} is a SQLite database but not a newsledger ledger")
    while version < SCHEMA_VERSION:
        script = MIGRATIONS[version]()
        try:  # executescript would commit an open transaction, so the script carries its own
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version + 1};\nCOMMIT;")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
            raise
        version += 1
    return conn


def connect_readonly(path: str | Path = DEFAULT_DB) -> sqlite3.Connection:
    """The ledger at `path` opened read-only (what `serve` and the queries use); it must exist."""
    p = Path(path)
    if not p.exists():
        raise LedgerError(f"no ledger at {path} (create one with: newsledger ingest SOURCE --db {path})")
    conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    _tune(conn)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise LedgerError(f"{path} is not a SQLite database: {exc}") from exc
    if version != SCHEMA_VERSION:
        conn.close()
        raise LedgerError(f"{path} has schema version {version}, expected {SCHEMA_VERSION}"
                          + (" (not a newsledger ledger)" if version == 0 else
                             " (run an ingest with this newsledger to migrate it)"))
    return conn
