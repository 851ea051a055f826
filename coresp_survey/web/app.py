"""The live web app: the respondents' forms and the coordination group's workspace, in one Flask app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from coresp_survey import config
from coresp_survey.answers import definitions
from coresp_survey.answers.database import connect
from coresp_survey.survey.catalog import load_catalog
from coresp_survey.web import accounts
from coresp_survey.web import actions
from coresp_survey.web import admin
from coresp_survey.web import database
from coresp_survey.web import errors
from coresp_survey.web import group_sessions
from coresp_survey.web import languages
from coresp_survey.web import respond
from coresp_survey.web import security
from coresp_survey.web import templating

WORKSPACE_PARTS = (admin, group_sessions)
"""Modules whose routes make up the workspace's blueprint (imported for their routes)."""
PACKAGE = "coresp_survey"
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the web app; refuse to start if any survey file has a problem (SurveyInvalid) or the secret key is
    too short (`config.SecretKeyTooShort`)."""
    app = Flask(PACKAGE, root_path=str(PACKAGE_DIR))  # templates/ and static/ are the package's
    app.config.update(config.SECURE_DEFAULTS)
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.config["DATABASE"].parent)
    config.check_secret_key(app.config["SECRET_KEY"])
    app.extensions["surveys"] = load_catalog(app.config["SURVEYS_DIR"])
    database.init_app(app)
    keep_survey_versions(app)
    languages.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    accounts.init_app(app)
    app.register_blueprint(respond.bp)
    app.register_blueprint(admin.bp)  # with the routes of group_sessions, which add themselves to it
    app.register_blueprint(actions.bp)
    return app


def keep_survey_versions(app: Flask) -> None:
    """Save each survey file for its current round, as answers collected from now on are given to it.

    Each worker does it at start; the transaction makes them queue, and a file
    already saved as its round's latest version is not saved again.
    """
    db = connect(app.config["DATABASE"])
    try:
        definitions.save_current(db, app.extensions["surveys"].values())
    finally:
        db.close()
