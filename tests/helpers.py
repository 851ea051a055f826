"""What tests share besides fixtures: where things are, and a browser answering through the test client.

Test modules import these by name (``from helpers import CSRF``); conftest.py
holds only the fixtures.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
"""The repository."""
TEST_SURVEYS = TESTS / "surveys"
BUNDLED_SURVEYS = ROOT / "surveys"
FIXTURES = TESTS / "fixtures"


SECRET = "a test secret key, 32 characters or more"
"""What tests sign sessions with: the app refuses a key shorter than 32 characters."""


def for_people(text: str) -> str:
    """A CSV written for people (``export``, ``codes``), past its byte-order mark, which it must start with."""
    assert text.startswith("\ufeff"), "a CSV for people starts with a UTF-8 byte-order mark"
    return text.removeprefix("\ufeff")


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Respondent:
    """A browser answering: fetches a page, then posts it with its CSRF token."""

    def __init__(self, client) -> None:
        self.client = client

    def token(self, url: str) -> str:
        page = self.client.get(url)
        match = CSRF.search(page.text)
        assert match, f"no CSRF token on {url} ({page.status_code})"
        return match.group(1)

    def post(self, url: str, data: dict, nav: str = "next"):
        fields = {"csrf_token": self.token(url), "_nav": nav, **data}
        return self.client.post(url, data=fields)


def libreoffice(path: Path, to: str, out: Path, *, infilter: str | None = None, env: dict | None = None) -> Path:
    """``soffice --headless --convert-to TO`` of ``path`` into the folder ``out``, with a private profile.

    ``to`` and ``infilter`` as LibreOffice writes them (``csv:Text - txt - csv
    (StarCalc):44,34,76``); ``env`` replaces the environment (a locale). Returns
    the converted file.
    """
    import os
    import subprocess
    import tempfile

    extension = to.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="coresp-soffice-") as profile:
        command = ["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless"]
        command += [f"--infilter={infilter}"] if infilter else []
        command += ["--convert-to", to, "--outdir", str(out), str(path)]
        subprocess.run(command, check=True, capture_output=True, timeout=120, env=env or dict(os.environ))
    converted = out / f"{path.stem}.{extension}"
    assert converted.exists(), f"LibreOffice wrote no {converted.name}"
    return converted
