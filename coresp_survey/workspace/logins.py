"""Failed logins to the workspace, kept in the database so that every worker counts the same ones."""

from __future__ import annotations

from sqlite_utils import Database

from coresp_survey.answers import database

KEPT_SECONDS = 86_400
"""A failure older than a day is forgotten when the next one is recorded."""


def record_login_failure(db: Database, at: float) -> None:
    with database.write(db):
        db.execute("INSERT INTO login_failures (id, at) VALUES (?, ?)", [database.new_key(), at])
        db.execute("DELETE FROM login_failures WHERE at < ?", [at - KEPT_SECONDS])


def login_failures_since(db: Database, since: float) -> list[float]:
    """The times of failed logins after ``since``, oldest first (kept in the database: every worker sees them)."""
    return [
        row["at"] for row in database.select(db, "SELECT at FROM login_failures WHERE at >= ? ORDER BY at", [since])
    ]


def clear_login_failures(db: Database) -> None:
    with database.write(db):
        db.execute("DELETE FROM login_failures")
