"""Printable invitation slips: one invitation code per slip, eight slips per A4 page, cut along dashed lines.

Codes are stored hashed, so slips can only be printed when the codes are made
(`coresp-survey codes … --pdf FILE`). Each slip says, in every language of the
survey, what the survey is, that it is anonymous, until when it is open and
where to answer, then shows the code large in a monospace face and the group.

What a slip says in one language is the same on every slip of a batch: it is
worded once per language (`i18n.Language`) and the page template only lays it
out. The HTML is rendered by the publishing `renderer.Renderer` (autoescaping
on: survey text is untrusted) and printed by WeasyPrint with the report's
`StaticFetcher`, which reads the package's ``static/`` folder and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import weasyprint

from coresp_survey.i18n import language
from coresp_survey.publish.renderer import Renderer
from coresp_survey.publish.report import STATIC
from coresp_survey.publish.report import StaticFetcher
from coresp_survey.survey.model import Group
from coresp_survey.survey.model import Survey

TEMPLATE = "slips/slips.html"
COLUMNS = 2
ROWS = 4
SLIPS_PER_PAGE = COLUMNS * ROWS


class BadAddress(ValueError):
    """The public address given for the slips is not an http(s) address of a host."""


@dataclass(frozen=True)
class Wording:
    """What every slip of a batch says in one language."""

    lang: str
    title: str
    invitation: str
    address: str
    code_label: str
    group: str | None


def base_address(url: str) -> str:
    """The forms' public address without its trailing slash; `BadAddress` unless it is ``http(s)://host[/path]``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise BadAddress("must be the forms' address, like https://survey.example.org (no ?query or #fragment)")
    return url.strip().rstrip("/")


def survey_address(base: str, lang: str, survey_id: str) -> str:
    """The address a respondent types: ``<base>/<lang>/<survey-id>/``."""
    return f"{base_address(base)}/{lang}/{survey_id}/"


def wording(survey: Survey, group: Group | None, base: str, lang: str) -> Wording:
    """The slip's text in ``lang``."""
    words = language(lang)
    if survey.closes:
        invitation = words.gettext(
            "You are invited to answer this anonymous survey until %(date)s, at this address:",
            date=words.day(survey.closes),
        )
    else:
        invitation = words.gettext("You are invited to answer this anonymous survey at this address:")
    return Wording(
        lang=lang,
        title=survey.title(lang),
        invitation=invitation,
        address=survey_address(base, lang, survey.id),
        code_label=words.gettext("Invitation code"),
        group=words.gettext("Group: %(group)s", group=group.label(lang)) if group else None,
    )


def pages(codes: Sequence[str]) -> list[Sequence[str]]:
    """The codes in sheets of `SLIPS_PER_PAGE`."""
    return [codes[start : start + SLIPS_PER_PAGE] for start in range(0, len(codes), SLIPS_PER_PAGE)]


def render_html(renderer: Renderer, survey: Survey, group: Group | None, codes: Sequence[str], base: str) -> str:
    """The slips as HTML, the document in the survey's default language and each slip in all of its languages."""
    wordings = [wording(survey, group, base, lang) for lang in survey.languages]
    lang = survey.default_language
    document_title = language(lang).gettext("Invitations: %(title)s", title=survey.title(lang))
    return renderer.render(
        TEMPLATE,
        lang,
        document_title=document_title,
        wordings=wordings,
        pages=pages(codes),
    )


def write_slips(
    renderer: Renderer, survey: Survey, group: Group | None, codes: Sequence[str], base: str, path: Path
) -> int:
    """Write the slips of ``codes`` as a PDF at ``path`` with its fonts embedded; return the number of pages."""
    document = weasyprint.HTML(
        string=render_html(renderer, survey, group, codes, base),
        base_url=STATIC.as_uri() + "/",
        url_fetcher=StaticFetcher(),
    ).render()
    path.parent.mkdir(parents=True, exist_ok=True)
    document.write_pdf(path)
    return len(document.pages)
