"""Invitation codes, in their own file (``responses-codes.db``, `database.connect_codes`): made, spent, counted.

A code is stored hashed, with its survey, group, day issued and whether it
was used; nothing else. The file uses a rollback journal (no WAL) and
``secure_delete``, so nothing in it says which code was used just before
which answer. A code is spent when the first page accepts it (one transaction
in this file); only then does the draft note ``code_ok`` and the code's group
(`drafts.start_with_code`), never which code.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlite_utils import Database

from coresp_survey.answers import database
from coresp_survey.survey.model import Survey

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I: codes are typed by hand from paper slips."""
CODE_LENGTH = 10
"""32**10 = 2**50 possible codes: guessing one among thousands is hopeless."""


class CodeRefused(Exception):
    """An invitation code that is unknown or already used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "used"


class CodesRefused(ValueError):
    """No codes can be made for this survey and group; the message says why, in one line."""


class GroupNeeded(CodesRefused):
    """The survey has groups, and codes belong to one of them."""

    def __init__(self, survey: Survey) -> None:
        self.groups = [group.id for group in survey.groups]
        super().__init__(f"a group is needed: one of {', '.join(self.groups)}")


def check_request(survey: Survey, group: str | None) -> None:
    """Raise CodesRefused unless codes can be made for ``survey`` and ``group``: an ``access: code`` survey,
    and one of its groups when it has any (none when it has none)."""
    if survey.access != "code":
        raise CodesRefused(f"survey '{survey.id}' is public (access: {survey.access}); it takes no codes")
    if survey.groups and group is None:
        raise GroupNeeded(survey)
    if group is not None and survey.group(group) is None:
        known = ", ".join(g.id for g in survey.groups) or "the survey has no groups"
        raise CodesRefused(f"unknown group '{group}' ({known})")


def issue_codes(codes: Database, *, survey: Survey, group: str | None, count: int) -> list[str]:
    """Make ``count`` new codes in the codes file; only their hashes are kept, so print them now.

    Refused (CodesRefused, nothing made) when the survey takes no codes or the group does not fit it.
    """
    check_request(survey, group)
    made = []
    with database.write(codes):
        while len(made) < count:
            raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            inserted = codes.execute(
                "INSERT OR IGNORE INTO codes (hash, survey, group_id, issued) VALUES (?, ?, ?, ?)",
                [hash_code(raw), survey.id, group, database.today()],
            ).rowcount
            if inserted:
                made.append(f"{raw[:5]}-{raw[5:]}")
    return made


def accept_code(codes: Database, *, survey: str, code: str) -> str | None:
    """Spend ``code`` for ``survey`` now and return its group; raise CodeRefused if unknown or used.

    One transaction in the codes file, ``WHERE used = 0``: of two browsers
    racing with one code, exactly one wins (`drafts.start_with_code` then notes
    it in the draft).
    """
    code_hash = hash_code(code)
    with database.write(codes):
        spent = database.select(
            codes,
            "UPDATE codes SET used = 1 WHERE hash = ? AND survey = ? AND used = 0 RETURNING group_id",
            [code_hash, survey],
        ).fetchone()
        if spent is not None:
            return spent["group_id"]
        known = codes.execute("SELECT 1 FROM codes WHERE hash = ? AND survey = ?", [code_hash, survey]).fetchone()
    raise CodeRefused("used" if known else "unknown")


def hash_code(code: str) -> str:
    """Codes are stored hashed: a copy of the database does not reveal unused codes."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    """What people type from a slip may have any case, spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)


def code_counts(codes: Database) -> dict[tuple[str, str | None], tuple[int, int]]:
    """(issued, used) invitation codes per survey and group, from the codes file; used = a respondent started."""
    rows = database.select(
        codes, "SELECT survey, group_id, count(*) AS issued, sum(used) AS used FROM codes GROUP BY survey, group_id"
    )
    return {(row["survey"], row["group_id"]): (row["issued"], row["used"] or 0) for row in rows}
