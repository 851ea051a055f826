"""The PDF report of one survey in one language: the published figures, laid out to be printed and handed out.

It shows what the site shows (`presenting.SurveyView`), rendered by the
publishing `renderer.Renderer` (autoescaping on: survey text is untrusted) and
turned into a tagged PDF by WeasyPrint. WeasyPrint fetches every URL a document
names; `StaticFetcher` lets it read the package's own ``static/`` files and
nothing else, so no text in a survey file can make the build read a local file
or call a server.
"""

from __future__ import annotations

import mimetypes
import multiprocessing
import os
import re
import threading
from collections.abc import Callable
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
import weasyprint
from markupsafe import Markup
from weasyprint.urls import URLFetcher
from weasyprint.urls import URLFetcherResponse

from coresp_survey.publish.action_views import PlansView
from coresp_survey.publish.presenting import IndicatorView
from coresp_survey.publish.presenting import Level
from coresp_survey.publish.presenting import SurveyView
from coresp_survey.publish.renderer import Renderer

STATIC = Path(__file__).resolve().parent.parent / "static"
"""The only folder the PDF renderer may read from (the stylesheet lives here)."""
TEMPLATE = "report/report.html"
FONT = "DejaVu Sans"
"""Installed with the system and embedded in the PDF, so the report looks the same on every reader."""
CHART_FONT = re.compile(r'font-family="[^"]*"')
"""The fonts `charts` asks for: good on screen, but in print the charts should share the report's typeface."""
HIGHLIGHTS = 3
"""How many best and weakest indicators the summary names."""


class FetchRefused(ValueError):
    """The report asked for a resource outside the package's ``static/`` folder."""


class StaticFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves files of one folder and refuses everything else.

    ``http(s)``, ``data:``, ``file://`` paths outside the folder (including
    through ``..`` or a symbolic link) and missing files are all refused with
    `FetchRefused`; WeasyPrint then skips the resource, so a stray URL can
    neither leak a local file into the PDF nor make a network request.
    """

    def __init__(self, folder: Path = STATIC) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.folder = folder.resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = self.path_of(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type})

    def path_of(self, url: str) -> Path:
        """The file inside the folder that ``url`` names; `FetchRefused` for any other URL."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"the report may only read its own files, not {url[:80]!r}")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            raise FetchRefused(f"the report may only read files of {self.folder}, not {url[:80]!r}")
        return path


# -- what the report adds to the view ----------------------------------------------


@dataclass(frozen=True)
class Highlights:
    """The best and weakest indicators by everyone's share of good answers (published ones only)."""

    best: tuple[IndicatorView, ...]
    weakest: tuple[IndicatorView, ...]


def highlights(view: SurveyView, count: int = HIGHLIGHTS) -> Highlights:
    """At most ``count`` each and never the same indicator in both lists, so with few indicators the lists shrink."""
    published = [item for item in view.indicators if item.everyone.cell.share_good is not None]
    ranked = sorted(published, key=lambda item: -(item.everyone.cell.share_good or 0.0))
    each = min(count, len(ranked) // 2)
    if each == 0:  # a single published indicator is the best one, and there is no weakest
        return Highlights(best=tuple(ranked[:1]), weakest=())
    return Highlights(best=tuple(ranked[:each]), weakest=tuple(ranked[::-1][:each]))


def scales(view: SurveyView) -> tuple[tuple[Level, ...], ...]:
    """The distinct answer scales of the indicators, most used first: the methodology explains each once."""
    by_levels: dict[tuple[tuple[int, str], ...], list[IndicatorView]] = {}
    for item in view.indicators:
        by_levels.setdefault(tuple((level.value, level.label) for level in item.levels), []).append(item)
    return tuple(items[0].levels for items in sorted(by_levels.values(), key=len, reverse=True))


def print_chart(chart: Markup | None) -> Markup | None:
    """A chart in the report's own (embedded) typeface instead of the screen fonts `charts` names."""
    if chart is None:
        return None
    return Markup(CHART_FONT.sub(f'font-family="{FONT}"', str(chart)))


# -- writing -----------------------------------------------------------------------


def render_html(renderer: Renderer, view: SurveyView, today: date, plans: PlansView | None = None) -> str:
    """The report as HTML, in the view's language; ``plans``: its chapter on the actions (none without)."""
    return renderer.render(
        TEMPLATE,
        view.lang,
        view=view,
        plans=plans or PlansView(()),
        today=today,
        highlights=highlights(view),
        scales=scales(view),
        chart=print_chart,
        everyone=view.participation[0] if view.participation else None,
    )


def write_report(renderer: Renderer, view: SurveyView, path: Path, today: date, plans: PlansView | None = None) -> None:
    """Write the survey's report as a tagged PDF at ``path``, in the view's language, with its fonts embedded."""
    write_pdf(render_html(renderer, view, today, plans), path)


def write_pdf(html: str, path: Path) -> None:
    """The report's HTML as a tagged PDF at ``path``: the slow part, made of plain values so another process can run it."""
    document = weasyprint.HTML(string=html, base_url=STATIC.as_uri() + "/", url_fetcher=StaticFetcher())
    path.parent.mkdir(parents=True, exist_ok=True)
    # Tagged (headings, tables, lists, figures with their chart titles as alternative text), with the title and
    # language of <title> and <html lang> in the metadata, and each quote's own language: what screen readers and
    # PDF/UA ask for.
    document.write_pdf(path, pdf_variant="pdf/ua-1", pdf_tags=True, finisher=finish_tags)


def write_pdfs(documents: Sequence[tuple[str, Path]], done: Callable[[Path], None] = lambda _path: None) -> None:
    """Write each ``(html, path)`` as `write_pdf` does, on the machine's cores; ``done(path)`` as each is written.

    WeasyPrint is pure Python and holds the GIL, so threads would take turns:
    the reports are laid out in processes instead, one per core, this process
    taking one of them. How they start is `start_method`'s choice.
    """
    if not documents:
        return
    others = min(len(documents), available_cores()) - 1
    if others <= 0:
        for html, path in documents:
            write_pdf(html, path)
            done(path)
        return
    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(max_workers=others, mp_context=context) as pool:
        futures = {pool.submit(write_pdf, html, path): path for html, path in documents[1:]}
        write_pdf(*documents[0])
        done(documents[0][1])
        for future in as_completed(futures):
            future.result()  # a report that failed fails the build, with its own error
            done(futures[future])


def start_method() -> str:
    """``fork`` when this process runs a single thread (``build``, a script): cheap, and nothing is imported again;
    otherwise ``forkserver`` (a web worker building from the workspace has threads, and a fork copies the locks
    they hold): a fresh server process forks the workers, which import the main module again, as with spawn.
    """
    return "fork" if threading.active_count() == 1 else "forkserver"


def available_cores() -> int:
    """The cores this process may run on (a container or ``taskset`` may give fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def finish_tags(document: weasyprint.Document, pdf: pydyf.PDF) -> None:
    """What WeasyPrint's tags leave out and PDF/UA asks for: each quote's language, each table header's scope."""
    tag_quote_languages(document, pdf)
    tag_header_scopes(document, pdf)


SCOPES = {"col": "/Column", "row": "/Row", "colgroup": "/Column", "rowgroup": "/Row"}
"""HTML's ``scope`` of a ``<th>`` as PDF's ``/Scope`` attribute of its ``TH`` structure element."""


def tag_header_scopes(document: weasyprint.Document, pdf: pydyf.PDF) -> None:
    """Give each table header's structure element the scope its ``<th>`` has, so a screen reader knows what it heads.

    WeasyPrint 70 tags ``<th>`` as ``TH`` with only ``/O /Table`` in its
    attributes; PDF/UA wants ``/Scope`` (Column or Row) on every ``TH`` of a
    table without header ids. As for quotes (`tag_quote_languages`), the
    ``TH`` elements are made in the order of the cell boxes (a header repeated
    on the next page is a box, and an element, again), so the boxes, walked in
    the same order, give each one's scope; if the counts differ, nothing is
    tagged rather than something tagged wrongly.
    """
    scopes = [
        SCOPES.get((box.element.get("scope") or "").lower())
        for page in document.pages
        for box in page._page_box.descendants()
        if box.element is not None and box.element_tag == "th" and type(box).__name__ == "TableCellBox"
    ]
    headers = [
        item
        for item in pdf.objects
        if isinstance(item, pydyf.Dictionary) and item.get("Type") == "/StructElem" and item.get("S") == "/TH"
    ]
    if len(headers) != len(scopes):
        return
    for element, scope in zip(headers, scopes, strict=True):
        if scope is None:
            continue
        attributes = element.get("A")
        if not isinstance(attributes, pydyf.Dictionary):
            attributes = pydyf.Dictionary({"O": "/Table"})
            element["A"] = attributes
        attributes["Scope"] = scope


def tag_quote_languages(document: weasyprint.Document, pdf: pydyf.PDF) -> None:
    """Give each quote's structure element the language it was written in (``/Lang``), for screen readers.

    WeasyPrint 70 puts the document's language in the catalog but leaves out the
    ``lang`` of an element; a quote in English inside a French report would be read
    aloud with French pronunciation. Its structure elements are made in the order
    of the page boxes, one per ``<blockquote>`` box (two if a quote runs over a
    page), so the boxes, walked in the same order, name each one's language. If
    the two counts ever differ (another WeasyPrint), nothing is tagged rather than
    something tagged wrongly.
    """
    languages = [
        box.element.get("lang")
        for page in document.pages
        for box in page._page_box.descendants()
        if box.element is not None and box.element_tag == "blockquote"
    ]
    quotes = [
        item
        for item in pdf.objects
        if isinstance(item, pydyf.Dictionary) and item.get("Type") == "/StructElem" and item.get("S") == "/BlockQuote"
    ]
    if len(quotes) != len(languages):
        return
    for element, lang in zip(quotes, languages, strict=True):
        if lang and "Lang" not in element:
            element["Lang"] = pydyf.String(lang)
