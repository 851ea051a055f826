"""The site builds started from the workspace: when each started and finished, and how it went."""

from __future__ import annotations

from sqlite_utils import Database

from coresp_survey.answers import database


def start_build(db: Database, started: str) -> str:
    """Record a build "running" from ``started``; return its id."""
    build_id = database.new_key()
    with database.write(db):
        db.execute("INSERT INTO builds (id, started, status) VALUES (?, ?, 'running')", [build_id, started])
    return build_id


def finish_build(db: Database, build_id: str, *, finished: str, status: str, message: str) -> None:
    with database.write(db):
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
    with database.write(db):
        return db.execute(
            "UPDATE builds SET finished = ?, status = 'interrupted' WHERE status = 'running'", [finished]
        ).rowcount


def last_build(db: Database) -> dict | None:
    """The latest build's started, finished, status and message; None before the first."""
    row = database.select(
        db, "SELECT started, finished, status, message FROM builds ORDER BY started DESC LIMIT 1"
    ).fetchone()
    return dict(row) if row else None
