"""The real app under gunicorn, a real Chromium driven by Playwright, and the database to check.

One server for the whole session, on a temporary database, serving a copy of
the bundled surveys plus a closed one (tests/surveys/closed.yaml) and a kiosk
(tests/surveys/kiosk.yaml).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from helpers import for_people
from serving import environment
from serving import free_port
from serving import running

from .checks import CHROMIUM
from .checks import CHROMIUM_ARGS
from .checks import missing_tools

ROOT = Path(__file__).parent.parent.parent
COMMAND = ROOT / ".venv" / "bin" / "coresp-survey"


@dataclass
class Server:
    base: str
    surveys: Path
    db: Path
    process: subprocess.Popen

    def url(self, path: str) -> str:
        return self.base + path

    def cli(self, *args: str) -> str:
        run = subprocess.run(
            [str(COMMAND), "--surveys", str(self.surveys), "--db", str(self.db), *args],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert run.returncode == 0, run.stderr
        return run.stdout

    def codes(self, survey: str, group: str, count: int = 1) -> list[str]:
        """Fresh invitation codes, made by the command line on the server's database."""
        lines = for_people(self.cli("codes", survey, "--group", group, "--count", str(count))).splitlines()
        assert lines[0] == "code,group"
        return [line.split(",")[0] for line in lines[1:]]

    def responses(self, survey: str) -> list[dict]:
        """Every stored response to ``survey``, answers decoded (read straight from the file)."""
        with closing(sqlite3.connect(self.db)) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM responses WHERE survey = ?", [survey]).fetchall()
        return [{**dict(row), "answers": json.loads(row["answers"])} for row in rows]

    def response_with(self, survey: str, question: str, value) -> dict:
        """The one stored response whose answer to ``question`` is ``value`` (a marker of the test)."""
        found = [row for row in self.responses(survey) if row["answers"].get(question) == value]
        assert len(found) == 1, f"{len(found)} responses to {survey} with {question} = {value!r}"
        return found[0]


def copy_surveys(folder: Path) -> None:
    """The bundled surveys, kept open whatever today's date (their dates are those of a real round)."""
    folder.mkdir()
    today = date.today().isoformat()
    for path in sorted((ROOT / "surveys").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^opens: (\S+)$", lambda m: m[0] if m[1] <= today else "opens: 2000-01-01", text)
        text = re.sub(r"(?m)^closes: (\S+)$", lambda m: m[0] if m[1] >= today else "closes: 2999-12-31", text)
        (folder / path.name).write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "tests" / "surveys" / "closed.yaml", folder / "closed.yaml")


@contextmanager
def serving(folder: Path, db: Path, *options: str, **settings: str) -> Iterator[Server]:
    """``coresp-survey serve`` on ``folder``/surveys and ``db``, with only the ``CORESP_`` settings given; its
    output in ``folder``/server.log; stopped (SIGTERM, then SIGKILL after 20 s) when the block ends."""
    port = free_port()
    command = [COMMAND, "--surveys", folder / "surveys", "--db", db, "serve", "--port", str(port), *options]
    with running(command, port, folder / "server.log", "/fr/", env=environment(**settings), cwd=folder, grace=20) as up:
        yield Server(up.base, folder / "surveys", db, up.process)


@pytest.fixture(scope="session")
def tools() -> None:
    missing = missing_tools()
    if missing:
        pytest.fail("the browser suites need: " + "; ".join(missing) + " (bash scripts/test.sh installs them)")


@pytest.fixture(scope="session")
def server(tmp_path_factory, tools) -> Server:
    """``coresp-survey serve`` with 2 workers, as in production; stopped at the end of the session."""
    folder = tmp_path_factory.mktemp("browser")
    copy_surveys(folder / "surveys")
    shutil.copy(ROOT / "tests" / "surveys" / "kiosk.yaml", folder / "surveys" / "kiosk.yaml")
    with serving(folder, folder / "responses.db", "--workers", "2") as running:
        yield running


@pytest.fixture(scope="session")
def browser(tools):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """What a browser context does besides showing pages: requests to other hosts
    (PRODUCT.md: none), errors in the console (a script failing, a CSP refusal)."""

    def __init__(self, context, server: Server, console: bool = True) -> None:
        self.elsewhere: list[str] = []
        self.errors: list[str] = []
        context.on("request", lambda request: self.request(request.url, server))
        if console:
            context.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
            context.on("weberror", lambda error: self.errors.append(str(error.error)))

    def request(self, url: str, server: Server) -> None:
        if not url.startswith((server.base + "/", "data:", "about:")):
            self.elsewhere.append(url)


@pytest.fixture
def new_page(browser, server):
    """Make a page in a fresh browser context (its own cookies), with or without JavaScript.

    At the end, no page may have asked another host for anything or logged an error.
    """
    contexts = []
    watches = []

    def make(javascript: bool = True, width: int = 1024, height: int = 768):
        context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        contexts.append(context)
        watches.append(Watch(context, server))
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert [url for watch in watches for url in watch.elsewhere] == []
    assert [error for watch in watches for error in watch.errors] == []
