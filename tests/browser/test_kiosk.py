"""A shared computer in a real browser: "start afresh" with and without JavaScript, and a kiosk
survey (tests/surveys/kiosk.yaml) that forgets each respondent after the thanks page or when idle.

The page's timers run on Playwright's clock (``page.clock``), moved by the test: nothing sleeps.
"""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing

import pytest

from .respondent import Respondent

pytestmark = pytest.mark.slow

JS = [pytest.param(True, id="js"), pytest.param(False, id="no-js")]
IDLE_MS = 5 * 60 * 1000
WARN_MS = 30 * 1000


def marker() -> str:
    return "kiosk-" + uuid.uuid4().hex[:10]


def open_drafts_with(server, word: str) -> int:
    with closing(sqlite3.connect(server.db)) as db:
        rows = db.execute("SELECT answers FROM drafts WHERE state = 'open'").fetchall()
    return sum(word in answers for (answers,) in rows)


def kiosk_respondent(new_page, server, javascript: bool) -> Respondent:
    page = new_page(javascript)
    if javascript:
        page.clock.install()  # before any page: its timers then run on the test's clock
    return Respondent(page, server)


def answer_first_page(me: Respondent, word: str) -> None:
    me.choose("mood", 4)
    me.type("word", word)
    me.next()
    assert me.progress() == (2, 2)


def assert_empty_first_page(me: Respondent) -> None:
    assert me.path == "/en/kiosk/" and me.progress()[0] == 1
    assert me.chosen("mood") == [] and me.typed("word") == ""
    assert "Welcome back" not in me.html
    assert me.chosen("group") == ["pupils"]  # the computer's own setting, from its address


@pytest.mark.parametrize("javascript", JS)
def test_after_the_thanks_the_next_person_finds_an_empty_form(server, new_page, javascript):
    me = kiosk_respondent(new_page, server, javascript)
    word = marker()
    me.open("/en/kiosk/?group=pupils")
    assert me.chosen("group") == ["pupils"]
    answer_first_page(me, word)
    me.type("remark", "quiet here")
    me.next()
    assert me.path == "/en/kiosk/thanks/"
    stored = server.response_with("kiosk", "word", word)
    assert stored["group_id"] == "pupils" and stored["answers"]["remark"] == "quiet here"

    if javascript:  # the thanks page goes back to the start by itself
        me.navigate(lambda: me.page.clock.run_for(31_000))
    else:  # its <noscript> refresh leads here (30 s of real time: the address is what matters)
        assert '<noscript><meta http-equiv="refresh" content="30; url=/en/kiosk/"></noscript>' in me.html
        me.open("/en/kiosk/")
    assert_empty_first_page(me)
    for _ in range(2):  # the browser's Back (the thanks page, the last page) shows nothing of them either
        me.page.go_back()
        assert "quiet here" not in me.page.content() and word not in me.page.content()
    server.response_with("kiosk", "word", word)  # still exactly one


def test_an_idle_kiosk_warns_then_starts_afresh(server, new_page):
    me = kiosk_respondent(new_page, server, javascript=True)
    word = marker()
    me.open("/en/kiosk/?group=pupils")
    answer_first_page(me, word)
    me.type("remark", "not sent yet")
    warning = me.page.locator("#idle-warning")
    me.page.clock.run_for(IDLE_MS - WARN_MS - 1000)
    assert warning.is_hidden()
    me.page.clock.run_for(2000)
    assert warning.is_visible() and "30 seconds" in warning.inner_text()
    me.page.keyboard.press("Shift")  # someone is there: the count starts again
    assert warning.is_hidden()
    me.page.clock.run_for(IDLE_MS - 2000)
    assert me.path == "/en/kiosk/page/second/" and me.typed("remark") == "not sent yet"
    me.navigate(lambda: me.page.clock.run_for(3000))
    assert_empty_first_page(me)
    assert open_drafts_with(server, word) == 0  # forgotten in the database too
    assert [r for r in server.responses("kiosk") if r["answers"].get("word") == word] == []


@pytest.mark.parametrize("javascript", JS)
def test_start_afresh_forgets_the_answers_on_any_page(server, new_page, javascript):
    """Not a kiosk: the school survey, whose first page offers to start afresh as every other does."""
    me = Respondent(new_page(javascript), server)
    word = marker()
    me.open("/en/college-bien-etre/")
    me.choose("group", "parents")
    me.type("un_mot", word)
    me.choose("cantine", "jamais")
    me.next()
    me.type("bien_etre", "Trust.")
    me.navigate(lambda: me.page.click("#afresh button"))
    assert me.path == "/en/college-bien-etre/" and me.progress()[0] == 1
    assert me.chosen("group") == [] and me.typed("un_mot") == "" and "Welcome back" not in me.html
    assert open_drafts_with(server, word) == 0
    me.navigate(lambda: me.page.click("#afresh button"))  # on a first page with nothing to forget
    assert me.path == "/en/college-bien-etre/" and me.errors() == []
