"""The workspace's accounts: who may do what, on which surveys; kept in the database, with their session value.

Three roles (`ROLES`): an ``admin`` sees every survey and may do everything;
a ``coordinator`` follows participation, moderates and builds the site for
the surveys named; a ``moderator`` moderates the surveys named, nothing else.
A survey outside an account's scope does not exist for it (`Account.sees`).

Each account has a random ``session`` value that its login cookies carry:
replacing it (`end_sessions`: at logout, on a new password) or removing the
account ends every session of that login at once, on every worker, since each
workspace request reads it (`session_of`). The built-in ``admin`` account's
password is ``CORESP_ADMIN_PASSWORD`` (never stored): its row holds only its
session value, made at its first login (`builtin_session`).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from coresp_survey.answers import database

ROLES = ("admin", "coordinator", "moderator")
BUILTIN = "admin"
"""The login whose password is ``CORESP_ADMIN_PASSWORD``: never added, changed or removed by the command."""
LOGIN = re.compile(r"[a-z][a-z0-9._-]{1,39}")
"""Lowercase letters, digits, ``.``, ``_`` and ``-``, starting with a letter (``ana``, ``m.durand``)."""

PARTICIPATION = "participation"
MODERATION = "moderation"
BUILDING = "building"
PLANNING = "planning"
SESSIONS = "sessions"
"""Recording group sessions (coordinators): moderating their criteria is MODERATION."""
PERMISSIONS = {
    "admin": frozenset({PARTICIPATION, MODERATION, BUILDING, PLANNING, SESSIONS}),
    "coordinator": frozenset({PARTICIPATION, MODERATION, BUILDING, PLANNING, SESSIONS}),
    "moderator": frozenset({MODERATION}),
}
"""What each role may do in its surveys. A new kind of work (group sessions, action plans) is a new name here."""


class AccountRefused(ValueError):
    """An account that cannot be added or changed as asked; the message says why."""


@dataclass(frozen=True)
class Account:
    login: str
    role: str
    surveys: tuple[str, ...]
    """The surveys named for it; an admin's are every survey, whatever this says."""
    builtin: bool = False

    def sees(self, survey_id: str) -> bool:
        return self.role == "admin" or survey_id in self.surveys

    def may(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())

    def visible(self, survey_ids: Iterable[str]) -> list[str]:
        """The ids among ``survey_ids`` that exist for this account, in their order."""
        return [survey_id for survey_id in survey_ids if self.sees(survey_id)]


def normal_login(typed: str) -> str:
    """A login as typed on the form: spaces around it dropped, in lower case (``Ana`` is ``ana``)."""
    return typed.strip().lower()


def check_account(login: str, role: str, surveys: Iterable[str], known: Iterable[str]) -> tuple[str, ...]:
    """The account's surveys, checked: a well-formed login, a known role, surveys that exist (`AccountRefused`)."""
    if not LOGIN.fullmatch(login):
        raise AccountRefused(
            f"{login!r} cannot be a login: 2 to 40 lowercase letters, digits, '.', '_' or '-', starting with a letter"
        )
    if login == BUILTIN:
        raise AccountRefused("'admin' is the built-in account: its password is CORESP_ADMIN_PASSWORD")
    if role not in ROLES:
        raise AccountRefused(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    named = tuple(dict.fromkeys(surveys))
    unknown = sorted(set(named) - set(known))
    if unknown:
        raise AccountRefused(f"no survey {', '.join(unknown)} (known: {', '.join(sorted(known)) or 'none'})")
    if role == "admin" and named:
        raise AccountRefused("an admin sees every survey: name surveys only for a coordinator or a moderator")
    if role != "admin" and not named:
        raise AccountRefused(f"a {role} needs at least one --survey")
    return named


def add_account(db: Database, *, login: str, role: str, surveys: tuple[str, ...], password_hash: str, at: str) -> None:
    """Store a new account (`AccountRefused` if the login is taken)."""
    with database.write(db):
        if _row(db, login) is not None:
            raise AccountRefused(f"there is already an account {login!r}")
        db.execute(
            "INSERT INTO accounts (login, role, surveys, password_hash, session, created, changed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [login, role, database.to_json(list(surveys)), password_hash, _new_session(), at, at],
        )


def remove_account(db: Database, login: str) -> bool:
    """Remove the account (its sessions end with it); False if there was none."""
    with database.write(db):
        return db.execute("DELETE FROM accounts WHERE login = ? AND password_hash IS NOT NULL", [login]).rowcount > 0


def set_password(db: Database, login: str, password_hash: str, at: str) -> bool:
    """A new password, which ends every session of the account; False if there is no such account."""
    with database.write(db):
        changed = db.execute(
            "UPDATE accounts SET password_hash = ?, session = ?, changed = ? WHERE login = ? AND password_hash IS NOT NULL",
            [password_hash, _new_session(), at, login],
        ).rowcount
    return changed > 0


def rehash(db: Database, login: str, old_hash: str, new_hash: str) -> None:
    """Store a hash made with today's parameters in place of ``old_hash`` (sessions go on: same password)."""
    with database.write(db):
        db.execute(
            "UPDATE accounts SET password_hash = ? WHERE login = ? AND password_hash = ?", [new_hash, login, old_hash]
        )


def password_hash(db: Database, login: str) -> str | None:
    """The stored hash of a named account; None for an unknown login and for the built-in ``admin``."""
    row = _row(db, login)
    return row["password_hash"] if row is not None else None


def get_account(db: Database, login: str) -> Account | None:
    row = _row(db, login)
    return _account(row) if row is not None else None


def list_accounts(db: Database) -> list[Account]:
    """The named accounts, by login (not the built-in ``admin``)."""
    rows = database.select(db, "SELECT * FROM accounts WHERE password_hash IS NOT NULL ORDER BY login")
    return [_account(row) for row in rows]


def has_accounts(db: Database) -> bool:
    return database.select(db, "SELECT 1 FROM accounts WHERE password_hash IS NOT NULL LIMIT 1").fetchone() is not None


def builtin_account() -> Account:
    return Account(login=BUILTIN, role="admin", surveys=(), builtin=True)


def builtin_session(db: Database, at: str) -> str:
    """The built-in admin's session value, made at its first login."""
    with database.write(db):
        db.execute(
            "INSERT INTO accounts (login, role, surveys, password_hash, session, created, changed)"
            " VALUES (?, 'admin', '[]', NULL, ?, ?, ?) ON CONFLICT (login) DO NOTHING",
            [BUILTIN, _new_session(), at, at],
        )
    return session_of(db, BUILTIN) or ""


def session_of(db: Database, login: str) -> str | None:
    """The session value that the login's cookies must carry; None when the account is gone."""
    row = _row(db, login)
    return row["session"] if row is not None else None


def end_sessions(db: Database, login: str) -> None:
    """End every session of ``login`` on every worker: its cookies no longer match."""
    with database.write(db):
        db.execute("UPDATE accounts SET session = ? WHERE login = ?", [_new_session(), login])


def _row(db: Database, login: str):
    return database.select(db, "SELECT * FROM accounts WHERE login = ?", [login]).fetchone()


def _account(row) -> Account:
    builtin = row["password_hash"] is None
    return Account(login=row["login"], role=row["role"], surveys=tuple(json.loads(row["surveys"])), builtin=builtin)


def _new_session() -> str:
    return secrets.token_urlsafe(18)
