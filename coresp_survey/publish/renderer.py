"""The package's templates rendered without a web app: Jinja2 and the interface's catalogs, escaping on.

The static site, the PDF report and the invitation slips are made by the
command line, which needs no Flask app (making one migrates the database and
prunes drafts). Their environment is set up as the live app's is: the
package's ``templates/``, blocks trimmed, every template autoescaped (HTML and
the XML sitemap alike: survey text is untrusted), and ``jinja2.ext.i18n`` with
newstyle gettext, as Flask-Babel installs it. So a translated string counts as
the template's own markup and each value filled into its ``%(name)s`` is
escaped, on the published pages as in the forms.

There is one environment per language: the catalog's ``_``/``ngettext`` and
the language's formats (``fmt``, an `i18n.Language`) are globals of the
environment, so macros imported without context translate and format too.
"""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path
from typing import Any

from jinja2 import Environment
from jinja2 import FileSystemLoader
from markupsafe import Markup
from markupsafe import escape

from coresp_survey.i18n import LANGUAGE_NAMES
from coresp_survey.i18n import LANGUAGES
from coresp_survey.i18n import Language
from coresp_survey.i18n import language
from coresp_survey.publish import presenting

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
BLANK_LINES = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> Markup:
    """Survey text (untrusted) as escaped paragraphs; single newlines become line breaks."""
    parts = [part.strip() for part in BLANK_LINES.split(text or "") if part.strip()]
    return Markup("\n").join(
        Markup("<p>%s</p>") % Markup("<br>").join(escape(line) for line in part.split("\n")) for part in parts
    )


FILTERS = {"paragraphs": paragraphs}
"""The filters every template may use, here and in the live app."""


class Renderer:
    """Renders the package's templates in any interface language, each environment made once."""

    def __init__(self, templates: Path = TEMPLATES) -> None:
        self.loader = FileSystemLoader(templates)
        self._environments: dict[str, Environment] = {}
        self._making = threading.Lock()

    def render(self, template: str, lang: str, /, **context: Any) -> str:
        """``template`` filled with ``context`` and ``lang`` (the page's language), its interface text in ``lang``."""
        return self.environment(lang).get_template(template).render(lang=lang, **context)

    def environment(self, lang: str) -> Environment:
        with self._making:  # the workspace builds in a thread while a command may render too
            if lang not in self._environments:
                self._environments[lang] = environment(self.loader, language(lang))
            return self._environments[lang]


def environment(loader: FileSystemLoader, lang: Language) -> Environment:
    """An environment whose templates speak ``lang``: its catalog, its number and date formats."""
    env = Environment(
        loader=loader,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(lang.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(FILTERS)
    env.globals.update(
        fmt=lang,
        change_verdict=functools.partial(presenting.change_verdict, lang=lang),
        change_sentence=functools.partial(presenting.change_sentence, lang=lang),
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
    )
    return env


@functools.cache
def shared() -> Renderer:
    """One renderer for the process: a server that builds the site often compiles each template once."""
    return Renderer()
