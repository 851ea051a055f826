"""No invitation code can be linked to an answer by reading the instance folder's bytes.

PRODUCT.md, "Privacy and data promises": no code, nor anything derived from
it, is ever stored, journaled or logged in a way that links it to answers.
These tests answer a two-page survey by invitation as several respondents of
two groups would (finished, unfinished, refused, a code in the address), copy
the database's folder while drafts are open, and read the raw bytes of every
file: the responses database, its WAL and SHM, the secret key, the codes file
and any journal. No code (as issued, normalised, lowercase) nor its SHA-256
(hex or the 32 raw bytes) may appear outside the codes file, and no answer in
it. Codes are made with the ``codes`` command and answers go through the real
app (Flask's test client; a real gunicorn in the slow test).
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from helpers import FIXTURES
from helpers import ROOT
from helpers import SECRET
from serving import environment
from serving import free_port
from serving import running

from coresp_survey import create_app
from coresp_survey.cli import main

ROOT = ROOT
SURVEYS = FIXTURES / "landed" / "surveys"
CODES_FILE = "responses-codes.db"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FIRST = "/en/invited/"
LAST = "/en/invited/page/end/"
THANKS = "/en/invited/thanks/"
TYPED_WRONG = "AAAAA-BBBBB"


# -- what must never be found ------------------------------------------------------------------


def code_forms(code: str) -> set[bytes]:
    """Every way a code could sit in a file: as issued, normalised, lowercase, and their SHA-256 (hex, raw)."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    texts = {code, normalised, code.lower(), normalised.lower()}
    forms = {text.encode() for text in texts}
    for text in texts:
        digest = hashlib.sha256(text.encode()).digest()
        forms |= {digest, digest.hex().encode(), digest.hex().upper().encode()}
    return forms


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def is_codes_file(name: str) -> bool:
    """The codes file and its rollback journal."""
    return Path(name).name.startswith(CODES_FILE)


def codes_found_outside_the_codes_file(files: dict[str, bytes], codes: list[str]) -> list[tuple[str, str]]:
    return [
        (name, code)
        for name, data in files.items()
        if not is_codes_file(name)
        for code in codes
        if any(form in data for form in code_forms(code))
    ]


def answers_found_in_the_codes_file(files: dict[str, bytes], markers: list[str]) -> list[tuple[str, str]]:
    return [
        (name, marker)
        for name, data in files.items()
        if is_codes_file(name)
        for marker in markers
        if marker.encode() in data
    ]


def assert_private(folder: Path, codes: list[str], markers: list[str]) -> dict[str, bytes]:
    files = folder_bytes(folder)
    assert any(name.endswith("responses.db") for name in files), sorted(files)
    assert codes_found_outside_the_codes_file(files, codes) == []
    assert answers_found_in_the_codes_file(files, markers) == []
    return files


# -- respondents -------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    text: str
    location: str


class Browser:
    """What the scenario needs of a browser: GET, POST a form with its CSRF token, follow nothing."""

    def get(self, path: str) -> Reply:
        raise NotImplementedError

    def post(self, path: str, data: dict) -> Reply:
        raise NotImplementedError

    def send(self, path: str, data: dict) -> Reply:
        token = CSRF.search(self.get(path).text)
        assert token, f"no form on {path}"
        return self.post(path, {"csrf_token": token.group(1), "_nav": "next", **data})


class FlaskBrowser(Browser):
    def __init__(self, app) -> None:
        self.client = app.test_client()

    def get(self, path: str) -> Reply:
        reply = self.client.get(path)
        return Reply(reply.status_code, reply.text, reply.location or "")

    def post(self, path: str, data: dict) -> Reply:
        reply = self.client.post(path, data=data)
        return Reply(reply.status_code, reply.text, reply.location or "")

    def session_text(self) -> str:
        with self.client.session_transaction() as session:
            return repr(dict(session))


@dataclass
class HttpBrowser(Browser):
    """A browser speaking HTTP to a real server, keeping its cookies."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: str | None = None) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].strip().partition("=")
                self.cookies[name] = value
            return Reply(response.status, text, response.headers.get("Location") or "")
        finally:
            connection.close()

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Reply:
        return self.request("POST", path, urlencode(data))


@dataclass
class Run:
    """What a scenario typed: the markers answered, the codes used or typed."""

    markers: list[str] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)

    def marker(self, name: str) -> str:
        text = f"privacy-marker-{name}-{len(self.markers)}"
        self.markers.append(text)
        return text


def first_page(browser: Browser, run: Run, code: str, who: str) -> Reply:
    run.typed.append(code)
    return browser.send(FIRST, {"code": code, "rating": "4", "wish": run.marker(f"{who}-wish")})


def answer_fully(browser: Browser, run: Run, code: str, who: str) -> None:
    assert first_page(browser, run, code, who).location.endswith(LAST)
    assert browser.send(LAST, {"remark": run.marker(f"{who}-remark")}).location.endswith(THANKS)


def scenario(new_browser: Callable[[], Browser], codes: dict[str, list[str]], folder: Path, copy: Path) -> Run:
    """Respondents of both groups, finished and not; the folder is copied to ``copy`` while drafts are open."""
    run = Run()
    young, elderly = codes["young"], codes["elderly"]
    from_address = new_browser()
    assert from_address.get(f"{FIRST}?code={young[0]}").status == 303  # the code comes on the slip's address
    answer_fully(from_address, run, young[0], "address")
    answer_fully(new_browser(), run, young[1], "young-finished")
    answer_fully(new_browser(), run, elderly[0], "elderly-finished")
    for code, who in [(young[2], "young-open"), (elderly[1], "elderly-open")]:
        assert first_page(new_browser(), run, code, who).location.endswith(LAST)
    with_error = new_browser()
    run.typed.append(young[3])
    page = with_error.send(FIRST, {"code": young[3], "wish": run.marker("young-error")})  # rating missing
    assert page.status == 200 and 'name="code"' not in page.text  # the code was accepted nonetheless
    refused = first_page(new_browser(), run, TYPED_WRONG, "refused")
    assert refused.status == 200 and "This code is not valid" in refused.text
    late = first_page(new_browser(), run, young[1], "late")
    assert "already been used" in late.text
    shutil.copytree(folder, copy)  # a copy of the instance taken now, drafts open
    answer_fully(new_browser(), run, elderly[2], "elderly-last")
    assert with_error.send(FIRST, {"rating": "2"}).location.endswith(LAST)
    assert with_error.send(LAST, {"remark": run.marker("young-error-remark")}).location.endswith(THANKS)
    return run


def read_codes(output: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(output.lstrip("\ufeff"))))
    assert rows[0] == ["code", "group"]
    return [row[0] for row in rows[1:]]


def issue(env: dict[str, str], group: str, count: int) -> list[str]:
    result = CliRunner().invoke(main, ["codes", "invited", "--group", group, "--count", str(count)], env=env)
    assert result.exit_code == 0, result.output
    return read_codes(result.stdout)


# -- the proofs --------------------------------------------------------------------------------


def test_no_file_links_a_code_to_answers_after_coded_responses(tmp_path, monkeypatch):
    folder = tmp_path / "instance"
    monkeypatch.delenv("CORESP_SECRET_KEY", raising=False)  # the app keeps its key in the folder too
    app = create_app({"SURVEYS_DIR": SURVEYS, "DATABASE": folder / "responses.db"})
    env = {"CORESP_SURVEYS": str(SURVEYS), "CORESP_DB": str(folder / "responses.db")}
    codes = {"young": issue(env, "young", 5), "elderly": issue(env, "elderly", 4)}
    browsers: list[FlaskBrowser] = []

    def new_browser() -> FlaskBrowser:
        browsers.append(FlaskBrowser(app))
        return browsers[-1]

    run = scenario(new_browser, codes, folder, tmp_path / "copy")
    every_code = [*codes["young"], *codes["elderly"], TYPED_WRONG]
    for copy in (tmp_path / "copy", folder):  # taken mid-run; now, the app's connections open
        files = assert_private(copy, every_code, run.markers)
    assert {"responses.db-wal", CODES_FILE, "secret_key"} <= set(files)
    assert any(form in files[CODES_FILE] for form in code_forms(codes["young"][0]))  # the codes are there
    for browser in browsers:  # nor does a cookie keep a code once it was accepted
        assert all(code not in browser.session_text() for code in codes["young"] + codes["elderly"])


@pytest.mark.slow
def test_no_file_nor_log_of_a_real_server_links_a_code_to_answers(tmp_path):
    folder = tmp_path / "instance"
    env = environment(CORESP_SURVEYS=str(SURVEYS), CORESP_DB=str(folder / "responses.db"))
    command = [str(ROOT / ".venv" / "bin" / "coresp-survey")]
    codes = {
        group: read_codes(
            subprocess.run(
                [*command, "codes", "invited", "--group", group, "--count", "5"],
                env=env, capture_output=True, text=True, check=True, timeout=60,
            ).stdout
        )
        for group in ("young", "elderly")
    }  # fmt: skip
    port, log = free_port(), tmp_path / "gunicorn.log"
    with running([*command, "serve", "--port", str(port), "--workers", "2"], port, log, FIRST, env=env, timeout=60):
        run = scenario(lambda: HttpBrowser(port), codes, folder, tmp_path / "copy")
        shutil.copytree(folder, tmp_path / "running")
    every_code = [*codes["young"], *codes["elderly"], TYPED_WRONG]
    for copy in (tmp_path / "copy", tmp_path / "running", folder):
        assert_private(copy, every_code, run.markers)
    logged = log.read_bytes()
    assert b"Booting worker" in logged  # the log is gunicorn's
    assert [code for code in every_code if any(form in logged for form in code_forms(code))] == []


def test_a_code_is_spent_when_the_first_page_accepts_it(tmp_path):
    """Accepted on the first page, never finished: another browser can no longer use it."""
    folder = tmp_path / "instance"
    app = create_app({"SURVEYS_DIR": SURVEYS, "DATABASE": folder / "responses.db", "SECRET_KEY": SECRET})
    env = {"CORESP_SURVEYS": str(SURVEYS), "CORESP_DB": str(folder / "responses.db")}
    (code,) = issue(env, "young", 1)
    run = Run()
    started = FlaskBrowser(app)
    assert first_page(started, run, code, "started").location.endswith(LAST)
    other = first_page(FlaskBrowser(app), run, code, "other")
    assert "already been used" in other.text and "continue on the device where you started" in other.text
    assert 'name="code"' not in started.get(FIRST).text  # the first browser goes on without it
    assert started.send(LAST, {"remark": "done"}).location.endswith(THANKS)


def test_the_session_forgets_a_code_from_the_address_once_accepted(tmp_path):
    folder = tmp_path / "instance"
    app = create_app({"SURVEYS_DIR": SURVEYS, "DATABASE": folder / "responses.db", "SECRET_KEY": SECRET})
    env = {"CORESP_SURVEYS": str(SURVEYS), "CORESP_DB": str(folder / "responses.db")}
    (code,) = issue(env, "elderly", 1)
    browser = FlaskBrowser(app)
    browser.get(f"{FIRST}?code={code}")
    assert code in browser.session_text()  # kept until the first page is sent
    assert browser.send(FIRST, {"code": code, "rating": "3"}).location.endswith(LAST)
    assert code not in browser.session_text()


def test_a_double_click_on_the_first_page_spends_the_code_once(tmp_path, monkeypatch):
    """The second request loaded the browser's draft before the first noted the code: it is not refused."""
    from coresp_survey.web import respond

    folder = tmp_path / "instance"
    app = create_app({"SURVEYS_DIR": SURVEYS, "DATABASE": folder / "responses.db", "SECRET_KEY": SECRET})
    env = {"CORESP_SURVEYS": str(SURVEYS), "CORESP_DB": str(folder / "responses.db")}
    (code,) = issue(env, "young", 1)
    browser = FlaskBrowser(app)
    assert first_page(browser, Run(), code, "first-click").location.endswith(LAST)
    with browser.client.session_transaction() as session:
        key = session["drafts"]["invited"]
    token = CSRF.search(browser.get(LAST).text).group(1)
    monkeypatch.setattr(respond, "load_respondent", lambda survey: respond.Respondent(key))  # as it was loaded
    second = browser.post(FIRST, {"csrf_token": token, "code": code, "rating": "4", "_nav": "next"})
    assert second.location.endswith(LAST), second.text
    monkeypatch.undo()
    assert browser.send(LAST, {"remark": "one response"}).location.endswith(THANKS)
    other = first_page(FlaskBrowser(app), Run(), code, "other-browser")
    assert "already been used" in other.text


def test_two_browsers_racing_with_one_code_get_one_winner(tmp_path):
    from coresp_survey.answers.codes import CodeRefused
    from coresp_survey.answers.codes import accept_code
    from coresp_survey.answers.codes import issue_codes
    from coresp_survey.answers.database import connect_codes
    from coresp_survey.answers.database import prepare
    from coresp_survey.survey.loader import load_survey

    database = tmp_path / "instance" / "responses.db"
    prepare(database).close()
    codes = connect_codes(database)
    (code,) = issue_codes(codes, survey=load_survey(SURVEYS / "invited.yaml"), group="young", count=1)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def accept() -> None:
        mine = connect_codes(database)
        start.wait()
        try:
            outcomes.append(accept_code(mine, survey="invited", code=code) or "")
        except CodeRefused as refused:
            outcomes.append(refused.reason)
        finally:
            mine.close()

    threads = [threading.Thread(target=accept) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["used"] * 7 + ["young"]
    assert codes.execute("SELECT used FROM codes").fetchall() == [(1,)]


def test_a_code_spent_without_a_draft_tells_the_respondent_what_to_do(tmp_path, monkeypatch):
    """The process dies between the codes file's commit and the draft's: the code is spent, nothing stored."""
    from coresp_survey.answers import codes
    from coresp_survey.answers.database import connect
    from coresp_survey.answers.responses import count_responses

    folder = tmp_path / "instance"
    app = create_app({"SURVEYS_DIR": SURVEYS, "DATABASE": folder / "responses.db", "SECRET_KEY": SECRET})
    app.config["PROPAGATE_EXCEPTIONS"] = False
    env = {"CORESP_SURVEYS": str(SURVEYS), "CORESP_DB": str(folder / "responses.db")}
    (code,) = issue(env, "young", 1)
    browser = FlaskBrowser(app)
    accept_code = codes.accept_code

    def then_dies(*args, **kwargs):
        accept_code(*args, **kwargs)
        raise OSError("the process died here")

    monkeypatch.setattr(codes, "accept_code", then_dies)
    assert browser.send(FIRST, {"code": code, "rating": "4"}).status == 500
    monkeypatch.setattr(codes, "accept_code", accept_code)
    again = browser.send(FIRST, {"code": code, "rating": "4"})
    assert "already been used" in again.text and "ask for a new code" in again.text
    assert count_responses(connect(folder / "responses.db"), "invited") == 0


# -- files readable by their owner only ------------------------------------------------------------


def test_every_file_is_made_owner_only_from_the_start(tmp_path, monkeypatch):
    """Modes given at creation, not narrowed afterwards: with chmod disabled they still hold."""
    monkeypatch.setattr(Path, "chmod", lambda self, mode, **kwargs: None)
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    monkeypatch.delenv("CORESP_SECRET_KEY", raising=False)
    folder = tmp_path / "new" / "instance"
    app = create_app({"SURVEYS_DIR": SURVEYS, "DATABASE": folder / "responses.db"})
    env = {"CORESP_SURVEYS": str(SURVEYS), "CORESP_DB": str(folder / "responses.db")}
    (code,) = issue(env, "young", 1)
    answer_fully(FlaskBrowser(app), Run(), code, "modes")
    assert folder.stat().st_mode & 0o777 == 0o700
    for name in ("responses.db", "responses.db-wal", "responses.db-shm", CODES_FILE, "secret_key"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600, name
    import sqlite3

    with sqlite3.connect(folder / CODES_FILE, isolation_level=None) as held:
        held.execute("BEGIN IMMEDIATE")
        held.execute("UPDATE codes SET used = 0")
        journal = folder / f"{CODES_FILE}-journal"
        assert journal.stat().st_mode & 0o777 == 0o600  # the codes file's rollback journal, mid-transaction
        held.execute("ROLLBACK")
    assert not journal.exists()  # journal_mode=DELETE: no journal outside a transaction


def test_files_made_readable_by_an_earlier_version_are_narrowed(tmp_path):
    from coresp_survey.answers.database import prepare

    folder = tmp_path / "instance"
    folder.mkdir()
    for name in ("responses.db", CODES_FILE):
        (folder / name).touch(mode=0o644)
        (folder / name).chmod(0o644)
    prepare(folder / "responses.db").close()
    for name in ("responses.db", CODES_FILE):
        assert (folder / name).stat().st_mode & 0o777 == 0o600, name


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
