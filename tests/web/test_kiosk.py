"""Shared computers: "not you? start afresh" on every page, and kiosk mode (``kiosk: true``).

The kiosk's clock is moved by replacing ``respond.now``, never by sleeping.
"""

from __future__ import annotations

import re

import pytest
from helpers import CSRF
from helpers import SECRET

from coresp_survey import create_app
from coresp_survey.answers.codes import issue_codes
from coresp_survey.answers.database import connect_codes
from coresp_survey.answers.drafts import forget_draft
from coresp_survey.answers.drafts import get_draft
from coresp_survey.answers.drafts import save_draft
from coresp_survey.answers.responses import iter_responses
from coresp_survey.survey.loader import parse_survey
from coresp_survey.web import respond

AFRESH = re.compile(r'<form method="post" action="(/[a-z]{2}/[a-z0-9-]+/again/)" class="afresh" id="afresh"([^>]*)>')
IDLE = 5 * 60


def token(client, url: str) -> str:
    return CSRF.search(client.get(url).text).group(1)


def post(client, url: str, data: dict, nav: str = "next", csrf: str | None = None):
    return client.post(url, data={"csrf_token": csrf or token(client, url), "_nav": nav, **data})


def open_drafts(db, survey: str) -> list[dict]:
    rows = db.execute("SELECT key, answers FROM drafts WHERE survey = ? AND state = 'open'", [survey]).fetchall()
    return [{"key": key, "answers": answers} for key, answers in rows]


def draft_key(client, survey: str) -> str | None:
    with client.session_transaction() as session:
        return session.get("drafts", {}).get(survey)


@pytest.fixture
def clock(monkeypatch):
    """The kiosk's clock, moved by the test: ``clock.now += 60``."""

    class Clock:
        now = 1_000_000.0

    monkeypatch.setattr(respond, "now", lambda: Clock.now)
    return Clock


# -- the survey file ----------------------------------------------------------------

KIOSK_FILE = """id: k
languages: [en]
title: {en: K}
kiosk: KIOSK
sections:
  - id: s
    title: {en: S}
    questions:
      - {id: q, type: text, label: {en: Q}}
"""


def test_kiosk_is_a_boolean_of_the_survey_file_false_by_default():
    assert parse_survey(KIOSK_FILE.replace("kiosk: KIOSK\n", ""), "k.yaml")[0].kiosk is False
    assert parse_survey(KIOSK_FILE.replace("KIOSK", "true"), "k.yaml")[0].kiosk is True
    assert parse_survey(KIOSK_FILE.replace("KIOSK", "false"), "k.yaml")[0].kiosk is False
    survey, problems = parse_survey(KIOSK_FILE.replace("KIOSK", '"yes"'), "k.yaml")
    assert survey is None and [str(p) for p in problems] == ["k.yaml:4: 'kiosk' must be true or false"]
    survey, problems = parse_survey(KIOSK_FILE.replace("kiosk: KIOSK", "kiosque: true"), "k.yaml")
    assert [str(p) for p in problems] == ["k.yaml:4: unknown key 'kiosque' in the survey (did you mean 'kiosk'?)"]


# -- start afresh, on every page of every survey -------------------------------------------


def test_forget_draft_deletes_an_open_draft_and_nothing_else(db):
    for key in ("mine", "other", "sent"):
        save_draft(db, key=key, survey="mini", answers={"mood": ["3"]}, group=None)
    db.execute("UPDATE drafts SET state = 'submitted', answers = '{}' WHERE key = 'sent'")
    assert forget_draft(db, "mine") is True
    assert forget_draft(db, "mine") is False
    assert forget_draft(db, "sent") is False  # a submitted draft recognises a resent last page
    assert get_draft(db, "sent").submitted
    assert sorted(row[0] for row in db.execute("SELECT key FROM drafts")) == ["other", "sent"]


@pytest.mark.parametrize("url", ["/en/mini/", "/en/mini/page/second/", "/en/mini/page/last/", "/fr/mini/"])
def test_every_page_offers_to_start_afresh(client, url):
    post(client, "/en/mini/", {"group": "students", "mood": "4"})
    page = client.get(url)
    form = AFRESH.search(page.text)
    assert form, url
    assert form.group(1) == url[:3] + "/mini/again/"
    assert "Not you?" in page.text or "Pas vous\u202f?" in page.text
    after_form = page.text[form.end() :]
    assert after_form.index('name="csrf_token"') < after_form.index("</form>")
    assert "data-idle-seconds" not in form.group(2)  # only a kiosk resets by itself
    assert "<noscript>" not in page.text


def test_starting_afresh_forgets_this_browsers_unfinished_answers(client, db):
    client.get("/en/mini/?group=parents&code=ABCDE-FGHJK")
    post(client, "/en/mini/", {"group": "students", "mood": "2", "why": "tired", "age": "12"})
    post(client, "/en/mini/page/second/", {"transport": ["bus"], "bus_line": "12"})
    key = draft_key(client, "mini")
    assert [draft["key"] for draft in open_drafts(db, "mini")] == [key]

    reply = client.post("/en/mini/again/", data={"csrf_token": token(client, "/en/mini/page/second/")})
    assert reply.status_code == 303 and reply.location == "/en/mini/"
    assert open_drafts(db, "mini") == []  # gone from the database, not only from the cookie
    assert draft_key(client, "mini") != key
    first = client.get("/en/mini/").text
    assert "tired" not in first and 'value="12"' not in first and "Welcome back" not in first
    assert 'value="parents" checked' in first  # the prefilled group is the computer's: it stays
    with client.session_transaction() as session:
        assert session["prefill"]["mini"] == {"group": "parents"}  # a prefilled code never


def test_starting_afresh_needs_the_csrf_token(client, db):
    post(client, "/en/mini/", {"group": "students", "mood": "2"})
    assert client.post("/en/mini/again/", data={}).status_code == 400
    assert len(open_drafts(db, "mini")) == 1


def test_starting_afresh_leaves_other_surveys_and_browsers_alone(app, client, db):
    post(client, "/en/mini/", {"group": "students", "mood": "2"})
    neighbour = app.test_client()
    post(neighbour, "/en/mini/", {"group": "parents", "mood": "5"})
    post(client, "/en/kiosk/", {"group": "pupils", "mood": "3"})
    client.post("/en/mini/again/", data={"csrf_token": token(client, "/en/mini/")})
    assert [draft["key"] for draft in open_drafts(db, "mini")] == [draft_key(neighbour, "mini")]
    assert len(open_drafts(db, "kiosk")) == 1


# -- kiosk mode ---------------------------------------------------------------------


def kiosk_first_page(client, clock, mood: str = "4", word: str = "owl") -> None:
    assert post(client, "/en/kiosk/", {"group": "pupils", "mood": mood, "word": word}).location == (
        "/en/kiosk/page/second/"
    )


def test_a_kiosk_never_offers_to_resume(client, clock):
    kiosk_first_page(client, clock)
    first = client.get("/en/kiosk/").text
    assert "Welcome back" not in first and "Continue where you stopped" not in first
    assert 'value="owl"' in first  # the same person, going back: their answers are there


def test_kiosk_pages_reset_themselves_when_idle(client, clock):
    page = client.get("/en/kiosk/").text
    head = page.split("</head>")[0]
    assert '<noscript><meta http-equiv="refresh" content="300; url=/en/kiosk/"></noscript>' in head
    form = AFRESH.search(page)
    assert form and 'data-idle-seconds="300"' in form.group(2) and 'data-warn-seconds="30"' in form.group(2)
    assert re.search(r'<div class="idle-warning" id="idle-warning" role="alert" hidden>\s*<p>[^<]*30 seconds', page)
    assert '<script src="/static/live.js" defer></script>' in page  # the idle timer, though no live condition
    kiosk_first_page(client, clock)
    second = client.get("/en/kiosk/page/second/").text
    assert '<meta http-equiv="refresh" content="300; url=/en/kiosk/">' in second
    assert "<noscript><meta" not in client.get("/en/mini/").text


def test_the_idle_delay_is_a_setting(app, clock):
    app.config["KIOSK_IDLE_MINUTES"] = 1
    client = app.test_client()
    assert 'content="60; url=/en/kiosk/"' in client.get("/en/kiosk/").text
    kiosk_first_page(client, clock)
    clock.now += 59
    assert 'value="owl"' in client.get("/en/kiosk/").text
    clock.now += 60
    assert 'value="owl"' not in client.get("/en/kiosk/").text


def test_a_kiosk_forgets_a_respondent_idle_too_long_when_the_browser_comes_back(client, db, clock):
    kiosk_first_page(client, clock)
    clock.now += IDLE - 1
    assert 'value="owl"' in client.get("/en/kiosk/").text  # still there: not idle long enough
    clock.now += IDLE  # measured from the last request
    first = client.get("/en/kiosk/").text
    assert (
        'value="owl"' not in first and "checked" not in first.split('id="q-mood-question"')[1].split("</fieldset>")[0]
    )
    assert 'value="pupils" checked' not in first
    assert open_drafts(db, "kiosk") == []
    assert "owl" not in client.get("/en/kiosk/page/second/").text


def test_a_kiosk_keeps_a_slow_respondents_page_when_it_is_sent(client, db, clock):
    """Idleness is judged when the browser comes back (GET), never on a page sent: a long answer is not idle."""
    kiosk_first_page(client, clock)
    csrf = token(client, "/en/kiosk/page/second/")
    clock.now += 3 * IDLE
    assert post(client, "/en/kiosk/page/second/", {"remark": "long"}, csrf=csrf).location == "/en/kiosk/thanks/"
    (stored,) = iter_responses(db, "kiosk")
    assert stored.answers == {"mood": 4, "word": "owl", "remark": "long"}


def test_after_the_thanks_the_next_person_starts_with_nothing(client, db, clock):
    client.get("/en/kiosk/?group=pupils&code=ABCDE-FGHJK")
    kiosk_first_page(client, clock)
    assert post(client, "/en/kiosk/page/second/", {"remark": "fine"}).location == "/en/kiosk/thanks/"
    assert draft_key(client, "kiosk") is None  # forgotten at the submission
    thanks = client.get("/en/kiosk/thanks/").text
    head = thanks.split("</head>")[0]
    assert '<noscript><meta http-equiv="refresh" content="30; url=/en/kiosk/"></noscript>' in head
    assert re.search(
        r'<form method="post" action="/en/kiosk/again/" class="again" id="afresh" data-idle-seconds="30">', thanks
    )
    assert '<script src="/static/live.js" defer></script>' in thanks

    first = client.get("/en/kiosk/")  # what the thanks page goes back to
    assert first.status_code == 200 and "already been sent" not in first.text
    assert 'value="owl"' not in first.text and "Welcome back" not in first.text
    assert 'value="pupils" checked' in first.text  # the computer's prefilled group stays
    with client.session_transaction() as session:
        assert session["prefill"]["kiosk"] == {"group": "pupils"}
    kiosk_first_page(client, clock, mood="2", word="fox")
    post(client, "/en/kiosk/page/second/", {})
    assert sorted(r.answers["word"] for r in iter_responses(db, "kiosk")) == ["fox", "owl"]


def test_a_kiosks_last_page_sent_twice_stores_one_response(app, client, db, clock):
    """A double click (the old cookie) gets the thanks page; a reload of the sent page (the new one) is refused."""
    kiosk_first_page(client, clock)
    csrf = token(client, "/en/kiosk/page/second/")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    data = {"csrf_token": csrf, "_nav": "next", "remark": "once"}
    assert client.post("/en/kiosk/page/second/", data=data).location == "/en/kiosk/thanks/"

    reload = client.post("/en/kiosk/page/second/", data=data)
    assert reload.status_code == 400 and "could not be sent" in reload.text
    double = app.test_client()
    double.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert double.post("/en/kiosk/page/second/", data=data).location == "/en/kiosk/thanks/"
    assert draft_key(double, "kiosk") is None
    assert [r.answers["remark"] for r in iter_responses(db, "kiosk")] == ["once"]


def test_a_survey_without_kiosk_keeps_its_ways(client, db):
    """Not a kiosk: resuming offered, the draft key kept after the thanks, no timers."""
    post(client, "/en/mini/", {"group": "parents", "mood": "3"})
    assert "Welcome back" in client.get("/en/mini/").text
    post(client, "/en/mini/page/last/", {})
    assert draft_key(client, "mini") is not None and "already been sent" in client.get("/en/mini/").text
    thanks = client.get("/en/mini/thanks/").text
    assert "<noscript>" not in thanks and "data-idle-seconds" not in thanks and "<script" not in thanks


def test_the_kiosk_setting_reaches_the_app(tmp_path, surveys_dir):
    app = create_app({"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "r.db", "SECRET_KEY": SECRET})
    assert app.config["KIOSK_IDLE_MINUTES"] == 5
    assert app.extensions["surveys"]["kiosk"].kiosk and not app.extensions["surveys"]["mini"].kiosk


def test_starting_afresh_warns_that_an_entered_code_cannot_be_used_again(app, client):
    """A code is spent when the first page accepts it: starting afresh then loses it, and says so."""
    codes = connect_codes(app.config["DATABASE"])
    code = issue_codes(codes, survey=app.extensions["surveys"]["coded"], group="young", count=1)[0]
    codes.close()
    before = client.get("/en/coded/").text
    assert "Not you?" in before and "cannot be used again" not in before
    refused = post(client, "/en/coded/", {"code": code})  # accepted, but the rating is missing
    assert refused.status_code == 200 and "Please answer this question." in refused.text
    assert "the invitation code entered here cannot be used again" in refused.text
