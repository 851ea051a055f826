"""Databases written by earlier versions open with today's code, nothing lost (tests/fixtures/README.md).

Every fixture folder (a database written by the code just before a schema
change, with the script that made it and a manifest) is upgraded as the app
and the writing commands do (`database.prepare`): every row the manifest names
is as it was, codes are in the state it says, and the file is at the schema.

The fixture written by the version that landed (commit 78b9793,
tests/fixtures/landed/) holds the codes in the responses database and each
coded draft's code hash beside its answers, in the file and in its WAL. After
migration: every response, moderation decision, build, login failure and
draft (answers, group) is as it was; the codes live in their own file with
their used flags; each open draft that held an unused code keeps it (one per
code: saved last, then the smaller key) as ``code_ok``; and no file but the
codes file holds a code or its hash, not even in an old page image.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from helpers import CSRF
from helpers import FIXTURES
from helpers import SECRET
from serving import environment
from serving import free_port
from serving import running

from answers.test_code_privacy import CODES_FILE
from answers.test_code_privacy import FIRST
from answers.test_code_privacy import LAST
from answers.test_code_privacy import ROOT
from answers.test_code_privacy import THANKS
from answers.test_code_privacy import FlaskBrowser
from answers.test_code_privacy import HttpBrowser
from answers.test_code_privacy import code_forms
from answers.test_code_privacy import codes_found_outside_the_codes_file
from answers.test_code_privacy import folder_bytes
from coresp_survey import config
from coresp_survey import create_app
from coresp_survey.answers import schema
from coresp_survey.answers.codes import hash_code
from coresp_survey.answers.database import connect
from coresp_survey.answers.database import prepare
from coresp_survey.answers.responses import count_responses

FIXTURES = FIXTURES
EVERY_FIXTURE = sorted(manifest.parent.name for manifest in FIXTURES.glob("*/manifest.json"))
NOT_COPIED = ("manifest.json", "make.py")
"""A fixture folder's files that are not the instance's."""
LANDED = FIXTURES / "landed"
MANIFEST = json.loads((LANDED / "manifest.json").read_text())
ALL_CODES = [*MANIFEST["codes"]["young"], *MANIFEST["codes"]["elderly"]]
DRAFTS = MANIFEST["drafts"]


def manifest_of(name: str) -> dict:
    return json.loads((FIXTURES / name / "manifest.json").read_text())


def fixture_copy(name: str, folder: Path) -> Path:
    """A fixture's database files (a database, its WAL, a codes file), copied together as a copy of the instance
    would be; returns the responses database's path."""
    folder.mkdir(parents=True)
    for file in (FIXTURES / name).iterdir():
        if file.is_file() and file.name not in NOT_COPIED:
            shutil.copyfile(file, folder / file.name)
    return folder / "responses.db"


def landed_copy(folder: Path) -> Path:
    """The landed database and its WAL, copied together as a copy of the instance would be."""
    return fixture_copy("landed", folder)


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute(sql).fetchall())


def open_app(database: Path, draft_days: int | None = None):
    """The serving app as on the day the fixture was made (unless ``draft_days`` is given): it forgets the drafts
    abandoned 90 days before that day, not the fixture's other drafts, however old the fixture grows."""
    if draft_days is None:
        made_on = date.fromisoformat(MANIFEST["made_on"])
        draft_days = config.SECURE_DEFAULTS["DRAFT_DAYS"] + (date.today() - made_on).days
    settings = {"SURVEYS_DIR": LANDED / "surveys", "DATABASE": database, "SECRET_KEY": SECRET}
    return create_app({**settings, "DRAFT_DAYS": draft_days})


def code_states(database: Path, codes: list[str] = ALL_CODES) -> dict[str, int]:
    used = dict(rows(config.codes_database(database), "SELECT hash, used FROM codes"))
    return {code: used[hash_code(code)] for code in codes}


def draft_states(database: Path) -> dict[str, tuple]:
    return {
        key: (group, code_ok) for key, group, code_ok in rows(database, "SELECT key, group_id, code_ok FROM drafts")
    }


RESPONSES = "SELECT id, survey, round, group_id, lang, submitted, source, answers FROM responses"
DRAFT_ANSWERS = "SELECT key, survey, state, group_id, answers, updated FROM drafts"
WORKSPACE = "SELECT response_id, question, survey, status, redacted, families, decided FROM moderation"
LOG = "SELECT id, survey, response_id, question, action, detail, at FROM decisions"
BUILDS = "SELECT id, started, finished, status, message FROM builds"
LOGINS = "SELECT id, at FROM login_failures"


def select(table: str, columns: list[str]) -> str:
    return f"SELECT {', '.join(columns)} FROM {table}"


@pytest.mark.parametrize("name", EVERY_FIXTURE)
def test_every_fixture_upgrades_with_every_row_it_names_kept(name, tmp_path):
    manifest = manifest_of(name)
    database = fixture_copy(name, tmp_path / "instance")
    as_found = fixture_copy(name, tmp_path / "as-found")  # read as it is, never migrated
    tables = {table for (table,) in rows(as_found, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables - {"_sqlite_migrations"} == set(manifest["kept"]) | set(manifest["moved"])  # each table named
    prepare(database).close()
    for table, columns in manifest["kept"].items():
        found = rows(as_found, select(table, columns))
        assert found, f"{name}: {table} has no rows: the fixture proves nothing about it"
        assert rows(database, select(table, columns)) == found, table
    for table, moved in manifest["moved"].items():
        found = rows(as_found, select(table, moved["columns"]))
        assert found, f"{name}: {table} has no rows: the fixture proves nothing about it"
        assert rows(database.parent / moved["to"], select(table, moved["columns"])) == found, table
    assert code_states(database, list(manifest["code_states"])) == manifest["code_states"]
    abandoned = {key for (key,) in rows(database, "SELECT key FROM drafts")} & set(manifest["abandoned_drafts"])
    assert abandoned == set(manifest["abandoned_drafts"])  # an upgrade forgets no draft, however old
    upgraded = connect(database)
    assert schema.migrations.pending(upgraded) == [] and rows(database, "PRAGMA integrity_check") == [("ok",)]
    upgraded.close()


def test_the_fixture_is_what_the_landed_version_wrote(tmp_path):
    """Guard: the hashes sit beside the answers, in the file and in its WAL (else the next tests prove nothing)."""
    database = landed_copy(tmp_path / "instance")
    wal = (tmp_path / "instance" / "responses.db-wal").read_bytes()
    assert all(hash_code(code).encode() in wal for code in ALL_CODES)
    assert ("code_hash",) in rows(database, "SELECT name FROM pragma_table_info('drafts')")


def test_a_landed_database_opens_with_every_response_draft_decision_build_and_login_failure_kept(tmp_path):
    database = landed_copy(tmp_path / "instance")
    as_landed = landed_copy(tmp_path / "as-landed")  # read as it is, never migrated
    prepare(database).close()  # the upgrade alone: the serving app then forgets abandoned drafts (next test)
    for sql in (RESPONSES, DRAFT_ANSWERS, WORKSPACE, LOG, BUILDS, LOGINS):
        assert rows(database, sql) == rows(as_landed, sql), sql
    counts = dict(rows(database, "SELECT survey, count(*) FROM responses GROUP BY survey"))
    assert counts == MANIFEST["response_counts"]
    texts = {str(value) for (answers,) in rows(database, RESPONSES[:7] + "answers FROM responses")
             for value in json.loads(answers).values()}  # fmt: skip
    assert {*MANIFEST["responses"]["invited"], *MANIFEST["responses"]["open"]} <= texts


def test_the_serving_app_then_forgets_only_the_draft_abandoned_long_ago(tmp_path):
    database = landed_copy(tmp_path / "instance")
    as_landed = landed_copy(tmp_path / "as-landed")
    open_app(database)
    kept = {key for (key, *_rest) in rows(database, DRAFT_ANSWERS)}
    assert kept == {key for (key, *_rest) in rows(as_landed, DRAFT_ANSWERS)} - set(MANIFEST["abandoned_drafts"])


def test_each_open_draft_keeps_its_unused_code_and_each_code_its_state(tmp_path):
    database = landed_copy(tmp_path / "instance")
    open_app(database)
    states = draft_states(database)
    winner = min(DRAFTS["c"], DRAFTS["d"])  # c and d share a code, saved the same day: the smaller key
    kept = {DRAFTS["b"], DRAFTS["h"], winner}
    assert {key for key, (_group, code_ok) in states.items() if code_ok} == kept
    assert states[DRAFTS["b"]] == ("young", 1) and states[DRAFTS["h"]] == ("elderly", 1)
    assert code_states(database) == {code: int(code in MANIFEST["used_after"]) for code in ALL_CODES}
    issued = rows(config.codes_database(database), "SELECT group_id, count(*) FROM codes GROUP BY group_id")
    assert issued == [("elderly", 3), ("young", 5)]


def test_landed_drafts_resume_as_their_code_state_says(tmp_path):
    database = landed_copy(tmp_path / "instance")
    app = open_app(database)
    loser = max("cd", key=DRAFTS.get)

    def resume(key: str, survey: str = "invited") -> FlaskBrowser:
        browser = FlaskBrowser(app)
        with browser.client.session_transaction() as session:
            session["drafts"] = {survey: key}
        return browser

    kept = resume(DRAFTS["b"])
    page = kept.get(FIRST).text
    assert 'name="code"' not in page and "fixture-b-wish" in page
    assert kept.send(LAST, {"remark": "finished after the upgrade"}).location.endswith(THANKS)
    assert count_responses(connect(database), "invited") == 4
    for name in (loser, "e", "i"):  # asked for a code again, answers kept
        page = resume(DRAFTS[name]).get(FIRST).text
        assert 'name="code"' in page and f"fixture-{name}-wish" in page, name
    taken = resume(DRAFTS[loser]).send(FIRST, {"code": MANIFEST["code_of_draft"][loser], "rating": "4"})
    assert "already been used" in taken.text
    fresh = resume(DRAFTS[loser]).send(FIRST, {"code": MANIFEST["unused_after"][0], "rating": "4"})
    assert fresh.location.endswith(LAST)
    assert resume(DRAFTS["p3"], "open").get("/en/open/page/end/").status == 200


def test_no_old_page_image_of_a_code_is_left_after_migration(tmp_path):
    database = landed_copy(tmp_path / "instance")
    open_app(database)
    reader = connect(database)  # as a running app's: the WAL is kept while it is open
    assert count_responses(reader, "invited") == 3
    files = folder_bytes(database.parent)
    assert {"responses.db", "responses.db-wal", CODES_FILE} <= set(files)
    assert codes_found_outside_the_codes_file(files, ALL_CODES) == []
    assert all(any(form in files[CODES_FILE] for form in code_forms(code)) for code in ALL_CODES)
    assert rows(database, "PRAGMA freelist_count") == [(0,)]
    for name in ("responses.db", "responses.db-wal", "responses.db-shm", CODES_FILE):
        assert (database.parent / name).stat().st_mode & 0o777 == 0o600, name  # the fixture's files were 0644


def start_a_worker(database: str) -> str:
    """What each gunicorn worker does at start: build the app, which prepares (and migrates) the files."""
    open_app(Path(database))
    return "started"


def test_several_workers_starting_at_once_migrate_a_landed_database_once(tmp_path):
    database = landed_copy(tmp_path / "instance")
    with multiprocessing.get_context("fork").Pool(4) as pool:
        assert pool.map(start_a_worker, [str(database)] * 4) == ["started"] * 4
    applied = rows(database, "SELECT name, count(*) FROM _sqlite_migrations GROUP BY name")
    assert applied and all(count == 1 for _name, count in applied)
    assert ("m004_scrub_codes", 1) in applied
    assert rows(database, "PRAGMA integrity_check") == [("ok",)]
    alone = landed_copy(tmp_path / "alone")
    open_app(alone)
    assert draft_states(database) == draft_states(alone)
    assert code_states(database) == code_states(alone)
    assert codes_found_outside_the_codes_file(folder_bytes(database.parent), ALL_CODES) == []


def test_a_migration_killed_after_the_codes_file_commit_ends_the_same_when_run_again(tmp_path, monkeypatch):
    database = landed_copy(tmp_path / "instance")
    copy_codes = schema._copy_codes

    def then_killed(*args, **kwargs):
        copy_codes(*args, **kwargs)
        raise KeyboardInterrupt  # the process dies after the codes file's commit

    monkeypatch.setattr(schema, "_copy_codes", then_killed)
    with pytest.raises(KeyboardInterrupt):
        open_app(database)
    assert ("code_hash",) in rows(database, "SELECT name FROM pragma_table_info('drafts')")  # rolled back
    monkeypatch.setattr(schema, "_copy_codes", copy_codes)
    open_app(database)
    alone = landed_copy(tmp_path / "alone")
    open_app(alone)
    assert draft_states(database) == draft_states(alone)
    assert code_states(database) == code_states(alone)


@pytest.mark.slow
def test_a_real_server_with_four_workers_migrates_a_landed_database_once(tmp_path):
    database = landed_copy(tmp_path / "instance")
    env = environment(CORESP_SURVEYS=str(LANDED / "surveys"), CORESP_DB=str(database))
    port, log = free_port(), tmp_path / "gunicorn.log"
    command = [ROOT / ".venv" / "bin" / "coresp-survey", "serve", "--port", str(port), "--workers", "4"]
    with running(command, port, log, FIRST, env=env, timeout=60):
        assert HttpBrowser(port).send(FIRST, {"code": MANIFEST["unused_after"][0], "rating": "4"}).location == LAST
    assert log.read_text().count("Booting worker") >= 4 and "Traceback" not in log.read_text()
    applied = rows(database, "SELECT name, count(*) FROM _sqlite_migrations GROUP BY name")
    assert all(count == 1 for _name, count in applied) and ("m004_scrub_codes", 1) in applied
    alone = landed_copy(tmp_path / "alone")
    open_app(alone, draft_days=config.SECURE_DEFAULTS["DRAFT_DAYS"])  # as the server: by today's date
    assert {k: v for k, v in draft_states(database).items() if k in DRAFTS.values()} == {
        k: v for k, v in draft_states(alone).items() if k in DRAFTS.values()
    }
    assert codes_found_outside_the_codes_file(folder_bytes(database.parent), ALL_CODES) == []


def test_decisions_made_before_accounts_name_nobody_and_their_history_says_so(tmp_path):
    """Upgraded from the shared password (tests/fixtures/before-accounts/): every decision and build is kept, names
    no login, and each answer's history shows it without a name; the built-in admin logs in."""
    before = manifest_of("before-accounts")
    database = fixture_copy("before-accounts", tmp_path / "instance")
    surveys = FIXTURES / "before-accounts" / before["surveys"]
    app = create_app({"SURVEYS_DIR": surveys, "DATABASE": database, "SECRET_KEY": SECRET, "ADMIN_PASSWORD": "first"})
    assert rows(database, "SELECT DISTINCT login FROM decisions") == [(None,)]
    assert rows(database, "SELECT DISTINCT decided_by FROM moderation") == [(None,)]
    assert rows(database, "SELECT DISTINCT login, surveys FROM builds") == [(None, None)]
    client = app.test_client()
    token = CSRF.search(client.get("/admin/login").text).group(1)
    assert (
        client.post("/admin/login", data={"csrf_token": token, "login": "admin", "password": "first"}).status_code
        == 303
    )
    history = client.get(f"/admin/open/answers/{before['decided']['redacted']}/?lang=en").text
    assert re.search(r"<li>Approved, [A-Z][a-z]{2} \d+, 20\d\d.* · redacted</li>", history)
    assert " by " not in history[history.index('id="history"') :]
