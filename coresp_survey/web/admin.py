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
from coresp_survey.workspace import moderation
from coresp_survey.workspace import sessions
from coresp_survey.workspace.accounts import BUILDING
from coresp_survey.workspace.accounts import MODERATION
from coresp_survey.workspace.accounts import PARTICIPATION
from coresp_survey.workspace.decisions import decide
from coresp_survey.workspace.decisions import decision_log
from coresp_survey.workspace.decisions import decisions

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
    page = max(1, request.args.get("page", 1, type=int) or 1)
    pages = max(1, (len(shown) + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(page, pages)
    return render_template(
        "admin/answers.html",
        survey=survey,
        filters=filters,
        answers=shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        matching=len(shown),
        counts=moderation.status_counts(every),
        rounds=sorted({answer.round for answer in every if answer.round}),
        page=page,
        pages=pages,
        questions={q.id: q for q in moderation.open_questions(survey)},
    )


def _bulk_decision(survey: Survey):
    """Approve, reject, reset, or add/remove a family on the ticked answers."""
    named = _answers_named(survey, request.form.getlist("selected"))
    chosen = [(answer.response_id, answer.question) for answer in named.values()]
    action = request.form.get("action", "")
    family = request.form.get("family", "")
    families = {f.id for f in survey.families}
    back = redirect(url_for("admin.answers", survey_id=survey.id, **_list_args()), 303)
    if not chosen:
        flash(_("Tick at least one answer first."), "error")
        return back
    by = accounts.current_login()
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


def _list_args() -> dict[str, str]:
    """The list's filters and page, carried from the query string through a POST and back."""
    return {
        key: request.args[key]
        for key in ("question", "group", "status", "round", "source", "page")
        if request.args.get(key)
    }


@bp.route("/<survey_id>/answers/<key>/", methods=["GET", "POST"])
@requires(MODERATION)
def answer(survey_id: str, key: str):
    survey = _survey(survey_id)
    found = _answers_named(survey, [key]).get(key)
    if found is None:
        abort(404)
    errors = {}
    if request.method == "POST":
        errors = _save_answer(survey, found)
        if not errors:
            flash(_("Decision saved."))
            filters = _filters(survey)
            following = _next_pending(_answers(survey), found, filters) if request.form.get("then") == "next" else None
            target = following.key if following else found.key
            return redirect(url_for("admin.answer", survey_id=survey.id, key=target, **_list_args()), 303)
    return render_template(
        "admin/answer.html",
        survey=survey,
        answer=found,
        question=survey.question(found.question),
        log=decision_log(get_db(), response_id=found.response_id, question=found.question),
        errors=errors,
        form=request.form if errors else None,
        list_args=_list_args(),
    ), (400 if errors else 200)


def _save_answer(survey: Survey, answer: moderation.OpenAnswer) -> dict[str, str]:
    """Record the form's decision, with who made it; return the problems (by field) instead when it is not valid."""
    form = DecisionForm(request.form, survey, answer)
    if not form.validate():
        return form.problems()
    decide(
        get_db(), survey=survey.id, answers=[(answer.response_id, answer.question)], status=form.status.data,
        families=tuple(form.families.data), redacted=form.redaction, at=_now(), by=accounts.current_login(),
    )  # fmt: skip
    return {}


def _next_pending(
    answers: list[moderation.OpenAnswer], current: moderation.OpenAnswer, filters: moderation.Filters
) -> moderation.OpenAnswer | None:
    """The next answer still pending in the list's order (after the current one), within the same filters."""
    shown = [a for a in answers if filters.keep(a) or a.key == current.key]
    after = False
    for candidate in shown:
        if candidate.key == current.key:
            after = True
        elif after and candidate.status == "pending":
            return candidate
    return None
