"""The two database files: opening them, writing to them, bringing them to the schema, reading them as they are.

Two files: the responses database (``responses.db``: drafts, responses, the
workspace) and the invitation codes' own file beside it
(``config.codes_database``: ``responses-codes.db``). Three ways to open them:

- `prepare` creates and migrates both (the serving app at start, and the
  commands that write: ``import``, ``codes``, ``demo``);
- `connect` and `connect_codes` open them as they are, cheaply (the app's
  connections, once prepared);
- `read_only` takes a private copy for the commands that only read
  (``validate``, ``export``, ``build``): they create, migrate and prune
  nothing, and change no byte of any file in the database's folder (but the
  shared-memory index of a server that has it open, as any reader does).

Choices that keep answers safe and respondents anonymous (see RELIABILITY.md):

- WAL mode with ``synchronous=FULL``: a response is on disk, surviving a crash
  of the process or of the machine, before the respondent sees "thank you".
- Every write runs in ``BEGIN IMMEDIATE`` so that several gunicorn workers
  queue on the busy timeout instead of failing with "database is locked".
- Responses and drafts are keyed by random ids in ``WITHOUT ROWID`` tables, so
  nothing in the file reveals the order in which people answered; a response
  keeps only the day it was submitted.
- No code, its hash or anything derived from it ever enters the responses
  database, its WAL or its SHM. Codes live in their own file, in rollback
  journal mode with ``secure_delete``: a non-WAL file keeps no order of
  events (`coresp_survey.answers.codes`).
- Every file is readable by its owner only (0600), its folder 0700 when we
  make it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from coresp_survey.answers import schema
from coresp_survey.config import codes_database

BUSY_TIMEOUT_MS = 30_000
OWNER_ONLY = 0o600
OWNER_FOLDER = 0o700
SIDE_FILES = ("", "-wal", "-shm", "-journal")
"""A database file and what SQLite puts beside it (WAL, its index, a rollback journal)."""
COPIED_FILES = ("", "-wal", "-journal")
"""What a private copy takes: the file, and the WAL or hot journal that SQLite replays into it."""
COPY_ATTEMPTS = 5
"""How many times `read_only` copies files that a server starting meanwhile keeps changing."""


class Unreadable(Exception):
    """The file is not a database SQLite can read."""


# -- opening ------------------------------------------------------------------------


def prepare(path: Path | str) -> Database:
    """Create the responses database and the codes file if need be, switch them to their journal modes and migrate
    them; return the responses database.

    The codes file comes first: the migration from the landed schema moves the codes into it. Several workers
    preparing at once migrate once (`migrate`).
    """
    codes = _open_codes(Path(path), create=True)
    try:
        if codes.execute("PRAGMA journal_mode").fetchone()[0] != "delete":
            codes.execute("PRAGMA journal_mode = DELETE")
        migrate(codes, schema.code_migrations)
    finally:
        codes.close()
    db = _open(Path(path), create=True)
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode = WAL")
    migrate(db, schema.migrations)
    return db


def connect(path: Path | str) -> Database:
    """Open the responses database as it is (prepared before: the web app does it once at start)."""
    return _open(Path(path), create=False)


def connect_codes(database: Path | str) -> Database:
    """Open the invitation codes' file beside the responses database ``database``, as it is.

    Rollback journal (no WAL: nothing keeps the order of events, set by
    `prepare`) and ``secure_delete``: a page rewritten or freed keeps no old bytes.
    """
    return _open_codes(Path(database), create=False)


def _open_codes(database: Path, create: bool) -> Database:
    codes = _open(codes_database(database), create)
    codes.execute("PRAGMA secure_delete = ON")
    return codes


def _open(path: Path, create: bool) -> Database:
    """A connection that waits its turn and syncs every commit; ``create`` makes the file owner-only first."""
    if create:
        _make_owner_only(path)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = FULL")
    return Database(conn, execute_plugins=False)


def _make_owner_only(path: Path) -> None:
    """Create the folder (0700) and the file (0600) before SQLite does, and narrow files made before.

    SQLite gives the WAL, its index and a journal the database file's mode, so
    they are owner-only too; a mode given to ``os.open`` leaves no moment when
    the file is readable by others.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=OWNER_FOLDER, parents=True, exist_ok=True)
    if not path.exists():  # never open a file SQLite may hold: closing it would drop this process's locks
        try:
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
        except FileExistsError:
            pass  # another worker made it first
    for suffix in SIDE_FILES:
        side = Path(f"{path}{suffix}")
        if side.exists() and side.stat().st_mode & 0o777 != OWNER_ONLY:
            side.chmod(OWNER_ONLY)


# -- reading as it is ---------------------------------------------------------------


def read_only(path: Path | str) -> Database:
    """The responses database as it is, for the commands that only read: a private copy in memory, at the schema.

    Nothing is created, migrated or pruned, and no byte of any file in the
    folder changes (SQLite would otherwise add a ``-shm`` index and, on
    closing, write the WAL into the file). A database not migrated yet reads
    as the current schema (the copy is migrated, never the file: a table a
    later migration adds reads as empty), and a missing one as empty. The
    copy is taken once: later writes by a server are not seen.
    """
    path = Path(path)
    copy = _copy_in_memory(path) if path.exists() else _memory()
    if schema.migrations.pending(copy):
        copy = _brought_to_schema(copy)
    copy.execute("PRAGMA query_only = ON")
    return copy


def _memory() -> Database:
    return Database(sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False), execute_plugins=False)


def _copy_in_memory(path: Path) -> Database:
    """The database at ``path``, WAL included, copied into memory (`copy_into`), leaving every file as it was."""
    memory = _memory()
    try:
        copy_into(path, memory.conn)
    except BaseException:
        memory.close()
        raise
    return memory


def copy_into(path: Path, target: sqlite3.Connection) -> dict[str, int]:
    """Copy the database at ``path``, WAL included, into ``target`` by SQLite's backup; leave every file as it was.

    Returns the rows of each table, counted in the very snapshot that was
    copied (the backup runs inside the read transaction that counted them), so
    a copy can be checked against it while a server keeps writing.

    A server that has the database open keeps its index (``-shm``) beside it:
    the copy is read through it, as any reader does, and only that index is
    touched. Without one, nobody has the database open, and opening it would
    create one: the files are copied into a private temporary folder and
    read there, then copied again if a server started and wrote meanwhile.
    """
    try:
        for _attempt in range(COPY_ATTEMPTS):
            if Path(f"{path}-shm").exists():
                return _backup(f"{path.resolve().as_uri()}?mode=ro", target)
            before = _stamps(path)
            with tempfile.TemporaryDirectory(prefix="coresp-read-") as private:
                copy = Path(private) / path.name
                try:
                    for suffix in COPIED_FILES:
                        if Path(f"{path}{suffix}").exists():
                            shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
                except FileNotFoundError:  # a WAL or journal gone meanwhile: a server at work
                    continue
                counts = _backup(copy.as_uri(), target)
            if _stamps(path) == before:
                return counts
    except sqlite3.OperationalError:  # locked, or no file to open: said as SQLite says it
        raise
    except sqlite3.DatabaseError as error:
        raise Unreadable(f"{path} is not a database that can be read ({error})") from None
    raise sqlite3.OperationalError(f"{path} kept changing while it was copied for reading")


def _backup(uri: str, target: sqlite3.Connection) -> dict[str, int]:
    """Copy the database at ``uri`` into ``target`` in one snapshot; return its tables' row counts in that snapshot."""
    source = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        source.execute("BEGIN")  # the counts and the copy read one snapshot: the backup uses this read transaction
        counts = table_counts(source)
        source.backup(target)
        source.execute("COMMIT")
        return counts
    finally:
        source.close()


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """The number of rows of every table, by name."""
    names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _stamps(path: Path) -> list[tuple[int, int, int, int] | None]:
    """What changes when anyone writes to the database or its WAL."""
    stamps = []
    for suffix in COPIED_FILES:
        try:
            found = os.stat(f"{path}{suffix}")
        except FileNotFoundError:
            stamps.append(None)
        else:
            stamps.append((found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns))
    return stamps


def _brought_to_schema(copy: Database) -> Database:
    """``copy`` migrated as `prepare` migrates a file, in a private temporary folder, then back in memory."""
    with tempfile.TemporaryDirectory(prefix="coresp-read-") as private:
        file = Path(private) / "responses.db"
        target = sqlite3.connect(file)
        try:
            copy.conn.backup(target)
        finally:
            target.close()
            copy.close()
        migrated = prepare(file)
        memory = _memory()
        try:
            migrated.conn.backup(memory.conn)
        finally:
            migrated.close()
    return memory


# -- writing ------------------------------------------------------------------------

WRITERS = threading.RLock()
"""The threads of one process take their turn here, the processes in ``BEGIN IMMEDIATE``."""


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """A write transaction that waits its turn (``BEGIN IMMEDIATE``) and commits or rolls back.

    Threads of one worker queue on `WRITERS` first: SQLite's busy handler
    polls with sleeps of up to 100 ms, so 16 threads waiting in it answer
    late; a lock wakes the next one as soon as the write ends.
    """
    if not WRITERS.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
        raise sqlite3.OperationalError("database is locked (another thread of this process kept writing)")
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")
    finally:
        WRITERS.release()


def select(db: Database, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
    """The rows of ``sql`` as `sqlite3.Row`: read by column name, never by position."""
    cursor = db.conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, params)


def migrate(db: Database, steps: Migrations) -> None:
    """Apply the pending migrations of ``steps``, safe when several workers start at once.

    Each step runs under ``BEGIN IMMEDIATE``: one worker migrates, the others
    wait on the busy timeout and then find it done. A step that cannot run in
    a transaction (VACUUM) runs outside one, so two workers may both run it:
    such steps are idempotent, and recorded once.
    """
    if not steps.pending(db):
        return  # the usual case: no write lock taken
    while True:
        with write(db):
            pending = steps.pending(db)
            if not pending:
                return
            step = pending[0]
            steps.ensure_migrations_table(db)
            if step.transactional:
                step.fn(db)
                _record_migration(db, steps, step.name)
                continue
        step.fn(db)
        with write(db):
            if any(left.name == step.name for left in steps.pending(db)):
                _record_migration(db, steps, step.name)


def _record_migration(db: Database, steps: Migrations, name: str) -> None:
    db[steps.migrations_table].insert({"migration_set": steps.name, "name": name, "applied_at": str(datetime.now(UTC))})


def empty_wal(db: Database) -> None:
    """Copy the WAL into the file and truncate it to nothing.

    SQLite waits for readers and writers on the busy timeout, but answers busy
    at once while another connection checkpoints (two workers scrubbing at
    start): then try again, within the same timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while select(db, "PRAGMA wal_checkpoint(TRUNCATE)").fetchone()["busy"]:
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError(f"the WAL of {main_file(db)} could not be emptied: it stayed busy")
        time.sleep(0.01)


def main_file(db: Database) -> Path:
    """The file of an open database."""
    return Path(select(db, "PRAGMA database_list").fetchone()["file"])


# -- what rows are made of ----------------------------------------------------------


def new_key() -> str:
    """A random id: nothing in it says when, or after which other row, it was made."""
    return secrets.token_urlsafe(18)


def today() -> str:
    """The day only: rows about respondents keep no time."""
    return date.today().isoformat()


def to_json(value: Any) -> str:
    """Compact JSON, keys sorted: the text a JSON column holds."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
