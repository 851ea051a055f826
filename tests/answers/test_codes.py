"""Invitation codes: required, used once, never linked to the response they gave."""

from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner
from helpers import TEST_SURVEYS
from helpers import for_people

from coresp_survey.answers.codes import CODE_ALPHABET
from coresp_survey.answers.codes import CodesRefused
from coresp_survey.answers.codes import GroupNeeded
from coresp_survey.answers.codes import check_request
from coresp_survey.answers.codes import issue_codes
from coresp_survey.answers.responses import iter_responses
from coresp_survey.cli import main
from coresp_survey.survey.loader import load_survey

CODED = load_survey(TEST_SURVEYS / "coded.yaml")


def make_codes(codes_db, count=2, group="young"):
    return issue_codes(codes_db, survey=CODED, group=group, count=count)


def test_codes_are_unguessable_and_distinct(codes_db):
    codes = make_codes(codes_db, count=200)
    assert len(set(codes)) == 200
    assert all(len(code.replace("-", "")) == 10 for code in codes)
    assert all(set(code.replace("-", "")) <= set(CODE_ALPHABET) for code in codes)


def test_codes_are_stored_hashed(codes_db):
    (code,) = make_codes(codes_db, count=1)
    dump = "\n".join(codes_db.conn.iterdump())
    assert code.replace("-", "") not in dump
    assert code not in dump


def test_a_page_without_a_code_asks_for_one(respondent, db):
    page = respondent.client.get("/en/coded/")
    assert 'name="code"' in page.text
    refused = respondent.post("/en/coded/", {"rating": "4"})
    assert "Please enter the invitation code" in refused.text
    assert list(iter_responses(db, "coded")) == []


def test_unknown_code_is_refused(respondent, codes_db):
    make_codes(codes_db)
    page = respondent.post("/en/coded/", {"code": "AAAAA-BBBBB", "rating": "4"})
    assert "This code is not valid" in page.text
    assert 'value="AAAAA-BBBBB"' in page.text


def test_code_gives_one_response_in_its_group_and_is_then_used(respondent, db, codes_db, client):
    code, _ = make_codes(codes_db)
    done = respondent.post("/en/coded/", {"code": code.lower().replace("-", " "), "rating": "5"})
    assert done.status_code == 303 and done.location == "/en/coded/thanks/"
    (response,) = iter_responses(db, "coded")
    assert response.group == "young"
    assert response.answers == {"rating": 5}
    # The same code in another browser is refused.
    other = type(respondent)(client.application.test_client())
    page = other.post("/en/coded/", {"code": code, "rating": "1"})
    assert "already been used" in page.text
    assert "continue on the device where you started" in page.text
    assert len(list(iter_responses(db, "coded"))) == 1


def test_code_from_the_address_is_kept_in_session_not_in_the_url(respondent, codes_db):
    code, _ = make_codes(codes_db)
    moved = respondent.client.get(f"/en/coded/?code={code}")
    assert moved.status_code == 303 and moved.location == "/en/coded/"
    page = respondent.client.get("/en/coded/")
    assert f'value="{code}"' in page.text
    assert respondent.post("/en/coded/", {"code": code, "rating": "3"}).status_code == 303


def test_nothing_links_a_code_to_its_response(respondent, db, codes_db):
    code, _ = make_codes(codes_db)
    respondent.post("/en/coded/", {"code": code, "rating": "2"})
    code_columns = [row[1] for row in codes_db.execute("PRAGMA table_info(codes)").fetchall()]
    response_columns = [row[1] for row in db.execute("PRAGMA table_info(responses)").fetchall()]
    draft_columns = [row[1] for row in db.execute("PRAGMA table_info(drafts)").fetchall()]
    assert "used" in code_columns and not {"used_at", "response", "draft"} & set(code_columns)
    assert not {"code", "code_hash", "ip", "user_agent"} & set(response_columns)
    assert "code_hash" not in draft_columns
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'codes'").fetchone() is None
    submitted = db.execute("SELECT submitted FROM responses").fetchone()[0]
    assert len(submitted) == 10  # the day only, no time


def test_the_library_refuses_codes_for_a_public_survey_or_a_wrong_group(app, codes_db):
    """The checks of the codes command live in the library: a script calling it gets them too."""
    surveys = app.extensions["surveys"]
    for survey, group, refusal in [
        (surveys["mini"], None, "is public"),
        (surveys["coded"], None, "a group is needed: one of young, elderly"),
        (surveys["coded"], "adults", "unknown group 'adults' (young, elderly)"),
    ]:
        with pytest.raises(CodesRefused, match=re.escape(refusal)):
            issue_codes(codes_db, survey=survey, group=group, count=1)
    with pytest.raises(GroupNeeded) as needed:
        check_request(surveys["coded"], None)
    assert needed.value.groups == ["young", "elderly"]
    assert codes_db.execute("SELECT count(*) FROM codes").fetchone()[0] == 0


def test_codes_command_prints_csv(app):
    runner = CliRunner()
    env = {"CORESP_SURVEYS": str(app.config["SURVEYS_DIR"]), "CORESP_DB": str(app.config["DATABASE"])}
    result = runner.invoke(main, ["codes", "coded", "--group", "elderly", "--count", "3"], env=env)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(for_people(result.stdout))))
    assert rows[0] == ["code", "group"]
    assert len(rows) == 4 and all(row[1] == "elderly" for row in rows[1:])
    assert "3 code(s) made" in result.stderr


def test_codes_command_refuses_bad_requests(app):
    runner = CliRunner()
    env = {"CORESP_SURVEYS": str(app.config["SURVEYS_DIR"]), "CORESP_DB": str(app.config["DATABASE"])}
    for args, message in [
        (["codes", "coded", "--group", "adults"], "unknown group 'adults'"),
        (["codes", "coded"], "--group is needed"),
        (["codes", "mini", "--group", "students"], "is public"),
        (["codes", "nope"], "no survey 'nope'"),
    ]:
        result = runner.invoke(main, args, env=env)
        assert result.exit_code == 1, args
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.output


def test_double_click_on_a_one_page_survey_stores_one_response(respondent, db, codes_db, client):
    code, _ = make_codes(codes_db)
    token = respondent.token("/en/coded/")  # the first GET gives the browser its submission key
    data = {"csrf_token": token, "code": code, "rating": "4"}
    first = client.post("/en/coded/", data=data)
    second = client.post("/en/coded/", data=data)
    assert first.location == "/en/coded/thanks/"
    assert second.status_code == 200 and "already been sent" in second.text
    assert len(list(iter_responses(db, "coded"))) == 1
