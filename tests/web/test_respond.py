"""The respondent's way through a survey, over HTTP, on a real database."""

from __future__ import annotations

import pytest
from helpers import CSRF

from coresp_survey.answers.responses import iter_responses


def responses(db, survey="mini"):
    return list(iter_responses(db, survey))


def test_root_sends_to_the_browser_language(client):
    assert client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).location == "/en/"
    assert client.get("/", headers={"Accept-Language": "fr-FR"}).location == "/fr/"
    assert client.get("/").location == "/fr/"


def test_survey_list_shows_open_surveys_in_the_language(client):
    page = client.get("/en/")
    assert page.status_code == 200
    assert "Mini survey" in page.text
    assert 'lang="en"' in page.text
    assert 'hreflang="fr" href="/fr/"' in page.text


def test_unknown_language_and_survey_are_404_pages(client):
    for url in ["/de/", "/en/nope/", "/en/mini/page/nope/"]:
        page = client.get(url)
        assert page.status_code == 404, url
        assert "Page not found" in page.text or "Page introuvable" in page.text


def test_full_answer_stores_one_response_and_thanks_with_303(respondent, db):
    first = respondent.post("/en/mini/", {"group": "students", "mood": "4", "age": "12"})
    assert first.status_code == 303
    assert first.location == "/en/mini/page/second/"
    second = respondent.post("/en/mini/page/second/", {"transport": ["bus", "bike"], "bus_line": "12"})
    assert second.location == "/en/mini/page/last/"
    last = respondent.post("/en/mini/page/last/", {"favourite": "other", "favourite_other": "Music"})
    assert last.status_code == 303
    assert last.location == "/en/mini/thanks/"
    stored = responses(db)
    assert len(stored) == 1
    assert stored[0].group == "students"
    assert stored[0].round == "2026"
    assert stored[0].answers == {
        "mood": 4, "age": 12, "transport": ["bus", "bike"], "bus_line": "12",
        "favourite": "other", "favourite_other": "Music",
    }  # fmt: skip


def test_repeated_final_submit_stores_nothing_more(respondent, db, client):
    respondent.post("/en/mini/", {"group": "parents", "mood": "3"})
    token = respondent.token("/en/mini/page/last/")
    data = {"csrf_token": token, "_nav": "next", "remark": "ok"}
    assert client.post("/en/mini/page/last/", data=data).status_code == 303
    again = client.post("/en/mini/page/last/", data=data)
    assert again.status_code == 200
    assert len(responses(db)) == 1


def test_errors_are_shown_next_to_the_question_keeping_what_was_typed(respondent, db):
    page = respondent.post("/en/mini/", {"group": "students", "age": "twelve <b>"})
    assert page.status_code == 200
    assert "Please answer this question." in page.text
    assert "Please enter a whole number" in page.text
    assert 'value="twelve &lt;b&gt;"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert responses(db) == []


def test_french_errors_in_french(respondent):
    page = respondent.post("/fr/mini/", {"group": "students"})
    assert "Merci de répondre à cette question." in page.text


def test_hidden_section_is_skipped_and_its_answers_never_stored(respondent, db):
    respondent.post("/en/mini/", {"group": "students", "mood": "5"})
    respondent.post("/en/mini/page/second/", {"transport": ["bus"], "bus_line": "3"})
    # Going back to page one and changing group hides page two.
    respondent.post("/en/mini/page/second/", {"transport": ["bus"], "bus_line": "3"}, nav="back")
    changed = respondent.post("/en/mini/", {"group": "parents", "mood": "5"})
    assert changed.location == "/en/mini/page/last/"
    respondent.post("/en/mini/page/last/", {})
    (stored,) = responses(db)
    assert stored.group == "parents"
    assert "transport" not in stored.answers and "bus_line" not in stored.answers


def test_same_page_condition_is_judged_on_submit(respondent, db):
    page = respondent.client.get("/en/mini/")
    assert 'name="why"' in page.text  # shown without JavaScript
    respondent.post("/en/mini/", {"group": "parents", "mood": "5", "why": "hidden answer"})
    respondent.post("/en/mini/page/last/", {})
    (stored,) = responses(db)
    assert "why" not in stored.answers


def test_too_many_choices_and_other_without_text(respondent):
    respondent.post("/en/mini/", {"group": "students", "mood": "4"})
    page = respondent.post("/en/mini/page/second/", {"transport": ["bus", "bike", "other"]})
    assert "Please choose at most 2 options." in page.text
    page = respondent.post("/en/mini/page/second/", {"transport": ["other"]})
    assert "Please say what “Other” is." in page.text


def test_value_not_among_choices_is_refused(respondent, db):
    page = respondent.post("/en/mini/", {"group": "students", "mood": "9"})
    assert "Please choose one of the options." in page.text
    page = respondent.post("/en/mini/", {"group": "teachers", "mood": "3"})
    assert "Please say which group you belong to." in page.text


def test_answers_survive_going_back_and_a_new_app(respondent, app, tmp_path, surveys_dir):
    respondent.post("/en/mini/", {"group": "students", "mood": "2", "why": "tired"})
    back = respondent.client.get("/en/mini/")
    assert 'value="2" checked' in back.text
    assert "tired</textarea>" in back.text
    from coresp_survey import create_app

    restarted = create_app(dict(app.config))
    restarted_client = restarted.test_client()
    restarted_client.set_cookie(
        app.config["SESSION_COOKIE_NAME"], respondent.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    )
    assert "tired</textarea>" in restarted_client.get("/en/mini/").text


def test_language_switch_keeps_answers(respondent):
    respondent.post("/en/mini/", {"group": "students", "mood": "4"})
    switched = respondent.post("/fr/mini/page/second/", {"transport": ["walk"]}, nav="switch")
    assert switched.location == "/fr/mini/page/second/"
    page = respondent.client.get("/fr/mini/page/second/")
    assert 'value="walk" checked' in page.text
    assert "Deuxième page" in page.text
    assert 'formaction="/en/mini/page/second/"' in page.text
    assert '<link rel="alternate" hreflang="en" href="/en/mini/page/second/">' in page.text


def test_post_without_csrf_stores_nothing_and_keeps_typed_values(client, db):
    page = client.post("/en/mini/", data={"group": "students", "mood": "3", "age": "41"})
    assert page.status_code == 400
    assert "could not be sent" in page.text
    assert 'value="41"' in page.text
    assert responses(db) == []
    assert db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0


def test_prefilled_group_is_kept_in_session_and_dropped_from_address(client):
    redirect = client.get("/en/mini/?group=parents")
    assert redirect.status_code == 303
    assert redirect.location == "/en/mini/"
    assert 'value="parents" checked' in client.get("/en/mini/").text


def test_only_one_cookie_with_safe_flags(client):
    first = client.get("/en/mini/")
    token = CSRF.search(first.text).group(1)
    reply = client.post("/en/mini/", data={"csrf_token": token, "group": "students", "mood": "4"})
    cookies = first.headers.getlist("Set-Cookie") + reply.headers.getlist("Set-Cookie")
    assert cookies, "the session cookie is set on the first page"
    assert {cookie.split("=")[0] for cookie in cookies} == {"coresp_session"}
    assert all("HttpOnly" in cookie and "SameSite=Lax" in cookie for cookie in cookies)
    assert not any("Secure" in cookie for cookie in cookies)


def test_session_cookie_is_secure_over_https(app):
    client = app.test_client()
    page = client.get("/en/mini/?group=parents", base_url="https://localhost")
    assert "Secure" in page.headers["Set-Cookie"]


def test_security_headers(client):
    page = client.get("/en/mini/")
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"


def test_again_starts_a_new_response_on_a_shared_computer(respondent, db):
    respondent.post("/en/mini/", {"group": "parents", "mood": "3"})
    respondent.post("/en/mini/page/last/", {})
    assert "already been sent" in respondent.client.get("/en/mini/").text
    token = respondent.token("/en/mini/thanks/")
    assert respondent.client.post("/en/mini/again/", data={"csrf_token": token}).location == "/en/mini/"
    respondent.post("/en/mini/", {"group": "students", "mood": "1"})
    respondent.post("/en/mini/page/second/", {})
    respondent.post("/en/mini/page/last/", {})
    assert sorted(r.group for r in responses(db)) == ["parents", "students"]


def test_questions_depending_on_this_page_carry_their_condition_for_the_script(client):
    import json
    import re

    page = client.get("/en/mini/").text
    match = re.search(r"id=\"q-why-question\" data-show-if='([^']*)'", page)
    assert match, "the 'why' question should carry its live condition"
    assert json.loads(match.group(1)) == [["compare", "<=", ["name", "mood"], ["value", 2]]]
    assert 'src="/static/live.js"' in page
    assert "data-show-if" not in page.split('id="q-mood-question"')[1].split(">")[0]


def test_pages_without_live_conditions_load_no_script(respondent):
    respondent.post("/en/mini/", {"group": "students", "mood": "4"})
    page = respondent.client.get("/en/mini/page/last/").text
    assert "<script" not in page


def test_a_returning_respondent_is_offered_to_go_on_where_they_stopped(respondent):
    assert "Welcome back" not in respondent.client.get("/en/mini/").text
    respondent.post("/en/mini/", {"group": "students", "mood": "4"})
    respondent.post("/en/mini/page/second/", {"transport": ["walk"]})
    first = respondent.client.get("/en/mini/").text
    assert "Welcome back: your earlier answers are kept." in first
    assert '<a href="/en/mini/page/last/">Continue where you stopped</a>' in first


# -- drafts saved before the survey file was edited ---------------------------------------


def resumed_after_an_edit(app, respondent, surveys_dir, *edits: tuple[str, str]):
    """A new app on an edited copy of mini.yaml, and a browser holding the draft's cookie."""
    from coresp_survey import create_app

    path = surveys_dir / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    edited = create_app(dict(app.config))
    browser = edited.test_client()
    name = app.config["SESSION_COOKIE_NAME"]
    browser.set_cookie(name, respondent.client.get_cookie(name).value)
    return browser


def test_a_draft_from_before_an_edit_resumes_without_false_errors(app, respondent, surveys_dir, db):
    """A choice renamed since the draft was saved: the optional question is simply unanswered now."""
    respondent.post("/en/mini/", {"group": "students", "mood": "4", "age": "12"})
    respondent.post("/en/mini/page/second/", {"transport": ["bike", "walk"]})
    respondent.post("/en/mini/page/last/", {"favourite": "art", "remark": "later"}, nav="back")
    browser = resumed_after_an_edit(
        app, respondent, surveys_dir, ("value: bike", "value: cycle"), ("value: art", "value: arts")
    )
    second = browser.get("/en/mini/page/second/").text
    assert 'value="walk" checked' in second and "error" not in second.split("<main")[1].split("</main>")[0]
    last = browser.get("/en/mini/page/last/").text
    assert (
        'value="later"' in last and "checked" not in last.split('id="q-favourite-question"')[1].split("</fieldset>")[0]
    )
    token = CSRF.search(last).group(1)
    sent = browser.post("/en/mini/page/last/", data={"csrf_token": token, "_nav": "next", "remark": "later"})
    assert sent.location == "/en/mini/thanks/"
    (stored,) = responses(db)
    assert stored.answers == {"mood": 4, "age": 12, "transport": ["walk"], "remark": "later"}


def test_a_required_answer_an_edit_made_unusable_is_asked_again(app, respondent, surveys_dir, db):
    respondent.post("/en/mini/", {"group": "parents", "mood": "5"})
    three_levels = "choices: [{value: 1, label: {fr: Un, en: One}}, {value: 2, label: {fr: Deux, en: Two}}]"
    browser = resumed_after_an_edit(app, respondent, surveys_dir, ("scale: spiral5", three_levels))
    token = CSRF.search(browser.get("/en/mini/page/last/").text).group(1)
    sent = browser.post("/en/mini/page/last/", data={"csrf_token": token, "_nav": "next"})
    assert sent.location == "/en/mini/?check=1"
    page = browser.get(sent.location).text
    assert "Please answer this question." in page and 'value="parents" checked' in page
    assert responses(db) == []


def test_a_value_refused_before_any_edit_is_still_refused_when_the_page_comes_back(respondent, db):
    """Only a draft from before an edit is cleaned: a refused choice stays refused, with its message."""
    respondent.post("/en/mini/", {"group": "students", "mood": "4"})
    respondent.post("/en/mini/page/second/", {"transport": ["plane"]})
    sent = respondent.post("/en/mini/page/last/", {})
    assert sent.location == "/en/mini/page/second/?check=1"
    assert "Please choose among the options." in respondent.client.get(sent.location).text
    assert responses(db) == []


# -- the error page ----------------------------------------------------------------------


@pytest.fixture
def faulty_pages(monkeypatch):
    """A test-only fault: checking a page raises, as a bug would."""
    from coresp_survey.answers import walk as answering

    def fail(page):
        raise RuntimeError("test-only fault")

    def arm() -> None:
        monkeypatch.setattr(answering, "validate_page", fail)

    return arm


def test_a_failed_first_page_does_not_claim_anything_was_saved(respondent, db, faulty_pages):
    token = respondent.token("/en/mini/")
    faulty_pages()
    page = respondent.client.post("/en/mini/", data={"csrf_token": token, "group": "students", "mood": "4"})
    assert page.status_code == 500
    assert "Please try again in a moment." in page.text and "saved" not in page.text
    assert db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0


def test_a_failed_later_page_says_the_earlier_pages_are_saved(respondent, faulty_pages):
    respondent.post("/en/mini/", {"group": "students", "mood": "4"})
    token = respondent.token("/en/mini/page/second/")
    faulty_pages()
    page = respondent.client.post("/fr/mini/page/second/", data={"csrf_token": token, "transport": "bus"})
    assert page.status_code == 500
    assert "Vos pages précédentes sont enregistrées" in page.text


def test_a_note_is_shown_on_its_page_asks_nothing_and_stores_nothing(respondent, db):
    respondent.post("/en/mini/", {"group": "parents", "mood": "3"})
    page = respondent.client.get("/en/mini/page/last/").text
    assert '<div class="note-text" id="q-almost"><p>Almost done!</p></div>' in page
    assert 'name="almost"' not in page
    sent = respondent.post("/en/mini/page/last/", {"almost": "typed anyway", "remark": "ok"})
    assert sent.location == "/en/mini/thanks/"
    assert responses(db)[0].answers == {"mood": 3, "remark": "ok"}
