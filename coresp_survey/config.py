"""Settings from the environment (each also a command-line option) and the secret key."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

DEFAULT_SURVEYS = "surveys"
DEFAULT_DB = "instance/responses.db"
DEFAULT_SITE = "site"
SECRET_FILE = "secret_key"
MIN_SECRET_LENGTH = 32
"""A shorter key signing the session cookie can be found offline from any cookie the app hands out."""


class SecretKeyTooShort(ValueError):
    """``CORESP_SECRET_KEY`` is set but too short to sign sessions safely; the message is the one line to show."""


def check_secret_key(key: str) -> None:
    if len(key) < MIN_SECRET_LENGTH:
        raise SecretKeyTooShort(
            f"CORESP_SECRET_KEY has {len(key)} characters, fewer than {MIN_SECRET_LENGTH}: set a longer random one"
            " (python3 -c 'import secrets; print(secrets.token_hex(32))'), or leave it unset to have one made"
        )


def from_environment() -> dict:
    """The app's configuration as the environment (or the CLI, which sets it) gives it."""
    database = Path(os.environ.get("CORESP_DB") or DEFAULT_DB).resolve()
    return {
        "SURVEYS_DIR": Path(os.environ.get("CORESP_SURVEYS") or DEFAULT_SURVEYS).resolve(),
        "DATABASE": database,
        "SECRET_KEY": os.environ.get("CORESP_SECRET_KEY") or None,
        "ADMIN_PASSWORD": os.environ.get("CORESP_ADMIN_PASSWORD") or None,
        "SITE_DIR": Path(os.environ.get("CORESP_SITE") or DEFAULT_SITE).resolve(),
    }


SECURE_DEFAULTS = {
    "SESSION_COOKIE_NAME": "coresp_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(days=90),
    # Sign and send the cookie only when the session changes, not on every page.
    "SESSION_REFRESH_EACH_REQUEST": False,
    # A respondent may take hours over a page: bind the CSRF token to the session, not to a clock.
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "MAX_FORM_PARTS": 2000,
    "DRAFT_DAYS": 90,
    # A survey with kiosk: true forgets a respondent idle this long (a shared computer at school).
    "KIOSK_IDLE_MINUTES": 5,
    # The coordination group's workspace: idle and absolute session limits, login throttling.
    "ADMIN_IDLE_MINUTES": 60,
    "ADMIN_MAX_HOURS": 12,
    "ADMIN_MAX_FAILURES": 5,
    "ADMIN_LOCK_MINUTES": 15,
    "SITE_WITH_PDF": True,
}


def codes_database(database: Path) -> Path:
    """The invitation codes' own file beside the database (``responses.db`` → ``responses-codes.db``).

    Codes never share a file, a journal or a WAL with answers: the frames of
    one WAL sit in order, so a code marked used there would sit next to the
    answers that followed it.
    """
    return database.with_name(f"{database.stem}-codes{database.suffix}")


def secret_key(folder: Path) -> str:
    """The key kept in ``folder``, made once; safe when several workers start together.

    The file is created readable by its owner only (no moment when it is not),
    in a folder made 0700 if we make it.
    """
    path = folder / SECRET_FILE
    if not path.exists():
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        candidate = folder / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        with os.fdopen(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as stream:
            stream.write(secrets.token_hex(32))
        try:
            os.link(candidate, path)  # fails if another worker made it first: then use theirs
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text().strip()
