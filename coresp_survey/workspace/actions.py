"""The survey's action plans in the database: stored, read back, changed, and every change logged.

An action's rows live in four tables (``actions``, ``action_indicators``,
``action_commitments``, ``action_updates``: `schema.m007_action_plans`);
each function here writes them in one ``BEGIN IMMEDIATE`` transaction with
its line in ``action_changes``: when, by whom (None while the workspace has
one shared password), what kind of change, and which fields changed (with
the old and new values of the short ones). A change that changes nothing is
not logged. Whether an action is valid is `action_checks`' business: these
functions store what they are given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from coresp_survey.answers import database
from coresp_survey.survey.model import Text
from coresp_survey.workspace.plans import Action
from coresp_survey.workspace.plans import Commitment
from coresp_survey.workspace.plans import ProgressNote
from coresp_survey.workspace.plans import status_rank

CHANGES = ("created", "edited", "imported", "note_added", "note_removed", "deleted")
"""The kinds of change the log records."""
FIELDS = ("title", "description", "indicators", "commitments", "starts", "ends", "status", "baseline", "updates")
"""What an edit may change, in the order the log names them."""
SHORT_FIELDS = ("starts", "ends", "status", "baseline")
"""Fields whose old and new values the log keeps (the others: only that they changed)."""


class ActionExists(Exception):
    """An action of that id is already in the survey's plan."""


@dataclass(frozen=True)
class LoggedChange:
    """One line of an action's log."""

    at: str
    author: str | None
    change: str
    """One of `CHANGES`."""
    detail: dict[str, Any]
    """``fields``: the names of the fields changed; for `SHORT_FIELDS`, ``field: [old, new]``; for notes, ``day``."""


@dataclass(frozen=True)
class Stored:
    """What an import did."""

    created: int
    changed: int
    unchanged: int


# -- reading ---------------------------------------------------------------------------


def survey_actions(db: Database, survey: str) -> list[Action]:
    """Every action of ``survey``: under way first, then planned, done and dropped, each by start (`status_rank`)."""
    return sorted(_read(db, survey, None), key=status_rank)


def get_action(db: Database, survey: str, action_id: str) -> Action | None:
    found = _read(db, survey, action_id)
    return found[0] if found else None


def _read(db: Database, survey: str, action_id: str | None) -> list[Action]:
    """The actions of ``survey`` (only ``action_id`` unless None), each with its indicators, commitments and notes."""
    params = [survey] if action_id is None else [survey, action_id]
    one = "" if action_id is None else " AND id = ?"
    rows = database.select(db, f"SELECT * FROM actions WHERE survey = ?{one}", params).fetchall()
    where = "survey = ?" + ("" if action_id is None else " AND action = ?")
    if not rows:
        return []
    indicators: dict[str, list[str]] = {}
    for row in database.select(
        db, f"SELECT action, indicator FROM action_indicators WHERE {where} ORDER BY position", params
    ):
        indicators.setdefault(row["action"], []).append(row["indicator"])
    commitments: dict[str, list[Commitment]] = {}
    for row in database.select(
        db, f"SELECT action, group_id, party, does FROM action_commitments WHERE {where} ORDER BY position", params
    ):
        party = Text(json.loads(row["party"])) if row["party"] is not None else None
        commitments.setdefault(row["action"], []).append(
            Commitment(does=Text(json.loads(row["does"])), group=row["group_id"], party=party)
        )
    notes: dict[str, list[ProgressNote]] = {}
    for row in database.select(
        db, f"SELECT id, action, day, text FROM action_updates WHERE {where} ORDER BY day, position", params
    ):
        notes.setdefault(row["action"], []).append(
            ProgressNote(date.fromisoformat(row["day"]), Text(json.loads(row["text"])), id=row["id"])
        )
    return [
        Action(
            survey=survey,
            id=row["id"],
            title=Text(json.loads(row["title"])),
            description=Text(json.loads(row["description"])),
            indicators=tuple(indicators.get(row["id"], ())),
            starts=date.fromisoformat(row["starts"]),
            status=row["status"],
            commitments=tuple(commitments.get(row["id"], ())),
            ends=date.fromisoformat(row["ends"]) if row["ends"] else None,
            baseline=row["baseline"],
            updates=tuple(notes.get(row["id"], ())),
        )
        for row in rows
    ]


def change_log(db: Database, survey: str, action_id: str) -> list[LoggedChange]:
    """Every change to one action, newest first (kept after the action is deleted)."""
    rows = database.select(
        db,
        "SELECT at, author, change, detail FROM action_changes WHERE survey = ? AND action = ? ORDER BY at DESC, id",
        [survey, action_id],
    )
    return [LoggedChange(row["at"], row["author"], row["change"], json.loads(row["detail"])) for row in rows]


def last_changes(db: Database, survey: str) -> dict[str, LoggedChange]:
    """The latest change of each action of ``survey``, by action id."""
    found: dict[str, LoggedChange] = {}
    rows = database.select(
        db, "SELECT action, at, author, change, detail FROM action_changes WHERE survey = ? ORDER BY at", [survey]
    )
    for row in rows:
        found[row["action"]] = LoggedChange(row["at"], row["author"], row["change"], json.loads(row["detail"]))
    return found


# -- writing ---------------------------------------------------------------------------


def create_action(db: Database, action: Action, *, at: str, author: str | None) -> None:
    """Store a new action (`ActionExists` if its id is taken), logged as created."""
    with database.write(db):
        if get_action(db, action.survey, action.id) is not None:
            raise ActionExists(action.id)
        _write(db, action)
        _log(db, action.survey, action.id, at, author, "created", {"fields": list(FIELDS)})


def update_action(db: Database, action: Action, *, at: str, author: str | None) -> list[str]:
    """Replace the stored action of the same id with ``action``; return the fields that changed (logged if any).

    `KeyError` if there is no such action (it may have been deleted meanwhile).
    """
    with database.write(db):
        old = get_action(db, action.survey, action.id)
        if old is None:
            raise KeyError(action.id)
        return _replace(db, old, action, at, author, "edited")


def store_actions(db: Database, survey: str, actions: list[Action], *, at: str, author: str | None) -> Stored:
    """Create or replace each of ``actions`` (an import), all in one transaction; the survey's other actions stay."""
    created = changed = 0
    with database.write(db):
        for action in actions:
            if action.survey != survey:
                raise ValueError(f"action {action.id} belongs to {action.survey}, not {survey}")
            old = get_action(db, survey, action.id)
            if old is None:
                _write(db, action)
                _log(db, survey, action.id, at, author, "imported", {"fields": list(FIELDS), "new": True})
                created += 1
            elif _replace(db, old, action, at, author, "imported"):
                changed += 1
    return Stored(created, changed, len(actions) - created - changed)


def add_note(db: Database, survey: str, action_id: str, note: ProgressNote, *, at: str, author: str | None) -> str:
    """Add a progress note to an action; return its id (`KeyError` if there is no such action)."""
    note_id = database.new_key()
    with database.write(db):
        if get_action(db, survey, action_id) is None:
            raise KeyError(action_id)
        position = db.execute(
            "SELECT coalesce(max(position), -1) + 1 FROM action_updates WHERE survey = ? AND action = ?",
            [survey, action_id],
        ).fetchone()[0]
        db.execute(
            "INSERT INTO action_updates (id, survey, action, day, position, text) VALUES (?, ?, ?, ?, ?, ?)",
            [note_id, survey, action_id, note.day.isoformat(), position, database.to_json(note.text)],
        )
        _log(db, survey, action_id, at, author, "note_added", {"day": note.day.isoformat(), "text": dict(note.text)})
    return note_id


def remove_note(db: Database, survey: str, action_id: str, note_id: str, *, at: str, author: str | None) -> bool:
    """Remove one progress note; False if the action has no such note. The log keeps what it said."""
    with database.write(db):
        row = database.select(
            db,
            "SELECT day, text FROM action_updates WHERE id = ? AND survey = ? AND action = ?",
            [note_id, survey, action_id],
        ).fetchone()
        if row is None:
            return False
        db.execute("DELETE FROM action_updates WHERE id = ?", [note_id])
        _log(db, survey, action_id, at, author, "note_removed", {"day": row["day"], "text": json.loads(row["text"])})
    return True


def delete_action(db: Database, survey: str, action_id: str, *, at: str, author: str | None) -> bool:
    """Delete an action and its rows; False if there is none. Its log stays, ending with the deletion."""
    with database.write(db):
        old = get_action(db, survey, action_id)
        if old is None:
            return False
        _delete_rows(db, survey, action_id)
        _log(db, survey, action_id, at, author, "deleted", {"title": dict(old.title)})
    return True


def _replace(db: Database, old: Action, new: Action, at: str, author: str | None, change: str) -> list[str]:
    changed = changed_fields(old, new)
    if changed:
        _delete_rows(db, new.survey, new.id)
        _write(db, new)
        detail: dict[str, Any] = {"fields": changed}
        for name in changed:
            if name in SHORT_FIELDS:
                detail[name] = [_plain(getattr(old, name)), _plain(getattr(new, name))]
        _log(db, new.survey, new.id, at, author, change, detail)
    return changed


def changed_fields(old: Action, new: Action) -> list[str]:
    """The fields of `FIELDS` whose values differ (progress notes compared by day and text)."""
    return [name for name in FIELDS if getattr(old, name) != getattr(new, name)]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _write(db: Database, action: Action) -> None:
    db.execute(
        "INSERT INTO actions (survey, id, title, description, starts, ends, status, baseline)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            action.survey,
            action.id,
            database.to_json(action.title),
            database.to_json(action.description),
            action.starts.isoformat(),
            action.ends.isoformat() if action.ends else None,
            action.status,
            action.baseline,
        ],
    )
    db.conn.executemany(
        "INSERT INTO action_indicators (survey, action, indicator, position) VALUES (?, ?, ?, ?)",
        [(action.survey, action.id, indicator, k) for k, indicator in enumerate(action.indicators)],
    )
    db.conn.executemany(
        "INSERT INTO action_commitments (survey, action, position, group_id, party, does) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                action.survey,
                action.id,
                k,
                commitment.group,
                database.to_json(commitment.party) if commitment.party is not None else None,
                database.to_json(commitment.does),
            )
            for k, commitment in enumerate(action.commitments)
        ],
    )
    db.conn.executemany(
        "INSERT INTO action_updates (id, survey, action, day, position, text) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                note.id or database.new_key(),
                action.survey,
                action.id,
                note.day.isoformat(),
                k,
                database.to_json(note.text),
            )
            for k, note in enumerate(action.updates)
        ],
    )


def _delete_rows(db: Database, survey: str, action_id: str) -> None:
    for table, column in (
        ("actions", "id"),
        ("action_indicators", "action"),
        ("action_commitments", "action"),
        ("action_updates", "action"),
    ):
        db.execute(f"DELETE FROM {table} WHERE survey = ? AND {column} = ?", [survey, action_id])


def _log(db: Database, survey: str, action_id: str, at: str, author: str | None, change: str, detail: dict) -> None:
    db.execute(
        "INSERT INTO action_changes (id, survey, action, at, author, change, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [database.new_key(), survey, action_id, at, author, change, database.to_json(detail)],
    )
