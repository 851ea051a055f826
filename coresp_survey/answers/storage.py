"""The database: schema, drafts, responses and invitation codes. Nothing else touches SQL.

Two files: the responses database (``responses.db``: drafts, responses, the
workspace) and the invitation codes' own file beside it
(``config.codes_database``: ``responses-codes.db``).

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
  events, so nothing says which code was used just before which answer. A
  code is spent when the first page accepts it (one transaction in the codes
  file); only then does the draft note ``code_ok`` and the code's group.
- Every file is readable by its owner only (0600), its folder 0700 when we
  make it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from coresp_survey.config import codes_database

BUSY_TIMEOUT_MS = 30_000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I: codes are typed by hand from paper slips."""
CODE_LENGTH = 10
"""32**10 = 2**50 possible codes: guessing one among thousands is hopeless."""

OWNER_ONLY = 0o600
OWNER_FOLDER = 0o700
SIDE_FILES = ("", "-wal", "-shm", "-journal")
"""A database file and what SQLite puts beside it (WAL, its index, a rollback journal)."""

migrations = Migrations("coresp_survey")
"""The responses database's schema."""
code_migrations = Migrations("coresp_survey_codes")
"""The codes file's schema."""


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE drafts (
            key TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open',
            group_id TEXT,
            code_hash TEXT,
            answers TEXT NOT NULL DEFAULT '{}',
            updated TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            round TEXT NOT NULL,
            group_id TEXT,
            lang TEXT NOT NULL,
            submitted TEXT NOT NULL,
            source TEXT NOT NULL,
            answers TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX responses_by_survey ON responses (survey, round, group_id);
        CREATE TABLE codes (
            hash TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            group_id TEXT,
            issued TEXT NOT NULL,
            used INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE INDEX codes_by_survey ON codes (survey, group_id);
        """
    )


@migrations()
def m002_workspace(db: Database) -> None:
    """The coordination group's work: moderation of open answers, its log, login failures, site builds.

    A moderation row is keyed by the response's random id and the question: it
    says nothing about who answered. Decisions keep their time (the
    coordination group's work, not the respondents').
    """
    db.executescript(
        """
        CREATE TABLE moderation (
            response_id TEXT NOT NULL,
            question TEXT NOT NULL,
            survey TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            redacted TEXT,
            families TEXT NOT NULL DEFAULT '[]',
            decided TEXT NOT NULL,
            PRIMARY KEY (response_id, question)
        ) WITHOUT ROWID;
        CREATE INDEX moderation_by_survey ON moderation (survey, status);
        CREATE TABLE decisions (
            id TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            response_id TEXT NOT NULL,
            question TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX decisions_by_answer ON decisions (response_id, question, at);
        CREATE TABLE login_failures (
            id TEXT PRIMARY KEY,
            at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE builds (
            id TEXT PRIMARY KEY,
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL,
            message TEXT NOT NULL DEFAULT ''
        ) WITHOUT ROWID;
        """
    )


@migrations()
def m003_codes_apart(db: Database) -> None:
    """Move the invitation codes out of the responses database (they sat beside the drafts' answers).

    Codes are copied into the codes file, used flags kept. Each open draft that
    held an unused code's hash now holds ``code_ok`` instead, and the code is
    marked used (a code is now spent when the first page accepts it). Two open
    drafts holding the same code: the one saved last wins, then the smaller
    key; the others keep their answers and are asked for a code again, as is a
    draft whose code another browser has used since. Then the codes table and
    the hashes go. Re-running after a crash between the codes file's commit and
    this one gives the same result: the winners are read from this database,
    which is unchanged until this transaction commits.
    """
    winners = _drafts_keeping_their_code(db)
    _copy_codes(db, spent=set(winners.values()))
    db.execute("ALTER TABLE drafts ADD COLUMN code_ok INTEGER NOT NULL DEFAULT 0")
    db.conn.executemany("UPDATE drafts SET code_ok = 1 WHERE key = ?", [(key,) for key in winners])
    db.execute("DROP TABLE codes")
    db.execute("ALTER TABLE drafts DROP COLUMN code_hash")


def _drafts_keeping_their_code(db: Database) -> dict[str, str]:
    """draft key → code hash: per unused code, the open draft that keeps it (saved last, then smaller key)."""
    rows = db.execute(
        """
        SELECT d.key, d.code_hash FROM drafts AS d JOIN codes AS c ON c.hash = d.code_hash AND c.survey = d.survey
        WHERE d.state = 'open' AND c.used = 0
        ORDER BY d.code_hash, d.updated DESC, d.key
        """
    ).fetchall()
    winners: dict[str, str] = {}
    kept: set[str] = set()
    for key, code_hash in rows:
        if code_hash not in kept:
            winners[key] = code_hash
            kept.add(code_hash)
    return winners


def _copy_codes(db: Database, spent: set[str]) -> None:
    """Every code of the responses database into the codes file (its own commit), used or ``spent`` marked used."""
    landed = db.execute("SELECT hash, survey, group_id, issued, used FROM codes").fetchall()
    codes = connect_codes(_main_file(db))
    try:
        with write(codes):
            codes.conn.executemany(
                """
                INSERT INTO codes (hash, survey, group_id, issued, used) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (hash) DO UPDATE SET used = max(used, excluded.used)
                """,
                [(h, survey, group, issued, int(used or h in spent)) for h, survey, group, issued, used in landed],
            )
    finally:
        codes.close()


@migrations(transactional=False)
def m004_scrub_codes(db: Database) -> None:
    """Leave no old page image of a code's hash: rewrite the file (VACUUM), then empty its WAL.

    Dropped rows and columns stay readable in free pages and in the WAL's old
    frames until the file is rewritten and the WAL reset (RELIABILITY.md).
    Runs outside a transaction; two workers may both run it, to the same end.
    """
    db.execute("VACUUM")
    empty_wal(db)


@code_migrations()
def c001_codes(db: Database) -> None:
    """One row per invitation code: its hash, survey, group, day issued and whether it was used; nothing else."""
    db.executescript(
        """
        CREATE TABLE codes (
            hash TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            group_id TEXT,
            issued TEXT NOT NULL,
            used INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE INDEX codes_by_survey ON codes (survey, group_id);
        """
    )


@migrations()
def m005_survey_versions(db: Database) -> None:
    """The survey file as it was when each round's answers were collected.

    Several versions per survey × round (a file corrected mid-round); the
    highest ``version`` is the round's definition. ``source`` holds the file's
    bytes in its ``format`` ("yaml" for now), ``saved`` only the day.
    """
    db.executescript(
        """
        CREATE TABLE survey_versions (
            survey TEXT NOT NULL,
            round TEXT NOT NULL,
            version INTEGER NOT NULL,
            format TEXT NOT NULL,
            source BLOB NOT NULL,
            digest TEXT NOT NULL,
            saved TEXT NOT NULL,
            PRIMARY KEY (survey, round, version)
        ) WITHOUT ROWID;
        """
    )


class CodeRefused(Exception):
    """An invitation code that is unknown or already used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "used"


@dataclass(frozen=True)
class Draft:
    """Answers given so far by one respondent, kept between pages and visits."""

    key: str
    survey: str
    state: str
    group: str | None
    code_ok: bool
    """An invitation code was accepted for this draft (which code is known nowhere)."""
    answers: dict[str, Any]

    @property
    def submitted(self) -> bool:
        return self.state == "submitted"


@dataclass(frozen=True)
class Response:
    id: str
    survey: str
    round: str
    group: str | None
    lang: str
    submitted: str
    source: str
    answers: dict[str, Any]


def connect(path: Path | str, prepare: bool = True) -> Database:
    """Open the responses database; with ``prepare``, also create it (and the codes file), switch it to WAL
    and migrate it.

    The web app prepares the files once at start, so each request's connection stays cheap.
    """
    if prepare:
        connect_codes(path).close()  # the migration from the landed schema moves codes into it
    db = _open(Path(path), prepare)
    if prepare:
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        migrate(db, migrations)
    return db


def connect_codes(database: Path | str, prepare: bool = True) -> Database:
    """Open the invitation codes' file beside the responses database ``database``.

    Rollback journal (no WAL: nothing keeps the order of events) and
    ``secure_delete``: a page rewritten or freed keeps no old bytes.
    """
    db = _open(codes_database(Path(database)), prepare)
    db.execute("PRAGMA secure_delete = ON")
    if prepare:
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "delete":
            db.execute("PRAGMA journal_mode = DELETE")
        migrate(db, code_migrations)
    return db


def _open(path: Path, prepare: bool) -> Database:
    """A connection that waits its turn and syncs every commit; ``prepare`` makes the file owner-only first."""
    if prepare:
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
    while db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError(f"the WAL of {_main_file(db)} could not be emptied: it stayed busy")
        time.sleep(0.01)


def _main_file(db: Database) -> Path:
    return Path(db.execute("PRAGMA database_list").fetchone()[2])


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


def new_key() -> str:
    return secrets.token_urlsafe(18)


def today() -> str:
    return date.today().isoformat()


# -- drafts -------------------------------------------------------------------


def get_draft(db: Database, key: str | None) -> Draft | None:
    if not key:
        return None
    row = db.execute(
        "SELECT key, survey, state, group_id, code_ok, answers FROM drafts WHERE key = ?", [key]
    ).fetchone()
    if row is None:
        return None
    key, survey, state, group, code_ok, answers = row
    return Draft(key, survey, state, group, bool(code_ok), json.loads(answers))


def save_draft(db: Database, key: str, survey: str, answers: dict, group: str | None, code_ok: bool = False) -> None:
    """Create or replace an open draft; a submitted draft is never reopened, an accepted code never forgotten."""
    with write(db):
        db.execute(
            """
            INSERT INTO drafts (key, survey, group_id, code_ok, answers, updated) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET group_id = excluded.group_id, code_ok = max(code_ok, excluded.code_ok),
                answers = excluded.answers, updated = excluded.updated
            WHERE state = 'open'
            """,
            [key, survey, group, int(bool(code_ok)), _dump(answers), today()],
        )


def forget_draft(db: Database, key: str) -> bool:
    """Delete draft ``key`` if it is still open ("start afresh" on a shared computer); True if one was.

    A submitted draft stays: it is what recognises a resent last page.
    """
    with write(db):
        return db.execute("DELETE FROM drafts WHERE key = ? AND state = 'open'", [key]).rowcount == 1


def delete_old_drafts(db: Database, before: str) -> int:
    with write(db):
        return db.execute("DELETE FROM drafts WHERE updated < ?", [before]).rowcount


# -- responses ----------------------------------------------------------------


def submit_draft(
    db: Database,
    key: str,
    survey: str,
    survey_round: str,
    lang: str,
    group: str | None,
    answers: dict,
) -> bool:
    """Store a response for draft ``key``, once: False if that draft was submitted already.

    The draft key is the submission key, given to the browser before its first
    page is sent: a double click, a reload or a retry after a lost
    acknowledgement finds the draft submitted and stores nothing. One
    transaction stores the response and closes the draft; it touches no code
    (the code was spent when the first page accepted it: ``start_with_code``).
    """
    with write(db):
        state = db.execute("SELECT state FROM drafts WHERE key = ?", [key]).fetchone()
        if state is not None and state[0] == "submitted":
            return False
        _insert_response(db, survey, survey_round, group, lang, "web", answers)
        db.execute(
            """
            INSERT INTO drafts (key, survey, state, answers, updated) VALUES (?, ?, 'submitted', '{}', ?)
            ON CONFLICT (key) DO UPDATE SET state = 'submitted', answers = '{}', group_id = NULL, code_ok = 0,
                updated = excluded.updated
            """,
            [key, survey, today()],
        )
    return True


def import_responses(
    db: Database,
    survey: str,
    lang: str,
    rows: list[tuple[str, str | None, dict]],
    versions: Iterable[tuple[str, str, bytes]] = (),
) -> int:
    """Store (round, group, answers) rows all together, or none if anything fails.

    ``versions`` (round, format, source) are saved in the same transaction:
    the survey the rows were checked with becomes known for their round only
    if the rows are stored.
    """
    with write(db):
        for survey_round, file_format, source in versions:
            _save_version(db, survey, survey_round, file_format, source)
        for survey_round, group, answers in rows:
            _insert_response(db, survey, survey_round, group, lang, "import", answers)
    return len(rows)


def _insert_response(
    db: Database, survey: str, survey_round: str, group: str | None, lang: str, source: str, answers: dict
) -> None:
    db.execute(
        "INSERT INTO responses (id, survey, round, group_id, lang, submitted, source, answers)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [new_key(), survey, survey_round, group, lang, today(), source, _dump(answers)],
    )


def iter_responses(db: Database, survey: str) -> Iterator[Response]:
    """Every response to ``survey``, ordered by round, then day, then random id."""
    cursor = db.execute(
        "SELECT id, survey, round, group_id, lang, submitted, source, answers FROM responses"
        " WHERE survey = ? ORDER BY round, submitted, id",
        [survey],
    )
    for row in cursor:
        yield Response(*row[:7], json.loads(row[7]))


def count_responses(db: Database, survey: str) -> int:
    return db.execute("SELECT count(*) FROM responses WHERE survey = ?", [survey]).fetchone()[0]


def response_rounds(db: Database, survey: str) -> set[str]:
    """The rounds that have stored responses to ``survey``."""
    return {row[0] for row in db.execute("SELECT DISTINCT round FROM responses WHERE survey = ?", [survey])}


def answer_keys(db: Database, survey: str) -> set[str]:
    """Every key stored in the answers of ``survey``'s responses (fields of questions since removed included)."""
    rows = db.execute(
        "SELECT DISTINCT answer.key FROM responses, json_each(responses.answers) AS answer WHERE responses.survey = ?",
        [survey],
    )
    return {row[0] for row in rows}


# -- the survey as it was per round ------------------------------------------------


@dataclass(frozen=True)
class SurveyVersion:
    """One saved version of a survey file for a round; the highest ``version`` of a round is its definition."""

    survey: str
    round: str
    version: int
    format: str
    source: bytes
    digest: str
    saved: str


def save_survey_versions(db: Database, versions: Iterable[tuple[str, str, str, bytes]]) -> int:
    """Save (survey, round, format, source) versions in one transaction; return how many were new.

    A version is new unless the round's latest saved version has the same
    digest: starting the app again saves nothing, and a file edited back to an
    earlier text becomes the round's definition again.
    """
    with write(db):
        return sum(_save_version(db, *version) for version in versions)


def _save_version(db: Database, survey: str, survey_round: str, file_format: str, source: bytes) -> bool:
    digest = hashlib.sha256(source).hexdigest()
    latest = db.execute(
        "SELECT version, digest FROM survey_versions WHERE survey = ? AND round = ? ORDER BY version DESC LIMIT 1",
        [survey, survey_round],
    ).fetchone()
    if latest is not None and latest[1] == digest:
        return False
    db.execute(
        "INSERT INTO survey_versions (survey, round, version, format, source, digest, saved)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [survey, survey_round, (latest[0] + 1) if latest else 1, file_format, source, digest, today()],
    )
    return True


def survey_versions(db: Database, survey: str) -> list[SurveyVersion]:
    """Every saved version of ``survey``, by round, newest first within a round; none in a database from before them."""
    if not db["survey_versions"].exists():
        return []
    rows = db.execute(
        "SELECT survey, round, version, format, source, digest, saved FROM survey_versions"
        " WHERE survey = ? ORDER BY round, version DESC",
        [survey],
    )
    return [SurveyVersion(*row) for row in rows]


def open_existing(path: Path | str) -> Database | None:
    """Open the database only if its file exists, creating nothing and changing nothing (for ``validate``).

    None when there is no file, or no responses table in it.
    """
    if not Path(path).is_file():
        return None
    uri = f"{Path(path).resolve().as_uri()}?mode=rw"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    db = Database(conn, execute_plugins=False)
    try:
        has_responses = db["responses"].exists()
    except sqlite3.DatabaseError:
        has_responses = False
    if not has_responses:
        db.close()
        return None
    return db


# -- invitation codes (the codes file: ``connect_codes``) -----------------------


def hash_code(code: str) -> str:
    """Codes are stored hashed: a copy of the database does not reveal unused codes."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    """What people type from a slip may have any case, spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)


def issue_codes(codes: Database, survey: str, group: str | None, count: int) -> list[str]:
    """Make ``count`` new codes in the codes file; only their hashes are kept, so print them now."""
    made = []
    with write(codes):
        while len(made) < count:
            raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            inserted = codes.execute(
                "INSERT OR IGNORE INTO codes (hash, survey, group_id, issued) VALUES (?, ?, ?, ?)",
                [hash_code(raw), survey, group, today()],
            ).rowcount
            if inserted:
                made.append(f"{raw[:5]}-{raw[5:]}")
    return made


def start_with_code(db: Database, codes: Database, key: str, survey: str, code: str) -> str | None:
    """Spend ``code`` for draft ``key`` and note ``code_ok`` in the draft; return the code's group.

    Two commits, the codes file's first (``accept_code``), then the draft's,
    which names no code. Both under the responses database's write lock, so
    two requests of one browser (a double click on the first page) spend the
    code once: the second finds the draft already started with a code. If the
    process dies between the two commits, the code is spent without a draft,
    and the respondent needs a new code (the refusal says so).
    """
    with write(db):
        row = db.execute("SELECT state, code_ok, group_id FROM drafts WHERE key = ? AND survey = ?", [key, survey])
        started = row.fetchone()
        if started is not None and (started[0] == "submitted" or started[1]):
            return started[2]
        group = accept_code(codes, survey, code)
        db.execute(
            """
            INSERT INTO drafts (key, survey, group_id, code_ok, updated) VALUES (?, ?, ?, 1, ?)
            ON CONFLICT (key) DO UPDATE SET group_id = excluded.group_id, code_ok = 1, updated = excluded.updated
            WHERE state = 'open'
            """,
            [key, survey, group, today()],
        )
    return group


def accept_code(codes: Database, survey: str, code: str) -> str | None:
    """Spend ``code`` for ``survey`` now and return its group; raise CodeRefused if unknown or used.

    One transaction in the codes file, ``WHERE used = 0``: of two browsers
    racing with one code, exactly one wins (``start_with_code`` then notes it
    in the draft).
    """
    code_hash = hash_code(code)
    with write(codes):
        row = codes.execute(
            "UPDATE codes SET used = 1 WHERE hash = ? AND survey = ? AND used = 0 RETURNING group_id",
            [code_hash, survey],
        ).fetchone()
        if row is not None:
            return row[0]
        known = codes.execute("SELECT 1 FROM codes WHERE hash = ? AND survey = ?", [code_hash, survey]).fetchone()
    raise CodeRefused("used" if known else "unknown")


def _dump(answers: dict) -> str:
    return json.dumps(answers, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# -- the coordination group's workspace -------------------------------------------

MODERATION_STATUSES = ("pending", "approved", "rejected")


@dataclass(frozen=True)
class Decision:
    """Where one open answer stands in moderation; an answer without a row is pending."""

    response_id: str
    question: str
    status: str
    redacted: str | None
    """The text that may be published instead of the original; None publishes the original."""
    families: tuple[str, ...]
    decided: str


def decisions(db: Database, survey: str) -> dict[tuple[str, str], Decision]:
    """Every moderation decision of a survey, by (response id, question)."""
    rows = db.execute(
        "SELECT response_id, question, status, redacted, families, decided FROM moderation WHERE survey = ?", [survey]
    )
    return {
        (row[0], row[1]): Decision(row[0], row[1], row[2], row[3], tuple(json.loads(row[4])), row[5]) for row in rows
    }


def decide(
    db: Database,
    survey: str,
    answers: list[tuple[str, str]],
    *,
    status: str | None = None,
    add_families: tuple[str, ...] = (),
    remove_families: tuple[str, ...] = (),
    families: tuple[str, ...] | None = None,
    redacted: str | None | bool = False,
    at: str,
) -> int:
    """Apply one decision to several answers (response id, question) in one transaction, logging each.

    ``families`` replaces the answer's families; ``add_families`` and
    ``remove_families`` change them (bulk classification). ``redacted`` False
    leaves the redaction alone, None removes it (the log says so: ``original``). Returns how many answers
    changed.
    """
    if status is not None and status not in MODERATION_STATUSES:
        raise ValueError(f"unknown moderation status {status!r}")
    changed = 0
    with write(db):
        for response_id, question in answers:
            row = db.execute(
                "SELECT status, redacted, families FROM moderation WHERE response_id = ? AND question = ?",
                [response_id, question],
            ).fetchone()
            old_status, old_redacted, old_families = row if row else ("pending", None, "[]")
            new_families = list(families) if families is not None else json.loads(old_families)
            new_families = sorted({*new_families, *add_families} - set(remove_families))
            new = (status or old_status, old_redacted if redacted is False else redacted, _dump_list(new_families))
            if row is not None and new == (old_status, old_redacted, old_families):
                continue
            db.execute(
                """
                INSERT INTO moderation (response_id, question, survey, status, redacted, families, decided)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (response_id, question) DO UPDATE SET status = excluded.status,
                    redacted = excluded.redacted, families = excluded.families, decided = excluded.decided
                """,
                [response_id, question, survey, *new, at],
            )
            logged = {"status": new[0], "redacted": new[1] is not None, "families": new_families}
            if old_redacted is not None and new[1] is None:
                logged["original"] = True  # the redaction was removed: the original text is what may be published
            db.execute(
                "INSERT INTO decisions (id, survey, response_id, question, action, detail, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [new_key(), survey, response_id, question, new[0], json.dumps(logged), at],
            )
            changed += 1
    return changed


def decision_log(db: Database, response_id: str, question: str) -> list[tuple[str, str, dict]]:
    """(time, status, detail) of every decision on one answer, oldest first."""
    rows = db.execute(
        "SELECT at, action, detail FROM decisions WHERE response_id = ? AND question = ? ORDER BY at, id",
        [response_id, question],
    )
    return [(row[0], row[1], json.loads(row[2])) for row in rows]


def get_response(db: Database, response_id: str) -> Response | None:
    row = db.execute(
        "SELECT id, survey, round, group_id, lang, submitted, source, answers FROM responses WHERE id = ?",
        [response_id],
    ).fetchone()
    return Response(*row[:7], json.loads(row[7])) if row else None


def count_open_drafts(db: Database) -> dict[str, int]:
    """Unfinished answers per survey: respondents who started and have not submitted (yet)."""
    rows = db.execute("SELECT survey, count(*) FROM drafts WHERE state = 'open' GROUP BY survey")
    return dict(rows.fetchall())


def code_counts(codes: Database) -> dict[tuple[str, str | None], tuple[int, int]]:
    """(issued, used) invitation codes per survey and group, from the codes file; used = a respondent started."""
    rows = codes.execute("SELECT survey, group_id, count(*), sum(used) FROM codes GROUP BY survey, group_id")
    return {(row[0], row[1]): (row[2], row[3] or 0) for row in rows}


def response_counts(db: Database) -> dict[tuple[str, str, str | None], int]:
    """Responses per survey, round and group."""
    rows = db.execute("SELECT survey, round, group_id, count(*) FROM responses GROUP BY survey, round, group_id")
    return {(row[0], row[1], row[2]): row[3] for row in rows}


def record_login_failure(db: Database, at: float) -> None:
    with write(db):
        db.execute("INSERT INTO login_failures (id, at) VALUES (?, ?)", [new_key(), at])
        db.execute("DELETE FROM login_failures WHERE at < ?", [at - 86_400])


def login_failures_since(db: Database, since: float) -> list[float]:
    """The times of failed logins after ``since``, oldest first (kept in the database: every worker sees them)."""
    return [row[0] for row in db.execute("SELECT at FROM login_failures WHERE at >= ? ORDER BY at", [since])]


def clear_login_failures(db: Database) -> None:
    with write(db):
        db.execute("DELETE FROM login_failures")


def start_build(db: Database, started: str) -> str:
    build_id = new_key()
    with write(db):
        db.execute("INSERT INTO builds (id, started, status) VALUES (?, ?, 'running')", [build_id, started])
    return build_id


def finish_build(db: Database, build_id: str, finished: str, status: str, message: str) -> None:
    with write(db):
        db.execute(
            "UPDATE builds SET finished = ?, status = ?, message = ? WHERE id = ?",
            [finished, status, message, build_id],
        )


def interrupt_builds(db: Database, finished: str) -> int:
    """Mark "interrupted" every build still "running": call it only while holding the site's build lock.

    A workspace build holds that lock from before its row is written until
    after it is finished, so under the lock a "running" row is a build whose
    worker died (a restart, a kill) and will never finish.
    """
    with write(db):
        return db.execute(
            "UPDATE builds SET finished = ?, status = 'interrupted' WHERE status = 'running'", [finished]
        ).rowcount


def last_build(db: Database) -> dict | None:
    row = db.execute("SELECT started, finished, status, message FROM builds ORDER BY started DESC LIMIT 1").fetchone()
    return dict(zip(("started", "finished", "status", "message"), row, strict=True)) if row else None


def _dump_list(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))
