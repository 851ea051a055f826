"""coresp-survey: bilingual questionnaires from files, answers stored, indicators published.

The package's folders follow the flow: ``survey`` (files to the model) →
``answers`` (forms, the walk through pages, storage) → ``workspace`` (the
coordination group's records) → ``figures`` (pure numbers) → ``publish`` (the
static site and PDFs); ``web`` is the live app beside them, ``cli`` the
command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """The web app (the WSGI entry ``coresp_survey:create_app()``); Flask is imported only when it is made."""
    from coresp_survey.web.app import create_app as make_app

    return make_app(test_config)
