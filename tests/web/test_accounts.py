"""Named accounts in the workspace: roles and survey scopes on every route, sessions that end everywhere at once,
throttled logins, who decided what, and a coordinator's build that leaves the other surveys as published."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from helpers import CSRF
from helpers import SECRET
from helpers import TESTS

from coresp_survey import config
from coresp_survey import create_app
from coresp_survey.answers.database import prepare
from coresp_survey.answers.responses import import_responses
from coresp_survey.answers.responses import iter_responses
from coresp_survey.publish import site as publish
from coresp_survey.survey.model import Text
from coresp_survey.web import accounts as web_accounts
from coresp_survey.workspace import accounts
from coresp_survey.workspace import logins
from coresp_survey.workspace import passwords
from coresp_survey.workspace.actions import get_action
from coresp_survey.workspace.builds import last_build
from coresp_survey.workspace.decisions import decision_log
from coresp_survey.workspace.decisions import decisions
from coresp_survey.workspace.sessions import list_sessions
from coresp_survey.workspace.sessions import record_session

BUILTIN_PASSWORD = "the built-in admin's first password"
PASSWORD = "a password for each of us"
PEOPLE = {
    "ana": ("coordinator", ("mini",)),
    "max": ("moderator", ("mini",)),
    "zoe": ("admin", ()),
}
"""Login → role and surveys. ``mini`` is in their scope; ``kiosk`` (open answers too) is not, but for zoe."""
IN_SCOPE = "mini"
OUT_OF_SCOPE = "kiosk"


def settings(tmp_path: Path, surveys_dir: Path, **more) -> dict:
    return {
        "SURVEYS_DIR": surveys_dir,
        "DATABASE": tmp_path / "db" / "responses.db",
        "SECRET_KEY": SECRET,
        "ADMIN_PASSWORD": BUILTIN_PASSWORD,
        "SITE_DIR": tmp_path / "site",
        "SITE_WITH_PDF": False,
        **more,
    }


@pytest.fixture
def team_app(tmp_path, surveys_dir):
    app = create_app(settings(tmp_path, surveys_dir))
    db = prepare(app.config["DATABASE"])
    for login, (role, surveys) in PEOPLE.items():
        add(db, login, role, surveys)
    import_responses(db, survey="mini", lang="fr", rows=[("2026", "students", {"mood": 1, "why": "Trop de bruit"})])
    import_responses(db, survey="kiosk", lang="fr", rows=[("1", "pupils", {"mood": 2, "word": "Calme"})])
    db.close()
    return app


def add(db, login: str, role: str, surveys: tuple[str, ...], password: str = PASSWORD) -> None:
    accounts.add_account(
        db, login=login, role=role, surveys=surveys, password_hash=passwords.hash_password(password), at="2026-03-01"
    )


@pytest.fixture
def db(team_app):
    database = prepare(team_app.config["DATABASE"])
    yield database
    database.close()


def token(client, url="/admin/login?lang=en") -> str:
    match = CSRF.search(client.get(url).text)
    assert match, url
    return match.group(1)


def log_in(client, login: str, password: str = PASSWORD, url: str = "/admin/login?lang=en"):
    return client.post(url, data={"csrf_token": token(client), "login": login, "password": password})


def logged_in_as(app, login: str, password: str = PASSWORD):
    client = app.test_client()
    assert log_in(client, login, password).status_code == 303, login
    return client


def answer_key(db, survey: str) -> str:
    response = next(iter(iter_responses(db, survey)))
    question = "why" if survey == "mini" else "word"
    return f"{response.id}.{question}"


# -- every route, for every role, in and out of scope ---------------------------------

NEEDS = {
    "admin.login": "open",
    "admin.logout": "any account",
    "admin.dashboard": "any account",
    "admin.build": accounts.BUILDING,
    "admin.answers": accounts.MODERATION,
    "admin.answer": accounts.MODERATION,
    "admin.sessions_list": accounts.SESSIONS,
    "admin.session_new": accounts.SESSIONS,
    "admin.session_edit": accounts.SESSIONS,
    "admin.session_delete": accounts.SESSIONS,
}
"""What each workspace route needs. A new route fails `test_every_route_is_known` until it is named here, and
`test_every_route_for_every_role_in_and_out_of_scope` then walks it for every role."""

SESSION_FORM = {"date": "2026-03-02", "participants": "9", "criteria": "Le calme"}
"""A group session's form as a coordinator fills it (with the survey's group, question and language added)."""


def session_of(db, survey: str) -> str:
    """A group session of the survey (one is recorded when the walk has deleted the last)."""
    found = list_sessions(db, survey)
    if found:
        return found[0].id
    group, question = ("students", "why") if survey == "mini" else ("pupils", "word")
    criteria = [(question, "fr", "Du calme")]
    return record_session(db, survey=survey, group=group, date="2026-03-01", participants=9, criteria=criteria,
                          by=None, at="2026-03-01")  # fmt: skip


PLANNING_ROUTES = {
    "actions.actions",
    "actions.action",
    "actions.new_action",
    "actions.edit_action",
    "actions.add_note",
    "actions.remove_note",
    "actions.delete_action",
    "actions.indicators",
    "actions.indicator",
}
"""The action plans' routes (web/actions.py): each needs `accounts.PLANNING`."""


def workspace_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]


def test_every_route_is_known(team_app):
    assert {rule.endpoint for rule in workspace_rules(team_app)} == set(NEEDS)
    planning = {rule.endpoint for rule in team_app.url_map.iter_rules() if rule.endpoint.startswith("actions.")}
    assert planning == PLANNING_ROUTES


def url_of(rule, survey: str, key: str, session_id: str = "") -> str:
    values = {"survey_id": survey, "key": key, "session_id": session_id}
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", values[name])
    return path


@pytest.mark.parametrize("login", [*PEOPLE, "admin"])
def test_every_route_for_every_role_in_and_out_of_scope(team_app, db, login):
    role, surveys = PEOPLE.get(login, ("admin", ()))
    walked = 0
    for rule in workspace_rules(team_app):
        need = NEEDS[rule.endpoint]
        if need == "open" or rule.endpoint == "admin.logout":
            continue  # the login page needs nobody; logging out is walked by the session tests
        for survey in (IN_SCOPE, OUT_OF_SCOPE) if rule.arguments else (None,):
            client = logged_in_as(team_app, login, BUILTIN_PASSWORD if login == "admin" else PASSWORD)
            sees = survey is None or role == "admin" or survey in surveys
            may = need == "any account" or need in accounts.PERMISSIONS[role]
            expected = (200, 303) if sees and may else ((403,) if sees else (404,))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                url = url_of(rule, survey, answer_key(db, survey), session_of(db, survey)) if survey else rule.rule
                if method == "GET":
                    page = client.get(url)
                else:
                    data = {
                        "csrf_token": token(client, "/admin/"),
                        "status": "approved",
                        "then": "stay",
                        **SESSION_FORM,
                    }
                    if survey:
                        group, question = ("students", "why") if survey == "mini" else ("pupils", "word")
                        data.update(group=group, question=question, lang="fr")
                    page = client.post(url, data={**data, "selected": answer_key(db, survey) if survey else ""})
                assert page.status_code in expected, (login, method, url, page.status_code)
                walked += 1
                if rule.endpoint == "admin.build" and page.status_code == 303:
                    wait_for_build(db)
    assert walked == 22  # the dashboard, the build, both moderation routes (GET and POST) and the group sessions'
    # four routes (list, new GET and POST, edit GET and POST, delete) in and out of scope
    changed = {survey for survey in ("mini", "kiosk") if decisions(db, survey)}
    assert changed == ({"mini"} if role != "admin" else {"mini", "kiosk"})  # nothing out of scope was decided


@pytest.mark.parametrize("login", [*PEOPLE, "admin"])
def test_every_planning_route_for_every_role_in_and_out_of_scope(team_app, db, login):
    """Admins and the survey's coordinators plan; a moderator gets 403; out of scope, or a survey without
    indicators (kiosk), is a 404. A POST that passes the checks may still be refused as a form (400)."""
    from datetime import date

    from coresp_survey.workspace.actions import add_note
    from coresp_survey.workspace.actions import create_action
    from coresp_survey.workspace.plans import Action
    from coresp_survey.workspace.plans import ProgressNote

    texts = Text(fr="Texte", en="Text")
    for survey in (IN_SCOPE, OUT_OF_SCOPE):
        action = Action(survey=survey, id="a", title=texts, description=texts, indicators=("mood",),
                        starts=date(2026, 1, 1), status="planned", commitments=(), baseline=None, updates=())  # fmt: skip
        create_action(db, action, at="2026-03-01T00:00:00+00:00", author=None)
    note = {survey: add_note(db, survey, "a", ProgressNote(date(2026, 2, 1), texts), at="2026-03-01", author=None)
            for survey in (IN_SCOPE, OUT_OF_SCOPE)}  # fmt: skip
    role, surveys = PEOPLE.get(login, ("admin", ()))
    rules = [rule for rule in team_app.url_map.iter_rules() if rule.endpoint in PLANNING_ROUTES]
    rules.sort(key=lambda rule: rule.endpoint == "actions.delete_action")  # deleting last
    walked = 0
    for rule in rules:
        for survey in (IN_SCOPE, OUT_OF_SCOPE):
            client = logged_in_as(team_app, login, BUILTIN_PASSWORD if login == "admin" else PASSWORD)
            values = {"survey_id": survey, "action_id": "a", "note_id": note[survey], "indicator_id": "mood"}
            url = rule.rule
            for name in rule.arguments:
                url = url.replace(f"<{name}>", values[name])
            sees = role == "admin" or survey in surveys
            planned = survey == IN_SCOPE  # kiosk has no indicators: no plan
            may = accounts.PLANNING in accounts.PERMISSIONS[role]
            expected = ((200, 303, 400) if planned else (404,)) if sees and may else ((403,) if sees else (404,))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if method == "GET":
                    page = client.get(url)
                else:
                    page = client.post(url, data={"csrf_token": token(client, "/admin/")})
                assert page.status_code in expected, (login, method, url, page.status_code)
                walked += 1
    assert walked == 2 * sum(len(rule.methods - {"HEAD", "OPTIONS"}) for rule in rules)
    still_planned = [survey for survey in (IN_SCOPE, OUT_OF_SCOPE) if get_action(db, survey, "a") is not None]
    assert still_planned == ([OUT_OF_SCOPE] if role in ("admin", "coordinator") else [IN_SCOPE, OUT_OF_SCOPE])


def test_a_survey_out_of_scope_is_in_no_list_nor_count(team_app):
    for login in ("ana", "max"):
        client = logged_in_as(team_app, login)
        for url in ("/admin/?lang=en", "/admin/mini/answers/?lang=en", "/admin/mini/answers/?lang=en&group=staff"):
            page = client.get(url).text
            assert "At the library" not in page and "kiosk" not in page, (login, url)
            assert "Mini survey" in page
    admin = logged_in_as(team_app, "zoe")
    assert "At the library" in admin.get("/admin/?lang=en").text


def test_a_moderator_moderates_and_sees_no_participation(team_app, db):
    client = logged_in_as(team_app, "max")
    page = client.get("/admin/?lang=en").text
    assert "Logged in as max, moderator." in page and "Your survey: Mini survey." in page
    assert "Responses" not in page and "Build the site now" not in page
    assert 'href="/admin/mini/answers/"' in page
    assert client.post("/admin/build", data={"csrf_token": token(client, "/admin/")}).status_code == 403
    assert last_build(db) is None


def test_the_dashboard_says_who_is_logged_in_in_both_languages(team_app):
    client = logged_in_as(team_app, "ana")
    assert "Logged in as ana, coordinator." in client.get("/admin/?lang=en").text
    assert "Compte ana, rôle\u202f: coordination." in client.get("/admin/?lang=fr").text
    builtin = logged_in_as(team_app, "admin", BUILTIN_PASSWORD)
    assert "You see every survey." in builtin.get("/admin/?lang=en").text


# -- who decided what ----------------------------------------------------------------


def test_every_decision_records_its_login_and_the_history_says_who_and_when(team_app, db):
    key = answer_key(db, "mini")
    url = f"/admin/mini/answers/{key}/"
    max_ = logged_in_as(team_app, "max")
    max_.post(url, data={"csrf_token": token(max_, url), "status": "approved", "then": "stay"})
    ana = logged_in_as(team_app, "ana")
    ana.post(url, data={"csrf_token": token(ana, url), "status": "approved", "redacted": "Trop de [...]",
                        "then": "stay"})  # fmt: skip
    ana.post("/admin/mini/answers/", data={"csrf_token": token(ana, url), "selected": key, "action": "rejected"})
    response_id, question = key.split(".")
    assert [(entry.action, entry.login) for entry in decision_log(db, response_id=response_id, question=question)] == [
        ("approved", "max"),
        ("approved", "ana"),
        ("rejected", "ana"),
    ]
    assert decisions(db, "mini")[(response_id, question)].decided_by == "ana"
    history = ana.get(url + "?lang=en").text
    assert re.search(r"<li>Approved by max, [A-Z][a-z]{2} \d+, 20\d\d", history)
    assert re.search(r"<li>Approved by ana, .*· redacted</li>", history)
    assert "Rejected by ana, " in history
    assert re.search(r"<li>Approuvée par max, \d+ [a-zéû.]+ 20\d\d", ana.get(url + "?lang=fr").text)
    assert "Rejected</span> by ana" in ana.get("/admin/mini/answers/?lang=en").text


# -- sessions --------------------------------------------------------------------------


def second_worker(app):
    """Another worker of the same server: its own app, the same database."""
    return create_app(dict(app.config))


def the_same_browser(client, app):
    """The browser's cookie, sent to another worker."""
    other = app.test_client()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    other.set_cookie(cookie.key, cookie.value)
    return other


def test_logging_out_ends_every_session_of_that_login_on_every_worker(team_app):
    ana = logged_in_as(team_app, "ana")
    laptop = logged_in_as(team_app, "ana")
    worker = second_worker(team_app)
    elsewhere = the_same_browser(ana, worker)
    copied = the_same_browser(ana, team_app)  # a copy of the cookie, as a thief would keep it
    max_ = logged_in_as(team_app, "max")
    assert elsewhere.get("/admin/").status_code == 200
    assert ana.post("/admin/logout", data={"csrf_token": token(ana, "/admin/")}).status_code == 303
    for client in (ana, laptop, elsewhere, copied):
        assert client.get("/admin/").status_code == 303
    assert max_.get("/admin/").status_code == 200  # another login goes on


def test_a_new_password_or_a_removed_account_ends_its_sessions_at_once(team_app, db):
    ana = logged_in_as(team_app, "ana")
    max_ = logged_in_as(team_app, "max")
    elsewhere = the_same_browser(max_, second_worker(team_app))
    accounts.set_password(db, "ana", passwords.hash_password("another password for ana"), "2026-03-02")
    assert ana.get("/admin/").status_code == 303
    assert log_in(team_app.test_client(), "ana").status_code == 400  # the old password is gone
    logged_in_as(team_app, "ana", "another password for ana")
    assert accounts.remove_account(db, "max")
    assert max_.get("/admin/").status_code == 303 and elsewhere.get("/admin/").status_code == 303
    add(db, "max", "moderator", ("mini",))  # the same login again: the old cookies do not come back to life
    assert max_.get("/admin/").status_code == 303


def test_a_new_builtin_password_ends_the_builtin_sessions(team_app, tmp_path, surveys_dir):
    builtin = logged_in_as(team_app, "admin", BUILTIN_PASSWORD)
    restarted = create_app(settings(tmp_path, surveys_dir, ADMIN_PASSWORD="a new password for the built-in"))
    assert the_same_browser(builtin, restarted).get("/admin/").status_code == 303
    without = create_app(settings(tmp_path, surveys_dir, ADMIN_PASSWORD=None))
    assert the_same_browser(builtin, without).get("/admin/").status_code == 303
    assert log_in(without.test_client(), "admin", BUILTIN_PASSWORD).status_code == 400
    assert the_same_browser(builtin, team_app).get("/admin/").status_code == 200


def test_a_cookie_for_a_login_that_never_logged_in_is_refused(team_app):
    client = team_app.test_client()
    with client.session_transaction() as session:
        session["admin"] = {"login": "zoe", "session": "guessed", "since": time.time(), "seen": time.time()}
    assert client.get("/admin/").status_code == 303


def test_accounts_alone_enable_the_workspace_without_the_builtin_password(tmp_path, surveys_dir, db):
    app = create_app(settings(tmp_path, surveys_dir, ADMIN_PASSWORD=None))
    assert app.test_client().get("/admin/login").status_code == 200
    logged_in_as(app, "ana")
    assert log_in(app.test_client(), "admin", "").status_code == 400


# -- logging in ------------------------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch):
    """The throttle's clock, stopped; ``frozen.now += seconds`` moves it."""

    class Clock:
        now = 1_800_000_000.0

    monkeypatch.setattr(web_accounts, "clock", lambda: Clock.now)
    return Clock


def test_a_login_that_failed_three_times_waits_and_the_page_says_how_long(team_app, frozen, db):
    client = team_app.test_client()
    for _ in range(2):
        assert log_in(client, "ana", "wrong guess at ana's").status_code == 400
    third = log_in(client, "ana", "wrong guess at ana's")
    assert third.status_code == 400 and "Wait 1 second before trying this login again." in third.text
    page = log_in(client, "ana")  # even the right password waits: the guesser cannot tell
    assert page.status_code == 429
    assert "Too many failed attempts" in page.text and "Try again in 1 second." in page.text
    frozen.now += 1
    assert log_in(client, "ana", "wrong again").status_code == 400  # the fourth failure: 2 seconds
    french = log_in(client, "ana", url="/admin/login?lang=fr")
    assert french.status_code == 429 and "Réessayez dans 2 secondes." in french.text
    frozen.now += 2
    assert log_in(client, "ana").status_code == 303
    assert db.execute("SELECT count(*) FROM login_throttle").fetchone()[0] == 0  # a success starts afresh


def test_long_waits_are_said_in_minutes_and_seconds(team_app, frozen, db):
    with logins_in(db):
        db.execute(
            "INSERT INTO login_throttle VALUES (?, 12, ?, ?)", [logins.login_key("ana"), frozen.now, frozen.now + 125]
        )
    page = log_in(team_app.test_client(), "ana")
    assert page.status_code == 429 and "Try again in 2 minutes 5 seconds." in page.text


def logins_in(db):
    from coresp_survey.answers.database import write

    return write(db)


def test_failures_against_one_account_never_keep_another_out(team_app, frozen):
    attacker = team_app.test_client()
    for _ in range(10):
        log_in(attacker, "ana", "guess")
    assert log_in(attacker, "ana").status_code == 429
    assert log_in(team_app.test_client(), "max").status_code == 303


def test_the_global_ceiling_slows_an_attack_on_many_logins_but_lets_others_in(team_app, frozen, db):
    attacker = team_app.test_client()
    for number in range(2 * logins.GLOBAL_STEP):
        assert log_in(attacker, f"guess{number}", "a guess").status_code == 400
    first = log_in(attacker, "one-more", "a guess")  # a login's first failure, during the attack: it waits
    assert first.status_code == 400 and "Wait 1 second" in first.text
    assert log_in(attacker, "one-more", "a guess").status_code == 429
    assert log_in(team_app.test_client(), "ana").status_code == 303  # an account that has not failed gets in
    assert log_in(team_app.test_client(), "max", "a typo").status_code == 400  # its own failure: checked


class CountingHasher(PasswordHasher):
    """The tests' light hasher, counting the passwords it checks; ``seconds``: as long as a real check takes."""

    def __init__(self, seconds: float = 0.0) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.checked = 0
        self.seconds = seconds

    def verify(self, *args):
        self.checked += 1
        time.sleep(self.seconds)  # the window in which a counter read before the check would let others through
        return super().verify(*args)


def test_unknown_logins_answer_as_known_ones_and_cost_a_hash_check(team_app, frozen, monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "HASHER", counting)

    def statuses(login: str) -> list[tuple[int, str]]:
        client = team_app.test_client()
        pages = [log_in(client, login, "not the password") for _ in range(5)]
        return [(page.status_code, re.sub(r"\b" + login + r"\b", "LOGIN", error_text(page.text))) for page in pages]

    known, unknown = statuses("ana"), statuses("nobody")
    assert known == unknown
    assert counting.checked == 6  # three checks each: the fourth and fifth attempts wait, unchecked


def error_text(page: str) -> str:
    return re.search(r'<div class="error-summary".*?</div>', page, re.DOTALL).group()


def test_a_login_is_found_whatever_its_case_and_spaces(team_app):
    assert log_in(team_app.test_client(), "  Ana ").status_code == 303


def test_a_hash_made_with_older_parameters_is_made_again_at_login(team_app, db):
    from argon2 import PasswordHasher

    older = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash("an older password for ana")
    accounts.set_password(db, "ana", older, "2026-03-02")
    logged_in_as(team_app, "ana", "an older password for ana")
    renewed = accounts.password_hash(db, "ana")
    assert renewed != older and not passwords.HASHER.check_needs_rehash(renewed)
    assert passwords.check(renewed, "an older password for ana").matches


def test_the_app_hashes_with_argon2_defaults_or_stronger():
    found = subprocess.run(
        [sys.executable, "-c", "from coresp_survey.workspace import passwords as p; h = p.HASHER;"
         " print(h.time_cost, h.memory_cost, h.parallelism, h.type.name, p.hash_password('x' * 12)[:9])"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert found[:4] == ["3", "65536", "4", "ID"] and found[4] == "$argon2id"


# -- 64 attempts at once, from several workers ----------------------------------------

WORKER = """
import sys, threading
from pathlib import Path
from coresp_survey import create_app
from coresp_survey.web import accounts
from coresp_survey.workspace import passwords
from web import test_accounts

accounts.clock = lambda: 1_800_000_000.0  # every attempt at the same moment: only the counter decides
app = create_app(test_accounts.settings(Path(sys.argv[1]), Path(sys.argv[2])))
passwords.HASHER = test_accounts.CountingHasher(seconds=0.25)
clients = [app.test_client() for _ in range(16)]
tokens = [test_accounts.token(client) for client in clients]
start = threading.Barrier(len(clients))
statuses = []

def attempt(client, csrf):
    start.wait()
    page = client.post("/admin/login", data={"csrf_token": csrf, "login": "ana", "password": "a wrong guess"})
    statuses.append(page.status_code)

threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens)]
print("ready", flush=True)
sys.stdin.readline()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(passwords.HASHER.checked, sorted(statuses).count(400), sorted(statuses).count(429), flush=True)
"""


def test_64_attempts_at_once_from_four_workers_get_exactly_three_checks(team_app, tmp_path, surveys_dir):
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path), str(surveys_dir)], cwd=TESTS,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]  # fmt: skip
    try:
        for worker in workers:
            assert worker.stdout.readline() == "ready\n"
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        counts = [tuple(int(n) for n in worker.stdout.readline().split()) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
            worker.stdin.close()
            worker.stdout.close()
    assert sum(checked for checked, _wrong, _waiting in counts) == 3
    assert sum(wrong for _checked, wrong, _waiting in counts) == 3
    assert sum(waiting for _checked, _wrong, waiting in counts) == 61


# -- the secret key ----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["x", "test", "a" * 31])
def test_a_secret_key_shorter_than_32_characters_is_refused_at_start(tmp_path, surveys_dir, key):
    with pytest.raises(config.SecretKeyTooShort) as refused:
        create_app({"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "r.db", "SECRET_KEY": key})
    assert "\n" not in str(refused.value)
    assert f"has {len(key)} characters, fewer than 32" in str(refused.value)
    create_app({"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "r.db", "SECRET_KEY": "a" * 32})


def test_serve_refuses_a_short_secret_key_in_one_line(tmp_path, surveys_dir):
    from click.testing import CliRunner

    from coresp_survey.cli import main

    env = {"CORESP_SURVEYS": str(surveys_dir), "CORESP_DB": str(tmp_path / "r.db"), "CORESP_SECRET_KEY": "x"}
    result = CliRunner().invoke(main, ["serve"], env=env)
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "CORESP_SECRET_KEY has 1 characters" in result.output
    assert not (tmp_path / "r.db").exists()


def test_an_unset_secret_key_is_made_strong(tmp_path, surveys_dir, monkeypatch):
    monkeypatch.delenv("CORESP_SECRET_KEY", raising=False)
    app = create_app({"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "db" / "r.db"})
    assert re.fullmatch(r"[0-9a-f]{64}", app.config["SECRET_KEY"])


# -- a coordinator's build ---------------------------------------------------------------


def wait_for_build(db, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        build = last_build(db)
        if build and build["status"] != "running":
            return build
        time.sleep(0.05)
    pytest.fail("the build did not finish")


def site_files(site: Path) -> dict[str, bytes]:
    return {str(path.relative_to(site)): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def test_a_coordinators_build_publishes_their_surveys_only(team_app, db):
    site = team_app.config["SITE_DIR"]
    zoe = logged_in_as(team_app, "zoe")
    zoe.post("/admin/build", data={"csrf_token": token(zoe, "/admin/")})
    assert wait_for_build(db)["status"] == "done"
    before = site_files(site)
    import_responses(db, survey="mini", lang="fr", rows=[("2026", "parents", {"mood": 5})] * 7)
    import_responses(db, survey="kiosk", lang="fr", rows=[("1", "staff", {"mood": 5})] * 7)
    ana = logged_in_as(team_app, "ana")
    assert ana.post("/admin/build", data={"csrf_token": token(ana, "/admin/")}).status_code == 303
    build = wait_for_build(db)
    assert build["status"] == "done" and build["login"] == "ana" and build["surveys"] == ["mini"]
    after = site_files(site)
    for name, content in before.items():
        if "mini" not in name and name not in ("en/index.html", "fr/index.html", publish.CARDS):
            assert after.get(name) == content, name  # every other survey's page and data, byte for byte
    assert after["data/mini/participation.csv"] != before["data/mini/participation.csv"]
    assert "8" in after["data/mini/participation.csv"].decode()
    home = after["en/index.html"].decode()
    assert "Mini survey" in home and "At the library" in home and "8 respondents" in home
    assert "1 respondent" in home  # the library as published before, not its 8 answers of now
    dashboard = ana.get("/admin/?lang=en").text
    assert "Started by ana." in dashboard
    zoe_dashboard = zoe.get("/admin/?lang=en").text
    assert "Started by ana." in zoe_dashboard


def test_a_coordinators_build_needs_a_site_built_in_full_first(team_app, db):
    ana = logged_in_as(team_app, "ana")
    ana.post("/admin/build", data={"csrf_token": token(ana, "/admin/")})
    build = wait_for_build(db)
    assert build["status"] == "failed" and "an admin builds the whole site first" in build["message"]
    assert not team_app.config["SITE_DIR"].exists() or not any(team_app.config["SITE_DIR"].iterdir())


def test_a_coordinator_sees_only_builds_of_their_surveys(team_app, db):
    from coresp_survey.workspace import builds

    other = builds.start_build(db, "2026-03-01T10:00:00+00:00", by="someone", surveys=["kiosk"])
    builds.finish_build(db, other, finished="2026-03-01T10:00:05+00:00", status="failed", message="kiosk broke")
    assert "kiosk broke" not in logged_in_as(team_app, "ana").get("/admin/?lang=en").text
    assert "kiosk broke" in logged_in_as(team_app, "zoe").get("/admin/?lang=en").text


def test_build_surveys_writes_nothing_when_it_fails(team_app, db, monkeypatch):
    surveys = team_app.extensions["surveys"]
    site = team_app.config["SITE_DIR"]
    publish.build_site(surveys, team_app.config["DATABASE"], site, with_pdf=False)
    before = site_files(site)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(publish, "_publish_surveys", broken)
    with pytest.raises(OSError):
        publish.build_surveys(surveys, ["mini"], team_app.config["DATABASE"], site, with_pdf=False)
    assert site_files(site) == before
    assert not [path for path in site.parent.iterdir() if ".building-" in path.name]
