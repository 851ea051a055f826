"""Untrusted survey text and answers: escaped everywhere, odd posts never a 500 or a wrong value."""

from __future__ import annotations

import pytest

from coresp_survey import create_app
from coresp_survey import storage

HOSTILE = "<script>alert(1)</script>"

HOSTILE_SURVEY = f"""
id: hostile
languages: [en]
title: {{en: "{HOSTILE} title"}}
intro: {{en: "<img src=x onerror=alert(1)> intro"}}
thanks: {{en: "{HOSTILE} thanks"}}
groups:
  - {{id: g, label: {{en: "\\" onmouseover=\\"alert(1)"}}}}
sections:
  - id: only
    title: {{en: "{HOSTILE} section"}}
    questions:
      - id: pick
        type: single
        label: {{en: "{HOSTILE} label"}}
        help: {{en: "{HOSTILE} help"}}
        choices:
          - {{value: a, label: {{en: "{HOSTILE} choice"}}}}
          - {{value: b, label: {{en: "javascript:alert(1)"}}}}
      - id: note
        type: text
        label: {{en: "Note"}}
"""


@pytest.fixture
def hostile_client(tmp_path, surveys_dir):
    (surveys_dir / "hostile.yaml").write_text(HOSTILE_SURVEY, encoding="utf-8")
    app = create_app({"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "h.db", "SECRET_KEY": "x"})
    return app.test_client()


def test_survey_text_is_escaped_on_every_page(hostile_client):
    from conftest import Respondent

    respondent = Respondent(hostile_client)
    for url in ["/en/", "/en/hostile/"]:
        page = hostile_client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert 'onmouseover="alert' not in page
    page = respondent.post("/en/hostile/", {"group": "g", "pick": "a", "note": HOSTILE})
    assert page.status_code == 303
    thanks = hostile_client.get("/en/hostile/thanks/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; thanks" in thanks


def test_typed_script_is_shown_back_escaped(respondent):
    page = respondent.post("/en/mini/", {"group": "students", "mood": "", "age": HOSTILE})
    assert HOSTILE not in page.text
    assert "&lt;script&gt;" in page.text


@pytest.mark.parametrize(
    "data",
    [
        {"group": ["students", "parents"], "mood": ["4", "1"]},
        {"group": "students", "mood": "4", "unknown": "x", "mood_other": "y"},
        {"group": "students", "mood": "4.0"},
        {"group": "students", "mood": "4", "age": "12.5"},
        {"group": "students", "mood": "4", "age": "1e3"},
        {"group": "students", "mood": "4", "age": "٣"},
        {"group": "students", "mood": "4", "why": "x" * 5000},
        {"group": "", "mood": ""},
        {"group": "students\x00", "mood": "4\x00"},
    ],
)
def test_odd_posts_are_handled_without_a_server_error(respondent, db, data):
    page = respondent.post("/en/mini/", data)
    assert page.status_code in (200, 303)
    for response in storage.iter_responses(db, "mini"):
        pytest.fail(f"a first page never stores a response, got {response}")


def test_repeated_values_count_once_and_as_typed(respondent, db):
    respondent.post("/en/mini/", {"group": ["parents", "students"], "mood": ["4", "1"], "age": "12"})
    respondent.post("/en/mini/page/last/", {})
    (stored,) = storage.iter_responses(db, "mini")
    assert stored.group == "parents" and stored.answers["mood"] == 4


def test_invalid_utf8_is_refused_clearly_storing_nothing(respondent, client, db):
    """Werkzeug drops a form body that is not UTF-8, token included: the CSRF page explains."""
    token = respondent.token("/en/mini/")
    body = b"csrf_token=" + token.encode() + b"&group=students&mood=4&age=\xff\xfe"
    page = client.post("/en/mini/", data=body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400
    assert "could not be sent" in page.text
    assert db.execute("SELECT count(*) FROM drafts WHERE answers != '{}'").fetchone()[0] == 0


def test_answer_to_a_hidden_question_is_never_stored(respondent, db):
    respondent.post("/en/mini/", {"group": "parents", "mood": "4", "why": "should vanish"})
    respondent.client.post(
        "/en/mini/page/second/", data={"csrf_token": respondent.token("/en/mini/"), "transport": "bus"}
    )
    respondent.post("/en/mini/page/last/", {})
    (stored,) = storage.iter_responses(db, "mini")
    assert "why" not in stored.answers and "transport" not in stored.answers
