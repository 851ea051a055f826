"""Fixtures: a fresh app on a real SQLite file per test, its client, its databases and a respondent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import SECRET
from helpers import TEST_SURVEYS
from helpers import Respondent

from coresp_survey import create_app
from coresp_survey.answers.database import connect_codes
from coresp_survey.answers.database import prepare


@pytest.fixture
def surveys_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "surveys"
    shutil.copytree(TEST_SURVEYS, folder)
    return folder


@pytest.fixture
def app(tmp_path: Path, surveys_dir: Path):
    return create_app({"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "db" / "responses.db", "SECRET_KEY": SECRET})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    database = prepare(app.config["DATABASE"])
    yield database
    database.close()


@pytest.fixture
def codes_db(app):
    """The invitation codes' own file beside the database."""
    database = connect_codes(app.config["DATABASE"])
    yield database
    database.close()


@pytest.fixture
def respondent(client) -> Respondent:
    return Respondent(client)


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """Argon2 with its real parameters takes a quarter of a second per check: tests hash with the lightest ones
    (web/test_accounts.py proves that the app's are argon2-cffi's defaults)."""
    from argon2 import PasswordHasher

    from coresp_survey.workspace import passwords

    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


@pytest.fixture(autouse=True)
def restore_settings(monkeypatch):
    """The CLI writes CORESP_* into the environment (for gunicorn's workers): undo it after each test."""
    import os

    for name in ("CORESP_SURVEYS", "CORESP_DB", "CORESP_SECRET_KEY", "CORESP_ADMIN_PASSWORD"):
        if name in os.environ:
            monkeypatch.setenv(name, os.environ[name])
        else:
            monkeypatch.setenv(name, "")
            monkeypatch.delenv(name)
