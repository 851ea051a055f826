"""Who may enter the coordination group's workspace: one shared password, checked carefully.

- The password is ``CORESP_ADMIN_PASSWORD``; without it the workspace is off.
- Comparison in constant time (of two digests, so the length leaks nothing).
- After ``ADMIN_MAX_FAILURES`` failed logins within ``ADMIN_LOCK_MINUTES``,
  logins are refused until the window has passed. Failures are kept in SQLite,
  so the limit holds across every gunicorn worker; no address is stored (the
  product stores none), so the lock is for everyone, which is the price of
  not tracking people.
- A login lasts ``ADMIN_IDLE_MINUTES`` without activity and at most
  ``ADMIN_MAX_HOURS``; it lives in the signed session cookie (the only cookie).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app
from flask import session

from coresp_survey.web.database import get_db
from coresp_survey.workspace import logins

SESSION_KEY = "admin"


def enabled() -> bool:
    return bool(current_app.config.get("ADMIN_PASSWORD"))


def password_matches(given: str) -> bool:
    expected = hashlib.sha256(current_app.config["ADMIN_PASSWORD"].encode()).digest()
    return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), expected)


def locked_for(now: float | None = None) -> int:
    """Seconds until a login may be tried again; 0 when it may be tried now."""
    now = time.time() if now is None else now
    window = current_app.config["ADMIN_LOCK_MINUTES"] * 60
    failures = logins.login_failures_since(get_db(), now - window)
    limit = current_app.config["ADMIN_MAX_FAILURES"]
    if len(failures) < limit:
        return 0
    return max(1, int(failures[-limit] + window - now) + 1)


def log_in(given: str) -> bool:
    """Check the password; on success start a fresh admin session, on failure record it."""
    now = time.time()
    if not password_matches(given):
        logins.record_login_failure(get_db(), now)
        return False
    logins.clear_login_failures(get_db())
    lang = session.get("admin_lang")
    session.clear()  # a fresh session: nothing carried over from before the login but the language
    if lang:
        session["admin_lang"] = lang
    session[SESSION_KEY] = {"since": now, "seen": now}
    return True


def log_out() -> None:
    session.pop(SESSION_KEY, None)


def logged_in() -> bool:
    """True while the login is fresh; refreshes its idle timer, ends it when too old."""
    login = session.get(SESSION_KEY)
    if not isinstance(login, dict):
        return False
    now = time.time()
    idle = current_app.config["ADMIN_IDLE_MINUTES"] * 60
    longest = current_app.config["ADMIN_MAX_HOURS"] * 3600
    if now - login.get("seen", 0) > idle or now - login.get("since", 0) > longest:
        log_out()
        return False
    if now - login["seen"] > 60:  # re-sign the cookie at most once a minute
        session[SESSION_KEY] = {**login, "seen": now}
    return True
