"""Group sessions in the workspace: recorded from the keyboard, changed and deleted until moderated, their criteria
moderated with the online answers (filter by source), hostile text escaped, who recorded them kept."""

from __future__ import annotations

import re

import pytest
from helpers import BUNDLED_SURVEYS
from helpers import CSRF
from helpers import SECRET
from helpers import TEST_SURVEYS

from coresp_survey import create_app
from coresp_survey.answers.database import prepare
from coresp_survey.answers.responses import import_responses
from coresp_survey.workspace import accounts
from coresp_survey.workspace import moderation
from coresp_survey.workspace import passwords
from coresp_survey.workspace.decisions import decide
from coresp_survey.workspace.decisions import decisions
from coresp_survey.workspace.sessions import list_sessions

PASSWORD = "a password for each of us"
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'
FORM = {
    "group": "students",
    "label": "3B, morning",
    "date": "2026-03-02",
    "participants": "9",
    "question": "why",
    "lang": "fr",
    "criteria": "Trop de bruit\n[en] Clean toilets\n\n[3 fr] Ma remarque\n[2]\nLigne 12",
    "note": "Went well.",
}


@pytest.fixture
def team_app(tmp_path, surveys_dir):
    app = create_app({
        "SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "db" / "responses.db", "SECRET_KEY": SECRET,
        "ADMIN_PASSWORD": "the built-in admin's first password", "SITE_DIR": tmp_path / "site",
        "SITE_WITH_PDF": False,
    })  # fmt: skip
    db = prepare(app.config["DATABASE"])
    for login, role in (("ana", "coordinator"), ("max", "moderator")):
        accounts.add_account(
            db, login=login, role=role, surveys=("mini",), password_hash=passwords.hash_password(PASSWORD),
            at="2026-03-01",
        )  # fmt: skip
    import_responses(db, survey="mini", lang="fr", rows=[("2026", "students", {"mood": 1, "why": "En ligne"})])
    db.close()
    return app


@pytest.fixture
def db(team_app):
    database = prepare(team_app.config["DATABASE"])
    yield database
    database.close()


def token(client, url="/admin/login?lang=en") -> str:
    match = CSRF.search(client.get(url).text)
    assert match, url
    return match.group(1)


def as_login(app, login: str):
    client = app.test_client()
    page = client.post("/admin/login?lang=en", data={"csrf_token": token(client), "login": login, "password": PASSWORD})
    assert page.status_code == 303
    return client


@pytest.fixture
def ana(team_app):
    return as_login(team_app, "ana")


def record(client, **changes):
    data = {"csrf_token": token(client, "/admin/mini/sessions/new?lang=en"), **FORM, **changes}
    return client.post("/admin/mini/sessions/new?lang=en", data=data)


def test_recording_a_session_stores_each_line_with_its_question_and_language(ana, db):
    page = record(ana)
    assert page.status_code == 303 and page.headers["Location"].endswith("/admin/mini/sessions/")
    (session,) = list_sessions(db, "mini")
    assert (session.group, session.label, session.date, session.participants, session.note) == (
        "students", "3B, morning", "2026-03-02", 9, "Went well."
    )  # fmt: skip
    assert session.recorded_by == "ana"
    assert [(c.question, c.lang, c.text) for c in session.criteria] == [
        ("why", "fr", "Trop de bruit"),
        ("why", "en", "Clean toilets"),
        ("remark", "fr", "Ma remarque"),
        ("bus_line", "fr", "Ligne 12"),  # a line holding only a mark changed the question
    ]
    assert all(c.id.startswith("s-") for c in session.criteria)
    listed = ana.get("/admin/mini/sessions/?lang=en").text
    assert "2026-03-02" in listed and "3B, morning" in listed and ">ana<" in listed


def test_errors_are_shown_at_their_field_keeping_what_was_typed(ana, db):
    typed = "Trop de bruit\n[9] Rien\n[de] Nichts"
    page = record(ana, group="nobody", date="02/03/2026", participants="0", criteria=typed)
    assert page.status_code == 400
    assert list_sessions(db, "mini") == []
    text = page.text
    assert 'id="group-error"' in text and "nobody is not a group of this survey" in text
    assert 'id="date-error"' in text and "YYYY-MM-DD" in text and 'value="02/03/2026"' in text
    assert 'id="participants-error"' in text and 'value="0"' in text
    assert "line 2: [9] names no question" in text and "line 3: [de] names no question" in text
    assert ">Trop de bruit\n[9] Rien\n[de] Nichts</textarea>" in text
    assert 'aria-invalid="true"' in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"criteria": ""}, "criteria", "Type at least one criterion."),
        ({"criteria": "[1]\n"}, "criteria", "Type at least one criterion."),
        ({"date": "2999-01-01"}, "date", "The session cannot be in the future."),
        ({"participants": "deux"}, "participants", "Give the number of participants"),
        ({"criteria": "Juste\u202e un texte"}, "criteria", "line 1: This text holds U+202E"),
        ({"label": "3B\u200b"}, "label", "U+200B ZERO WIDTH SPACE"),
        ({"lang": "de"}, "criteria", "de is not a language of this survey"),
        ({"question": "mood"}, "criteria", "mood is not an open question of this survey"),
        ({"criteria": "x" * 5000}, "criteria", "At most 4,000 characters."),
    ],
)
def test_each_check_refuses_and_stores_nothing(ana, db, changes, field, message):
    page = record(ana, **changes)
    assert page.status_code == 400
    assert f'id="{field}-error"' in page.text and message in page.text
    assert list_sessions(db, "mini") == []


def test_the_page_is_french_too(ana):
    page = ana.get("/admin/mini/sessions/new?lang=fr").text
    assert "Enregistrer une séance de groupe" in page and "Un critère par ligne" in page
    refused = record(ana, participants="0")
    assert refused.status_code == 400


def test_editing_then_refused_once_a_criterion_is_moderated_then_deleting(ana, db):
    record(ana)
    (session,) = list_sessions(db, "mini")
    url = f"/admin/mini/sessions/{session.id}/?lang=en"
    shown = ana.get(url).text
    assert ">Trop de bruit\n[en] Clean toilets\n[3 fr] Ma remarque\n[2] Ligne 12</textarea>" in shown
    changed = ana.post(url, data={"csrf_token": token(ana, url), **FORM, "participants": "10", "criteria": "Calme"})
    assert changed.status_code == 303
    (session,) = list_sessions(db, "mini")
    assert session.participants == 10 and [c.text for c in session.criteria] == ["Calme"]
    history = ana.get(url).text
    assert "Recorded by ana, " in history and "Changed by ana, " in history

    criterion = session.criteria[0]
    decide(db, survey="mini", answers=[(criterion.id, "why")], status="rejected", at="2026-03-03", by="max")
    locked = ana.get(url).text
    assert "can no longer be changed or deleted" in locked and "Delete this session" not in locked
    refused = ana.post(url, data={"csrf_token": token(ana, url), **FORM, "criteria": "Autre chose"})
    assert refused.status_code == 303
    assert "can no longer be changed or deleted" in ana.get(refused.headers["Location"]).text
    delete = f"/admin/mini/sessions/{session.id}/delete"
    assert ana.post(delete, data={"csrf_token": token(ana, url)}).status_code == 303
    (kept,) = list_sessions(db, "mini")
    assert [c.text for c in kept.criteria] == ["Calme"] and kept.participants == 10

    decide(db, survey="mini", answers=[(criterion.id, "why")], status="pending", at="2026-03-04", by="max")
    assert ana.post(delete, data={"csrf_token": token(ana, url)}).status_code == 303
    assert len(list_sessions(db, "mini")) == 1  # put back to pending is still moderated: decided once, logged

    record(ana)
    fresh = next(s for s in list_sessions(db, "mini") if s.id != session.id)
    page = ana.post(f"/admin/mini/sessions/{fresh.id}/delete", data={"csrf_token": token(ana, url)})
    assert page.status_code == 303 and "Session deleted." in ana.get(page.headers["Location"]).text
    assert [s.id for s in list_sessions(db, "mini")] == [session.id]
    assert ana.get(f"/admin/mini/sessions/{fresh.id}/").status_code == 404


def test_a_session_of_another_survey_is_not_found_here(team_app, db):
    admin = team_app.test_client()
    data = {"csrf_token": token(admin), "login": "admin", "password": "the built-in admin's first password"}
    assert admin.post("/admin/login?lang=en", data=data).status_code == 303
    url = "/admin/kiosk/sessions/new?lang=en"
    kiosk = {**FORM, "group": "pupils", "question": "word", "criteria": "Calme", "csrf_token": token(admin, url)}
    assert admin.post(url, data=kiosk).status_code == 303
    (session,) = list_sessions(db, "kiosk")
    assert admin.get(f"/admin/mini/sessions/{session.id}/").status_code == 404
    assert admin.post(f"/admin/mini/sessions/{session.id}/delete", data={"csrf_token": token(admin)}).status_code == 404


def test_session_criteria_are_moderated_with_the_online_answers_filtered_by_source(team_app, ana, db):
    record(ana, criteria="Trop de bruit")
    everything = ana.get("/admin/mini/answers/?lang=en").text
    assert "En ligne" in everything and "Trop de bruit" in everything
    sessions_only = ana.get("/admin/mini/answers/?lang=en&source=session").text
    assert "Trop de bruit" in sessions_only and "En ligne" not in sessions_only
    assert "group session of 2026-03-02" in sessions_only
    online_only = ana.get("/admin/mini/answers/?lang=en&source=online").text
    assert "En ligne" in online_only and "Trop de bruit" not in online_only

    max_ = as_login(team_app, "max")
    (session,) = list_sessions(db, "mini")
    key = f"{session.criteria[0].id}.why"
    url = f"/admin/mini/answers/{key}/?lang=en"
    assert "group session of 2026-03-02" in max_.get(url).text
    data = {
        "csrf_token": token(max_, url),
        "status": "approved",
        "families": ["A"],
        "redacted": "Du bruit",
        "then": "stay",
    }
    assert max_.post(url, data=data).status_code == 303
    decision = decisions(db, "mini")[(session.criteria[0].id, "why")]
    assert (decision.status, decision.redacted, decision.families, decision.decided_by) == (
        "approved", "Du bruit", ("A",), "max"
    )  # fmt: skip
    bulk = {"csrf_token": token(max_, "/admin/mini/answers/"), "selected": [key], "action": "rejected"}
    assert max_.post("/admin/mini/answers/?source=session", data=bulk).status_code == 303
    assert decisions(db, "mini")[(session.criteria[0].id, "why")].status == "rejected"
    assert max_.get("/admin/mini/sessions/").status_code == 403  # moderators moderate, coordinators record


def test_hostile_criteria_notes_and_labels_are_escaped_everywhere_in_the_workspace(ana, db):
    record(ana, criteria=HOSTILE, label=HOSTILE[:100], note=HOSTILE)
    (session,) = list_sessions(db, "mini")
    key = f"{session.criteria[0].id}.why"
    for url in (
        "/admin/mini/sessions/",
        f"/admin/mini/sessions/{session.id}/",
        "/admin/mini/answers/?source=session",
        f"/admin/mini/answers/{key}/",
    ):
        page = ana.get(url).text
        assert "<script>alert(1)" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url


def test_the_dashboard_counts_session_participants_apart_from_online_responses(ana):
    record(ana, participants="9")
    record(ana, participants="4", group="parents")
    page = re.sub(r"\s+", " ", ana.get("/admin/?lang=en").text)
    assert "Took part in a group session" in page
    assert '<th scope="row">Students</th><td class="num">1</td><td class="num">9</td>' in page
    assert '<th scope="row">Parents</th><td class="num">1</td><td class="num">4</td>' in page
    assert "1 response in all" in page  # the online response only


def test_a_post_without_its_csrf_token_is_refused_and_stores_nothing(ana, db):
    page = ana.post("/admin/mini/sessions/new?lang=en", data=FORM)
    assert page.status_code == 400
    assert list_sessions(db, "mini") == []


def test_a_new_session_starts_on_the_question_of_what_well_being_means():
    from coresp_survey.survey.catalog import load_catalog
    from coresp_survey.web.group_sessions import first_question

    surveys = load_catalog(BUNDLED_SURVEYS)
    school = surveys["college-bien-etre"]
    assert moderation.open_questions(school)[0].id == "un_mot"  # one word: not what the cards of a session answer
    assert first_question(school) == "bien_etre"
    assert first_question(load_catalog(TEST_SURVEYS)["mini"]) == "why"  # no question asks it: the first open one


def test_the_example_lines_use_marks_the_survey_has():
    from coresp_survey.survey.catalog import load_catalog
    from coresp_survey.web.group_sessions import example_marks

    tests = load_catalog(TEST_SURVEYS)
    assert example_marks(tests["mini"]) == ("2", "3 en")  # three open questions, French then English
    assert example_marks(tests["kiosk"]) == ("2", "en")  # two: the third line marks the language only
    school = load_catalog(BUNDLED_SURVEYS)["college-bien-etre"]
    second, third = example_marks(school)
    assert second == "2" and third == "3 en"


def test_the_form_shows_the_example_with_the_surveys_marks(ana):
    page = ana.get("/admin/mini/sessions/new?lang=en").text
    example = page[page.index("<pre>") : page.index("</pre>")]
    assert "[2] Too much noise in the canteen" in example and "[3 en] I can tidy up my tray" in example
