"""What every template of the live app may use: the request's formats, survey text filters, language twins."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from typing import Any

from flask import Flask
from flask import current_app
from flask import g
from flask import request
from flask import url_for
from werkzeug.routing import BuildError

from coresp_survey.i18n import DEFAULT_LANGUAGE
from coresp_survey.i18n import LANGUAGES
from coresp_survey.publish.renderer import FILTERS
from coresp_survey.web.languages import format_decimal
from coresp_survey.web.languages import request_language


def init_app(app: Flask) -> None:
    """The environment set up as the publishing renderer's is (`publish.renderer`), plus the request's formats."""
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.filters.update(decimal=format_decimal, percent=percent, date_long=date_long, when=when)
    app.context_processor(template_globals)


# The filters are the request's `i18n.Language` (``fmt`` in templates) under the names the pages use.


def percent(share: float | None) -> str:
    return request_language().percent(share)


def date_long(day: date) -> str:
    return request_language().day(day)


def when(moment: datetime | str) -> str:
    """A time (a datetime or an ISO string, as the database keeps them) in the page's language, in UTC."""
    return request_language().moment(moment)


def template_globals() -> dict:
    """``language_twins`` is a function: pages that know their twins pass ``twins`` instead."""
    return {"language_twins": language_twins, "default_language": DEFAULT_LANGUAGE, "fmt": request_language()}


def language_twins() -> dict[str, str]:
    """The current page in each interface language (on a survey's pages, in each of the survey's)."""
    if not request.endpoint or request.view_args is None or not g.get("lang"):
        return {}
    survey = current_app.extensions["surveys"].get(request.view_args.get("survey_id", ""))
    return twins(request.endpoint, request.view_args, survey.languages if survey else LANGUAGES)


def twins(endpoint: str, values: Mapping[str, Any], languages: Iterable[str]) -> dict[str, str]:
    """The page ``endpoint`` with ``values`` in each of ``languages``: the live app's "other language" links.

    ``lang`` goes into the path where the route has ``<lang>``, into the query
    string where it has not (the workspace); a language the route cannot be
    built for is left out. The published site has no routes and no server: it
    links files relatively, so it makes its own (`publish.pages.twins`).
    """
    found = {}
    for lang in languages:
        try:
            found[lang] = url_for(endpoint, **{**values, "lang": lang})
        except BuildError:
            continue
    return found
