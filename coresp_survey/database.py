"""The web app's database connection: one per worker thread, kept between requests.

Opening and closing SQLite for every request is costly in WAL mode: the last
connection to close checkpoints and deletes the WAL file, which the next write
creates again. A kept connection avoids that churn; it is never shared across
threads or a fork.
"""

from __future__ import annotations

import os
import threading
from datetime import date
from datetime import timedelta

from flask import Flask
from flask import current_app
from sqlite_utils import Database

from . import storage


def init_app(app: Flask) -> None:
    """Create the file and its schema at start, and forget drafts abandoned long ago."""
    db = storage.connect(app.config["DATABASE"])
    storage.delete_old_drafts(db, (date.today() - timedelta(days=app.config["DRAFT_DAYS"])).isoformat())
    db.close()
    app.extensions["database"] = threading.local()


def get_db() -> Database:
    kept = current_app.extensions["database"]
    if getattr(kept, "pid", None) != os.getpid():
        kept.db = storage.connect(current_app.config["DATABASE"], prepare=False)
        kept.pid = os.getpid()
    return kept.db
