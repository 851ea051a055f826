"""The live app's language: the one in the URL, else the browser's preference; Flask-Babel reads the catalogs."""

from __future__ import annotations

import flask_babel
from flask import Flask
from flask import g
from flask import has_request_context
from flask import request
from flask_babel import Babel

from coresp_survey.i18n import DEFAULT_LANGUAGE
from coresp_survey.i18n import LANGUAGE_NAMES
from coresp_survey.i18n import LANGUAGES
from coresp_survey.i18n import TRANSLATIONS
from coresp_survey.i18n import Language
from coresp_survey.i18n import check_catalogs
from coresp_survey.i18n import language

babel = Babel()


def init_app(app: Flask) -> None:
    """Refuse to start without compiled catalogs (`i18n.CatalogMissing`): /fr/ would be served in English."""
    check_catalogs()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=current_language)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES)


def current_language() -> str:
    """The language of the URL (``/<lang>/…``), else the browser's preference."""
    lang = g.get("lang") if has_request_context() else None
    return lang or preferred_language()


def preferred_language() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def request_language() -> Language:
    """The `i18n.Language` of the locale Flask-Babel uses now (the request's, or one forced with ``force_locale``)."""
    locale = flask_babel.get_locale()
    return language(str(locale) if locale else DEFAULT_LANGUAGE)


def format_decimal(value: float | int) -> str:
    """A number in the current language: ``1 234,5`` in French, ``1,234.5`` in English."""
    return request_language().number(value)
