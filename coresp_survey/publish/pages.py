"""Where each file of the published site lives, and the relative links between them.

Every link is relative and names a file (``../index.html``, never ``../``), so
the site works under any path of any web host and straight from disk
(``file://``). Paths here are site-relative, with ``/`` separators.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from collections.abc import Iterable

ROOT = "index.html"
"""The bilingual page at the top of the site that leads to each language's home."""
SITEMAP = "sitemap.xml"


def home(lang: str) -> str:
    return f"{lang}/index.html"


def methodology(lang: str) -> str:
    return f"{lang}/methodology.html"


def overview(lang: str, survey_id: str) -> str:
    return f"{lang}/{survey_id}/index.html"


def criteria(lang: str, survey_id: str) -> str:
    """What the groups said well-being means (approved open answers)."""
    return f"{lang}/{survey_id}/criteria.html"


def indicator(lang: str, survey_id: str, indicator_id: str) -> str:
    """In a folder of their own: an indicator may be called ``index`` or ``report``."""
    return f"{lang}/{survey_id}/indicators/{indicator_id}.html"


def actions(lang: str, survey_id: str) -> str:
    """What is being done: the survey's action plan."""
    return f"{lang}/{survey_id}/actions.html"


def action(lang: str, survey_id: str, action_id: str) -> str:
    """In a folder of their own, as indicators: an action may be called ``index``."""
    return f"{lang}/{survey_id}/actions/{action_id}.html"


def report(lang: str, survey_id: str) -> str:
    return f"{lang}/{survey_id}/report.pdf"


def data(survey_id: str, name: str) -> str:
    return f"data/{survey_id}/{name}"


def asset(name: str) -> str:
    return f"assets/{name}"


def twins(languages: Iterable[str], page: Callable[..., str], *names: str) -> dict[str, str]:
    """The same page in each language, ``{lang: page(lang, *names)}``: the site's "other language" links.

    The live app builds its own from its routes (`web.templating.twins`): those
    are URLs a server answers, these are files with no server behind them,
    linked relatively from each page (`Links.to`) so the site works from any
    folder.
    """
    return {lang: page(lang, *names) for lang in languages}


class Links:
    """Links from one page to any other file of the site, relative or (with a base URL) absolute."""

    def __init__(self, page: str, assets: dict[str, str], base_url: str | None) -> None:
        self.page = page
        self.assets = assets
        self.base_url = base_url

    def to(self, path: str) -> str:
        return posixpath.relpath(path, posixpath.dirname(self.page) or ".")

    def asset(self, name: str) -> str:
        """A stylesheet or image by its source name, linked under its content-hashed name."""
        return self.to(self.assets[name])

    def absolute(self, path: str) -> str | None:
        """The page's public address, when the site was built with ``--base-url``."""
        return absolute(self.base_url, path)


def absolute(base_url: str | None, path: str) -> str | None:
    if not base_url:
        return None
    return base_url.rstrip("/") + "/" + path
