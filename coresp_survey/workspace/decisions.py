"""Moderation decisions on open answers, and their log: what the coordination group decided, who, and when.

A decision is keyed by the response's random id and the question: it says
nothing about who answered. Decisions keep their time and the login that
made them (the coordination group's work, not the respondents'); those made
before named accounts existed name nobody (None).
"""

from __future__ import annotations

import json
from typing import NamedTuple

from sqlite_utils import Database

from coresp_survey.answers import database
from coresp_survey.workspace.moderation import STATUSES
from coresp_survey.workspace.moderation import Decision


def decisions(db: Database, survey: str) -> dict[tuple[str, str], Decision]:
    """Every moderation decision of a survey, by (response id, question)."""
    rows = database.select(
        db,
        "SELECT response_id, question, status, redacted, families, decided, decided_by FROM moderation WHERE survey = ?",
        [survey],
    )
    return {
        (row["response_id"], row["question"]): Decision(
            response_id=row["response_id"],
            question=row["question"],
            status=row["status"],
            redacted=row["redacted"],
            families=tuple(json.loads(row["families"])),
            decided=row["decided"],
            decided_by=row["decided_by"],
        )
        for row in rows
    }


def decide(
    db: Database,
    *,
    survey: str,
    answers: list[tuple[str, str]],
    status: str | None = None,
    add_families: tuple[str, ...] = (),
    remove_families: tuple[str, ...] = (),
    families: tuple[str, ...] | None = None,
    redacted: str | None | bool = False,
    at: str,
    by: str | None = None,
) -> int:
    """Apply one decision to several answers (response id, question) in one transaction, logging each.

    ``families`` replaces the answer's families; ``add_families`` and
    ``remove_families`` change them (bulk classification). ``redacted`` False
    leaves the redaction alone, None removes it (the log says so: ``original``). ``by``: the login
    deciding (`web.accounts.current_login`). Returns how many answers changed.
    """
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown moderation status {status!r}")
    changed = 0
    with database.write(db):
        for response_id, question in answers:
            row = database.select(
                db,
                "SELECT status, redacted, families FROM moderation WHERE response_id = ? AND question = ?",
                [response_id, question],
            ).fetchone()
            old = (row["status"], row["redacted"], row["families"]) if row else ("pending", None, "[]")
            old_status, old_redacted, old_families = old
            new_families = list(families) if families is not None else json.loads(old_families)
            new_families = sorted({*new_families, *add_families} - set(remove_families))
            new = (
                status or old_status,
                old_redacted if redacted is False else redacted,
                database.to_json(new_families),
            )
            if row is not None and new == old:
                continue
            db.execute(
                """
                INSERT INTO moderation (response_id, question, survey, status, redacted, families, decided, decided_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (response_id, question) DO UPDATE SET status = excluded.status,
                    redacted = excluded.redacted, families = excluded.families, decided = excluded.decided,
                    decided_by = excluded.decided_by
                """,
                [response_id, question, survey, *new, at, by],
            )
            logged = {"status": new[0], "redacted": new[1] is not None, "families": new_families}
            if old_redacted is not None and new[1] is None:
                logged["original"] = True  # the redaction was removed: the original text is what may be published
            db.execute(
                "INSERT INTO decisions (id, survey, response_id, question, action, detail, at, login)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [database.new_key(), survey, response_id, question, new[0], json.dumps(logged), at, by],
            )
            changed += 1
    return changed


class LoggedDecision(NamedTuple):
    at: str
    action: str
    """The status it left: pending, approved or rejected."""
    detail: dict
    login: str | None
    """Who decided; None before named accounts (the shared password named nobody)."""


def decision_log(db: Database, *, response_id: str, question: str) -> list[LoggedDecision]:
    """Every decision on one answer, oldest first: its history."""
    rows = database.select(
        db,
        "SELECT at, action, detail, login FROM decisions WHERE response_id = ? AND question = ? ORDER BY at, id",
        [response_id, question],
    )
    return [LoggedDecision(row["at"], row["action"], json.loads(row["detail"]), row["login"]) for row in rows]
