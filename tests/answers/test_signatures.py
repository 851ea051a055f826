"""Library functions that take several strings take them by name: two of them can never be swapped unseen."""

from __future__ import annotations

import inspect

import pytest

from coresp_survey.answers import codes
from coresp_survey.answers import drafts
from coresp_survey.answers import responses
from coresp_survey.answers import versions
from coresp_survey.workspace import accounts
from coresp_survey.workspace import builds
from coresp_survey.workspace import decisions

BY_NAME = [
    (drafts.save_draft, {"key", "survey", "answers", "group", "code_ok"}),
    (drafts.start_with_code, {"key", "survey", "code"}),
    (responses.submit_draft, {"key", "survey", "survey_round", "lang", "group", "answers"}),
    (responses.import_responses, {"survey", "lang", "rows", "versions"}),
    (versions.save_version, {"survey", "survey_round", "file_format", "source"}),
    (codes.issue_codes, {"survey", "group", "count"}),
    (codes.accept_code, {"survey", "code"}),
    (
        decisions.decide,
        {"survey", "answers", "status", "add_families", "remove_families", "families", "redacted", "at", "by"},
    ),
    (decisions.decision_log, {"response_id", "question"}),
    (builds.start_build, {"by", "surveys"}),
    (builds.finish_build, {"finished", "status", "message"}),
    (accounts.add_account, {"login", "role", "surveys", "password_hash", "at"}),
]


@pytest.mark.parametrize("function, names", BY_NAME, ids=[function.__name__ for function, _names in BY_NAME])
def test_strings_are_given_by_name(function, names):
    parameters = inspect.signature(function).parameters.values()
    assert {p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY} == names


def test_a_swappable_call_is_refused(db):
    with pytest.raises(TypeError):
        responses.submit_draft(db, "key", "mini", "2026", "fr", None, {})  # which string is the round?
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
