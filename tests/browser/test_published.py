"""The published site and the coordination group's workspace, checked like the respondent pages:
axe-core (WCAG 2.1 A/AA) in Chromium at phone and PC widths, the W3C HTML checker, and the
workspace driven with the keyboard alone.
"""

from __future__ import annotations

import subprocess
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from helpers import SECRET

from coresp_survey import create_app
from coresp_survey import demo as demo_data
from coresp_survey.answers.database import connect
from coresp_survey.answers.database import prepare
from coresp_survey.answers.responses import import_responses
from coresp_survey.publish import site as publish
from coresp_survey.workspace.actions import get_action
from coresp_survey.workspace.decisions import decisions

from .checks import axe_violations
from .checks import describe_violations
from .checks import enlarged_text_spills
from .checks import html_errors
from .conftest import COMMAND
from .conftest import copy_surveys
from .conftest import serving
from .test_standards import SPILLS
from .test_standards import WIDTHS

SPILLS_OUTSIDE_CHARTS = SPILLS.replace(
    'document.body.querySelectorAll("*")', 'document.body.querySelectorAll("*:not(svg):not(svg *)")'
)
"""Charts scale as a whole (their text is laid out in the SVG's own units): only HTML can spill."""

pytestmark = pytest.mark.slow

PASSWORD = "a long shared password for the tests"
MODERATOR = ("max", "a moderator's own long password")
SCHOOL = "college-bien-etre"
SINGLE_ANSWERS = ("Un critère que personne d’autre n’a écrit", "Un autre critère que personne n’a écrit")
"""Rows of one answer each at the top of the queue: the keyboard tests decide one answer, not a row of many."""


def fill(folder: Path) -> Path:
    """The bundled surveys with the demo's answers, group sessions and first moderation pass, in a fresh database."""
    copy_surveys(folder / "surveys")
    db_path = folder / "responses.db"
    db = prepare(db_path)
    surveys = create_app({"SURVEYS_DIR": folder / "surveys", "DATABASE": db_path, "SECRET_KEY": SECRET}).extensions[
        "surveys"
    ]
    demo_data.fill_empty_surveys(db, surveys)
    demo_data.moderate_demo(db, surveys[SCHOOL], datetime.now(UTC).isoformat())
    demo_data.plan_demo_actions(db, surveys[SCHOOL], datetime.now(UTC).isoformat())
    demo_data.record_demo_sessions(db, surveys[SCHOOL], datetime.now(UTC).isoformat())
    db.close()
    return db_path


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("published")
    db_path = fill(folder)
    app = create_app({"SURVEYS_DIR": folder / "surveys", "DATABASE": db_path, "SECRET_KEY": SECRET})
    return publish.build_site(app.extensions["surveys"], app.config["DATABASE"], folder / "site", with_pdf=False).out


def site_pages(site: Path) -> list[Path]:
    """One page of every kind, in both languages: root, homes, methodology, overviews, an indicator, criteria,
    the action plans (with actions and without) and each kind of action (with an effect, planned, with notes)."""
    pages = [site / "index.html"]
    for lang in ("fr", "en"):
        pages += [site / lang / "index.html", site / lang / "methodology.html"]
        for survey in ("college-bien-etre", "quartier-bien-vivre"):
            pages.append(site / lang / survey / "index.html")
            pages.append(sorted((site / lang / survey / "indicators").glob("*.html"))[0])
            pages.append(site / lang / survey / "actions.html")
        pages.append(site / lang / SCHOOL / "criteria.html")
        pages.append(site / lang / SCHOOL / "indicators" / "confort_salles.html")  # an action aimed at it
        for action in ("salles-chauffees", "aide-devoirs"):
            pages.append(site / lang / SCHOOL / "actions" / f"{action}.html")
    return pages


def check_page(page, name: str) -> list[str]:
    """axe at a PC width, then what sticks out at every width and with text at 200% on a phone: readable lines."""
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe-core on {name}:\n{describe_violations(violations)}")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 768})
        problems.extend(f"{name} at {width} px: {spill}" for spill in page.evaluate(SPILLS_OUTSIDE_CHARTS))
    page.set_viewport_size({"width": 1024, "height": 768})
    problems.extend(f"{name} {spill}" for spill in enlarged_text_spills(page))
    return problems


def test_every_kind_of_published_page_passes_axe_and_fits_every_width(browser, site):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    problems = []
    for path in site_pages(site):
        page.goto(path.as_uri())
        problems += check_page(page, str(path.relative_to(site)))
    context.close()
    assert problems == [], "\n".join(problems)
    assert [url for url in requests if not url.startswith("file://")] == []  # nothing from another host


def test_every_published_page_is_valid_html(site):
    errors = html_errors(sorted(site.rglob("*.html")))
    assert errors == [], "W3C HTML checker:\n" + "\n".join(errors)


# -- the workspace -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, tools):
    """``coresp-survey serve`` with an admin password, on a database with answers to moderate."""
    folder = tmp_path_factory.mktemp("workspace")
    db_path = fill(folder)
    db = prepare(db_path)
    unique = [("2024", "parents", {"bien_etre": text}) for text in SINGLE_ANSWERS]  # the earliest round: listed first
    import_responses(db, survey=SCHOOL, lang="fr", rows=unique)
    db.close()
    with serving(folder, db_path, CORESP_ADMIN_PASSWORD=PASSWORD, CORESP_SITE=str(folder / "site")) as running:
        login, password = MODERATOR
        added = subprocess.run(
            [str(COMMAND), "--surveys", str(folder / "surveys"), "--db", str(db_path), "users", "add", login,
             "--role", "moderator", "--survey", SCHOOL],
            input=password + "\n", capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        yield running


def log_in_with_keys(page, workspace, lang: str, login: str = "admin", password: str = PASSWORD) -> None:
    """Tab to the login field, type, Tab to the password, type, Enter: no mouse."""
    page.goto(workspace.url(f"/admin/login?lang={lang}"))
    page.keyboard.press("Tab")  # skip link
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "login":
            break
    assert page.evaluate("document.activeElement.id") == "login"
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/admin/"), page.url


def test_workspace_pages_pass_axe_fit_every_width_and_are_valid_html(browser, workspace, server, tmp_path):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    problems, saved = [], []

    def stop(name: str) -> None:
        problems.extend(check_page(page, name))
        saved.append(tmp_path / f"{len(saved)}-{name.replace('/', '_')}.html")
        saved[-1].write_text(page.content(), encoding="utf-8")

    page.goto(server.url("/admin/"))  # the session's server has no password: the workspace is off
    stop("disabled")
    for lang in ("fr", "en"):
        page.goto(workspace.url(f"/admin/login?lang={lang}"))
        stop(f"{lang}/login")
        for attempt in range(4):  # an unknown login, throttled as a known one: the third failure says wait
            page.fill("#login", f"nobody-{lang}")
            page.fill("#password", "wrong")
            page.click("button[type=submit]")
            if attempt == 0:
                stop(f"{lang}/login-error")
        stop(f"{lang}/login-wait")
        assert page.locator(".error-summary h2").count() == 1
        log_in_with_keys(page, workspace, lang, *MODERATOR)
        stop(f"{lang}/dashboard-moderator")
        page.click(".admin-nav button")  # log out
        log_in_with_keys(page, workspace, lang)
        stop(f"{lang}/dashboard")
        page.goto(workspace.url(f"/admin/{SCHOOL}/answers/"))
        stop(f"{lang}/answers")
        page.goto(workspace.url(f"/admin/{SCHOOL}/answers/?sort=frequency&status=pending"))
        stop(f"{lang}/answers-by-frequency")
        with page.expect_navigation():
            page.click(".answer-list a >> nth=0")
        with page.expect_navigation():
            page.click("button[value=stay]")  # a decision: the history has a line with the login
        stop(f"{lang}/answer")
        page.fill("#redacted", "x" * 5000)
        with page.expect_navigation():
            page.click("button[value=stay]")
        stop(f"{lang}/answer-error")
        for name, path in ACTION_PAGES:
            page.goto(workspace.url(path))
            stop(f"{lang}/{name}")
        page.goto(workspace.url(f"/admin/{SCHOOL}/actions/new"))
        page.fill("#id", "Not an id")
        page.click("button[value=save]")
        stop(f"{lang}/action-form-error")
        page.goto(workspace.url(f"/admin/{SCHOOL}/actions/salles-chauffees/"))
        page.fill("#note-date", "soon")
        page.click(".note-form button[type=submit]")
        stop(f"{lang}/action-note-error")
        page.goto(workspace.url(f"/admin/{SCHOOL}/sessions/"))
        stop(f"{lang}/sessions")
        page.goto(workspace.url(f"/admin/{SCHOOL}/sessions/new"))
        stop(f"{lang}/session-new")
        page.fill("#date", "14/03/2026")
        page.fill("#participants", "0")
        page.fill("#criteria", "Des toilettes propres\n[9] ?")
        page.click(".session-form button[type=submit]")
        stop(f"{lang}/session-errors")
        page.fill("#date", "2026-03-02")
        page.fill("#participants", "8")
        page.fill("#criteria", "Des toilettes propres\n[2 en] <b>Noise</b>")
        page.click(".session-form button[type=submit]")
        stop(f"{lang}/sessions-one")
        page.click("table a >> nth=0")
        stop(f"{lang}/session-edit")
        page.goto(workspace.url(f"/admin/{SCHOOL}/answers/?source=session"))
        stop(f"{lang}/answers-sessions")
        page.click(".admin-nav button")  # log out
    context.close()
    errors = html_errors(saved)
    assert problems == [], "\n".join(problems)
    assert errors == [], "W3C HTML checker:\n" + "\n".join(errors)


ACTION_PAGES = [
    ("actions", f"/admin/{SCHOOL}/actions/"),
    ("action", f"/admin/{SCHOOL}/actions/salles-chauffees/"),
    ("action-planned", f"/admin/{SCHOOL}/actions/aide-devoirs/"),
    ("action-form", f"/admin/{SCHOOL}/actions/new"),
    ("action-edit", f"/admin/{SCHOOL}/actions/adulte-referent/edit"),
    ("action-delete", f"/admin/{SCHOOL}/actions/semaine-respect/delete"),
    ("indicators", f"/admin/{SCHOOL}/indicators/"),
    ("indicator", f"/admin/{SCHOOL}/indicators/confort_salles/"),
]
"""The workspace's pages of the action plans, each checked in both languages."""


def test_an_action_is_created_with_the_keyboard_alone(browser, workspace):
    """Tab to each field, type, Space to tick and choose, Enter to send: the action is stored as typed."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    log_in_with_keys(page, workspace, "en")
    page.goto(workspace.url(f"/admin/{SCHOOL}/actions/?lang=en"))

    def focus(selector: str, key: str = "Tab") -> None:
        for _ in range(200):
            page.keyboard.press(key)
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        pytest.fail(f"Tab never reached {selector}")

    focus("a[href$='/actions/new']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for selector, text in [
        ("#id", "respect-des-regles"),
        ("#title-fr", "Des règles écrites ensemble"),
        ("#title-en", "Rules written together"),
        ("#description-fr", "Chaque classe écrit ses règles de vie."),
        ("#description-en", "Each class writes its own rules."),
    ]:
        focus(selector)
        page.keyboard.type(text)
    focus("#indicator-regles")
    page.keyboard.press("Space")
    focus("#commitment-0-party")
    page.keyboard.press("ArrowDown")  # the first group: Pupils
    focus("#commitment-0-does-fr")
    page.keyboard.type("Les délégués animent l'écriture.")
    focus("#commitment-0-does-en")
    page.keyboard.type("The delegates lead the writing.")
    focus("#starts")
    page.keyboard.type("2026-09-14")
    focus("input[name=status]:checked")
    page.keyboard.press("ArrowDown")  # planned -> under way
    focus("button[value=save]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Action created." in page.text_content(".flash")
    db = connect(workspace.db)
    action = get_action(db, SCHOOL, "respect-des-regles")
    db.close()
    assert action.title == {"fr": "Des règles écrites ensemble", "en": "Rules written together"}
    assert action.indicators == ("regles",) and action.status == "under_way"
    assert action.commitments[0].group == "eleves" and action.starts.isoformat() == "2026-09-14"
    context.close()


def test_answers_are_approved_and_classified_with_the_keyboard_alone(browser, workspace):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    log_in_with_keys(page, workspace, "en")
    page.goto(workspace.url(f"/admin/{SCHOOL}/answers/?status=pending&lang=en"))
    single = ".answer-list li:not(:has(.count))"  # a row of one answer: identical answers are decided together
    first_text = page.text_content(f"{single} .answer-text")
    key = page.get_attribute(f"{single} input[name=selected]", "value")

    def focus(selector: str, key: str = "Tab") -> None:
        for _ in range(60):
            page.keyboard.press(key)
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        pytest.fail(f"Tab never reached {selector}")

    focus(f"input[name=selected][value='{key}']")
    page.keyboard.press("Space")
    focus("button[value=approved]", "Shift+Tab")  # back up to the actions above the list
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "1 answer changed." in page.text_content(".flash")
    db = connect(workspace.db)
    response_id, question = key.split(".")
    decision = decisions(db, SCHOOL)[(response_id, question)]
    assert decision.status == "approved"

    page.goto(workspace.url(f"/admin/{SCHOOL}/answers/{key}/?lang=en"))
    focus("#family-H")
    page.keyboard.press("Space")
    focus("button[value=stay]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "H" in decisions(db, SCHOOL)[(response_id, question)].families
    assert first_text in page.text_content(".answer-text")
    db.close()
    context.close()


def test_a_moderator_logs_in_and_moderates_with_the_keyboard_alone(browser, workspace):
    from coresp_survey.workspace.decisions import decision_log

    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    log_in_with_keys(page, workspace, "en", *MODERATOR)
    assert "Logged in as max, moderator." in page.text_content("main")
    assert page.locator("text=Build the site now").count() == 0
    page.goto(workspace.url(f"/admin/{SCHOOL}/answers/?status=pending&lang=en"))
    key = page.get_attribute(".answer-list li:not(:has(.count)) input[name=selected]", "value")
    page.goto(workspace.url(f"/admin/{SCHOOL}/answers/{key}/?lang=en"))
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "status":
            break
    for _ in range(3):  # the arrows move within the radio group, choosing as they go
        if page.evaluate("document.activeElement.id") == "status-rejected":
            break
        page.keyboard.press("ArrowUp")
    assert page.is_checked("#status-rejected")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('button[value=stay]')"):
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Rejected by max, " in page.text_content(".decision-log")
    db = connect(workspace.db)
    response_id, question = key.split(".")
    assert decision_log(db, response_id=response_id, question=question)[-1][1:2] == ("rejected",)
    assert decision_log(db, response_id=response_id, question=question)[-1].login == "max"
    db.close()
    context.close()


def test_a_session_is_recorded_with_the_keyboard_alone(browser, workspace):
    """Tab from field to field, type the cards one per line with a mark for another question and language, Enter."""
    from coresp_survey.workspace.sessions import list_sessions

    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    log_in_with_keys(page, workspace, "en")
    page.goto(workspace.url(f"/admin/{SCHOOL}/sessions/new?lang=en"))

    def focus(element_id: str) -> None:
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == element_id:
                return
        pytest.fail(f"Tab never reached #{element_id}")

    focus("group")
    page.keyboard.press("End")  # the last group: parents
    focus("label")
    page.keyboard.type("Parents' council")
    focus("date")
    page.keyboard.press("Control+A")
    page.keyboard.type("2026-02-03")
    focus("participants")
    page.keyboard.type("7")
    focus("criteria")
    page.keyboard.type("[bien_etre] Être prévenu vite\n[mal_etre en] Not knowing who to ask\nHomework sent late")
    focus("note")
    page.keyboard.type("Two parents wrote in English.")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Session recorded with 3 criteria." in page.text_content(".flash")
    db = connect(workspace.db)
    recorded = next(s for s in list_sessions(db, SCHOOL) if s.label == "Parents' council")
    db.close()
    assert (recorded.group, recorded.date, recorded.participants, recorded.recorded_by) == (
        "parents", "2026-02-03", 7, "admin"
    )  # fmt: skip
    assert [(c.question, c.lang, c.text) for c in recorded.criteria] == [
        ("bien_etre", "fr", "Être prévenu vite"),
        ("mal_etre", "en", "Not knowing who to ask"),
        ("mal_etre", "en", "Homework sent late"),
    ]
    context.close()
