"""Open a ledger file: WAL mode, foreign keys, the schema created or migrated to the current version.

The schema version is SQLite's `PRAGMA user_version`, so any SQLite tool shows it. `MIGRATIONS[v]`
upgrades a file at version v to v + 1; version 0 is an empty file and gets schema.sql whole.
Readers (`serve`, queries) open the file read-only and keep working while an ingest writes (WAL).

A writer's connection is checked when it opens, before any work is done on its behalf: the file can
be written (not read-only), no other process holds the write lock for long, and the disk has room.
What SQLite reports while writing (full, read-only, locked, I/O error) becomes a StorageError, one
sentence a user can act on; SQLite has already rolled the transaction back, so the ledger is intact.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path

SCHEMA_VERSION = 4
# The oldest version the queries read as it is (opened read-only, a ledger is never migrated): 3 only
# added an index, so a version 2 ledger is read, a little slower on `--lang`, until an ingest migrates it;
# 4 added quotes.reported, which an older file read as it is lacks (`connect_readonly` gives it one).
READABLE_FROM = 2
DEFAULT_DB = "newsledger.db"
BUSY_TIMEOUT = 30.0  # seconds a write waits for another writer's transaction before "locked"
LOCK_WAIT = 10.0  # seconds the check at opening waits: another ingest's batch is over by then
MIN_FREE = 1024 * 1024  # bytes free below which the disk counts as full before anything is written


class LedgerError(Exception):
    """A ledger that cannot be used: missing, not a ledger, or from a newer newsledger."""


# SQLite's primary result codes (https://sqlite.org/rescode.html) that say the file cannot be written
_KINDS = {13: "full", 8: "readonly", 5: "locked", 6: "locked", 10: "io", 14: "cantopen"}
_WHAT = {
    "full": "the disk is full",
    "readonly": "the ledger cannot be written (the file, its folder or its file system is read-only)",
    "locked": "another process (another ingest?) is writing to the ledger",
    "io": "the disk reported an I/O error",
    "cantopen": "the ledger file cannot be opened for writing",
}
_AGAIN = {
    "full": "when there is space",
    "readonly": "once it can be written (or with another --db)",
    "locked": "when the other process has finished",
    "io": "once the disk is sound",
    "cantopen": "once its folder exists and can be written (or with another --db)",
}


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


class StorageError(LedgerError):
    """The ledger's file cannot take a write: `kind` is "full", "readonly", "locked", "io" or
    "cantopen". `batches` and `documents` say what an ingest had stored before it (None: it was
    found when the ledger was opened, before any document was analysed)."""

    def __init__(self, kind: str, detail: str = "", batches: int | None = None,
                 documents: int | None = None) -> None:
        self.kind, self.detail, self.batches, self.documents = kind, detail, batches, documents
        super().__init__(self.message())

    def message(self) -> str:
        what = _WHAT.get(self.kind, "the ledger cannot be written")
        if self.detail:
            what += f" ({self.detail})"
        again = _AGAIN.get(self.kind, "")
        if self.batches is None:
            return f"{what}; nothing was analysed or stored: run the ingest again {again}"
        docs = _n(self.documents or 0, "document", "documents")
        stored = (f"{_n(self.batches, 'batch', 'batches')} ({docs}) {'was' if self.batches == 1 else 'were'}"
                  " stored before it")
        return f"{what}: {stored}; run the same ingest again {again} — it resumes"

    def after(self, batches: int, documents: int) -> StorageError:
        """The same error, saying what had been stored before it."""
        return StorageError(self.kind, self.detail, batches, documents)


def storage_error(exc: BaseException, path: str | Path | None = None) -> StorageError | None:
    """The StorageError that `exc` (or an exception it was raised while handling: a failed ROLLBACK
    hides the "disk is full" that caused it) stands for, or None when it is not about storage."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        code = getattr(cur, "sqlite_errorcode", None)
        kind = _KINDS.get(code & 0xFF) if isinstance(code, int) else None
        if isinstance(cur, OSError) and cur.errno is not None:
            kind = {28: "full", 30: "readonly", 13: "readonly"}.get(cur.errno)
        if kind is not None:
            if kind == "cantopen" and path is not None and _read_only(Path(path)):
                kind = "readonly"
            detail = str(cur) if kind in ("io", "cantopen") else ""
            if kind == "locked":
                detail = f"it has held the write lock for over {BUSY_TIMEOUT:.0f} s"
            return StorageError(kind, detail)
        cur = cur.__cause__ or cur.__context__
    return None


def _read_only(path: Path) -> bool:
    """True when `path` (or, if it does not exist, its folder) cannot be written, or sits on a file
    system mounted read-only (which stops root too)."""
    target = path if path.exists() else path.parent
    try:
        if os.statvfs(target).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(target, os.W_OK) or not os.access(path.parent, os.W_OK)


def _free_bytes(path: Path) -> int | None:
    try:
        st = os.statvfs(path.parent)
    except (OSError, AttributeError):
        return None
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    blocks = st.f_bfree if root else st.f_bavail  # root may use the blocks reserved for it
    return int(blocks * st.f_frsize)


def check_writable(conn: sqlite3.Connection, path: str | Path, wait: float = LOCK_WAIT) -> None:
    """StorageError unless `conn` can write now: room on the disk, a file that takes writes (a
    read-only file, folder or mount is found here, not after the analysis), and the write lock
    within `wait` seconds (another process holding it longer is named)."""
    on_disk = str(path) not in ("", ":memory:") and not str(path).startswith("file:")
    if on_disk and _read_only(Path(path)):
        raise StorageError("readonly")
    free = _free_bytes(Path(path)) if on_disk else None
    if free is not None and free < MIN_FREE:
        raise StorageError("full", f"{free:,} bytes free")
    conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
    try:
        conn.execute("BEGIN IMMEDIATE")  # takes the write lock: fails on a read-only or locked file
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        err = storage_error(exc, path)
        if err is None:
            raise
        if err.kind == "locked":
            err = StorageError("locked", f"it has held the write lock for over {wait:.0f} s")
        raise err from exc
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")


def _schema_sql() -> str:
    return resources.files("newsledger.ledger").joinpath("schema.sql").read_text("utf-8")


# Each entry upgrades from its index to the next version (an SQL script, run in one transaction
# together with the version bump); append, never edit a released one.
MIGRATIONS: list[Callable[[], str]] = [
    _schema_sql,
    # 1 -> 2: the event model's confidence on each event (NULL for events stored before it existed)
    lambda: "ALTER TABLE events ADD COLUMN confidence REAL;",
    # 2 -> 3: articles by language (`--lang`, `lang=`): without it each such query reads every article row
    lambda: "CREATE INDEX IF NOT EXISTS articles_language ON articles(language);",
    # 3 -> 4: what each quote reports (speech | belief | evidence | topic; NULL for quotes stored before)
    lambda: "ALTER TABLE quotes ADD COLUMN reported TEXT;",
]


def _tune(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")  # a second writer waits, not fails
    conn.row_factory = sqlite3.Row


def connect(path: str | Path = DEFAULT_DB, check: bool = True) -> sqlite3.Connection:
    """The ledger at `path` for writing, created if absent and migrated to SCHEMA_VERSION. With
    `check`, StorageError now if it cannot be written (check_writable)."""
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise storage_error(exc, path) or LedgerError(f"{path}: cannot open it: {exc}") from exc
    try:
        return _open(conn, path, check)
    except BaseException:
        conn.close()
        raise


def _open(conn: sqlite3.Connection, path: str | Path, check: bool) -> sqlite3.Connection:
    _tune(conn)
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if (err := storage_error(exc, path)) is not None:
            raise err from exc
        raise LedgerError(f"{path} is not a SQLite database: {exc}") from exc
    if mode.lower() != "wal":
        if _read_only(Path(path)):
            raise StorageError("readonly")
        raise LedgerError(f"{path}: cannot switch to WAL mode (got {mode!r})")
    conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses at most the last commit
    if version > SCHEMA_VERSION:
        raise LedgerError(f"{path} has schema version {version}; this newsledger knows up to "
                          f"{SCHEMA_VERSION} — upgrade newsledger (pip install -U newsledger)")
    if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise LedgerError(f"{path} is a SQLite database but not a newsledger ledger")
    if check:
        check_writable(conn, path)
    while version < SCHEMA_VERSION:
        script = MIGRATIONS[version]()
        try:  # executescript would commit an open transaction, so the script carries its own
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version + 1};\nCOMMIT;")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if (err := storage_error(exc, path)) is not None:
                raise err from exc
            raise
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        version += 1
    return conn


def _open_readonly(p: Path, immutable: bool) -> tuple[sqlite3.Connection, int]:
    conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro{'&immutable=1' if immutable else ''}", uri=True,
                           check_same_thread=False)
    try:
        _tune(conn)
        return conn, conn.execute("PRAGMA user_version").fetchone()[0]
    except BaseException:
        conn.close()
        raise


def connect_readonly(path: str | Path = DEFAULT_DB) -> sqlite3.Connection:
    """The ledger at `path` opened read-only (what `serve` and the queries use); it must exist."""
    p = Path(path)
    if not p.exists():
        raise LedgerError(f"no ledger at {path} (create one with: newsledger ingest SOURCE --db {path})")
    try:
        conn, version = _open_readonly(p, immutable=False)
    except sqlite3.DatabaseError as exc:
        if not (getattr(exc, "sqlite_errorcode", 0) & 0xFF == 14 and _read_only(p)):
            raise LedgerError(f"{path} is not a SQLite database: {exc}") from exc
        # A WAL file needs its -shm beside it, which a read-only folder or mount cannot hold. Nothing
        # can write the ledger there either, so it is read as immutable (SQLite then needs no -shm).
        try:
            conn, version = _open_readonly(p, immutable=True)
        except sqlite3.DatabaseError as exc2:
            raise LedgerError(f"{path} is not a SQLite database: {exc2}") from exc2
    if not READABLE_FROM <= version <= SCHEMA_VERSION:
        conn.close()
        if version > SCHEMA_VERSION:  # an ingest would refuse it too: only a newer newsledger reads it
            raise LedgerError(f"{path} has schema version {version}; this newsledger knows up to "
                              f"{SCHEMA_VERSION} — upgrade newsledger (pip install -U newsledger)")
        raise LedgerError(f"{path} has schema version {version}, expected {SCHEMA_VERSION}"
                          + (" (not a newsledger ledger)" if version == 0 else
                             " (run an ingest with this newsledger to migrate it)"))
    if version < 4:
        # quotes.reported came with version 4. A file read as it is is never migrated, so the queries
        # see its quotes through a view of this connection's own (TEMP: nothing is written to the file)
        # with the column added, NULL: not known, which the quote filters count as speech.
        conn.execute("CREATE TEMP VIEW quotes AS SELECT *, NULL AS reported FROM main.quotes")
    return conn
