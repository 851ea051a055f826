"""The coordination group's workspace: access rules, participation, moderation life-cycle, publishing."""

from __future__ import annotations

import re
import time

import pytest
from helpers import CSRF
from helpers import SECRET
from helpers import TESTS

from coresp_survey import create_app
from coresp_survey.answers.codes import accept_code
from coresp_survey.answers.codes import issue_codes
from coresp_survey.answers.database import connect_codes
from coresp_survey.answers.database import prepare
from coresp_survey.answers.drafts import save_draft
from coresp_survey.answers.responses import get_response
from coresp_survey.answers.responses import import_responses
from coresp_survey.answers.responses import iter_responses
from coresp_survey.workspace.builds import last_build
from coresp_survey.workspace.decisions import decision_log
from coresp_survey.workspace.decisions import decisions

PASSWORD = "correct horse battery staple"
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture
def admin_app(tmp_path, surveys_dir):
    return create_app({
        "SURVEYS_DIR": surveys_dir,
        "DATABASE": tmp_path / "db" / "responses.db",
        "SECRET_KEY": SECRET,
        "ADMIN_PASSWORD": PASSWORD,
        "SITE_DIR": tmp_path / "site",
        "SITE_WITH_PDF": False,
    })  # fmt: skip


@pytest.fixture
def admin_db(admin_app):
    db = prepare(admin_app.config["DATABASE"])
    yield db
    db.close()


@pytest.fixture
def visitor(admin_app):
    return admin_app.test_client()


def token(client, url="/admin/login?lang=en") -> str:
    match = CSRF.search(client.get(url).text)
    assert match, url
    return match.group(1)


def log_in(client, password=PASSWORD, next_url=None, login="admin"):
    url = "/admin/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"csrf_token": token(client), "login": login, "password": password})


@pytest.fixture
def admin(visitor):
    assert log_in(visitor).status_code == 303
    return visitor


ANSWERS = [
    ("2026", "students", {"mood": 1, "why": "La cour est trop petite"}),
    ("2026", "students", {"mood": 2, "why": "Des copains gentils"}),
    ("2026", "students", {"mood": 2, "why": HOSTILE}),
    ("2026", "parents", {"mood": 1, "why": "Pas assez d'information"}),
    ("2026", "students", {"mood": 4}),
    ("2026", "students", {"mood": 5}),
    ("2026", "students", {"mood": 3}),
]


@pytest.fixture
def answered(admin_db):
    import_responses(admin_db, survey="mini", lang="fr", rows=ANSWERS[:3] + ANSWERS[4:])
    import_responses(admin_db, survey="mini", lang="en", rows=ANSWERS[3:4])
    return admin_db


def answer_of(key: str) -> dict[str, str]:
    """The response id and question a workspace key names."""
    response_id, question = key.split(".")
    return {"response_id": response_id, "question": question}


def answer_keys(db) -> dict[str, str]:
    """Text → the key the workspace names it by."""
    keys = {}
    for response in iter_responses(db, "mini"):
        if "why" in response.answers:
            keys[response.answers["why"]] = f"{response.id}.why"
    return keys


# -- access --------------------------------------------------------------------------

ROUTES = ["/admin/", "/admin/mini/answers/", "/admin/mini/answers/abc.why/"]
POST_ROUTES = ["/admin/build", "/admin/logout", "/admin/mini/answers/", "/admin/mini/answers/abc.why/"]


def test_without_a_password_the_workspace_is_off_and_says_how_to_enable_it(tmp_path, surveys_dir):
    app = create_app({"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "r.db", "SECRET_KEY": SECRET})
    client = app.test_client()
    for url in [*ROUTES, "/admin/login"]:
        page = client.get(url)
        assert page.status_code == 503, url
        assert "CORESP_ADMIN_PASSWORD" in page.text
    assert client.post("/admin/login", data={"password": ""}).status_code in (400, 503)


def test_every_page_sends_to_the_login_without_one(visitor):
    for url in ROUTES:
        page = visitor.get(url)
        assert page.status_code == 303, url
        assert page.headers["Location"].startswith("/admin/login?next=")


def test_every_action_is_refused_without_a_login_and_changes_nothing(visitor, answered):
    csrf = token(visitor)
    for url in POST_ROUTES:
        page = visitor.post(
            url, data={"csrf_token": csrf, "selected": "x.why", "action": "approved", "status": "approved"}
        )
        assert page.status_code == 303, url
        assert page.headers["Location"].startswith("/admin/login")
    assert decisions(answered, "mini") == {}
    assert last_build(answered) is None


def test_every_action_needs_a_csrf_token_even_when_logged_in(admin, answered):
    for url in POST_ROUTES:
        page = admin.post(url, data={"selected": "x.why", "action": "approved"})
        assert page.status_code == 400, url
    assert decisions(answered, "mini") == {}


def test_a_wrong_password_is_refused_and_said_so(visitor):
    page = log_in(visitor, "wrong")
    assert page.status_code == 400
    assert "This login or password is not right." in page.text
    assert visitor.get("/admin/").status_code == 303


def test_logging_in_leads_to_the_page_asked_for_but_never_to_another_site(visitor):
    assert log_in(visitor, next_url="/admin/mini/answers/").headers["Location"] == "/admin/mini/answers/"
    for evil in ("//evil.example/", "https://evil.example/", "/admin/\\evil", "/elsewhere"):
        assert log_in(visitor, next_url=evil).headers["Location"] == "/admin/"


@pytest.mark.parametrize("control", ["%0d%0a", "%0a", "%0d", "%00", "%09", "%7f", "%c2%85"])
def test_a_next_address_with_a_control_character_leads_to_the_dashboard(visitor, control):
    """CR/LF in a Location header made a 500; any control character is refused the same way."""
    page = log_in(visitor, next_url=f"/admin/mini/answers/{control}Set-Cookie:%20x=1")
    assert page.status_code == 303
    assert page.headers["Location"] == "/admin/"
    assert "x=1" not in page.headers.get("Set-Cookie", "")


def test_a_login_ends_after_an_hour_idle_or_twelve_hours(admin):
    assert admin.get("/admin/").status_code == 200
    with admin.session_transaction() as session:
        session["admin"] = {**session["admin"], "since": time.time() - 600, "seen": time.time() - 3601}
    assert admin.get("/admin/").status_code == 303
    log_in(admin)
    with admin.session_transaction() as session:
        session["admin"] = {**session["admin"], "since": time.time() - 12 * 3600 - 1, "seen": time.time()}
    assert admin.get("/admin/").status_code == 303


def test_logging_out_ends_the_login(admin):
    page = admin.post("/admin/logout", data={"csrf_token": token(admin, "/admin/")})
    assert page.status_code == 303
    assert admin.get("/admin/").status_code == 303


def test_workspace_pages_are_never_cached_and_come_in_both_languages(admin):
    page = admin.get("/admin/?lang=en")
    assert page.headers["Cache-Control"] == "no-store"
    assert "Participation and publishing" in page.text
    assert 'href="/admin/?lang=fr"' in page.text
    assert "Participation et publication" in admin.get("/admin/?lang=fr").text
    assert "Participation et publication" in admin.get("/admin/").text  # the choice is kept


# -- participation -------------------------------------------------------------------


def test_dashboard_counts_responses_rates_drafts_and_codes_without_linking_codes(admin, answered):
    codes = connect_codes(admin.application.config["DATABASE"])
    made = issue_codes(codes, survey=admin.application.extensions["surveys"]["coded"], group="young", count=4)
    accept_code(codes, survey="coded", code=made[0])  # a respondent started with it
    save_draft(answered, key="draft-1", survey="mini", answers={"mood": 3}, group="students")
    page = admin.get("/admin/?lang=en").text
    mini = page[page.index("Mini survey") :]
    students = re.search(r"Students</th>\s*<td class=\"num\">(\d+)</td>\s*<td class=\"num\">100</td>", mini)
    assert students and students.group(1) == "6"
    assert "6%" in mini  # 6 of 100 students
    assert "1 unfinished answer in progress" in mini
    coded = page[page.index("Survey by invitation") :]
    assert re.search(
        r"Young people</th>(\s*<td[^>]*>[^<]*</td>){3}\s*<td class=\"num\">4</td>\s*<td class=\"num\">1</td>", coded
    )
    assert "Codes used to start" in coded
    for code in made:
        assert code not in page and code.replace("-", "") not in page


# -- moderation ----------------------------------------------------------------------


def test_answers_are_listed_pending_and_escaped(admin, answered):
    page = admin.get("/admin/mini/answers/?lang=en").text
    assert "4 pending" in page
    assert "La cour est trop petite" in page
    assert HOSTILE not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'lang="en"' in page  # the parent answered in English


def test_bulk_approval_classification_and_filters(admin, answered):
    keys = answer_keys(answered)
    chosen = [keys["La cour est trop petite"], keys["Des copains gentils"]]
    csrf = token(admin, "/admin/mini/answers/")
    page = admin.post("/admin/mini/answers/?status=pending", data={"csrf_token": csrf, "selected": chosen,
                                                                   "action": "approved"})  # fmt: skip
    assert page.status_code == 303 and page.headers["Location"] == "/admin/mini/answers/?status=pending"
    admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "selected": chosen[:1], "action": "add_family",
                                             "family": "B"})  # fmt: skip
    decided = decisions(answered, "mini")
    first = decided[tuple(chosen[0].split("."))]
    assert first.status == "approved" and first.families == ("B",)
    assert decided[tuple(chosen[1].split("."))].families == ()
    approved_only = admin.get("/admin/mini/answers/?status=approved&lang=en").text
    assert "La cour est trop petite" in approved_only and "Pas assez" not in approved_only
    parents = admin.get("/admin/mini/answers/?group=parents&lang=en").text
    assert "Pas assez" in parents and "La cour" not in parents


def test_bulk_actions_ignore_unknown_answers_and_need_a_choice(admin, answered):
    csrf = token(admin, "/admin/mini/answers/")
    page = admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "action": "approved"}, follow_redirects=True)
    assert "Tick at least one answer first." in page.text or "Cochez" in page.text
    admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "selected": ["forged.why"], "action": "approved"})
    assert decisions(answered, "mini") == {}
    key = next(iter(answer_keys(answered).values()))
    admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "selected": [key], "action": "add_family",
                                             "family": "Z"})  # fmt: skip
    assert decisions(answered, "mini") == {}


def test_redaction_keeps_the_original_and_every_decision_is_logged_with_its_time(admin, answered):
    key = answer_keys(answered)["La cour est trop petite"]
    url = f"/admin/mini/answers/{key}/"
    csrf = token(admin, url)
    page = admin.post(url, data={"csrf_token": csrf, "status": "approved", "families": ["B", "D"],
                                 "redacted": "La cour est [trop] petite", "then": "stay"})  # fmt: skip
    assert page.status_code == 303
    decision = decisions(answered, "mini")[tuple(key.split("."))]
    assert decision.redacted == "La cour est [trop] petite" and decision.families == ("B", "D")
    stored = get_response(answered, key.split(".")[0])
    assert stored.answers["why"] == "La cour est trop petite"
    admin.post(url, data={"csrf_token": csrf, "status": "rejected", "redacted": "", "then": "stay"})
    log = decision_log(answered, **answer_of(key))
    assert [entry[1] for entry in log] == ["approved", "rejected"]
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", entry[0]) for entry in log)
    page = admin.get(url + "?lang=en").text
    assert "Decisions" in page and page.count("<li>") >= 2


def test_save_and_next_goes_to_the_next_pending_answer(admin, answered):
    keys = list(answer_keys(answered).values())
    url = f"/admin/mini/answers/{keys[0]}/"
    page = admin.post(url, data={"csrf_token": token(admin, url), "status": "approved", "then": "next"})
    assert page.status_code == 303
    assert page.headers["Location"].startswith(f"/admin/mini/answers/{keys[1]}/")


def test_a_wrong_decision_form_shows_what_to_fix_and_keeps_what_was_typed(admin, answered):
    key = answer_keys(answered)["Des copains gentils"]
    url = f"/admin/mini/answers/{key}/"
    page = admin.post(url + "?lang=en", data={"csrf_token": token(admin, url), "status": "maybe",
                                              "families": ["B", "nope"], "redacted": "typed <b>text</b>"})  # fmt: skip
    assert page.status_code == 400
    assert "Choose approved, rejected or pending." in page.text and "Choose families from the list." in page.text
    assert "typed &lt;b&gt;text&lt;/b&gt;" in page.text
    assert decisions(answered, "mini") == {}


def test_the_detail_page_escapes_a_hostile_answer(admin, answered):
    key = answer_keys(answered)[HOSTILE]
    page = admin.get(f"/admin/mini/answers/{key}/").text
    assert HOSTILE not in page and "<img src=x" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # shown, and prefilled for redaction


def test_unknown_answers_and_surveys_are_404(admin, answered):
    assert admin.get("/admin/mini/answers/nothing.why/").status_code == 404
    assert admin.get("/admin/nosuch/answers/").status_code == 404


# -- publishing ----------------------------------------------------------------------


def wait_for_build(db, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        build = last_build(db)
        if build and build["status"] != "running":
            return build
        time.sleep(0.1)
    pytest.fail("the build did not finish")


def test_build_from_the_workspace_publishes_only_approved_answers_and_shows_when(admin, answered, admin_app):
    keys = answer_keys(answered)
    # the one parent alone would leave a residue of 1 beside the students, who would be hidden (and not quoted)
    # too; 4 respondents of a group since removed from the file make the hidden part 5, so the students show
    import_responses(answered, survey="mini", lang="fr", rows=[("2026", "former", {"mood": 3})] * 4)
    csrf = token(admin, "/admin/")
    approve = [keys["La cour est trop petite"], keys[HOSTILE], keys["Pas assez d'information"]]
    admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "selected": approve, "action": "approved"})
    admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "selected": approve, "action": "add_family",
                                             "family": "B"})  # fmt: skip
    page = admin.post("/admin/build", data={"csrf_token": csrf})
    assert page.status_code == 303
    build = wait_for_build(answered)
    assert build["status"] == "done", build
    site = admin_app.config["SITE_DIR"]
    criteria = (site / "en" / "mini" / "criteria.html").read_text()
    assert "La cour est trop petite" in criteria and 'lang="fr"' in criteria
    assert "Des copains gentils" not in criteria  # pending
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in criteria and "<script>" not in criteria
    assert "Pas assez" not in criteria  # parents: a group of 1, below min_group_size
    assert "Last built on" in admin.get("/admin/?lang=en").text


def test_a_failed_build_is_reported_on_the_dashboard(admin, answered, admin_app, tmp_path):
    precious = tmp_path / "not-a-site"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    admin_app.config["SITE_DIR"] = precious
    admin.post("/admin/build", data={"csrf_token": token(admin, "/admin/")})
    build = wait_for_build(answered)
    assert build["status"] == "failed" and "refusing to replace it" in build["message"]
    assert (precious / "keep.txt").read_text() == "mine"
    assert "failed" in admin.get("/admin/?lang=en").text


# -- redaction: only text a moderator approved is ever published ----------------------


def published_texts(app) -> str:
    """Every page and data file of a site built now (no PDF), as one text to search.

    The one parent of `ANSWERS` alone would hide the students too (complementary suppression), and their
    quotes with them: 4 respondents of a group since removed from the file make the hidden part 5.
    """
    from coresp_survey.publish import site as publish

    db = prepare(app.config["DATABASE"])
    import_responses(db, survey="mini", lang="fr", rows=[("2026", "former", {"mood": 3})] * 4)
    db.close()
    site = app.config["SITE_DIR"]
    publish.build_site(app.extensions["surveys"], app.config["DATABASE"], site, with_pdf=False)
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(site.rglob("*")) if path.suffix in
                     (".html", ".csv", ".json"))  # fmt: skip


def moderate(client, key: str, **form):
    url = f"/admin/mini/answers/{key}/?lang=en"
    return client.post(url, data={"csrf_token": token(client, url), "then": "stay", **form})


@pytest.mark.parametrize("emptied", ["", "   \r\n  "])
def test_an_emptied_text_to_publish_is_refused_and_the_redaction_stays_published(admin, answered, admin_app, emptied):
    original = "La cour est trop petite"
    key = answer_keys(answered)[original]
    approved = moderate(admin, key, status="approved", families=["B"], redacted="La cour est [...]")
    assert approved.status_code == 303
    page = moderate(admin, key, status="approved", families=["B"], redacted=emptied)
    assert page.status_code == 400
    assert 'id="redacted-error"' in page.text and "cannot be empty" in page.text
    assert f">{emptied.replace(chr(13), '')}</textarea>" in page.text.replace("\r", "")  # what was typed, kept
    decision = decisions(answered, "mini")[tuple(key.split("."))]
    assert decision.redacted == "La cour est [...]" and decision.status == "approved"
    assert len(decision_log(answered, **answer_of(key))) == 1  # the refused form changed nothing
    site = published_texts(admin_app)
    assert "La cour est [...]" in site
    assert original not in site


def test_an_empty_text_never_unredacts_an_answer_approved_later(admin, answered, admin_app):
    """Rejected (or left pending) with an empty field, the redaction stays; a bulk approval later keeps it too."""
    original = "La cour est trop petite"
    key = answer_keys(answered)[original]
    moderate(admin, key, status="approved", families=["B"], redacted="La cour est [...]")
    assert moderate(admin, key, status="rejected", families=["B"], redacted="").status_code == 303
    assert decisions(answered, "mini")[tuple(key.split("."))].status == "rejected"
    csrf = token(admin, "/admin/mini/answers/")
    admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "selected": [key], "action": "approved"})
    admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "selected": [key], "action": "remove_family",
                                             "family": "D"})  # fmt: skip
    decision = decisions(answered, "mini")[tuple(key.split("."))]
    assert decision.status == "approved" and decision.redacted == "La cour est [...]"
    site = published_texts(admin_app)
    assert "La cour est [...]" in site and original not in site


def test_an_answer_never_redacted_cannot_be_approved_with_an_empty_text(admin, answered, admin_app):
    key = answer_keys(answered)["La cour est trop petite"]
    assert moderate(admin, key, status="approved", families=["B"], redacted=" ").status_code == 400
    assert decisions(answered, "mini") == {}


def test_going_back_to_the_original_text_is_an_explicit_action_in_the_log(admin, answered, admin_app):
    original = "La cour est trop petite"
    key = answer_keys(answered)[original]
    url = f"/admin/mini/answers/{key}/?lang=en"
    assert "Publish the original text" not in admin.get(url).text  # nothing to go back from yet
    moderate(admin, key, status="approved", families=["B"], redacted="La cour est [...]")
    assert 'name="redaction" value="original"' in admin.get(url).text
    page = moderate(admin, key, status="approved", families=["B"], redacted="", redaction="original")
    assert page.status_code == 303
    decision = decisions(answered, "mini")[tuple(key.split("."))]
    assert decision.redacted is None and decision.status == "approved"
    log = decision_log(answered, **answer_of(key))
    assert [entry[2].get("original", False) for entry in log] == [False, True]
    shown = admin.get(url).text
    assert "original text restored" in shown
    assert "texte original rétabli" in admin.get(url.replace("lang=en", "lang=fr")).text
    assert original in published_texts(admin_app)


# -- a build interrupted by a restart -------------------------------------------------

BUILDING_WORKER = """
import sys, threading, time
from pathlib import Path
from coresp_survey import create_app
from coresp_survey.publish import site as publish
from web import test_admin

app = create_app({"SURVEYS_DIR": Path(sys.argv[1]), "DATABASE": Path(sys.argv[2]), "SECRET_KEY": test_admin.SECRET,
                  "ADMIN_PASSWORD": test_admin.PASSWORD, "SITE_DIR": Path(sys.argv[3]), "SITE_WITH_PDF": False})
entered = threading.Event()

def stuck(*args, **kwargs):
    entered.set()
    threading.Event().wait()  # a long build, until the worker is killed

publish._write_site = stuck
client = app.test_client()
assert test_admin.log_in(client).status_code == 303
assert client.post("/admin/build", data={"csrf_token": test_admin.token(client, "/admin/")}).status_code == 303
entered.wait()
print("building", flush=True)
time.sleep(600)
"""


def test_a_build_whose_worker_died_is_shown_interrupted_and_a_new_one_can_start(admin, answered, admin_app, tmp_path):
    import subprocess
    import sys

    config = admin_app.config
    worker = subprocess.Popen(
        [sys.executable, "-c", BUILDING_WORKER, str(config["SURVEYS_DIR"]), str(config["DATABASE"]),
         str(config["SITE_DIR"])],
        stdout=subprocess.PIPE, text=True, cwd=TESTS,
    )  # fmt: skip
    try:
        assert worker.stdout.readline() == "building\n"
        assert last_build(answered)["status"] == "running"
        assert "is running" in admin.get("/admin/?lang=en").text
        page = admin.post("/admin/build?lang=en", data={"csrf_token": token(admin, "/admin/")}, follow_redirects=True)
        assert "A build is already running." in page.text
    finally:
        worker.kill()  # a restart: the worker dies in the middle of the build
        worker.wait()
        worker.stdout.close()
    assert last_build(answered)["status"] == "running"  # what it left behind
    dashboard = admin.get("/admin/?lang=en").text
    assert "was interrupted" in dashboard and "is running" not in dashboard
    assert last_build(answered)["status"] == "interrupted"
    assert "a été interrompue" in admin.get("/admin/?lang=fr").text
    page = admin.post("/admin/build?lang=en", data={"csrf_token": token(admin, "/admin/")}, follow_redirects=True)
    assert "The site is being built." in page.text
    assert wait_for_build(answered)["status"] == "done"
    assert (config["SITE_DIR"] / "en" / "mini" / "index.html").is_file()


# -- moderation at scale: identical answers, suggestions, links ----------------------

SAME_WORDS = [
    ("2026", "students", {"mood": 1, "why": "Bruyant"}),
    ("2026", "students", {"mood": 1, "why": "bruyant !"}),
    ("2026", "parents", {"mood": 2, "why": "  BRUYANT."}),
    ("2026", "students", {"mood": 2, "why": "Calme"}),
]


@pytest.fixture
def repeated(answered):
    import_responses(answered, survey="mini", lang="fr", rows=SAME_WORDS)
    return answered


def keys_of(db, *texts) -> list[str]:
    return [f"{r.id}.why" for r in iter_responses(db, "mini") if r.answers.get("why") in texts]


def test_identical_answers_are_one_row_with_their_count_and_groups(admin, repeated):
    page = admin.get("/admin/mini/answers/?lang=en").text
    assert "3 times" in page
    assert page.count('name="selected"') == 6  # 8 answers, the three "bruyant" in one row
    rows = [sorted(value.split()) for value in re.findall(r'name="selected" value="([^"]+)"', page)]
    assert sorted(keys_of(repeated, "Bruyant", "bruyant !", "  BRUYANT.")) in rows
    assert "Students 2" in page and "Parents 1" in page


def test_the_queue_sorted_by_frequency_starts_with_the_most_frequent(admin, repeated):
    def rows(url: str) -> list[tuple[str, int]]:
        """(text, times) of each row, in the page's order."""
        found = re.findall(
            r'<p class="answer-text" lang="\w+">([^<]*)(?:<span class="badge count">(\d+) times)?', admin.get(url).text
        )
        return [(text.strip(), int(times or 1)) for text, times in found]

    by_frequency = rows("/admin/mini/answers/?sort=frequency&lang=en")
    unsorted = rows("/admin/mini/answers/?lang=en")
    assert by_frequency[0][0].strip(" .!").lower() == "bruyant" and by_frequency[0][1] == 3
    assert sorted(by_frequency) == sorted(unsorted)  # the same rows
    assert by_frequency == sorted(unsorted, key=lambda row: -row[1])  # most frequent first, the rest in their order


def test_one_decision_on_a_row_applies_to_each_identical_answer_and_logs_each(admin, repeated):
    bruyant = keys_of(repeated, "Bruyant", "bruyant !", "  BRUYANT.")
    csrf = token(admin, "/admin/mini/answers/")
    admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "selected": " ".join(bruyant), "action": "approved"})
    decided = decisions(repeated, "mini")
    assert sorted(".".join(key) for key in decided) == sorted(bruyant)
    for key in bruyant:
        assert [(entry.action, entry.login) for entry in decision_log(repeated, **answer_of(key))] == [
            ("approved", "admin")
        ]


def test_the_answer_page_decides_for_the_identical_answers_together(admin, repeated):
    first, *others = keys_of(repeated, "Bruyant", "bruyant !", "  BRUYANT.")
    url = f"/admin/mini/answers/{first}/"
    page = admin.get(url + "?lang=en").text
    assert "3 identical answers in all" in page and 'accesskey="a"' in page and 'accesskey="r"' in page
    assert 'accesskey="n"' in page and "Keyboard shortcuts" in page
    reply = admin.post(url, data={"csrf_token": token(admin, url), "status": "pending", "quick": "rejected",
                                  "together": "1"})  # fmt: skip
    assert reply.status_code == 303 and first not in reply.headers["Location"]
    decided = decisions(repeated, "mini")
    assert {decided[tuple(key.split("."))].status for key in [first, *others]} == {"rejected"}
    assert all(decision_log(repeated, **answer_of(key))[0].login == "admin" for key in others)


def test_without_together_only_the_answer_itself_is_decided(admin, repeated):
    first, *_others = keys_of(repeated, "Bruyant", "bruyant !", "  BRUYANT.")
    url = f"/admin/mini/answers/{first}/"
    admin.post(url, data={"csrf_token": token(admin, url), "status": "approved", "then": "stay"})
    assert list(decisions(repeated, "mini")) == [tuple(first.split("."))]


def test_the_families_of_similar_classified_answers_are_suggested_and_accepted_in_one_press(admin, repeated):
    first = keys_of(repeated, "Bruyant")[0]
    url = f"/admin/mini/answers/{first}/"
    admin.post(url, data={"csrf_token": token(admin, url), "status": "approved", "families": ["B"], "then": "stay"})
    calm = keys_of(repeated, "bruyant !")[0]
    page = admin.get("/admin/mini/answers/?status=pending&lang=en").text
    assert "Similar answers are classified in B." in page
    accept = re.search(r'name="accept" value="([^"]+)"', page).group(1)
    assert accept.startswith("B|") and calm in accept
    admin.post("/admin/mini/answers/", data={"csrf_token": token(admin, "/admin/mini/answers/"), "accept": accept})
    decided = decisions(repeated, "mini")[tuple(calm.split("."))]
    assert decided.status == "approved" and decided.families == ("B",)
    assert decision_log(repeated, **answer_of(calm))[-1].login == "admin"


def test_an_approved_criterion_is_linked_to_indicators_one_and_in_bulk(admin, repeated):
    from coresp_survey.workspace.links import links

    one = keys_of(repeated, "Calme")[0]
    url = f"/admin/mini/answers/{one}/"
    page = admin.get(url + "?lang=en").text
    assert 'name="indicators" id="indicator-mood"' in page
    refused = admin.post(url, data={"csrf_token": token(admin, url), "status": "pending", "indicators_shown": "1",
                                    "indicators": ["mood"], "then": "stay"})  # fmt: skip
    assert refused.status_code == 400 and links(repeated, "mini") == {}
    admin.post(url, data={"csrf_token": token(admin, url), "status": "approved", "indicators_shown": "1",
                          "indicators": ["mood", "forged"], "then": "stay"})  # fmt: skip
    assert links(repeated, "mini") == {tuple(one.split(".")): ("mood",)}
    bruyant = keys_of(repeated, "Bruyant", "bruyant !", "  BRUYANT.")
    csrf = token(admin, "/admin/mini/answers/")
    admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "selected": " ".join(bruyant), "action": "approved"})
    admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "selected": " ".join(bruyant), "action": "link",
                                             "indicator": "mood"})  # fmt: skip
    assert set(links(repeated, "mini")) == {tuple(key.split(".")) for key in [one, *bruyant]}
    assert decision_log(repeated, **answer_of(bruyant[1]))[-1][1:] == ("linked", {"indicator": "mood"}, "admin")
    admin.post(url, data={"csrf_token": token(admin, url), "status": "approved", "indicators_shown": "1",
                          "then": "stay"})  # fmt: skip
    assert tuple(one.split(".")) not in links(repeated, "mini")


def test_criteria_marked_as_the_same_in_the_queue(admin, repeated):
    from coresp_survey.workspace.links import same_marks

    calm, cour = keys_of(repeated, "Calme")[0], keys_of(repeated, "La cour est trop petite")[0]
    csrf = token(admin, "/admin/mini/answers/")
    admin.post("/admin/mini/answers/", data={"csrf_token": csrf, "selected": [cour, calm], "action": "same"})
    assert same_marks(repeated, "mini") in (
        {tuple(calm.split(".")): tuple(cour.split("."))},
        {tuple(cour.split(".")): tuple(calm.split("."))},
    )


def test_a_hostile_answer_is_escaped_in_the_rows_and_suggestions(admin, repeated):
    hostile = keys_of(repeated, HOSTILE)[0]
    url = f"/admin/mini/answers/{hostile}/"
    admin.post(url, data={"csrf_token": token(admin, url), "status": "approved", "families": ["B"], "then": "stay"})
    import_responses(repeated, survey="mini", lang="fr", rows=[("2026", "students", {"mood": 1, "why": HOSTILE + "!"})])
    for page in (admin.get("/admin/mini/answers/?sort=frequency").text, admin.get(url).text):
        assert HOSTILE not in page and "<img src=x" not in page
