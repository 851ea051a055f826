"""The respondent's walk through a survey: whichever page is asked for, one list of pages, and it ends.

A ``show_if`` on the first section used to trap the groups it hides: the first
page merged the first section, the later pages started from the next one, and
each sent the respondent to the other. Here, fixed cases, then generated
surveys (conditions on sections, the first included, and on questions; groups
or not; public or by invitation code) answered by every group through the real
app, going back, switching language and coming back now and then: the thanks
page is reached in a bounded number of requests, with exactly one response.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import CSRF
from helpers import SECRET
from hypothesis import HealthCheck
from hypothesis import assume
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from survey.test_hostile_surveys import atoms
from survey.test_hostile_surveys import questions
from survey.test_hostile_surveys import texts

from coresp_survey import create_app
from coresp_survey.answers.database import connect
from coresp_survey.answers.database import prepare
from coresp_survey.answers.drafts import save_draft
from coresp_survey.answers.records import Response
from coresp_survey.answers.responses import iter_responses
from coresp_survey.cli import main
from coresp_survey.survey.catalog import load_catalog
from coresp_survey.survey.loader import parse_survey

PROGRESS = re.compile(r'<progress max="(\d+)" value="(\d+)"')
SHOWN = re.compile(r'id="q-([a-z][a-z0-9_]*)-question"')
TWIN = re.compile(r'formaction="([^"]+)"')
HEADING = re.compile(r"<h1>(.*?)</h1>", re.S)

FIRST_HIDDEN = """
id: trap
languages: [en, fr]
title: {en: "School life", fr: "La vie au collège"}
groups:
  - {id: students, label: {en: Students, fr: Élèves}}
  - {id: parents, label: {en: Parents, fr: Parents}}
sections:
  - id: school
    title: {en: "At school", fr: "Au collège"}
    show_if: "group != 'parents'"
    questions:
      - {id: mood, type: scale, scale: spiral5, required: true, label: {en: Mood, fr: Humeur}}
  - id: home
    title: {en: "At home", fr: "À la maison"}
    questions:
      - {id: remark, type: text, label: {en: Remark, fr: Remarque}}
  - id: end
    title: {en: "Last words", fr: "Derniers mots"}
    questions:
      - {id: last_word, type: text, label: {en: "Last word", fr: "Dernier mot"}}
"""

CODED_FIRST_HIDDEN = """
id: coded-trap
languages: [en]
access: code
title: {en: "Neighbourhood"}
groups:
  - {id: young, label: {en: Young}}
  - {id: elderly, label: {en: Elderly}}
sections:
  - id: youth
    title: {en: "Youth"}
    show_if: "group == 'young'"
    questions:
      - {id: games, type: text, label: {en: Games}}
  - id: everyone
    title: {en: "Everyone"}
    questions:
      - {id: street, type: scale, scale: agree5, required: true, label: {en: "My street"}}
  - id: seniors
    title: {en: "Seniors"}
    show_if: "group == 'young'"
    questions:
      - {id: help, type: text, label: {en: Help}}
"""

NOTHING_FOR_PARENTS = """
id: nothing
languages: [en]
title: {en: "Pupils only"}
groups:
  - {id: students, label: {en: Students}}
  - {id: parents, label: {en: Parents}}
sections:
  - id: only
    title: {en: "Only page"}
    show_if: "group == 'students'"
    questions:
      - {id: mood, type: scale, scale: spiral5, label: {en: Mood}}
"""

NOTHING_FOR_ELDERLY = CODED_FIRST_HIDDEN.replace(
    '  - id: everyone\n    title: {en: "Everyone"}\n',
    '  - id: everyone\n    title: {en: "Everyone"}\n    show_if: "group == \'young\'"\n',
).replace("id: coded-trap", "id: coded-nothing")


@pytest.fixture
def trap_app(tmp_path, surveys_dir):
    for name, text in [
        ("trap", FIRST_HIDDEN),
        ("coded-trap", CODED_FIRST_HIDDEN),
        ("nothing", NOTHING_FOR_PARENTS),
        ("coded-nothing", NOTHING_FOR_ELDERLY),
    ]:
        (surveys_dir / f"{name}.yaml").write_text(text, encoding="utf-8")
    return create_app({"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "walk.db", "SECRET_KEY": SECRET})


class Browser:
    """A test client that posts pages with the session's CSRF token and reads what a page shows."""

    def __init__(self, app, first: str) -> None:
        self.client = app.test_client()
        self.token = CSRF.search(self.client.get(first).text).group(1)

    def post(self, url: str, data: dict, nav: str = "next"):
        return self.client.post(url, data={"csrf_token": self.token, "_nav": nav, **data})

    def page(self, url: str) -> tuple[int, int, str, str]:
        """(page number, number of pages, heading, HTML) of a page that must show a form."""
        page = self.client.get(url)
        assert page.status_code == 200, (url, page.status_code, page.location)
        total, number = map(int, PROGRESS.search(page.text).groups())
        return number, total, HEADING.search(page.text).group(1).strip(), page.text


def issue_code(app, survey: str, group: str | None, surveys: Path | None = None) -> str:
    """One invitation code, made as an organiser makes it (``coresp-survey codes``)."""
    folder = surveys or app.config["SURVEYS_DIR"]
    args = ["--surveys", str(folder), "--db", str(app.config["DATABASE"]), "codes", survey, "--count", "1"]
    result = CliRunner().invoke(main, args + (["--group", group] if group else []))
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[1].split(",")[0]


def responses(app, survey: str) -> list[Response]:
    db = connect(app.config["DATABASE"])
    try:
        return list(iter_responses(db, survey))
    finally:
        db.close()


def test_a_group_the_first_section_hides_reaches_the_end(trap_app):
    """The regression: parents chose their group on page 1 and were sent back there for ever."""
    me = Browser(trap_app, "/en/trap/")
    reply = me.post("/en/trap/", {"group": "parents"})
    assert reply.location == "/en/trap/page/home/"
    assert me.page("/en/trap/page/home/")[:3] == (2, 3, "At home")
    assert me.page("/en/trap/")[:2] == (1, 3)  # the first page, where the group is chosen, is still page 1
    assert me.post("/en/trap/page/home/", {"remark": "calm"}).location == "/en/trap/page/end/"
    assert me.page("/en/trap/page/end/")[:2] == (3, 3)
    assert me.post("/en/trap/page/end/", {"last_word": "bye"}).location == "/en/trap/thanks/"
    (stored,) = responses(trap_app, "trap")
    assert stored.group == "parents" and stored.answers == {"remark": "calm", "last_word": "bye"}


def test_back_switch_and_resume_agree_with_the_pages_shown(trap_app):
    me = Browser(trap_app, "/en/trap/")
    me.post("/en/trap/", {"group": "parents", "mood": "4"})  # mood is shown, judged when sent: dropped
    me.post("/en/trap/page/home/", {"remark": "calm"})
    assert me.post("/en/trap/page/end/", {}, nav="back").location == "/en/trap/page/home/"
    assert me.post("/en/trap/page/home/", {"remark": "calm"}, nav="back").location == "/en/trap/"
    switched = me.client.post("/fr/trap/", data={"csrf_token": me.token, "_nav": "switch", "group": "parents"})
    assert switched.location == "/fr/trap/"
    number, total, heading, text = me.page("/fr/trap/")
    assert (number, total) == (1, 3) and 'value="parents" checked' in text
    assert '<a href="/fr/trap/page/end/">' in text  # the furthest page reached, offered to go on
    assert me.page("/fr/trap/page/end/")[:3] == (3, 3, "Derniers mots")
    assert me.post("/fr/trap/page/end/", {"last_word": "fin"}).location == "/fr/trap/thanks/"
    (stored,) = responses(trap_app, "trap")
    assert stored.answers == {"remark": "calm", "last_word": "fin"} and stored.lang == "fr"


def test_a_group_the_first_section_shows_answers_it_on_page_one(trap_app):
    me = Browser(trap_app, "/en/trap/")
    assert me.post("/en/trap/", {"group": "students", "mood": "2"}).location == "/en/trap/page/home/"
    me.post("/en/trap/page/home/", {})
    me.post("/en/trap/page/end/", {})
    (stored,) = responses(trap_app, "trap")
    assert stored.group == "students" and stored.answers == {"mood": 2}


def test_after_the_code_the_first_page_is_the_first_section_that_applies(trap_app):
    """Without the start fields, page 1 is the first visible section, and sending it keeps ITS answers."""
    code = issue_code(trap_app, "coded-trap", "elderly")
    me = Browser(trap_app, "/en/coded-trap/")
    assert me.page("/en/coded-trap/")[:3] == (1, 2, "Youth")  # before the code: its page, the group unknown
    assert me.post("/en/coded-trap/", {"code": code, "games": "cards"}).location == "/en/coded-trap/"
    number, total, heading, text = me.page("/en/coded-trap/")
    assert (number, total, heading) == (1, 1, "Everyone") and 'name="code"' not in text
    assert me.client.get("/en/coded-trap/page/everyone/").location == "/en/coded-trap/"
    refused = me.post("/en/coded-trap/", {})
    assert refused.status_code == 200 and "Please answer this question." in refused.text
    assert me.post("/en/coded-trap/", {"street": "4"}).location == "/en/coded-trap/thanks/"
    (stored,) = responses(trap_app, "coded-trap")
    assert stored.group == "elderly" and stored.answers == {"street": 4}


def test_a_respondent_no_section_concerns_still_sends_a_response(trap_app):
    me = Browser(trap_app, "/en/nothing/")
    number, total, heading, text = me.page("/en/nothing/")
    assert (number, total) == (1, 1) and "Send my answers" in text
    assert me.client.get("/en/nothing/page/only/").location == "/en/nothing/"  # page 1 has no address of its own
    assert me.post("/en/nothing/", {"group": "parents", "mood": "3"}).location == "/en/nothing/thanks/"
    (stored,) = responses(trap_app, "nothing")
    assert stored.group == "parents" and stored.answers == {}


def test_a_code_no_section_concerns_still_sends_a_response(trap_app):
    code = issue_code(trap_app, "coded-nothing", "elderly")
    me = Browser(trap_app, "/en/coded-nothing/")
    assert me.post("/en/coded-nothing/", {"code": code}).location == "/en/coded-nothing/thanks/"
    (stored,) = responses(trap_app, "coded-nothing")
    assert stored.group == "elderly" and stored.answers == {}


def test_a_page_without_a_section_sends_the_response(trap_app):
    """A draft started with a code, not sent, that no section concerns: one page that sends it."""
    me = Browser(trap_app, "/en/coded-nothing/")
    with me.client.session_transaction() as session:
        key = session["drafts"]["coded-nothing"]
    db = prepare(trap_app.config["DATABASE"])
    save_draft(db, key=key, survey="coded-nothing", answers={}, group="elderly", code_ok=True)  # the code accepted
    db.close()
    number, total, heading, text = me.page("/en/coded-nothing/")
    assert (number, total, heading) == (1, 1, "Neighbourhood")
    assert "No question of this survey concerns you" in text and "Send my answers" in text
    assert me.post("/en/coded-nothing/", {}).location == "/en/coded-nothing/thanks/"
    assert [r.group for r in responses(trap_app, "coded-nothing")] == ["elderly"]


def test_a_last_page_sent_without_the_group_shows_why_on_the_first(trap_app):
    """?check=1 on the first page checks the group too: never sent back there without a word."""
    me = Browser(trap_app, "/en/trap/")
    reply = me.post("/en/trap/page/end/", {"last_word": "hi"})
    assert reply.location == "/en/trap/?check=1"
    page = me.client.get(reply.location)
    assert "Please say which group you belong to." in page.text and "error-summary" in page.text
    assert responses(trap_app, "trap") == []


# -- generated surveys, answered by every group --------------------------------------


@st.composite
def good_conditions(draw, earlier: list[dict], groups: list[str]) -> str | None:
    """A well-typed ``show_if`` over ``group`` and earlier questions, or None when there is nothing to name."""
    pool = [f"group {op} '{group}'" for group in groups for op in ("==", "!=")]
    for question in earlier:
        pool += atoms(question, draw)[0]
    if not pool:
        return None
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2))
    joined = draw(st.sampled_from([" and ", " or "])).join(chosen)
    return draw(st.sampled_from([joined, f"not ({joined})"]))


@st.composite
def walk_questions(draw, languages: list[str], earlier: list[dict], groups: list[str]) -> dict:
    """The hostile suite's questions, with a well-typed condition and whole-number bounds (always answerable)."""
    question = draw(questions(languages, earlier))
    question.pop("show_if", None)
    if draw(st.integers(0, 2)) == 0:
        condition = draw(good_conditions(earlier, groups))
        if condition:
            question["show_if"] = condition
    if question["type"] == "number":
        low, high = sorted(draw(st.lists(st.integers(-5, 100), min_size=2, max_size=2)))
        question.update({key: value for key, value in (("min", low), ("max", high)) if key in question})
    return question


@st.composite
def walk_surveys(draw) -> dict:
    languages = list(draw(st.sampled_from([("en",), ("en", "fr")])))
    groups = draw(st.sampled_from([[], ["g1", "g2"], ["g1", "g2", "g3"]]))
    survey: dict = {"id": "walk", "languages": languages, "title": draw(texts(languages))}
    survey["access"] = draw(st.sampled_from(["public", "code"]))
    survey["kiosk"] = draw(st.booleans())
    if groups:
        survey["groups"] = [{"id": group, "label": draw(texts(languages))} for group in groups]
    survey["scales"] = {"freq": [{"value": v, "label": draw(texts(languages))} for v in (1, 2, 3)]}
    survey["sections"], earlier = [], []
    for number in range(draw(st.integers(1, 4))):
        section = {"id": f"s{number}", "title": {lang: f"Section {number}" for lang in languages}, "questions": []}
        if draw(st.integers(0, 1 if number == 0 else 2)) == 0:
            condition = draw(good_conditions(earlier, groups))
            if condition:
                section["show_if"] = condition
        for _ in range(draw(st.integers(1, 3))):
            question = draw(walk_questions(languages, earlier, groups))
            section["questions"].append(question)
            earlier.append(question)
        survey["sections"].append(section)
    return survey


def valid_answer(question, draw) -> dict[str, str | list[str]]:
    """What a careful respondent sends for a question: always valid; an optional one now and then skipped."""
    if not question.required and draw(st.integers(0, 3)) == 0:
        return {}
    kind = question.type
    if kind in ("single", "scale"):
        value = str(draw(st.sampled_from(question.values)))
        return {question.id: value, **({question.other_field: "else"} if value == "other" else {})}
    if kind == "multiple":
        low = max(question.min or 0, 1)
        high = min(question.max or len(question.values), len(question.values))
        chosen = draw(st.lists(st.sampled_from(question.values), min_size=low, max_size=high, unique=True))
        return {question.id: chosen, **({question.other_field: "else"} if "other" in chosen else {})}
    if kind == "number":
        high = math.floor(question.max) if question.max is not None else 100
        low = math.ceil(question.min) if question.min is not None else high - 10
        return {question.id: str(draw(st.integers(low, high)))}
    return {question.id: "ok"[: question.max_length]}


class Walker:
    """One respondent of one group, answering every page it is shown until the thanks page."""

    def __init__(self, app, survey, group: str | None, code: str | None, draw) -> None:
        self.app, self.survey, self.group, self.code, self.draw = app, survey, group, code, draw
        self.lang = survey.languages[0]
        self.client = app.test_client()
        self.requests = 0
        self.backs = self.switches = self.returns = 0
        self.limit = 4 * (len(survey.sections) + 1) + 12
        """Every page once, plus each detour taken (at most 2 backs, 1 switch, 1 return), twice over."""

    def request(self, method: str, url: str, **data):
        self.requests += 1
        assert self.requests <= self.limit, f"no end after {self.limit} requests (at {url})"
        reply = self.client.open(url, method=method, data=data or None)
        assert reply.status_code < 500, (method, url, reply.text)
        return reply

    def show(self, url: str):
        """GET a page, following redirects; the page as shown (or None at the thanks page)."""
        reply = self.request("GET", url)
        while reply.status_code == 303:
            url = reply.location
            reply = self.request("GET", url)
        if url.endswith("/thanks/"):
            return url, None
        assert reply.status_code == 200, (url, reply.status_code)
        assert "error-summary" not in reply.text, f"an error on {url} though every answer was valid"
        return url, reply.text

    def answers(self, text: str) -> dict:
        data: dict = {}
        if 'name="group"' in text:
            data["group"] = self.group
        if 'name="code"' in text:
            data["code"] = self.code
        for question_id in SHOWN.findall(text):
            data.update(valid_answer(self.survey.question(question_id), self.draw))
        return data

    def walk(self) -> None:
        url, text = self.show(f"/{self.lang}/{self.survey.id}/")
        while text is not None:
            number, total = position(text)
            assert 1 <= number <= total
            url, text = self.act(url, text, number)

    def act(self, url: str, text: str, number: int):
        data = {"csrf_token": CSRF.search(text).group(1), **self.answers(text)}
        choice = self.draw(st.sampled_from(["next", "next", "next", "back", "switch", "return"]))
        if choice == "back" and number > 1 and self.backs < 2:
            self.backs += 1
            reply = self.request("POST", url, _nav="back", **data)
            url, shown = self.show(reply.location)
            assert position(shown)[0] == number - 1, f"Previous from page {number} of {url}"
            return url, shown
        if choice == "switch" and len(self.survey.languages) > 1 and self.switches < 1:
            self.switches += 1
            twin = TWIN.search(text).group(1)
            reply = self.request("POST", twin, _nav="switch", **data)
            assert reply.location == twin
            self.lang = twin.split("/")[1]
            url, shown = self.show(twin)
            assert position(shown)[0] == number and SHOWN.findall(shown) == SHOWN.findall(text)
            return url, shown
        if choice == "return" and number > 1 and self.returns < 1:
            return self.come_back()
        reply = self.request("POST", url, _nav="next", **data)
        assert reply.status_code == 303, f"page {number} sent with valid answers was refused: {reply.text}"
        following, shown = self.show(reply.location)
        if shown is not None:
            new_number = position(shown)[0]
            code_taken = 'name="code"' in text and 'name="code"' not in shown
            assert new_number == number + 1 or (code_taken and new_number == 1), (url, number, following)
            assert following.split("?")[0] != url or code_taken, f"sent back to {url} without a word"
        return following, shown

    def come_back(self):
        """Leave, and come back to the survey's address: offered to go on (never on a kiosk)."""
        self.returns += 1
        url, text = self.show(f"/{self.lang}/{self.survey.id}/")
        link = re.search(r'<a href="([^"]+)">Continue where you stopped</a>', text)
        if self.survey.kiosk:
            assert "Welcome back" not in text
        if link is None:
            return url, text
        url, text = self.show(link.group(1))
        assert position(text)[0] > 1
        return url, text


def position(text: str) -> tuple[int, int]:
    total, number = map(int, PROGRESS.search(text).groups())
    return number, total


@pytest.fixture(scope="module")
def walk_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("walks")
    (folder / "surveys").mkdir()
    return create_app({"SURVEYS_DIR": folder / "surveys", "DATABASE": folder / "w.db", "SECRET_KEY": SECRET})


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(tree=walk_surveys(), data=st.data())
def test_every_group_reaches_the_thanks_page_with_one_response(walk_app, tree, data):
    text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
    survey, problems = parse_survey(text, "walk.yaml")
    assume(not problems)
    folder = Path(tempfile.mkdtemp(prefix="walk-survey-"))
    try:
        (folder / "walk.yaml").write_text(text, encoding="utf-8")
        walk_app.extensions["surveys"] = load_catalog(folder)
        survey = walk_app.extensions["surveys"]["walk"]
        db = connect(walk_app.config["DATABASE"])
        try:
            for group in [group.id for group in survey.groups] or [None]:
                code = issue_code(walk_app, survey.id, group, folder) if survey.access == "code" else None
                before = {r.id for r in iter_responses(db, survey.id)}
                walker = Walker(walk_app, survey, group, code, data.draw)
                walker.walk()
                new = [r for r in iter_responses(db, survey.id) if r.id not in before]
                assert [r.group for r in new] == [group], f"{len(new)} responses for group {group}"
                event(f"{walker.requests // 5 * 5}+ requests")
        finally:
            db.close()
        first = survey.sections[0]
        event("first section conditional" if first.show_if else "first section always")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
