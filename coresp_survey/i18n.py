"""Interface languages: which one a request uses, message catalogs, number formats.

Survey text comes from the survey files; these catalogs translate the interface only.
"""

from __future__ import annotations

from pathlib import Path

import flask_babel
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask import g
from flask import has_request_context
from flask import request
from flask_babel import Babel

from coresp_survey.survey.model import SUPPORTED_LANGUAGES

LANGUAGES = SUPPORTED_LANGUAGES
DEFAULT_LANGUAGE = "fr"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
"""The catalogs live inside the package, so that an installed wheel has them."""

babel = Babel()


def init_app(app: Flask) -> None:
    compile_catalogs(TRANSLATIONS)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=current_language)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES)
    app.jinja_env.filters["decimal"] = format_decimal


def current_language() -> str:
    """The language of the URL (``/<lang>/…``), else the browser's preference."""
    lang = g.get("lang") if has_request_context() else None
    return lang or preferred_language()


def preferred_language() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def format_decimal(value: float | int) -> str:
    """A number in the current language: ``1 234,5`` in French, ``1,234.5`` in English."""
    return flask_babel.format_decimal(value)


def compile_catalogs(directory: Path) -> None:
    """Compile each ``.po`` whose ``.mo`` is missing or older, so no manual step is needed."""
    for po_path in directory.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        temporary = mo_path.with_suffix(f".mo.{id(catalog)}")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        temporary.replace(mo_path)
