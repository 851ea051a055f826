"""The survey files per round: each file as it was when a round's answers were collected.

Several versions per survey × round (a file corrected mid-round); the highest
``version`` of a round is its definition (`definitions` reads them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlite_utils import Database

from coresp_survey.answers import database
from coresp_survey.answers.records import SurveyVersion


def save_survey_versions(db: Database, versions: Iterable[tuple[str, str, str, bytes]]) -> int:
    """Save (survey, round, format, source) versions in one transaction; return how many were new.

    A version is new unless the round's latest saved version has the same
    digest: starting the app again saves nothing, and a file edited back to an
    earlier text becomes the round's definition again.
    """
    with database.write(db):
        return sum(
            save_version(db, survey=survey, survey_round=survey_round, file_format=file_format, source=source)
            for survey, survey_round, file_format, source in versions
        )


def save_version(db: Database, *, survey: str, survey_round: str, file_format: str, source: bytes) -> bool:
    """Save one version unless it is the round's latest already; inside the caller's write transaction."""
    digest = hashlib.sha256(source).hexdigest()
    latest = database.select(
        db,
        "SELECT version, digest FROM survey_versions WHERE survey = ? AND round = ? ORDER BY version DESC LIMIT 1",
        [survey, survey_round],
    ).fetchone()
    if latest is not None and latest["digest"] == digest:
        return False
    db.execute(
        "INSERT INTO survey_versions (survey, round, version, format, source, digest, saved)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [survey, survey_round, (latest["version"] + 1) if latest else 1, file_format, source, digest, database.today()],
    )
    return True


def survey_versions(db: Database, survey: str) -> list[SurveyVersion]:
    """Every saved version of ``survey``, by round, newest first within a round."""
    rows = database.select(
        db,
        "SELECT survey, round, version, format, source, digest, saved FROM survey_versions"
        " WHERE survey = ? ORDER BY round, version DESC",
        [survey],
    )
    return [
        SurveyVersion(
            survey=row["survey"],
            round=row["round"],
            version=row["version"],
            format=row["format"],
            source=row["source"],
            digest=row["digest"],
            saved=row["saved"],
        )
        for row in rows
    ]
