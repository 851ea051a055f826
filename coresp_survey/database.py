"""One database connection per request, opened when first needed and closed after."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from flask import Flask
from flask import current_app
from flask import g
from sqlite_utils import Database

from . import storage


def init_app(app: Flask) -> None:
    """Create the file and its schema at start, and forget drafts abandoned long ago."""
    db = storage.connect(app.config["DATABASE"])
    storage.delete_old_drafts(db, (date.today() - timedelta(days=app.config["DRAFT_DAYS"])).isoformat())
    db.close()
    app.teardown_appcontext(close_db)


def get_db() -> Database:
    if "db" not in g:
        g.db = storage.connect(current_app.config["DATABASE"], prepare=False)
    return g.db


def close_db(error: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()
