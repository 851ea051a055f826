"""Error pages in the visitor's language: the same look as the rest of the site."""

from __future__ import annotations

import logging

from flask import Flask
from flask import render_template
from flask import request
from flask import session
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from coresp_survey.answers import drafts
from coresp_survey.web.database import get_db


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, server_error)


def titles() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("The request could not be understood"),
            _("Something in what your browser sent was not right. Please go back and try again."),
        ),
        403: (_("Not allowed"), _("Your account may not do this. Ask an admin of the workspace if you need to.")),
        404: (
            _("Page not found"),
            _("This address does not match any page. It may have been mistyped, or the survey may have been removed."),
        ),
        405: (_("Not allowed"), _("This page cannot be used this way.")),
        413: (_("Too much data"), _("What you sent is too large. Please shorten your longest answers and try again.")),
        500: (_("Something went wrong"), _("An error occurred on our side. Please try again in a moment.")),
    }


def render_error(status: int, message: str | None = None):
    title, default_message = titles().get(status, (_("Error"), _("Something went wrong.")))
    return render_template("error.html", title=title, message=message or default_message), status


def http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return render_error(error.code)


def server_error(error: Exception):
    logging.getLogger(__name__).exception("unhandled error")
    if has_saved_pages():
        return render_error(
            500, _("An error occurred on our side. Your previous pages are saved; please try again in a moment.")
        )
    return render_error(500)


def has_saved_pages() -> bool:
    """Whether this browser has unfinished answers saved for the survey at this address: say so only then."""
    survey_id = (request.view_args or {}).get("survey_id")
    if request.blueprint != "respond" or not survey_id:
        return False
    try:
        key = session.get("drafts", {}).get(survey_id)
        draft = drafts.get_draft(get_db(), key)
    except Exception:  # the error may be the database's own: claim nothing
        logging.getLogger(__name__).exception("cannot tell whether pages are saved")
        return False
    return draft is not None and draft.survey == survey_id and not draft.submitted
