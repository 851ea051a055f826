"""The site builds started from the workspace: who started each, for which surveys, when, and how it went."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlite_utils import Database

from coresp_survey.answers import database


def start_build(db: Database, started: str, *, by: str | None = None, surveys: list[str] | None = None) -> str:
    """Record a build "running" from ``started``, by a login, of some surveys (None: the whole site); return its id."""
    build_id = database.new_key()
    named = database.to_json(surveys) if surveys is not None else None
    with database.write(db):
        db.execute(
            "INSERT INTO builds (id, started, status, login, surveys) VALUES (?, ?, 'running', ?, ?)",
            [build_id, started, by, named],
        )
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


def last_build(db: Database, seen: Callable[[str], bool] | None = None) -> dict | None:
    """The latest build's started, finished, status, message, login and surveys (None: the whole site); None before
    the first. With ``seen``, the latest whose surveys include one it sees (a whole-site build includes all)."""
    rows = database.select(
        db, "SELECT started, finished, status, message, login, surveys FROM builds ORDER BY started DESC"
    )
    for row in rows:
        build = dict(row)
        build["surveys"] = json.loads(build["surveys"]) if build["surveys"] is not None else None
        if seen is None or build["surveys"] is None or any(seen(survey) for survey in build["surveys"]):
            return build
    return None
