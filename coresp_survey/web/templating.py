"""What every template may use: filters for survey text and dates, language twins."""

from __future__ import annotations

import re
from datetime import datetime

import flask_babel
from flask import Flask
from flask import current_app
from flask import g
from flask import request
from flask import url_for
from markupsafe import Markup
from markupsafe import escape
from werkzeug.routing import BuildError

from coresp_survey.i18n import DEFAULT_LANGUAGE
from coresp_survey.i18n import LANGUAGES

BLANK_LINES = re.compile(r"\n\s*\n")


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["date_long"] = lambda day: flask_babel.format_date(day, "long")
    app.jinja_env.filters["percent"] = flask_babel.format_percent
    app.jinja_env.filters["when"] = when
    app.context_processor(template_globals)


def paragraphs(text: str) -> Markup:
    """Survey text (untrusted) as escaped paragraphs; single newlines become line breaks."""
    parts = [part.strip() for part in BLANK_LINES.split(text or "") if part.strip()]
    return Markup("\n").join(
        Markup("<p>%s</p>") % Markup("<br>").join(escape(line) for line in part.split("\n")) for part in parts
    )


def when(moment: datetime | str) -> str:
    """A time (a datetime or an ISO string, as the database keeps them) in the page's language and time zone."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return flask_babel.format_datetime(moment, "medium")


def template_globals() -> dict:
    """``language_twins`` is a function: pages that know their twins pass ``twins`` instead."""
    return {"language_twins": language_twins, "default_language": DEFAULT_LANGUAGE}


def language_twins() -> dict[str, str]:
    """The current page in each interface language (pages may narrow this to a survey's)."""
    if not request.endpoint or request.view_args is None or not g.get("lang"):
        return {}
    survey = current_app.extensions["surveys"].get(request.view_args.get("survey_id", ""))
    twins = {}
    for lang in survey.languages if survey else LANGUAGES:
        try:
            twins[lang] = url_for(request.endpoint, **{**request.view_args, "lang": lang})
        except BuildError:
            continue
    return twins
