"""The coordination group's workspace (``/admin/``): participation, moderation of open answers, publishing.

Every route needs a login and says what it needs (`accounts.requires`),
checked in one place for all (`accounts.check_access`): a survey outside the
login's scope does not exist for it, and every list and count reads
`accounts.visible_surveys`. Every POST needs a CSRF token (the app's
CSRFProtect), and every answer is shown escaped, never as HTML. The
workspace's language is chosen with ``?lang=`` and kept in the session.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from coresp_survey.answers import database
from coresp_survey.answers.codes import code_counts
from coresp_survey.answers.drafts import count_open_drafts
from coresp_survey.answers.responses import get_response
from coresp_survey.answers.responses import iter_responses
from coresp_survey.answers.responses import response_counts
from coresp_survey.i18n import LANGUAGES
from coresp_survey.publish import site as publish
from coresp_survey.survey.model import Survey
from coresp_survey.web import accounts
from coresp_survey.web.accounts import requires
from coresp_survey.web.database import get_codes_db
from coresp_survey.web.database import get_db
from coresp_survey.web.decision_form import DecisionForm
from coresp_survey.web.languages import preferred_language
from coresp_survey.web.templating import twins
from coresp_survey.workspace import builds
from coresp_survey.workspace import identical
from coresp_survey.workspace import links
from coresp_survey.workspace import moderation
from coresp_survey.workspace import sessions
from coresp_survey.workspace.accounts import BUILDING
from coresp_survey.workspace.accounts import MODERATION
from coresp_survey.workspace.accounts import PARTICIPATION
from coresp_survey.workspace.decisions import decide
from coresp_survey.workspace.decisions import decision_log
from coresp_survey.workspace.decisions import decisions
from coresp_survey.workspace.suggestions import FamilySuggester
from coresp_survey.workspace.suggestions import indicators_for

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50
OPEN_ENDPOINTS = ("admin.login",)
"""Reachable without a login (when the workspace is enabled)."""


@bp.before_request
def guard():
    """Language first (the refusal pages are translated too), then the workspace switch, the login, its rights."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["admin_lang"] = chosen
    g.lang = session.get("admin_lang") if session.get("admin_lang") in LANGUAGES else preferred_language()
    if not accounts.enabled():
        return render_template("admin/disabled.html"), 503
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not accounts.logged_in():
        return redirect(url_for("admin.login", next=request.full_path if request.method == "GET" else None), 303)
    accounts.check_access()
    return None


@bp.after_request
def private(response):
    """Workspace pages hold answers: never cached, never indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.context_processor
def admin_globals() -> dict:
    account = accounts.current_account()
    return {
        "twins": _twins(),
        "surveys": accounts.visible_surveys(),
        "account": account,
        "may": account.may if account else (lambda _permission: False),
        "role_names": role_names(),
    }


def role_names() -> dict[str, str]:
    return {"admin": _("admin"), "coordinator": _("coordinator"), "moderator": _("moderator")}


def _twins() -> dict[str, str]:
    """This page in each language: the same address with ``?lang=`` set, its other parameters kept."""
    if request.endpoint is None:
        return {}
    args = {key: value for key, value in request.args.items() if key != "lang"}
    return twins(request.endpoint, {**args, **(request.view_args or {})}, LANGUAGES)


# -- login ---------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The same answer for an unknown login and a wrong password; while a login must wait, when it may try again."""
    error = None
    outcome = None
    if request.method == "POST":
        outcome = accounts.log_in(request.form.get("login", ""), request.form.get("password", ""))
        if outcome.logged_in:
            return redirect(_safe_next(request.args.get("next")), 303)
        if outcome.checked:
            error = _("This login or password is not right.")
    wait = math.ceil(outcome.wait) if outcome and outcome.wait > 0 else 0
    status = 429 if outcome and not outcome.checked else (400 if error else 200)
    return render_template(
        "admin/login.html",
        error=error,
        refused=bool(outcome and not outcome.checked),
        wait=_wait_words(wait) if wait else None,
        typed_login=request.form.get("login", "") if request.method == "POST" else "",
    ), status


def _wait_words(seconds: int) -> str:
    """When the login may be tried again, in the page's language: "2 minutes 5 seconds", "40 secondes"."""
    minutes, rest = divmod(seconds, 60)
    parts = []
    if minutes:
        parts.append(ngettext("%(num)s minute", "%(num)s minutes", minutes))
    if rest or not minutes:
        parts.append(ngettext("%(num)s second", "%(num)s seconds", rest))
    return " ".join(parts)


def _safe_next(target: str | None) -> str:
    """Only a path of this workspace: never another site (an open redirect would help phishing).

    No control character either: CR/LF would split the Location header (Werkzeug refuses it with a 500).
    """
    if (
        target
        and target.startswith("/admin/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(unicodedata.category(ch) == "Cc" for ch in target)
    ):
        return target
    return url_for("admin.dashboard")


@bp.route("/logout", methods=["POST"])
@requires(accounts.ANY_ACCOUNT)
def logout():
    accounts.log_out()
    flash(_("You are logged out."))
    return redirect(url_for("admin.login"), 303)


# -- dashboard -----------------------------------------------------------------------


@dataclass(frozen=True)
class GroupLine:
    label: str
    responses: int
    size: int | None
    codes_issued: int | None
    codes_used: int | None

    @property
    def rate(self) -> float | None:
        return self.responses / self.size if self.size else None


@bp.route("/")
@requires(accounts.ANY_ACCOUNT)
def dashboard():
    """Who is logged in; then, as the role allows, participation in the visible surveys and the site's builds."""
    db = get_db()
    account = accounts.current_account()
    overview = []
    if account.may(PARTICIPATION):
        counts = response_counts(db)
        drafts = count_open_drafts(db)
        codes = code_counts(get_codes_db())
        overview = [_survey_lines(survey, counts, drafts, codes) for survey in accounts.visible_surveys().values()]
        for item in overview:
            item["sessions"] = _session_lines(db, item["survey"])
    return render_template(
        "admin/dashboard.html",
        overview=overview,
        build=_last_build(db) if account.may(BUILDING) else None,
        site_built=_site_built() if account.may(BUILDING) else None,
        site_dir=current_app.config["SITE_DIR"],
        scope_titles=", ".join(survey.title(g.lang) for survey in accounts.visible_surveys().values()),
    )


def _survey_lines(survey: Survey, counts: dict, drafts: dict, codes: dict) -> dict:
    rounds = sorted({r for (s, r, _g) in counts if s == survey.id} | {survey.round}, reverse=True)
    by_round = {}
    for round_name in rounds:
        lines = []
        for group in survey.groups or [None]:
            group_id = group.id if group else None
            issued, used = codes.get((survey.id, group_id), (None, None)) if survey.access == "code" else (None, None)
            lines.append(
                GroupLine(
                    label=group.label(g.lang) if group else _("Everyone"),
                    responses=counts.get((survey.id, round_name, group_id), 0),
                    size=group.size if group else None,
                    codes_issued=issued if round_name == survey.round else None,
                    codes_used=used if round_name == survey.round else None,
                )
            )
        by_round[round_name] = lines
    total = sum(n for (s, _r, _g), n in counts.items() if s == survey.id)
    return {"survey": survey, "rounds": by_round, "drafts": drafts.get(survey.id, 0), "total": total}


def _session_lines(db, survey: Survey) -> list[tuple[str, int, int]]:
    """(group label, sessions, participants) for each group with a recorded session: apart from online responses."""
    held = sessions.participants_by_group(db, survey.id)
    return [(group.label(g.lang), *held[group.id]) for group in survey.groups if group.id in held]


def _site_built() -> datetime | None:
    marker = current_app.config["SITE_DIR"] / publish.MARKER
    if not marker.exists():
        return None
    return datetime.fromtimestamp(marker.stat().st_mtime, tz=UTC)


@bp.route("/build", methods=["POST"])
@requires(BUILDING)
def build():
    """Start a build of the site in the background; the dashboard shows how it went.

    An admin builds the whole site; anyone else, the current state of their
    surveys only, into the site as it is (`publish.build_surveys`): the other
    surveys' pages stay as they were published.

    The request takes the site's build lock and hands it to the build thread,
    which lets it go only once the outcome is recorded: a build "running" in
    the table while nobody holds the lock died with its worker.
    """
    db = get_db()
    account = accounts.current_account()
    scope = None if account.role == "admin" else list(accounts.visible_surveys())
    started = {"by": account.login, "surveys": scope}
    held = ExitStack()
    try:
        held.enter_context(publish.build_lock(current_app.config["SITE_DIR"]))
    except publish.SiteError:
        flash(_("A build is already running."))
        return redirect(url_for("admin.dashboard"), 303)
    except OSError as error:  # the site's folder cannot be made: said on the dashboard like any failed build
        failed = builds.start_build(db, _now(), **started)
        builds.finish_build(db, failed, finished=_now(), status="failed", message=str(error))
        return redirect(url_for("admin.dashboard"), 303)
    try:
        builds.interrupt_builds(db, _now())
        build_id = builds.start_build(db, _now(), **started)
        app = current_app._get_current_object()
        threading.Thread(target=_run_build, args=(app, build_id, held, scope), daemon=True, name="site-build").start()
    except BaseException:
        held.close()
        raise
    flash(_("The site is being built. Reload this page in a moment to see the result."))
    return redirect(url_for("admin.dashboard"), 303)


def _run_build(app, build_id: str, held: ExitStack, scope: list[str] | None) -> None:
    """Build (the whole site, or the surveys of ``scope``) while holding the lock the request took; record the
    outcome, then let the lock go."""
    with held:
        db = database.connect(app.config["DATABASE"])
        try:
            surveys = app.extensions["surveys"]
            settings = {"with_pdf": app.config["SITE_WITH_PDF"], "locked": True}
            if scope is None:
                built = publish.build_site(surveys, app.config["DATABASE"], app.config["SITE_DIR"], **settings)
            else:
                built = publish.build_surveys(
                    surveys, scope, app.config["DATABASE"], app.config["SITE_DIR"], **settings
                )
            done = f"{built.pages} pages, {built.reports} reports"
            builds.finish_build(db, build_id, finished=_now(), status="done", message=done)
        except Exception as error:  # recorded for the dashboard: a thread has nobody else to tell
            builds.finish_build(db, build_id, finished=_now(), status="failed", message=str(error))
        finally:
            db.close()


def _last_build(db) -> dict | None:
    """The last workspace build; one left "running" by a worker that died is marked interrupted first."""
    account = accounts.current_account()
    last = builds.last_build(db, account.sees)
    if last and last["status"] == "running":
        with publish.build_idle(current_app.config["SITE_DIR"]) as idle:
            if idle:
                builds.interrupt_builds(db, _now())
                last = builds.last_build(db, account.sees)
    return last


def _now() -> str:
    """Microseconds keep two decisions made in the same second in order."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


# -- moderation ----------------------------------------------------------------------


def _survey(survey_id: str) -> Survey:
    """A survey the login sees (`accounts.check_access` has made sure) with open questions to moderate."""
    survey = accounts.visible_surveys()[survey_id]
    if not moderation.open_questions(survey):
        abort(404)
    return survey


def _filters(survey: Survey) -> moderation.Filters:
    """The list's filters from the query string; unknown values are ignored rather than trusted."""
    questions = {q.id for q in moderation.open_questions(survey)}
    groups = {group.id for group in survey.groups}
    args = request.args
    return moderation.Filters(
        question=args.get("question") if args.get("question") in questions else None,
        group=args.get("group") if args.get("group") in groups else None,
        status=args.get("status") if args.get("status") in moderation.STATUSES else None,
        round=args.get("round") or None,
        source=args.get("source") if args.get("source") in moderation.SOURCES else None,
    )


def _answers(survey: Survey) -> list[moderation.OpenAnswer]:
    """The online answers, then the group sessions' criteria."""
    db = get_db()
    decided = decisions(db, survey.id)
    online = moderation.open_answers(survey, iter_responses(db, survey.id), decided)
    return online + moderation.session_answers(sessions.list_sessions(db, survey.id), decided, survey)


def _answers_named(survey: Survey, keys: list[str]) -> dict[str, moderation.OpenAnswer]:
    """The open answers these form keys name (unknown or forged keys are left out), reading only their responses."""
    db = get_db()
    decided = decisions(db, survey.id)
    found = {}
    for key in keys:
        parts = moderation.split_key(key)
        if parts and parts[0].startswith(sessions.CRITERION_PREFIX):
            found.update(_session_answer_named(survey, key, parts[0], decided))
            continue
        response = get_response(db, parts[0]) if parts else None
        if response is None or response.survey != survey.id:
            continue
        for answer in moderation.open_answers(survey, [response], decided):
            if answer.key == key:
                found[key] = answer
    return found


def _session_answer_named(survey: Survey, key: str, criterion_id: str, decided) -> dict[str, moderation.OpenAnswer]:
    session = sessions.criterion_session(get_db(), criterion_id)
    if session is None or session.survey != survey.id:
        return {}
    found = moderation.session_answers([session], decided, survey)
    return {answer.key: answer for answer in found if answer.key == key}


@bp.route("/<survey_id>/answers/", methods=["GET", "POST"])
@requires(MODERATION)
def answers(survey_id: str):
    survey = _survey(survey_id)
    if request.method == "POST":
        return _bulk_decision(survey)
    filters = _filters(survey)
    every = _answers(survey)
    shown = [answer for answer in every if filters.keep(answer)]
    rows = _queue_rows(shown)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    pages = max(1, (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(page, pages)
    page_rows = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render_template(
        "admin/answers.html",
        survey=survey,
        filters=filters,
        rows=page_rows,
        suggested=_suggested_families(survey, every, page_rows),
        links=links.links(get_db(), survey.id),
        matching=len(shown),
        row_count=len(rows),
        counts=moderation.status_counts(every),
        rounds=sorted({answer.round for answer in every if answer.round}),
        page=page,
        pages=pages,
        questions={q.id: q for q in moderation.open_questions(survey)},
    )


def _queue_rows(answers: list[moderation.OpenAnswer]) -> list[identical.IdenticalAnswers]:
    """Identical answers as one row each; ``?sort=frequency`` puts the most frequent first."""
    rows = identical.gather(answers)
    return identical.by_frequency(rows) if request.args.get("sort") == "frequency" else rows


def _suggested_families(
    survey: Survey, every: list[moderation.OpenAnswer], rows: list[identical.IdenticalAnswers]
) -> dict[str, tuple[str, ...]]:
    """Row (its first answer's key) → the families of the most similar classified answers, for unclassified rows."""
    suggester = FamilySuggester(every)
    order = [family.id for family in survey.families]
    return {
        row.first.key: found
        for row in rows
        if not any(member.families for member in row.members)
        and (found := suggester.families_for(row.first.text, order))
    }


def _bulk_decision(survey: Survey):
    """Approve, reject, reset, add/remove a family, link, or mark as the same, on the ticked rows (all their answers).

    A row's checkbox names every identical answer it stands for, separated by spaces.
    """
    if request.form.get("accept"):
        return _accept_suggestion(survey)
    named = _answers_named(survey, _ticked_keys(request.form.getlist("selected")))
    chosen = [(answer.response_id, answer.question) for answer in named.values()]
    action = request.form.get("action", "")
    family = request.form.get("family", "")
    families = {f.id for f in survey.families}
    back = redirect(url_for("admin.answers", survey_id=survey.id, **_list_args()), 303)
    if not chosen:
        flash(_("Tick at least one answer first."), "error")
        return back
    by = accounts.current_login()
    if action in ("link", "unlink", "same", "not_same"):
        return _bulk_criteria(survey, list(named.values()), action, back)
    if action in ("approved", "rejected", "pending"):
        changed = decide(get_db(), survey=survey.id, answers=chosen, status=action, at=_now(), by=by)
    elif action in ("add_family", "remove_family") and family in families:
        change = {"add_families": (family,)} if action == "add_family" else {"remove_families": (family,)}
        changed = decide(get_db(), survey=survey.id, answers=chosen, at=_now(), by=by, **change)
    else:
        flash(_("Choose what to do with the ticked answers."), "error")
        return back
    flash(ngettext("%(num)s answer changed.", "%(num)s answers changed.", changed))
    return back


def _ticked_keys(values: list[str]) -> list[str]:
    """The answer keys of the ticked rows: each value names one answer or several, separated by spaces."""
    return list(dict.fromkeys(key for value in values for key in value.split()))


def _accept_suggestion(survey: Survey):
    """One key press: the row's answers get the families suggested for it (``families|keys``), and are approved."""
    families_part, _bar, keys = request.form.get("accept", "").partition("|")
    known = {family.id for family in survey.families}
    suggested = tuple(family for family in families_part.split(",") if family in known)
    named = _answers_named(survey, _ticked_keys([keys]))
    back = redirect(url_for("admin.answers", survey_id=survey.id, **_list_args()), 303)
    if not suggested or not named:
        flash(_("Choose what to do with the ticked answers."), "error")
        return back
    chosen = [(answer.response_id, answer.question) for answer in named.values()]
    changed = decide(
        get_db(), survey=survey.id, answers=chosen, status="approved", add_families=suggested, at=_now(),
        by=accounts.current_login(),
    )  # fmt: skip
    flash(ngettext("%(num)s answer changed.", "%(num)s answers changed.", changed))
    return back


def _bulk_criteria(survey: Survey, named: list[moderation.OpenAnswer], action: str, back):
    """Link the ticked approved answers to an indicator (or unlink them), or mark them as the same criterion."""
    db, at, by = get_db(), _now(), accounts.current_login()
    keys = [(answer.response_id, answer.question) for answer in named]
    if action in ("link", "unlink"):
        indicator = request.form.get("indicator", "")
        if indicator not in {i.id for i in survey.indicators}:
            flash(_("Choose an indicator from the list."), "error")
            return back
        if action == "unlink":
            changed = links.unlink(db, survey=survey.id, answers=keys, indicators=[indicator], at=at, by=by)
            flash(ngettext("%(num)s link removed.", "%(num)s links removed.", changed))
            return back
        approved = [(a.response_id, a.question) for a in named if a.status == "approved"]
        changed = links.link(db, survey=survey.id, answers=approved, indicators=[indicator], at=at, by=by)
        flash(ngettext("%(num)s criterion linked.", "%(num)s criteria linked.", changed))
        if len(approved) < len(keys):
            flash(_("Only approved answers can be linked to an indicator."), "error")
        return back
    if action == "same":
        changed = links.mark_same(db, survey=survey.id, answers=keys, at=at, by=by)
        flash(ngettext("%(num)s criterion marked as the same as the first ticked one.",
                       "%(num)s criteria marked as the same as the first ticked one.", changed))  # fmt: skip
        return back
    changed = links.unmark_same(db, survey=survey.id, answers=keys, at=at, by=by)
    flash(ngettext("%(num)s criterion is its own again.", "%(num)s criteria are their own again.", changed))
    return back


def _list_args() -> dict[str, str]:
    """The list's filters, order and page, carried from the query string through a POST and back."""
    wanted = ("question", "group", "status", "round", "source", "sort", "page")
    return {key: request.args[key] for key in wanted if request.args.get(key)}


@bp.route("/<survey_id>/answers/<key>/", methods=["GET", "POST"])
@requires(MODERATION)
def answer(survey_id: str, key: str):
    """One row of the queue: an answer and those identical to it, decided together when the form says so."""
    survey = _survey(survey_id)
    found = _answers_named(survey, [key]).get(key)
    if found is None:
        abort(404)
    every = _answers(survey)
    row = identical.identical_to(found, every)
    errors = {}
    if request.method == "POST":
        errors = _save_answer(survey, found, row)
        if not errors:
            flash(_("Decision saved."))
            filters = _filters(survey)
            going_on = request.form.get("then") == "next" or _quick_decision() is not None
            following = _next_row(_answers(survey), row, filters) if going_on else None
            target = following.key if following else found.key
            return redirect(url_for("admin.answer", survey_id=survey.id, key=target, **_list_args()), 303)
    suggested = FamilySuggester(other for other in every if other.key not in row.keys).families_for(
        found.text, [family.id for family in survey.families]
    )
    linked = links.links(get_db(), survey.id).get((found.response_id, found.question), ())
    skip = _next_row(every, row, _filters(survey))
    return render_template(
        "admin/answer.html",
        survey=survey,
        answer=found,
        row=row,
        suggested=suggested,
        linked=linked,
        indicators=indicators_for(survey, found.families or suggested),
        skip=skip,
        question=survey.question(found.question),
        log=decision_log(get_db(), response_id=found.response_id, question=found.question),
        errors=errors,
        form=request.form if errors else None,
        list_args=_list_args(),
    ), (400 if errors else 200)


def _save_answer(survey: Survey, answer: moderation.OpenAnswer, row: identical.IdenticalAnswers) -> dict[str, str]:
    """Record the form's decision, with who made it, on the answer (and its identical ones with ``together``);
    return the problems (by field) instead when it is not valid."""
    form = DecisionForm(request.form, survey, answer)
    quick = _quick_decision()
    if quick:
        form.status.data = quick
    if not form.validate():
        return form.problems()
    status = form.status.data
    if request.form.get("quick") == "suggestion":
        suggested = [family for family in request.form.getlist("suggested") if survey.family(family) is not None]
        form.families.data = list(dict.fromkeys([*form.families.data, *suggested]))
    chosen_indicators = _chosen_indicators(survey)
    if chosen_indicators and status != "approved":
        return {"indicators": _("Only an approved answer can be linked to indicators.")}
    members = row.members if request.form.get("together") else (answer,)
    keys = [(member.response_id, member.question) for member in members]
    db, at, by = get_db(), _now(), accounts.current_login()
    decide(db, survey=survey.id, answers=keys, status=status, families=tuple(form.families.data),
           redacted=form.redaction, at=at, by=by)  # fmt: skip
    if chosen_indicators is not None:
        _set_links(survey, keys, chosen_indicators)
    return {}


def _quick_decision() -> str | None:
    """The status a shortcut button sets (approve, reject, or approve with the suggested families), then next."""
    quick = request.form.get("quick")
    return {"approved": "approved", "rejected": "rejected", "suggestion": "approved"}.get(quick or "")


def _chosen_indicators(survey: Survey) -> list[str] | None:
    """The indicators ticked in the form, or None when the form had no indicator field (a script's: links stay)."""
    if not request.form.get("indicators_shown"):
        return None
    known = {indicator.id for indicator in survey.indicators}
    return [indicator for indicator in dict.fromkeys(request.form.getlist("indicators")) if indicator in known]


def _set_links(survey: Survey, keys: list[tuple[str, str]], chosen: list[str]) -> None:
    """Each answer ends linked to exactly the chosen indicators."""
    db, at, by = get_db(), _now(), accounts.current_login()
    current = links.links(db, survey.id)
    for key in keys:
        dropped = [indicator for indicator in current.get(key, ()) if indicator not in chosen]
        links.unlink(db, survey=survey.id, answers=[key], indicators=dropped, at=at, by=by)
    links.link(db, survey=survey.id, answers=keys, indicators=chosen, at=at, by=by)


def _next_row(
    answers: list[moderation.OpenAnswer], row: identical.IdenticalAnswers, filters: moderation.Filters
) -> moderation.OpenAnswer | None:
    """The first pending answer of the next row with one, in the list's order: where "next" leads without deciding."""
    rows = _queue_rows([a for a in answers if filters.keep(a) or a.key in row.keys])
    mine = identical.identity(row.first)
    index = next((k for k, other in enumerate(rows) if (other.question, other.text) == mine), -1)
    for other in rows[index + 1 :]:
        pending = next((member for member in other.members if member.status == "pending"), None)
        if pending is not None:
            return pending
    return None
