"""``build``: the published static site, written beside its destination and swapped in whole.

The flow is one way: survey files and the database → `indicators.compute` →
`presenting.survey_view` per language → pages, data files and PDF reports.
It takes surveys, a database path and a `renderer.Renderer` (Jinja2 with the
interface's catalogs, autoescaping on: survey text is untrusted), never a web
app: the command line builds without making one, and the workspace's "Build
the site now" calls the same function with the app's settings.

A build writes into a hidden sibling folder and only replaces the old site
once everything is written, so a failed build leaves the previous site in
place. A folder is only ever replaced if an earlier build made it (it holds
`MARKER`), so ``--out`` pointing at the wrong folder destroys nothing.

`build_surveys` (a coordinator's build from the workspace) publishes the
current state of some surveys only, into a site built before: it writes
their pages and data beside the site, then replaces each of their folders
whole by a rename, and writes the language homes again from `CARDS` (what
each home page says of each survey, as it was published). Every other file
stays byte for byte as it was.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import nullcontext
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from pathlib import Path
from typing import IO

from coresp_survey.answers import definitions
from coresp_survey.answers.database import read_only
from coresp_survey.answers.responses import iter_responses
from coresp_survey.figures.effects import effect_rows
from coresp_survey.figures.indicators import ALL
from coresp_survey.figures.indicators import Figures
from coresp_survey.figures.indicators import compute
from coresp_survey.figures.synthesis import Synthesis
from coresp_survey.figures.synthesis import session_rows
from coresp_survey.figures.synthesis import synthesis
from coresp_survey.i18n import LANGUAGES
from coresp_survey.publish import pages
from coresp_survey.publish import presenting
from coresp_survey.publish.action_views import PlansView
from coresp_survey.publish.action_views import plans_view
from coresp_survey.publish.downloads import write_downloads
from coresp_survey.publish.presenting import SurveyView
from coresp_survey.publish.renderer import Renderer
from coresp_survey.publish.renderer import shared
from coresp_survey.survey.builtins import SCALES
from coresp_survey.survey.builtins import SPIRAL_FAMILIES
from coresp_survey.survey.model import Survey
from coresp_survey.workspace import links
from coresp_survey.workspace import moderation
from coresp_survey.workspace import sessions
from coresp_survey.workspace.actions import survey_actions
from coresp_survey.workspace.decisions import decisions

MARKER = ".coresp-site"
"""The file that marks a folder as a site this command built, and so may replace."""
CARDS = ".coresp-cards.json"
"""What the language homes say of each survey published, as published: ``{lang: [card, …]}`` (`Card`)."""
ASSETS = {"site.css": ("style.css", "site.css"), "favicon.svg": ("favicon.svg",)}
"""What the site publishes (under content-hashed names), made of files of the package's ``static/`` folder.

The site's stylesheet is the web app's (colours, type, header, footer) followed
by the site's own rules, in one file: the published pages look like the forms.
"""
STATIC = Path(__file__).resolve().parent.parent / "static"

Progress = Callable[[str], None]
"""Told the name of each step as it ends (`build_steps` says how many there are)."""


@dataclass(frozen=True)
class Card:
    """One survey on a language's home page."""

    survey_id: str
    title: str
    round: str
    respondents: int
    indicators: int
    report: bool

    @classmethod
    def of(cls, view: SurveyView, report: bool) -> Card:
        return cls(view.survey.id, view.title, view.round, view.respondents, len(view.indicators), report)


class SiteError(Exception):
    """The build cannot start or finish; the message says why, and the previous site is untouched."""


@dataclass
class Built:
    """What a build wrote, for the command's summary."""

    out: Path
    pages: int = 0
    reports: int = 0
    surveys: list[str] = field(default_factory=list)
    seconds: float = 0.0
    pdf_seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    """Stored answers that no longer fit their round's survey file (`definitions.mismatches`), one line each."""


def build_steps(surveys: dict[str, Survey], with_pdf: bool = True) -> int:
    """How many times a build calls its progress callback: one per survey read, then one per page or report."""
    steps = 1  # assets and the language homes
    for survey in surveys.values():
        per_language = 1 + len(survey.indicators) + (1 if with_pdf else 0)
        per_language += 1 if moderation.open_questions(survey) else 0  # the criteria page
        steps += 1 + per_language * len(survey.languages)
    return steps


def build_site(
    surveys: dict[str, Survey],
    database: Path,
    out: Path,
    base_url: str | None = None,
    *,
    renderer: Renderer | None = None,
    with_pdf: bool = True,
    progress: Progress | None = None,
    today: date | None = None,
    locked: bool = False,
) -> Built:
    """Build the whole site from ``surveys`` and the answers in ``database`` into ``out``, replacing it at the end.

    ``renderer``: the process's shared one by default. ``locked``: the caller
    holds `build_lock` for ``out`` already (the workspace takes it in the
    request, before its build thread starts).
    """
    started = time.perf_counter()
    out = out.resolve()
    step = progress or (lambda _name: None)
    with nullcontext() if locked else build_lock(out):
        _check_destination(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
        try:
            writer = _Writer(renderer or shared(), staging, base_url, today or date.today(), with_pdf)
            built = _write_site(surveys, database, writer, step)
            (staging / MARKER).write_text("Built by coresp-survey; the next build replaces this folder.\n")
            staging.chmod(0o755)  # mkdtemp makes it private; a web server must read it
            _swap(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    built.out = out
    built.seconds = time.perf_counter() - started
    return built


# -- writing -----------------------------------------------------------------------


def _write_site(surveys: dict[str, Survey], database: Path, writer: _Writer, step: Progress) -> Built:
    folder = writer.folder
    built = Built(out=folder)
    db = read_only(database)  # a build creates, migrates and prunes nothing
    try:
        views: dict[str, dict[str, SurveyView]] = {lang: {} for lang in LANGUAGES}
        reports: list[tuple[SurveyView, PlansView]] = []
        for survey in surveys.values():
            for lang, (view, plans) in _write_survey(db, survey, writer, step, built).items():
                views.setdefault(lang, {})[survey.id] = view
                if writer.with_pdf:
                    reports.append((view, plans))
        built.warnings.extend(definitions.unknown_survey_warnings(db, surveys))
    finally:
        db.close()
    built.pdf_seconds = writer.reports(reports, step)
    built.reports = len(reports)
    cards = {lang: [Card.of(view, writer.with_pdf) for view in views[lang].values()] for lang in LANGUAGES}
    for lang in LANGUAGES:
        writer.home(lang, cards[lang])
        writer.methodology(lang)
    _write_cards(folder, cards)
    writer.root()
    writer.sitemap()
    step("home")
    built.pages = writer.page_count
    return built


def _write_survey(
    db, survey: Survey, writer: _Writer, step: Progress, built: Built
) -> dict[str, tuple[SurveyView, PlansView]]:
    """One survey's data files, pages and action pages in each of its languages; its views and plans by language
    (the reports are laid out afterwards, all of the build's together)."""
    figures, criteria, warnings = _read_survey(db, survey)
    actions = survey_actions(db, survey.id)
    built.warnings.extend(warnings)
    write_downloads(
        survey, figures, writer.folder / pages.data(survey.id, ""), effect_rows(actions, figures),
        _session_rows(db, survey),
    )  # fmt: skip
    step(survey.id)
    written = {}
    for lang in survey.languages:
        plans = plans_view(survey, actions, figures, lang)
        view = writer.survey_pages(survey, figures, criteria, lang, step, plans)
        writer.action_pages(view, plans)
        written[lang] = (view, plans)
    built.surveys.append(survey.id)
    return written


def _read_survey(db, survey: Survey) -> tuple[Figures, Synthesis | None, list[str]]:
    """The figures, the criteria synthesis and the warnings, from one pass over the survey's responses.

    Each round is computed with the survey file it was collected with.
    """
    known = definitions.load_definitions(db, survey)
    finder = definitions.MismatchFinder(known)
    responses = finder.passing(iter_responses(db, survey.id))
    if not moderation.open_questions(survey):
        figures, criteria = compute(survey, responses, known.by_round()), None
    else:
        approved: list[moderation.OpenAnswer] = []
        decided = decisions(db, survey.id)
        kept = moderation.collect_approved(survey, responses, decided, approved)
        figures = compute(survey, kept, known.by_round())
        # the sessions' criteria beside the responses' (synthesis publishes the approved only), and their participants
        approved += moderation.session_answers(sessions.list_sessions(db, survey.id), decided, survey)
        held = {group: n for group, (_sessions, n) in sessions.participants_by_group(db, survey.id).items()}
        criteria = synthesis(
            survey,
            _respondents(figures),
            approved,
            links.links(db, survey.id),
            links.same_marks(db, survey.id),
            session_participants=held,
        )
    return figures, criteria, definitions.warning_lines(known, finder.found())


def _session_rows(db, survey: Survey) -> list[dict]:
    return session_rows(survey, sessions.participants_by_group(db, survey.id))


def _respondents(figures: Figures) -> dict[str | None, int]:
    """Responses per group over every round; None counts those without a declared group."""
    totals: dict[str | None, int] = {}
    for row in figures.participation:
        key = None if row.group == ALL else row.group
        totals[key] = totals.get(key, 0) + row.responses
    totals[None] = totals.get(None, 0) - sum(n for group, n in totals.items() if group is not None)
    return totals


class _Writer:
    """Renders pages into the staging folder and remembers them for the sitemap."""

    def __init__(self, renderer: Renderer, folder: Path, base_url: str | None, today: date, with_pdf: bool) -> None:
        self.renderer = renderer
        self.with_pdf = with_pdf
        self.folder = folder
        self.base_url = base_url
        self.today = today
        self.assets = _copy_assets(folder)
        self.sitemap_entries: list[dict[str, str]] = []
        self.page_count = 0

    def survey_pages(
        self,
        survey: Survey,
        figures: Figures,
        criteria: Synthesis | None,
        lang: str,
        step: Progress,
        plans: PlansView,
    ) -> SurveyView:
        view = presenting.survey_view(survey, figures, lang, criteria)
        languages = survey.languages
        self.page("site/overview.html", lang, pages.twins(languages, pages.overview, survey.id), view=view, plans=plans)
        if view.criteria is not None:
            self.page("site/criteria.html", lang, pages.twins(languages, pages.criteria, survey.id), view=view)
            step(pages.criteria(lang, survey.id))
        indicators = view.indicators
        for k, indicator in enumerate(indicators):
            self.page(
                "site/indicator.html",
                lang,
                pages.twins(languages, pages.indicator, survey.id, indicator.indicator.id),
                view=view,
                item=indicator,
                previous=indicators[k - 1] if k > 0 else None,
                next=indicators[k + 1] if k + 1 < len(indicators) else None,
                plans=plans,
            )
            step(indicator.indicator.id)
        step(pages.overview(lang, survey.id))
        return view

    def action_pages(self, view: SurveyView, plans: PlansView) -> None:
        """The survey's action plan, and one page per action (written even with no action: the page says so)."""
        survey_id, languages = view.survey.id, view.survey.languages
        self.page(
            "site/actions.html", view.lang, pages.twins(languages, pages.actions, survey_id), view=view, plans=plans
        )
        for item in plans.actions:
            self.page(
                "site/action.html",
                view.lang,
                pages.twins(languages, pages.action, survey_id, item.id),
                view=view,
                item=item,
            )

    def reports(self, views: list[tuple[SurveyView, PlansView]], step: Progress) -> float:
        """Write the PDF report of each view with its action plan, in parallel on the machine's cores; return the
        seconds they took."""
        from coresp_survey.publish import report

        started = time.perf_counter()
        documents = [
            (
                report.render_html(self.renderer, view, self.today, plans),
                self.folder / pages.report(view.lang, view.survey.id),
            )
            for view, plans in views
        ]
        report.write_pdfs(documents, lambda path: step(path.relative_to(self.folder).as_posix()))
        return time.perf_counter() - started

    def home(self, lang: str, cards: list[Card]) -> None:
        self.page("site/home.html", lang, pages.twins(LANGUAGES, pages.home), cards=cards)

    def methodology(self, lang: str) -> None:
        self.page(
            "site/methodology.html",
            lang,
            pages.twins(LANGUAGES, pages.methodology),
            families=SPIRAL_FAMILIES,
            scale=SCALES["spiral5"],
        )

    def root(self) -> None:
        """The bilingual entrance: no twin of its own, written in the first language's environment."""
        self.page("site/root.html", LANGUAGES[0], {LANGUAGES[0]: pages.ROOT}, in_sitemap=False)

    def page(self, template: str, lang: str, twins: dict[str, str], in_sitemap: bool = True, **context) -> None:
        """Write the page that is ``twins[lang]``, linked to its twins in the other languages."""
        path = twins[lang]
        links = pages.Links(path, self.assets, self.base_url)
        html = self.renderer.render(
            template,
            lang,
            link=links,
            pages=pages,
            twins={other: links.to(target) for other, target in twins.items() if other != lang},
            alternates={other: links.absolute(target) for other, target in twins.items()} if self.base_url else {},
            canonical=links.absolute(path),
            built_on=self.today,
            has_reports=self.with_pdf,
            **context,
        )
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.page_count += 1
        if in_sitemap and self.base_url:
            self.sitemap_entries.append({"loc": links.absolute(path), **{"alternates": twins}})

    def sitemap(self) -> None:
        """``sitemap.xml`` with every page and its language twins; only with a base URL (it needs absolute URLs)."""
        if not self.base_url:
            return
        xml = self.renderer.render(
            "site/sitemap.xml",
            LANGUAGES[0],
            entries=self.sitemap_entries,
            absolute=lambda path: pages.absolute(self.base_url, path),
        )
        (self.folder / pages.SITEMAP).write_text(xml, encoding="utf-8")


# -- some surveys only ----------------------------------------------------------------


def build_surveys(
    surveys: dict[str, Survey],
    scope: list[str],
    database: Path,
    out: Path,
    *,
    renderer: Renderer | None = None,
    with_pdf: bool = True,
    today: date | None = None,
    locked: bool = False,
) -> Built:
    """Publish the current state of the surveys of ``scope`` into the site ``out`` built before, leaving every
    other survey's pages and data as they were; the language homes are written again (`CARDS`).

    Each of the surveys' folders (one per language, and its data) is
    replaced whole by a rename, once all of them are written.
    """
    started = time.perf_counter()
    out = out.resolve()
    with nullcontext() if locked else build_lock(out):
        _check_destination(out)
        if not (out / MARKER).exists() or not (out / CARDS).exists():
            raise SiteError(
                f"{out} has not been built in full by this version yet: an admin builds the whole site first"
            )
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
        try:
            writer = _Writer(renderer or shared(), staging, None, today or date.today(), with_pdf)
            built, cards = _write_surveys([surveys[survey_id] for survey_id in scope], database, writer)
            cards = _merged_cards(_read_cards(out), cards, list(surveys))
            for lang in LANGUAGES:
                writer.home(lang, cards[lang])
            _publish_surveys(staging, out, [surveys[survey_id] for survey_id in scope], cards)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    built.out = out
    built.pages = writer.page_count
    built.seconds = time.perf_counter() - started
    return built


def _write_surveys(chosen: list[Survey], database: Path, writer: _Writer) -> tuple[Built, dict[str, dict]]:
    """The pages, reports and data of ``chosen`` into the writer's folder; their cards by language and survey."""
    built = Built(out=writer.folder)
    cards: dict[str, dict[str, Card]] = {lang: {} for lang in LANGUAGES}
    db = read_only(database)
    reports: list[tuple[SurveyView, PlansView]] = []
    try:
        for survey in chosen:
            for lang, (view, plans) in _write_survey(db, survey, writer, lambda _name: None, built).items():
                cards.setdefault(lang, {})[survey.id] = Card.of(view, writer.with_pdf)
                if writer.with_pdf:
                    reports.append((view, plans))
    finally:
        db.close()
    built.pdf_seconds = writer.reports(reports, lambda _name: None)
    built.reports = len(reports)
    return built, cards


def _merged_cards(published: dict[str, list[Card]], fresh: dict[str, dict[str, Card]], order: list[str]):
    """The homes' cards: the fresh ones in place of those published, surveys in the catalog's order first."""
    merged = {}
    for lang in LANGUAGES:
        by_id = {card.survey_id: card for card in published.get(lang, [])} | fresh.get(lang, {})
        known = [survey_id for survey_id in order if survey_id in by_id]
        others = [card.survey_id for card in published.get(lang, []) if card.survey_id not in order]
        merged[lang] = [by_id[survey_id] for survey_id in known + others]
    return merged


def _publish_surveys(staging: Path, out: Path, chosen: list[Survey], cards: dict[str, list[Card]]) -> None:
    """Move the new folders and homes in: each folder replaced whole by renames, missing assets added first."""
    (out / "assets").mkdir(exist_ok=True)
    for asset in (staging / "assets").iterdir():
        if not (out / "assets" / asset.name).exists():
            os.replace(asset, out / "assets" / asset.name)
    for survey in chosen:
        folders = [pages.data(survey.id, "").rstrip("/"), *(f"{lang}/{survey.id}" for lang in survey.languages)]
        for folder in folders:
            (out / folder).parent.mkdir(parents=True, exist_ok=True)
            _swap(staging / folder, out / folder)
    for lang in LANGUAGES:
        os.replace(staging / pages.home(lang), out / pages.home(lang))
    _write_cards(staging, cards)
    os.replace(staging / CARDS, out / CARDS)


def _write_cards(folder: Path, cards: dict[str, list[Card]]) -> None:
    as_json = {lang: [card.__dict__ for card in lang_cards] for lang, lang_cards in cards.items()}
    (folder / CARDS).write_text(json.dumps(as_json, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")


def _read_cards(out: Path) -> dict[str, list[Card]]:
    found = json.loads((out / CARDS).read_text(encoding="utf-8"))
    return {lang: [Card(**card) for card in lang_cards] for lang, lang_cards in found.items()}


def _copy_assets(folder: Path) -> dict[str, str]:
    """Copy `ASSETS` under names carrying a hash of their content: browsers may cache them for ever."""
    names = {}
    (folder / "assets").mkdir()
    for name, sources in ASSETS.items():
        content = b"\n".join((STATIC / source).read_bytes() for source in sources)
        stem, dot, suffix = name.rpartition(".")
        hashed = f"{stem}.{hashlib.sha256(content).hexdigest()[:12]}{dot}{suffix}"
        (folder / pages.asset(hashed)).write_bytes(content)
        names[name] = pages.asset(hashed)
    return names


# -- replacing the old site --------------------------------------------------------


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """One build at a time per destination: a second one fails at once instead of mixing files.

    An flock: the kernel lets go of it when its process dies, whatever the
    way (SIGKILL, a restart), so a build that was killed never blocks the next.
    """
    out = out.resolve()
    with _lock_file(out) as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SiteError(f"another build of {out} is running; try again when it has finished") from None
        _remove_leftovers(out)
        yield


@contextmanager
def build_idle(out: Path) -> Iterator[bool]:
    """Whether no build of ``out`` holds `build_lock` now; while the block runs, none can start.

    A shared lock: it waits for nothing, and a build asking meanwhile is told
    one is running (as it would be a moment earlier or later).
    """
    with _lock_file(out.resolve()) as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def _lock_file(out: Path) -> IO[str]:
    out.parent.mkdir(parents=True, exist_ok=True)
    return (out.parent / f".{out.name}.lock").open("a")


def _remove_leftovers(out: Path) -> None:
    """Staging folders of builds that were killed (under the lock, none is in use)."""
    for leftover in out.parent.glob(f".{out.name}.building-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _check_destination(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise SiteError(f"{out} is a file, not a folder; choose another --out")
    if any(out.iterdir()) and not (out / MARKER).exists():
        raise SiteError(
            f"{out} is not empty and was not made by 'coresp-survey build': refusing to replace it;"
            " choose an empty or new folder with --out"
        )


def _swap(staging: Path, out: Path) -> None:
    """Put the new site in place with two renames: the old one is whole until the first, the new one after."""
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, out)
