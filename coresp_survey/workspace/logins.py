"""Login throttling: failures slow down the login they were made on, and a flood of failures slows every failure.

- Per login: the first `FREE_FAILURES` - 1 failures cost nothing; from the
  `FREE_FAILURES`-th on, the login waits 1, 2, 4… seconds before it may be
  tried again, at most `LONGEST_WAIT`. A success, or a day without failure,
  starts it afresh. Only that login waits: failures against one account
  never keep another out.
- The global ceiling: every `GLOBAL_STEP` failures of any login within
  `GLOBAL_WINDOW` count as one more failure of each login that fails next,
  so an attack spread over many logins soon pays a wait for each of its
  guesses. A login that has not failed itself is never kept waiting.
- Atomic across workers: an attempt is recorded as a failure *before* its
  password is checked (`begin_attempt`, in one ``BEGIN IMMEDIATE``), and the
  failure removed if the password was right (`succeeded`). However many
  attempts arrive together from however many workers, only those the counter
  lets through are checked.
- Unknown logins are throttled exactly like known ones (else the wait would
  tell which exist), under a hash of the login: a password typed into the
  login field by mistake is never kept in clear. No address is kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlite_utils import Database

from coresp_survey.answers import database

FREE_FAILURES = 3
"""The failure after which the login waits `FIRST_WAIT` before it may be tried again."""
FIRST_WAIT = 1.0
LONGEST_WAIT = 15 * 60.0
FORGOTTEN_AFTER = 86_400
"""A login without a failure for a day starts afresh; older failures are deleted when the next one is recorded."""
GLOBAL_WINDOW = 15 * 60
GLOBAL_STEP = 30


@dataclass(frozen=True)
class Attempt:
    """May the password be checked now? If so, the failure recorded in advance (`failure_id`) until it is."""

    allowed: bool
    wait: float = 0.0
    """Seconds until the login may be tried (refused now), or must wait if this attempt fails (allowed)."""
    failure_id: str | None = None


def login_key(login: str) -> str:
    return hashlib.sha256(f"coresp-survey login {login}".encode()).hexdigest()


def wait_after(failures: int) -> float:
    """How long a login waits after its ``failures``-th failure in a row."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** min(failures - FREE_FAILURES, 32))


def begin_attempt(db: Database, login: str, now: float) -> Attempt:
    """Refuse the attempt while the login must wait; else record it as a failure and let the password be checked."""
    key = login_key(login)
    with database.write(db):
        row = database.select(
            db, "SELECT failures, last_failure, retry_at FROM login_throttle WHERE login_key = ?", [key]
        ).fetchone()
        fresh = row is None or now - row["last_failure"] > FORGOTTEN_AFTER
        if not fresh and now < row["retry_at"]:
            return Attempt(allowed=False, wait=row["retry_at"] - now)
        failures = 1 if fresh else row["failures"] + 1
        recent = database.select(
            db, "SELECT count(*) AS n FROM login_failures WHERE at >= ?", [now - GLOBAL_WINDOW]
        ).fetchone()["n"]
        wait = wait_after(failures + recent // GLOBAL_STEP)
        db.execute(
            """
            INSERT INTO login_throttle (login_key, failures, last_failure, retry_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (login_key) DO UPDATE SET failures = excluded.failures,
                last_failure = excluded.last_failure, retry_at = excluded.retry_at
            """,
            [key, failures, now, now + wait],
        )
        failure_id = database.new_key()
        db.execute("INSERT INTO login_failures (id, at) VALUES (?, ?)", [failure_id, now])
        db.execute("DELETE FROM login_failures WHERE at < ?", [now - FORGOTTEN_AFTER])
        db.execute("DELETE FROM login_throttle WHERE last_failure < ?", [now - FORGOTTEN_AFTER])
    return Attempt(allowed=True, wait=wait, failure_id=failure_id)


def succeeded(db: Database, login: str, attempt: Attempt) -> None:
    """The password was right: the login starts afresh, and its attempt is no failure."""
    with database.write(db):
        db.execute("DELETE FROM login_throttle WHERE login_key = ?", [login_key(login)])
        db.execute("DELETE FROM login_failures WHERE id = ?", [attempt.failure_id])


def forget_failures(db: Database, login: str) -> None:
    """A new password: the guesses made at the old one no longer slow the login."""
    with database.write(db):
        db.execute("DELETE FROM login_throttle WHERE login_key = ?", [login_key(login)])


def login_failures_since(db: Database, since: float) -> list[float]:
    """The times of failed logins of every login after ``since``, oldest first (the global ceiling counts them)."""
    return [
        row["at"] for row in database.select(db, "SELECT at FROM login_failures WHERE at >= ? ORDER BY at", [since])
    ]
