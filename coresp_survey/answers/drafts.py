"""Drafts: the answers one respondent has given so far, kept server-side between pages and visits.

A draft is keyed by a random id the session cookie holds; that key is also
the submission key (`responses.submit_draft`). A submitted draft keeps no
answers, and is never reopened: it is what recognises a resent last page.
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from coresp_survey.answers import codes
from coresp_survey.answers import database
from coresp_survey.answers.records import Draft


def get_draft(db: Database, key: str | None) -> Draft | None:
    if not key:
        return None
    row = database.select(
        db, "SELECT key, survey, state, group_id, code_ok, answers FROM drafts WHERE key = ?", [key]
    ).fetchone()
    if row is None:
        return None
    return Draft(
        key=row["key"],
        survey=row["survey"],
        state=row["state"],
        group=row["group_id"],
        code_ok=bool(row["code_ok"]),
        answers=json.loads(row["answers"]),
    )


def save_draft(db: Database, *, key: str, survey: str, answers: dict, group: str | None, code_ok: bool = False) -> None:
    """Create or replace an open draft; a submitted draft is never reopened, an accepted code never forgotten."""
    with database.write(db):
        db.execute(
            """
            INSERT INTO drafts (key, survey, group_id, code_ok, answers, updated) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET group_id = excluded.group_id, code_ok = max(code_ok, excluded.code_ok),
                answers = excluded.answers, updated = excluded.updated
            WHERE state = 'open'
            """,
            [key, survey, group, int(bool(code_ok)), database.to_json(answers), database.today()],
        )


def start_with_code(db: Database, codes_db: Database, *, key: str, survey: str, code: str) -> str | None:
    """Spend ``code`` for draft ``key`` and note ``code_ok`` in the draft; return the code's group.

    Two commits, the codes file's first (`codes.accept_code`), then the draft's,
    which names no code. Both under the responses database's write lock, so
    two requests of one browser (a double click on the first page) spend the
    code once: the second finds the draft already started with a code. If the
    process dies between the two commits, the code is spent without a draft,
    and the respondent needs a new code (the refusal says so).
    """
    with database.write(db):
        started = database.select(
            db, "SELECT state, code_ok, group_id FROM drafts WHERE key = ? AND survey = ?", [key, survey]
        ).fetchone()
        if started is not None and (started["state"] == "submitted" or started["code_ok"]):
            return started["group_id"]
        group = codes.accept_code(codes_db, survey=survey, code=code)
        db.execute(
            """
            INSERT INTO drafts (key, survey, group_id, code_ok, updated) VALUES (?, ?, ?, 1, ?)
            ON CONFLICT (key) DO UPDATE SET group_id = excluded.group_id, code_ok = 1, updated = excluded.updated
            WHERE state = 'open'
            """,
            [key, survey, group, database.today()],
        )
    return group


def forget_draft(db: Database, key: str) -> bool:
    """Delete draft ``key`` if it is still open ("start afresh" on a shared computer); True if one was.

    A submitted draft stays: it is what recognises a resent last page.
    """
    with database.write(db):
        return db.execute("DELETE FROM drafts WHERE key = ? AND state = 'open'", [key]).rowcount == 1


def delete_old_drafts(db: Database, before: str) -> int:
    """Forget drafts last saved before the day ``before``: only the serving app does, at start."""
    with database.write(db):
        return db.execute("DELETE FROM drafts WHERE updated < ?", [before]).rowcount


def count_open_drafts(db: Database) -> dict[str, int]:
    """Unfinished answers per survey: respondents who started and have not submitted (yet)."""
    rows = database.select(db, "SELECT survey, count(*) AS open FROM drafts WHERE state = 'open' GROUP BY survey")
    return {row["survey"]: row["open"] for row in rows}
