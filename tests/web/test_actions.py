"""Action plans in the workspace: the life-cycle through the forms, the checks at their fields, escaping, the log."""

from __future__ import annotations

import re
import shutil

import pytest
from helpers import BUNDLED_SURVEYS
from helpers import CSRF
from helpers import SECRET

from coresp_survey import create_app
from coresp_survey import demo as demo_data
from coresp_survey.answers.database import prepare
from coresp_survey.answers.responses import import_responses
from coresp_survey.survey.loader import load_survey
from coresp_survey.workspace import actions as stored

PASSWORD = "correct horse battery staple"
SCHOOL = "college-bien-etre"
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'
PLAN = f"/admin/{SCHOOL}/actions/"


@pytest.fixture(scope="module")
def answers():
    """Made-up answers in two rounds (stored today, as an import stores them)."""
    survey = load_survey(BUNDLED_SURVEYS / f"{SCHOOL}.yaml")
    return demo_data.synthetic_responses(survey, ["2025", "2026"], 120, seed=3)


@pytest.fixture
def app(tmp_path, answers):
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    shutil.copy(BUNDLED_SURVEYS / f"{SCHOOL}.yaml", surveys)
    (surveys / "plain.yaml").write_text(
        'id: plain\nlanguages: [fr, en]\ntitle: {fr: "P", en: "P"}\nsections:\n  - id: s\n    title: {fr: "S", en: "S"}\n'
        '    questions:\n      - {id: q, type: text, label: {fr: "Q", en: "Q"}}\n',
        encoding="utf-8",
    )
    app = create_app({
        "SURVEYS_DIR": surveys, "DATABASE": tmp_path / "db" / "responses.db", "SECRET_KEY": SECRET,
        "ADMIN_PASSWORD": PASSWORD, "SITE_DIR": tmp_path / "site", "SITE_WITH_PDF": False,
    })  # fmt: skip
    db = prepare(app.config["DATABASE"])
    import_responses(db, survey=SCHOOL, lang="fr", rows=answers)
    db.close()
    return app


@pytest.fixture
def db(app):
    database = prepare(app.config["DATABASE"])
    yield database
    database.close()


@pytest.fixture
def admin(app):
    client = app.test_client()
    token = CSRF.search(client.get("/admin/login?lang=en").text).group(1)
    assert (
        client.post("/admin/login", data={"csrf_token": token, "login": "admin", "password": PASSWORD}).status_code
        == 303
    )
    return client


def token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return CSRF.search(page.text).group(1)


def create(client, **fields):
    """Post the new action form, filled with a valid action unless ``fields`` say otherwise."""
    data = {
        "id": "cour",
        "title-fr": "Repeindre la cour",
        "title-en": "Repaint the yard",
        "description-fr": "La ville repeint.",
        "description-en": "The city repaints.",
        "indicators": ["cour", "securite"],
        "commitment-rows": "2",
        "commitment-0-party": "named",
        "commitment-0-party-fr": "La ville",
        "commitment-0-party-en": "The city",
        "commitment-0-does-fr": "Repeint",
        "commitment-0-does-en": "Repaints",
        "commitment-1-party": "group:eleves",
        "commitment-1-does-fr": "Choisissent",
        "commitment-1-does-en": "Choose",
        "starts": "2026-01-15",
        "ends": "",
        "status": "under_way",
        "baseline": "2025",
        "then": "save",
    }
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(PLAN + "new", data={"csrf_token": token(client, PLAN + "new"), **data})


def summary(page) -> list[tuple[str, str]]:
    """The error summary's links: (target, message)."""
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', page.text)


def test_the_plan_pages_need_a_login_and_a_survey_with_indicators(app, admin):
    visitor = app.test_client()
    for url in (PLAN, PLAN + "new", PLAN + "x/", f"/admin/{SCHOOL}/indicators/", f"/admin/{SCHOOL}/indicators/cour/"):
        page = visitor.get(url)
        assert page.status_code == 303 and page.headers["Location"].startswith("/admin/login"), url
    assert admin.get("/admin/nope/actions/").status_code == 404
    assert admin.get("/admin/plain/actions/").status_code == 404  # no indicator to aim at
    assert admin.get(PLAN + "nope/").status_code == 404
    assert admin.get(f"/admin/{SCHOOL}/indicators/nope/").status_code == 404
    assert PLAN in admin.get("/admin/").text  # the workspace links to each survey's plan


def test_an_action_is_created_shown_edited_and_its_changes_logged(admin, db):
    created = create(admin)
    assert created.status_code == 303 and created.headers["Location"] == PLAN + "cour/"
    page = admin.get(PLAN + "cour/?lang=en")
    assert "Action created." in page.text and "Repaint the yard" in page.text and "The city" in page.text
    assert "The action answers to round 2025, chosen by the coordination group." in page.text
    action = stored.get_action(db, SCHOOL, "cour")
    assert action.indicators == ("cour", "securite") and action.status == "under_way" and action.baseline == "2025"
    assert [c.group for c in action.commitments] == [None, "eleves"]
    assert "Repaint the yard" in admin.get(PLAN).text

    edit = admin.get(PLAN + "cour/edit")
    assert 'value="Repaint the yard"' in edit.text and 'id="indicator-cour" value="cour" checked' in edit.text
    form = {
        "csrf_token": CSRF.search(edit.text).group(1), "title-fr": "Cour repeinte", "title-en": "Yard repainted",
        "description-fr": "d", "description-en": "d", "indicators": "cour", "commitment-rows": "1",
        "starts": "2026-01-15", "ends": "2026-06-30", "status": "done", "baseline": "", "then": "save",
    }  # fmt: skip
    saved = admin.post(PLAN + "cour/edit", data=form)
    assert saved.status_code == 303
    action = stored.get_action(db, SCHOOL, "cour")
    assert (action.status, action.indicators, action.commitments, action.baseline) == ("done", ("cour",), (), None)
    log = admin.get(PLAN + "cour/").text
    assert "Action saved." in log and "Edited" in log and "Under way → Done" in log
    again = admin.post(PLAN + "cour/edit", data=form)
    assert "Nothing was changed." in admin.get(again.headers["Location"]).text


def test_a_wrong_form_stores_nothing_and_names_each_problem_at_its_field(admin, db):
    page = create(admin, **{"id": "Cour!", "title-en": "", "indicators": None, "starts": "15/01/2026",
                            "commitment-1-does-en": "", "ends": "2020-01-01"})  # fmt: skip
    assert page.status_code == 400
    assert summary(page) == [
        ("id", "id: &#39;Cour!&#39; must start with a lowercase letter, then lowercase letters, digits, - or _ (at most 64 characters)"),
        ("title-en", "title: no text in English"),
        ("indicator-materiel", "indicators: name at least one of the survey&#39;s indicators"),
        ("commitment-1-does-en", "commitment 2, what it does: no text in English"),
        ("starts", "start: a date written YYYY-MM-DD, such as 2026-03-15"),
    ]  # fmt: skip
    assert 'value="Repaint the yard"' not in page.text and 'value="Repeindre la cour"' in page.text  # typed text kept
    assert 'id="starts" name="starts" value="15/01/2026"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert stored.survey_actions(db, SCHOOL) == []


def test_an_id_already_taken_is_refused_at_the_id_field(admin, db):
    create(admin)
    page = create(admin, **{"title-en": "Another"})
    assert page.status_code == 400
    assert summary(page) == [("id", "id: an action “cour” already exists; choose another id")]
    assert stored.get_action(db, SCHOOL, "cour").title["en"] == "Repaint the yard"


def test_another_commitment_row_is_shown_without_saving(admin, db):
    page = create(admin, then="more")
    assert page.status_code == 200
    assert 'name="commitment-rows" value="3"' in page.text and 'id="commitment-2-party"' in page.text
    assert stored.survey_actions(db, SCHOOL) == []


def test_a_commitment_ticked_for_removal_is_removed(admin, db):
    create(admin, **{"commitment-0-remove": "1"})
    assert [c.group for c in stored.get_action(db, SCHOOL, "cour").commitments] == ["eleves"]


def test_every_post_needs_a_csrf_token(admin, db):
    create(admin)
    for url in (PLAN + "new", PLAN + "cour/edit", PLAN + "cour/notes", PLAN + "cour/delete"):
        page = admin.post(url, data={"id": "other", "title-fr": "x", "note-date": "2026-01-01", "status": "done"})
        assert page.status_code == 400, url
    assert [a.id for a in stored.survey_actions(db, SCHOOL)] == ["cour"]
    assert stored.get_action(db, SCHOOL, "cour").updates == ()


def test_progress_notes_are_added_checked_and_removed(admin, db):
    create(admin)
    csrf = token(admin, PLAN + "cour/")
    bad = admin.post(
        PLAN + "cour/notes", data={"csrf_token": csrf, "note-date": "soon", "note-fr": "Fait", "note-en": ""}
    )
    assert bad.status_code == 400
    assert summary(bad) == [
        ("note-date", "progress note 1: a date written YYYY-MM-DD, such as 2026-03-15"),
        ("note-en", "progress note 1: no text in English"),
    ]
    assert 'lang="fr" rows="3" >Fait</textarea>' in bad.text or ">Fait</textarea>" in bad.text
    good = admin.post(
        PLAN + "cour/notes",
        data={"csrf_token": csrf, "note-date": "2026-03-01", "note-fr": "Devis signé", "note-en": HOSTILE},
    )
    assert good.status_code == 303 and good.headers["Location"].endswith("#progress")
    (note,) = stored.get_action(db, SCHOOL, "cour").updates
    page = admin.get(PLAN + "cour/?lang=en")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert(1)" not in page.text
    removed = admin.post(PLAN + f"cour/notes/{note.id}/remove", data={"csrf_token": csrf})
    assert removed.status_code == 303 and stored.get_action(db, SCHOOL, "cour").updates == ()
    assert admin.post(PLAN + f"cour/notes/{note.id}/remove", data={"csrf_token": csrf}).status_code == 404
    log = [entry.change for entry in stored.change_log(db, SCHOOL, "cour")]
    assert log == ["note_removed", "note_added", "created"]


def test_deleting_asks_first_then_keeps_only_the_log(admin, db):
    create(admin)
    confirm = admin.get(PLAN + "cour/delete?lang=en")
    assert confirm.status_code == 200 and "Delete “Repaint the yard”?" in confirm.text
    assert stored.get_action(db, SCHOOL, "cour") is not None
    gone = admin.post(PLAN + "cour/delete", data={"csrf_token": CSRF.search(confirm.text).group(1)})
    assert gone.status_code == 303 and gone.headers["Location"] == PLAN
    assert stored.get_action(db, SCHOOL, "cour") is None
    assert stored.change_log(db, SCHOOL, "cour")[0].change == "deleted"
    assert admin.get(PLAN + "cour/").status_code == 404


def test_hostile_texts_are_escaped_in_every_workspace_page(admin):
    create(admin, **{"title-en": HOSTILE, "description-en": HOSTILE, "commitment-0-party-en": HOSTILE,
                     "commitment-0-does-en": HOSTILE})  # fmt: skip
    for url in (PLAN, PLAN + "cour/", PLAN + "cour/edit", PLAN + "cour/delete", f"/admin/{SCHOOL}/indicators/",
                f"/admin/{SCHOOL}/indicators/cour/"):  # fmt: skip
        page = admin.get(url + "?lang=en")
        assert page.status_code == 200, url
        assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, url


def test_indicators_are_chosen_with_their_latest_figures_in_view(admin):
    page = admin.get(PLAN + "new?lang=en&indicator=securite")
    assert re.search(
        r'id="indicator-securite-figures">\d+% good answers in round 2026 · [−+]?\d+ points since round 2025: ',
        page.text,
    )
    assert 'id="indicator-securite" value="securite" checked' in page.text  # chosen from the indicator's page
    assert "By default (no round collected before the start yet)" in page.text  # every answer was stored today
    later = create(admin, starts="2099-01-01", then="more")
    assert "By default (now: round 2026)" in later.text  # the latest round collected before the start typed


def test_an_indicator_page_in_the_workspace_shows_its_figures_and_the_actions_aimed_at_it(admin):
    create(admin)
    page = admin.get(f"/admin/{SCHOOL}/indicators/cour/?lang=en")
    assert "Latest figures, round 2026" in page.text and "Pupils" in page.text
    assert f'href="{PLAN}cour/"' in page.text and "Repaint the yard" in page.text
    assert "points since 2025" in page.text
    assert f'href="{PLAN}new?indicator=cour"' in page.text
    other = admin.get(f"/admin/{SCHOOL}/indicators/materiel/?lang=en")
    assert "No action aims at this indicator yet." in other.text
    overview = admin.get(f"/admin/{SCHOOL}/indicators/?lang=en")
    assert f'href="{PLAN}cour/"' in overview.text


def test_each_change_records_the_logged_in_author(app, admin, db):
    from coresp_survey.workspace import passwords
    from coresp_survey.workspace.accounts import add_account

    create(admin)
    assert stored.change_log(db, SCHOOL, "cour")[0].author == "admin"  # the built-in account of the first login
    add_account(db, login="alice", role="coordinator", surveys=(SCHOOL,),
                password_hash=passwords.hash_password("a long password for alice"), at="2026-03-01")  # fmt: skip
    alice = app.test_client()
    login = CSRF.search(alice.get("/admin/login?lang=en").text).group(1)
    data = {"csrf_token": login, "login": "alice", "password": "a long password for alice"}
    assert alice.post("/admin/login", data=data).status_code == 303
    csrf = token(alice, PLAN + "cour/")
    alice.post(
        PLAN + "cour/notes", data={"csrf_token": csrf, "note-date": "2026-03-01", "note-fr": "a", "note-en": "b"}
    )
    entry = stored.change_log(db, SCHOOL, "cour")[0]
    assert (entry.change, entry.author) == ("note_added", "alice")
    assert "alice" in admin.get(PLAN + "cour/").text


def test_the_form_speaks_french_too(admin):
    admin.get(PLAN + "?lang=fr")
    page = create(admin, **{"title-fr": ""})
    assert page.status_code == 400
    assert ("title-fr", "titre\u00a0: aucun texte en Français") in summary(page)
    assert "Nouvelle action" in page.text
