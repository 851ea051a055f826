"""One database connection per request, opened when first needed and closed after."""

from __future__ import annotations

from flask import Flask
from flask import current_app
from flask import g
from sqlite_utils import Database

from . import storage


def init_app(app: Flask) -> None:
    storage.connect(app.config["DATABASE"]).close()  # create the file and its schema once, at start
    app.teardown_appcontext(close_db)


def get_db() -> Database:
    if "db" not in g:
        g.db = storage.connect(current_app.config["DATABASE"])
    return g.db


def close_db(error: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()
