"""Criteria linked to indicators, and criteria marked as the same: stored, read back and logged.

A criterion is an open answer (``response_id``, ``question``; a group
session's criterion uses its own id). Linked to an indicator, it is published
on that indicator's page beside the figures, once approved. Two criteria worded
differently but meaning the same are marked as the same: the marked one is
published as the one it is marked as, so the synthesis shows it once. Every
change is logged in ``decisions`` with its login, like a moderation decision
(actions ``linked``, ``unlinked``, ``same``, ``not_same``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

from coresp_survey.answers import database

Key = tuple[str, str]
"""(response id, question): one criterion."""


def links(db: Database, survey: str) -> dict[Key, tuple[str, ...]]:
    """The indicators each criterion of the survey is linked to, sorted."""
    rows = database.select(
        db,
        "SELECT response_id, question, indicator FROM criteria_links WHERE survey = ?"
        " ORDER BY response_id, question, indicator",
        [survey],
    )
    found: dict[Key, tuple[str, ...]] = {}
    for row in rows:
        key = (row["response_id"], row["question"])
        found[key] = (*found.get(key, ()), row["indicator"])
    return found


def link(
    db: Database, *, survey: str, answers: Iterable[Key], indicators: Iterable[str], at: str, by: str | None
) -> int:
    """Link each criterion to each indicator (those already linked are left as they are); returns the new links."""
    chosen = list(dict.fromkeys(indicators))
    added = 0
    with database.write(db):
        for response_id, question in answers:
            for indicator in chosen:
                cursor = db.execute(
                    "INSERT INTO criteria_links (response_id, question, indicator, survey, linked, linked_by)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [response_id, question, indicator, survey, at, by],
                )
                if cursor.rowcount:
                    _log(db, survey, (response_id, question), "linked", {"indicator": indicator}, at, by)
                    added += 1
    return added


def unlink(
    db: Database, *, survey: str, answers: Iterable[Key], indicators: Iterable[str], at: str, by: str | None
) -> int:
    """Remove these links; returns how many there were."""
    chosen = list(dict.fromkeys(indicators))
    removed = 0
    with database.write(db):
        for response_id, question in answers:
            for indicator in chosen:
                cursor = db.execute(
                    "DELETE FROM criteria_links WHERE response_id = ? AND question = ? AND indicator = ? AND survey = ?",
                    [response_id, question, indicator, survey],
                )
                if cursor.rowcount:
                    _log(db, survey, (response_id, question), "unlinked", {"indicator": indicator}, at, by)
                    removed += 1
    return removed


def same_marks(db: Database, survey: str) -> dict[Key, Key]:
    """Criterion → the criterion it is published as."""
    rows = database.select(
        db,
        "SELECT response_id, question, same_response_id, same_question FROM criteria_same WHERE survey = ?",
        [survey],
    )
    return {(r["response_id"], r["question"]): (r["same_response_id"], r["same_question"]) for r in rows}


def mark_same(db: Database, *, survey: str, answers: list[Key], at: str, by: str | None) -> int:
    """Mark the criteria as the same as the first one: the others, and those marked as them, point to it.

    The first one loses its own mark, if it had one: marks never chain.
    Returns how many criteria now point to a new one.
    """
    if len(answers) < 2:
        return 0
    target, *others = list(dict.fromkeys(answers))
    marked = 0
    with database.write(db):
        db.execute("DELETE FROM criteria_same WHERE response_id = ? AND question = ?", list(target))
        pointing = database.select(
            db,
            "SELECT response_id, question FROM criteria_same WHERE survey = ? AND ("
            + " OR ".join("(same_response_id = ? AND same_question = ?)" for _ in others)
            + ")",
            [survey, *(part for key in others for part in key)],
        ).fetchall()
        for key in [*others, *((row["response_id"], row["question"]) for row in pointing)]:
            if key == target:
                continue
            db.execute(
                "INSERT INTO criteria_same (response_id, question, survey, same_response_id, same_question, marked,"
                " marked_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (response_id, question) DO UPDATE SET"
                " same_response_id = excluded.same_response_id, same_question = excluded.same_question,"
                " marked = excluded.marked, marked_by = excluded.marked_by",
                [*key, survey, *target, at, by],
            )
            _log(db, survey, key, "same", {"as": f"{target[0]}.{target[1]}"}, at, by)
            marked += 1
    return marked


def unmark_same(db: Database, *, survey: str, answers: Iterable[Key], at: str, by: str | None) -> int:
    """The criteria are published as themselves again; returns how many had a mark."""
    removed = 0
    with database.write(db):
        for key in answers:
            cursor = db.execute(
                "DELETE FROM criteria_same WHERE response_id = ? AND question = ? AND survey = ?", [*key, survey]
            )
            if cursor.rowcount:
                _log(db, survey, key, "not_same", {}, at, by)
                removed += 1
    return removed


def _log(db: Database, survey: str, key: Key, action: str, detail: dict, at: str, by: str | None) -> None:
    db.execute(
        "INSERT INTO decisions (id, survey, response_id, question, action, detail, at, login)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [database.new_key(), survey, *key, action, json.dumps(detail), at, by],
    )
