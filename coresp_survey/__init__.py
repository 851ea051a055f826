"""coresp-survey: bilingual questionnaires from files, answers stored, indicators published."""

from __future__ import annotations

from flask import Flask

from . import admin
from . import config
from . import database
from . import definitions
from . import errors
from . import i18n
from . import respond
from . import security
from . import storage
from . import templating
from .survey.catalog import load_catalog


def create_app(test_config: dict | None = None) -> Flask:
    """Build the web app; refuse to start (SurveyInvalid) if any survey file has a problem."""
    app = Flask(__name__)
    app.config.update(config.SECURE_DEFAULTS)
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.config["DATABASE"].parent)
    app.extensions["surveys"] = load_catalog(app.config["SURVEYS_DIR"])
    database.init_app(app)
    keep_survey_versions(app)
    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    app.register_blueprint(respond.bp)
    app.register_blueprint(admin.bp)
    return app


def keep_survey_versions(app: Flask) -> None:
    """Save each survey file for its current round, as answers collected from now on are given to it.

    Each worker does it at start; the transaction makes them queue, and a file
    already saved as its round's latest version is not saved again.
    """
    db = storage.connect(app.config["DATABASE"], prepare=False)
    try:
        definitions.save_current(db, app.extensions["surveys"].values())
    finally:
        db.close()
