"""Responses: stored once when the last page is sent, or imported from paper; read back for figures and exports."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from collections.abc import Iterator

from sqlite_utils import Database

from coresp_survey.answers import database
from coresp_survey.answers.records import Response
from coresp_survey.answers.versions import save_version

COLUMNS = "id, survey, round, group_id, lang, submitted, source, answers"


def submit_draft(
    db: Database, *, key: str, survey: str, survey_round: str, lang: str, group: str | None, answers: dict
) -> bool:
    """Store a response for draft ``key``, once: False if that draft was submitted already.

    The draft key is the submission key, given to the browser before its first
    page is sent: a double click, a reload or a retry after a lost
    acknowledgement finds the draft submitted and stores nothing. One
    transaction stores the response and closes the draft; it touches no code
    (the code was spent when the first page accepted it: `drafts.start_with_code`).
    """
    with database.write(db):
        draft = database.select(db, "SELECT state FROM drafts WHERE key = ?", [key]).fetchone()
        if draft is not None and draft["state"] == "submitted":
            return False
        _insert_response(
            db, survey=survey, survey_round=survey_round, group=group, lang=lang, source="web", answers=answers
        )
        db.execute(
            """
            INSERT INTO drafts (key, survey, state, answers, updated) VALUES (?, ?, 'submitted', '{}', ?)
            ON CONFLICT (key) DO UPDATE SET state = 'submitted', answers = '{}', group_id = NULL, code_ok = 0,
                updated = excluded.updated
            """,
            [key, survey, database.today()],
        )
    return True


def import_responses(
    db: Database,
    *,
    survey: str,
    lang: str,
    rows: list[tuple[str, str | None, dict]] | list[tuple[str, str | None, dict, str | None]],
    versions: Iterable[tuple[str, str, bytes]] = (),
) -> int:
    """Store (round, group, answers) rows all together, or none if anything fails.

    A row may carry a fourth value, the day it was answered (``YYYY-MM-DD``,
    from an export's ``submitted``); without it, or None, today.

    ``versions`` (round, format, source) are saved in the same transaction:
    the survey the rows were checked with becomes known for their round only
    if the rows are stored.
    """
    with database.write(db):
        for survey_round, file_format, source in versions:
            save_version(db, survey=survey, survey_round=survey_round, file_format=file_format, source=source)
        for survey_round, group, answers, *day in rows:
            _insert_response(
                db, survey=survey, survey_round=survey_round, group=group, lang=lang, source="import", answers=answers,
                submitted=day[0] if day else None,
            )  # fmt: skip
    return len(rows)


def _insert_response(
    db: Database,
    *,
    survey: str,
    survey_round: str,
    group: str | None,
    lang: str,
    source: str,
    answers: dict,
    submitted: str | None = None,
) -> None:
    day = submitted or database.today()
    db.execute(
        f"INSERT INTO responses ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [database.new_key(), survey, survey_round, group, lang, day, source, database.to_json(answers)],
    )


def iter_responses(db: Database, survey: str) -> Iterator[Response]:
    """Every response to ``survey``, ordered by round, then day, then random id."""
    rows = database.select(
        db, f"SELECT {COLUMNS} FROM responses WHERE survey = ? ORDER BY round, submitted, id", [survey]
    )
    for row in rows:
        yield _response(row)


def get_response(db: Database, response_id: str) -> Response | None:
    row = database.select(db, f"SELECT {COLUMNS} FROM responses WHERE id = ?", [response_id]).fetchone()
    return _response(row) if row else None


def _response(row: sqlite3.Row) -> Response:
    return Response(
        id=row["id"],
        survey=row["survey"],
        round=row["round"],
        group=row["group_id"],
        lang=row["lang"],
        submitted=row["submitted"],
        source=row["source"],
        answers=json.loads(row["answers"]),
    )


def count_responses(db: Database, survey: str) -> int:
    return db.execute("SELECT count(*) FROM responses WHERE survey = ?", [survey]).fetchone()[0]


def response_counts_by_survey(db: Database) -> dict[str, int]:
    """Stored responses per survey id, of every survey id the database holds answers of."""
    rows = database.select(db, "SELECT survey, count(*) AS responses FROM responses GROUP BY survey")
    return {row["survey"]: row["responses"] for row in rows}


def response_rounds(db: Database, survey: str) -> set[str]:
    """The rounds that have stored responses to ``survey``."""
    rows = database.select(db, "SELECT DISTINCT round FROM responses WHERE survey = ?", [survey])
    return {row["round"] for row in rows}


def answer_keys(db: Database, survey: str) -> set[str]:
    """Every key stored in the answers of ``survey``'s responses (fields of questions since removed included)."""
    rows = database.select(
        db,
        "SELECT DISTINCT answer.key FROM responses, json_each(responses.answers) AS answer WHERE responses.survey = ?",
        [survey],
    )
    return {row["key"] for row in rows}


def response_counts(db: Database) -> dict[tuple[str, str, str | None], int]:
    """Responses per survey, round and group."""
    rows = database.select(
        db, "SELECT survey, round, group_id, count(*) AS responses FROM responses GROUP BY survey, round, group_id"
    )
    return {(row["survey"], row["round"], row["group_id"]): row["responses"] for row in rows}
