"""Group sessions and their criteria in the responses database: recorded, listed, changed and deleted.

Values are checked before they come here (`session_checks`). A session can be
changed or deleted only while none of its criteria has been moderated: a
decision is the coordination group's work on a text, and changing the text
under it would publish what nobody approved. The check and the change happen
in one write transaction, so a decision made meanwhile is never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlite_utils import Database

from coresp_survey.answers import database
from coresp_survey.answers.records import GroupSession
from coresp_survey.answers.records import SessionCriterion

CRITERION_PREFIX = "s-"
"""Session criteria's ids start with it: in moderation they stand beside responses' random ids."""


class SessionLocked(Exception):
    """The session has moderated criteria: it can no longer be changed or deleted."""


class SessionMissing(Exception):
    """No such session (deleted meanwhile, or never recorded)."""


def new_criterion_id() -> str:
    return CRITERION_PREFIX + database.new_key()


def record_session(
    db: Database,
    *,
    survey: str,
    group: str,
    date: str,
    participants: int,
    criteria: Iterable[tuple[str, str, str]],
    label: str = "",
    note: str = "",
    by: str | None,
    at: str,
) -> str:
    """Store a session and its criteria (question, lang, text) in one transaction; return its id."""
    with database.write(db):
        return _insert(db, survey, group, date, participants, list(criteria), label, note, by, at)


def record_sessions(db: Database, sessions: list[dict], *, by: str | None, at: str) -> list[str]:
    """Store several sessions (keyword dicts of `record_session`) in one transaction: all or none."""
    with database.write(db):
        return [
            _insert(db, s["survey"], s["group"], s["date"], s["participants"], s["criteria"], s.get("label", ""),
                    s.get("note", ""), by, at)
            for s in sessions
        ]  # fmt: skip


def _insert(db, survey, group, date, participants, criteria, label, note, by, at) -> str:
    session_id = database.new_key()
    db.execute(
        'INSERT INTO group_sessions (id, survey, "group", label, date, participants, note, recorded_by, recorded,'
        " changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [session_id, survey, group, label, date, participants, note, by, at, at],
    )
    _insert_criteria(db, session_id, criteria)
    _log(db, survey, session_id, "recorded", by, at)
    return session_id


def _log(db: Database, survey: str, session_id: str, action: str, by: str | None, at: str) -> None:
    db.execute(
        "INSERT INTO session_log (id, survey, session, action, login, at) VALUES (?, ?, ?, ?, ?, ?)",
        [database.new_key(), survey, session_id, action, by, at],
    )


class LoggedChange(NamedTuple):
    at: str
    action: str
    """recorded, changed or deleted."""
    login: str | None
    """None: the command line (import, demo)."""


def session_log(db: Database, session_id: str) -> list[LoggedChange]:
    """Who recorded, changed (and deleted) a session, oldest first."""
    rows = database.select(
        db, "SELECT at, action, login FROM session_log WHERE session = ? ORDER BY at, id", [session_id]
    )
    return [LoggedChange(row["at"], row["action"], row["login"]) for row in rows]


def _insert_criteria(db: Database, session_id: str, criteria: list[tuple[str, str, str]]) -> None:
    db.conn.executemany(
        "INSERT INTO session_criteria (id, session, question, lang, text, position) VALUES (?, ?, ?, ?, ?, ?)",
        [(new_criterion_id(), session_id, q, lang, text, n) for n, (q, lang, text) in enumerate(criteria)],
    )


def change_session(
    db: Database,
    session_id: str,
    *,
    group: str,
    date: str,
    participants: int,
    criteria: Iterable[tuple[str, str, str]],
    label: str = "",
    note: str = "",
    by: str | None,
    at: str,
) -> None:
    """Replace what a session holds (its criteria get new ids); `SessionLocked` once any is moderated."""
    with database.write(db):
        survey = _check_changeable(db, session_id)
        _log(db, survey, session_id, "changed", by, at)
        db.execute(
            'UPDATE group_sessions SET "group" = ?, label = ?, date = ?, participants = ?, note = ?, changed = ?'
            " WHERE id = ?",
            [group, label, date, participants, note, at, session_id],
        )
        db.execute("DELETE FROM session_criteria WHERE session = ?", [session_id])
        _insert_criteria(db, session_id, list(criteria))


def delete_session(db: Database, session_id: str, *, by: str | None, at: str) -> None:
    """Delete a session and its criteria (its log says who did); `SessionLocked` once any is moderated."""
    with database.write(db):
        survey = _check_changeable(db, session_id)
        _log(db, survey, session_id, "deleted", by, at)
        db.execute("DELETE FROM session_criteria WHERE session = ?", [session_id])
        db.execute("DELETE FROM group_sessions WHERE id = ?", [session_id])


def _check_changeable(db: Database, session_id: str) -> str:
    """The session's survey, if it may be changed."""
    row = database.select(db, "SELECT survey FROM group_sessions WHERE id = ?", [session_id]).fetchone()
    if row is None:
        raise SessionMissing(session_id)
    if moderated_criteria(db, session_id):
        raise SessionLocked(session_id)
    return row["survey"]


def moderated_criteria(db: Database, session_id: str) -> int:
    """How many of the session's criteria have a moderation row (approved, rejected, or put back to pending)."""
    return database.select(
        db,
        "SELECT count(*) AS n FROM session_criteria AS c JOIN moderation AS m ON m.response_id = c.id"
        " AND m.question = c.question WHERE c.session = ?",
        [session_id],
    ).fetchone()["n"]


def get_session(db: Database, session_id: str) -> GroupSession | None:
    row = database.select(db, "SELECT * FROM group_sessions WHERE id = ?", [session_id]).fetchone()
    if row is None:
        return None
    return _session(row, _criteria(db, [session_id]).get(session_id, ()))


def list_sessions(db: Database, survey: str) -> list[GroupSession]:
    """The survey's sessions with their criteria, most recent day first."""
    rows = database.select(
        db, "SELECT * FROM group_sessions WHERE survey = ? ORDER BY date DESC, recorded DESC", [survey]
    ).fetchall()
    criteria = _criteria(db, [row["id"] for row in rows])
    return [_session(row, criteria.get(row["id"], ())) for row in rows]


def _criteria(db: Database, session_ids: list[str]) -> dict[str, tuple[SessionCriterion, ...]]:
    found: dict[str, list[SessionCriterion]] = {}
    if not session_ids:
        return {}
    marks = ", ".join("?" * len(session_ids))
    rows = database.select(
        db,
        f"SELECT id, session, question, lang, text, position FROM session_criteria WHERE session IN ({marks})"
        " ORDER BY session, position",
        session_ids,
    )
    for row in rows:
        found.setdefault(row["session"], []).append(SessionCriterion(**dict(row)))
    return {session_id: tuple(items) for session_id, items in found.items()}


def _session(row, criteria: tuple[SessionCriterion, ...]) -> GroupSession:
    return GroupSession(**{key: row[key] for key in row.keys()}, criteria=criteria)


def criterion_session(db: Database, criterion_id: str) -> GroupSession | None:
    """The session a criterion belongs to (with all its criteria), or None."""
    row = database.select(db, "SELECT session FROM session_criteria WHERE id = ?", [criterion_id]).fetchone()
    return get_session(db, row["session"]) if row else None


def participants_by_group(db: Database, survey: str) -> dict[str, tuple[int, int]]:
    """group → (sessions, participants) over every session of the survey."""
    rows = database.select(
        db,
        'SELECT "group", count(*) AS sessions, sum(participants) AS participants FROM group_sessions'
        ' WHERE survey = ? GROUP BY "group"',
        [survey],
    )
    return {row["group"]: (row["sessions"], row["participants"]) for row in rows}
