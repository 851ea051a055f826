"""The web app's database connections: one per worker thread and file, kept between requests.

Opening and closing SQLite for every request is costly in WAL mode: the last
connection to close checkpoints and deletes the WAL file, which the next write
creates again. A kept connection avoids that churn; it is never shared across
threads or a fork. The invitation codes' file (no WAL) gets its own kept
connection too.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import date
from datetime import timedelta

from flask import Flask
from flask import current_app
from sqlite_utils import Database

from coresp_survey.answers import database
from coresp_survey.answers import drafts


def init_app(app: Flask) -> None:
    """Create the files and their schema at start (migrating them: each worker does, one at a time),
    and forget drafts abandoned long ago: the serving app alone prunes them, never a command."""
    db = database.prepare(app.config["DATABASE"])
    drafts.delete_old_drafts(db, (date.today() - timedelta(days=app.config["DRAFT_DAYS"])).isoformat())
    db.close()
    app.extensions["database"] = threading.local()
    app.extensions["codes_database"] = threading.local()


def get_db() -> Database:
    """The responses database (drafts, responses, the workspace)."""
    return _kept("database", database.connect)


def get_codes_db() -> Database:
    """The invitation codes' own file."""
    return _kept("codes_database", database.connect_codes)


def _kept(name: str, connect: Callable[..., Database]) -> Database:
    kept = current_app.extensions[name]
    if getattr(kept, "pid", None) != os.getpid():
        kept.db = connect(current_app.config["DATABASE"])
        kept.pid = os.getpid()
    return kept.db
