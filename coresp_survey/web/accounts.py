"""Who is at the workspace: logging in and out, the current login, and what it may see and do.

- A login is one of the accounts (`workspace.accounts`, made with
  ``coresp-survey users add``) or the built-in ``admin``, whose password is
  ``CORESP_ADMIN_PASSWORD``; with neither, the workspace is off.
- Passwords are checked against their Argon2 hash (an unknown login against a
  dummy one: as slow); attempts are throttled per login, across every worker
  (`workspace.logins`).
- A login lives in the signed session cookie (the only cookie) with its
  account's session value, checked on every workspace request: logging out,
  a new password or a removed account ends it at once, on every worker. It
  also lasts ``ADMIN_IDLE_MINUTES`` without activity and at most
  ``ADMIN_MAX_HOURS``.
- What an account may do is checked in one place, `check_access`, run before
  every workspace request: each view says what it needs with `requires`; a
  view that says nothing answers 404 to everyone; a survey outside the
  account's scope answers 404; a permission its role lacks, 403. Lists and
  counts read `visible_surveys`, never the whole catalog.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from flask import Flask
from flask import abort
from flask import current_app
from flask import g
from flask import request
from flask import session

from coresp_survey.survey.model import Survey
from coresp_survey.web.database import get_db
from coresp_survey.workspace import accounts
from coresp_survey.workspace import logins
from coresp_survey.workspace import passwords
from coresp_survey.workspace.accounts import Account

SESSION_KEY = "admin"
REQUIRED = "workspace_permission"
"""The attribute `requires` sets on a view: the permission it needs (None: any logged-in account)."""
ANY_ACCOUNT = None


def clock() -> float:
    """The time attempts are throttled by (the tests of many workers fix it)."""
    return time.time()


def init_app(app: Flask) -> None:
    """Hash the built-in admin's password once per worker, in memory only; make the dummy hash before any login."""
    given = app.config.get("ADMIN_PASSWORD")
    app.extensions["builtin_admin"] = passwords.hash_password(given) if given else None
    passwords.check_nothing("")


def enabled() -> bool:
    return bool(current_app.config.get("ADMIN_PASSWORD")) or accounts.has_accounts(get_db())


# -- who is logged in ----------------------------------------------------------------


def current_account() -> Account | None:
    """The account of this request's login (set by `logged_in`), None before."""
    return g.get("account")


def current_login() -> str:
    """The login doing what this request does: what decisions and builds record as "who"."""
    account = current_account()
    if account is None:
        raise RuntimeError("no login: call current_login() only from a workspace view behind check_access")
    return account.login


def visible_surveys() -> dict[str, Survey]:
    """The surveys that exist for the current account, in the catalog's order: every list and count reads these."""
    account = current_account()
    catalog = current_app.extensions["surveys"]
    if account is None:
        return {}
    return {survey_id: catalog[survey_id] for survey_id in account.visible(catalog)}


# -- what a view needs ---------------------------------------------------------------


def requires(permission: str | None) -> Callable:
    """Declare what a workspace view needs: a permission of `workspace.accounts` (or `ANY_ACCOUNT`)."""

    def declare(view: Callable) -> Callable:
        setattr(view, REQUIRED, permission)
        return view

    return declare


def check_access() -> None:
    """Run before every workspace view (the login already checked): 404 for what the account may not see, 403 for
    what its role may not do."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or not hasattr(view, REQUIRED):
        abort(404)  # a view that does not say what it needs is reachable by nobody
    survey_id = (request.view_args or {}).get("survey_id")
    if survey_id is not None and survey_id not in visible_surveys():
        abort(404)
    needed = getattr(view, REQUIRED)
    if needed is not ANY_ACCOUNT and not current_account().may(needed):
        abort(403)


# -- logging in and out --------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    logged_in: bool
    wait: float = 0.0
    """Seconds before this login may be tried again (0: now)."""
    checked: bool = True
    """False when the attempt was refused unchecked, the login having to wait."""


def log_in(typed_login: str, given: str) -> LoginOutcome:
    """Check the login and password (if the login may be tried now); on success start a fresh workspace session."""
    db = get_db()
    login = accounts.normal_login(typed_login)
    attempt = logins.begin_attempt(db, login, clock())
    if not attempt.allowed:
        return LoginOutcome(logged_in=False, wait=attempt.wait, checked=False)
    stored = _stored_hash(login)
    verified = passwords.check(stored, given) if stored else passwords.check_nothing(given)
    if not verified.matches:
        return LoginOutcome(logged_in=False, wait=attempt.wait)
    logins.succeeded(db, login, attempt)
    if login == accounts.BUILTIN:
        accounts.builtin_session(db, _now())
    elif verified.needs_rehash:
        accounts.rehash(db, login, stored, passwords.hash_password(given))
    lang = session.get("admin_lang")
    session.clear()  # a fresh session: nothing carried over from before the login but the language
    if lang:
        session["admin_lang"] = lang
    now = time.time()
    session[SESSION_KEY] = {"login": login, "session": _session_value(login), "since": now, "seen": now}
    return LoginOutcome(logged_in=True)


def _stored_hash(login: str) -> str | None:
    if login == accounts.BUILTIN:
        return current_app.extensions.get("builtin_admin")
    if not accounts.LOGIN.fullmatch(login):
        return None
    return accounts.password_hash(get_db(), login)


def _session_value(login: str) -> str | None:
    """What the login's cookie must carry now; None when it cannot be logged in (removed, no built-in password).

    The built-in admin's also depends on ``CORESP_ADMIN_PASSWORD``: a new one
    ends the sessions opened with the old.
    """
    stored = accounts.session_of(get_db(), login)
    if stored is None or login != accounts.BUILTIN:
        return stored
    given = current_app.config.get("ADMIN_PASSWORD")
    if not given:
        return None
    mark = hmac.new(current_app.config["SECRET_KEY"].encode(), given.encode(), hashlib.sha256).hexdigest()[:16]
    return f"{stored}.{mark}"


def log_out() -> None:
    """End every session of this login, here and on every other computer and worker."""
    login = session.pop(SESSION_KEY, None)
    if isinstance(login, dict) and isinstance(login.get("login"), str):
        accounts.end_sessions(get_db(), login["login"])


def logged_in() -> bool:
    """True while the login is fresh and its account's session value unchanged; refreshes its idle timer."""
    login = session.get(SESSION_KEY)
    if not isinstance(login, dict) or not isinstance(login.get("login"), str):
        return False
    now = time.time()
    idle = current_app.config["ADMIN_IDLE_MINUTES"] * 60
    longest = current_app.config["ADMIN_MAX_HOURS"] * 3600
    if now - login.get("seen", 0) > idle or now - login.get("since", 0) > longest:
        session.pop(SESSION_KEY, None)
        return False
    expected = _session_value(login["login"])
    if expected is None or not hmac.compare_digest(expected, str(login.get("session", ""))):
        session.pop(SESSION_KEY, None)  # logged out elsewhere, a new password, or the account removed
        return False
    account = (
        accounts.builtin_account()
        if login["login"] == accounts.BUILTIN
        else accounts.get_account(get_db(), login["login"])
    )
    if account is None:
        session.pop(SESSION_KEY, None)
        return False
    g.account = account
    if now - login["seen"] > 60:  # re-sign the cookie at most once a minute
        session[SESSION_KEY] = {**login, "seen": now}
    return True


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
