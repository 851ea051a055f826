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
