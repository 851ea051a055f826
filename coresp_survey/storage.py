"""The database: schema, drafts, responses and invitation codes. Nothing else touches SQL.

Choices that keep answers safe and respondents anonymous (see RELIABILITY.md):

- WAL mode with ``synchronous=FULL``: a response is on disk, surviving a crash
  of the process or of the machine, before the respondent sees "thank you".
- Every write runs in ``BEGIN IMMEDIATE`` so that several gunicorn workers
  queue on the busy timeout instead of failing with "database is locked".
- Responses and drafts are keyed by random ids in ``WITHOUT ROWID`` tables, so
  nothing in the file reveals the order in which people answered; a response
  keeps only the day it was submitted; an invitation code keeps only whether
  it was used, so no code can be linked to an answer.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 30_000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I: codes are typed by hand from paper slips."""
CODE_LENGTH = 10
"""32**10 = 2**50 possible codes: guessing one among thousands is hopeless."""

migrations = Migrations("coresp_survey")


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
    code_hash: str | None
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
    """Open the database file; with ``prepare``, also create it, switch it to WAL and migrate it.

    The web app prepares the file once at start, so each request's connection stays cheap.
    """
    if prepare:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = FULL")
    db = Database(conn, execute_plugins=False)
    if prepare:
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        if migrations.pending(db):
            with write(db):
                migrations.apply(db)
    return db


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """A write transaction that waits its turn (``BEGIN IMMEDIATE``) and commits or rolls back."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def new_key() -> str:
    return secrets.token_urlsafe(18)


def today() -> str:
    return date.today().isoformat()


# -- drafts -------------------------------------------------------------------


def get_draft(db: Database, key: str | None) -> Draft | None:
    if not key:
        return None
    row = db.execute("SELECT * FROM drafts WHERE key = ?", [key]).fetchone()
    if row is None:
        return None
    key, survey, state, group, code_hash, answers, _ = row
    return Draft(key, survey, state, group, code_hash, json.loads(answers))


def save_draft(db: Database, key: str, survey: str, answers: dict, group: str | None, code_hash: str | None) -> None:
    """Create or replace an open draft; a submitted draft is never reopened."""
    with write(db):
        db.execute(
            """
            INSERT INTO drafts (key, survey, group_id, code_hash, answers, updated) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET group_id = excluded.group_id, code_hash = excluded.code_hash,
                answers = excluded.answers, updated = excluded.updated
            WHERE state = 'open'
            """,
            [key, survey, group, code_hash, _dump(answers), today()],
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
    code_hash: str | None,
    survey_round: str,
    lang: str,
    group: str | None,
    answers: dict,
) -> bool:
    """Store a response for draft ``key``, once: False if that draft was submitted already.

    The draft key is the submission key, given to the browser before its first
    page is sent: a double click, a reload or a retry after a lost
    acknowledgement finds the draft submitted and stores nothing. One
    transaction uses the invitation code, stores the response and closes the
    draft. Raises CodeRefused (storing nothing) if the code was used meanwhile.
    """
    with write(db):
        state = db.execute("SELECT state FROM drafts WHERE key = ?", [key]).fetchone()
        if state is not None and state[0] == "submitted":
            return False
        if code_hash is not None:
            used = db.execute(
                "UPDATE codes SET used = 1 WHERE hash = ? AND survey = ? AND used = 0", [code_hash, survey]
            )
            if used.rowcount != 1:
                raise CodeRefused("used")
        _insert_response(db, survey, survey_round, group, lang, "web", answers)
        db.execute(
            """
            INSERT INTO drafts (key, survey, state, answers, updated) VALUES (?, ?, 'submitted', '{}', ?)
            ON CONFLICT (key) DO UPDATE SET state = 'submitted', answers = '{}', group_id = NULL, code_hash = NULL,
                updated = excluded.updated
            """,
            [key, survey, today()],
        )
    return True


def import_responses(db: Database, survey: str, lang: str, rows: list[tuple[str, str | None, dict]]) -> int:
    """Store (round, group, answers) rows all together, or none if anything fails."""
    with write(db):
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


# -- invitation codes -----------------------------------------------------------


def hash_code(code: str) -> str:
    """Codes are stored hashed: a copy of the database does not reveal unused codes."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    """What people type from a slip may have any case, spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)


def issue_codes(db: Database, survey: str, group: str | None, count: int) -> list[str]:
    codes = []
    with write(db):
        while len(codes) < count:
            raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            inserted = db.execute(
                "INSERT OR IGNORE INTO codes (hash, survey, group_id, issued) VALUES (?, ?, ?, ?)",
                [hash_code(raw), survey, group, today()],
            ).rowcount
            if inserted:
                codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def check_code(db: Database, survey: str, code: str) -> tuple[str, str | None]:
    """The code's hash and group if it may be used now; raise CodeRefused otherwise."""
    code_hash = hash_code(code)
    row = db.execute("SELECT group_id, used FROM codes WHERE hash = ? AND survey = ?", [code_hash, survey]).fetchone()
    if row is None:
        raise CodeRefused("unknown")
    if row[1]:
        raise CodeRefused("used")
    return code_hash, row[0]


def code_group(db: Database, code_hash: str) -> str | None:
    row = db.execute("SELECT group_id FROM codes WHERE hash = ?", [code_hash]).fetchone()
    return row[0] if row else None


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
    leaves the redaction alone, None removes it. Returns how many answers changed.
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
            detail = json.dumps({"status": new[0], "redacted": new[1] is not None, "families": new_families})
            db.execute(
                "INSERT INTO decisions (id, survey, response_id, question, action, detail, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [new_key(), survey, response_id, question, new[0], detail, at],
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


def code_counts(db: Database) -> dict[tuple[str, str | None], tuple[int, int]]:
    """(issued, used) invitation codes per survey and group."""
    rows = db.execute("SELECT survey, group_id, count(*), sum(used) FROM codes GROUP BY survey, group_id")
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


def last_build(db: Database) -> dict | None:
    row = db.execute("SELECT started, finished, status, message FROM builds ORDER BY started DESC LIMIT 1").fetchone()
    return dict(zip(("started", "finished", "status", "message"), row, strict=True)) if row else None


def _dump_list(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))
