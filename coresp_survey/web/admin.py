"""The coordination group's workspace (``/admin/``): participation, moderation of open answers, publishing.

Every route needs a login (`admin_auth`), every POST a CSRF token (the app's
CSRFProtect), and every answer is shown escaped, never as HTML. The
workspace's language is chosen with ``?lang=`` and kept in the session.
"""

from __future__ import annotations

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
from coresp_survey.web import admin_auth
from coresp_survey.web.database import get_codes_db
from coresp_survey.web.database import get_db
from coresp_survey.web.languages import preferred_language
from coresp_survey.web.templating import twins
from coresp_survey.workspace import builds
from coresp_survey.workspace import moderation
from coresp_survey.workspace.decisions import decide
from coresp_survey.workspace.decisions import decision_log
from coresp_survey.workspace.decisions import decisions

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50
OPEN_ENDPOINTS = ("admin.login",)
"""Reachable without a login (when the workspace is enabled)."""


@bp.before_request
def guard():
    """Language first (the refusal pages are translated too), then the workspace switch, then the login."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["admin_lang"] = chosen
    g.lang = session.get("admin_lang") if session.get("admin_lang") in LANGUAGES else preferred_language()
    if not admin_auth.enabled():
        return render_template("admin/disabled.html"), 503
    if request.endpoint not in OPEN_ENDPOINTS and not admin_auth.logged_in():
        return redirect(url_for("admin.login", next=request.full_path if request.method == "GET" else None), 303)
    return None


@bp.after_request
def private(response):
    """Workspace pages hold answers: never cached, never indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.context_processor
def admin_globals() -> dict:
    return {"twins": _twins(), "surveys": current_app.extensions["surveys"]}


def _twins() -> dict[str, str]:
    """This page in each language: the same address with ``?lang=`` set, its other parameters kept."""
    if request.endpoint is None:
        return {}
    args = {key: value for key, value in request.args.items() if key != "lang"}
    return twins(request.endpoint, {**args, **(request.view_args or {})}, LANGUAGES)


# -- login ---------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    wait = admin_auth.locked_for()
    error = None
    if request.method == "POST" and not wait:
        if admin_auth.log_in(request.form.get("password", "")):
            return redirect(_safe_next(request.args.get("next")), 303)
        error = _("This password is not right.")
        wait = admin_auth.locked_for()
    status = 429 if wait else (400 if error else 200)
    minutes = (wait + 59) // 60
    return render_template("admin/login.html", error=error, wait_minutes=minutes), status


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
def logout():
    admin_auth.log_out()
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
def dashboard():
    db = get_db()
    counts = response_counts(db)
    drafts = count_open_drafts(db)
    codes = code_counts(get_codes_db())
    overview = [_survey_lines(survey, counts, drafts, codes) for survey in current_app.extensions["surveys"].values()]
    return render_template(
        "admin/dashboard.html",
        overview=overview,
        build=_last_build(db),
        site_built=_site_built(),
        site_dir=current_app.config["SITE_DIR"],
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


def _site_built() -> datetime | None:
    marker = current_app.config["SITE_DIR"] / publish.MARKER
    if not marker.exists():
        return None
    return datetime.fromtimestamp(marker.stat().st_mtime, tz=UTC)


@bp.route("/build", methods=["POST"])
def build():
    """Start a build of the site in the background; the dashboard shows how it went.

    The request takes the site's build lock and hands it to the build thread,
    which lets it go only once the outcome is recorded: a build "running" in
    the table while nobody holds the lock died with its worker.
    """
    db = get_db()
    held = ExitStack()
    try:
        held.enter_context(publish.build_lock(current_app.config["SITE_DIR"]))
    except publish.SiteError:
        flash(_("A build is already running."))
        return redirect(url_for("admin.dashboard"), 303)
    except OSError as error:  # the site's folder cannot be made: said on the dashboard like any failed build
        builds.finish_build(db, builds.start_build(db, _now()), finished=_now(), status="failed", message=str(error))
        return redirect(url_for("admin.dashboard"), 303)
    try:
        builds.interrupt_builds(db, _now())
        build_id = builds.start_build(db, _now())
        app = current_app._get_current_object()
        threading.Thread(target=_run_build, args=(app, build_id, held), daemon=True, name="site-build").start()
    except BaseException:
        held.close()
        raise
    flash(_("The site is being built. Reload this page in a moment to see the result."))
    return redirect(url_for("admin.dashboard"), 303)


def _run_build(app, build_id: str, held: ExitStack) -> None:
    """Build while holding the lock the request took; record the outcome, then let the lock go."""
    with held:
        db = database.connect(app.config["DATABASE"])
        try:
            built = publish.build_site(
                app.extensions["surveys"],
                app.config["DATABASE"],
                app.config["SITE_DIR"],
                with_pdf=app.config["SITE_WITH_PDF"],
                locked=True,
            )
            done = f"{built.pages} pages, {built.reports} reports"
            builds.finish_build(db, build_id, finished=_now(), status="done", message=done)
        except Exception as error:  # recorded for the dashboard: a thread has nobody else to tell
            builds.finish_build(db, build_id, finished=_now(), status="failed", message=str(error))
        finally:
            db.close()


def _last_build(db) -> dict | None:
    """The last workspace build; one left "running" by a worker that died is marked interrupted first."""
    last = builds.last_build(db)
    if last and last["status"] == "running":
        with publish.build_idle(current_app.config["SITE_DIR"]) as idle:
            if idle:
                builds.interrupt_builds(db, _now())
                last = builds.last_build(db)
    return last


def _now() -> str:
    """Microseconds keep two decisions made in the same second in order."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


# -- moderation ----------------------------------------------------------------------


def _survey(survey_id: str) -> Survey:
    survey = current_app.extensions["surveys"].get(survey_id)
    if survey is None or not moderation.open_questions(survey):
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
    )


def _answers(survey: Survey) -> list[moderation.OpenAnswer]:
    db = get_db()
    return moderation.open_answers(survey, iter_responses(db, survey.id), decisions(db, survey.id))


def _answers_named(survey: Survey, keys: list[str]) -> dict[str, moderation.OpenAnswer]:
    """The open answers these form keys name (unknown or forged keys are left out), reading only their responses."""
    db = get_db()
    decided = decisions(db, survey.id)
    found = {}
    for key in keys:
        parts = moderation.split_key(key)
        response = get_response(db, parts[0]) if parts else None
        if response is None or response.survey != survey.id:
            continue
        for answer in moderation.open_answers(survey, [response], decided):
            if answer.key == key:
                found[key] = answer
    return found


@bp.route("/<survey_id>/answers/", methods=["GET", "POST"])
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
        rounds=sorted({answer.round for answer in every}),
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
    if action in ("approved", "rejected", "pending"):
        changed = decide(get_db(), survey=survey.id, answers=chosen, status=action, at=_now())
    elif action in ("add_family", "remove_family") and family in families:
        change = {"add_families": (family,)} if action == "add_family" else {"remove_families": (family,)}
        changed = decide(get_db(), survey=survey.id, answers=chosen, at=_now(), **change)
    else:
        flash(_("Choose what to do with the ticked answers."), "error")
        return back
    flash(ngettext("%(num)s answer changed.", "%(num)s answers changed.", changed))
    return back


def _list_args() -> dict[str, str]:
    """The list's filters and page, carried from the query string through a POST and back."""
    return {key: request.args[key] for key in ("question", "group", "status", "round", "page") if request.args.get(key)}


@bp.route("/<survey_id>/answers/<key>/", methods=["GET", "POST"])
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
    """Record the form's decision; return the problems (by field) instead when it is not valid."""
    form = request.form
    errors = {}
    status = form.get("status", "")
    if status not in moderation.STATUSES:
        errors["status"] = _("Choose approved, rejected or pending.")
    known = {family.id for family in survey.families}
    families = tuple(dict.fromkeys(form.getlist("families")))
    if any(family not in known for family in families):
        errors["families"] = _("Choose families from the list.")
    redacted, problem = _text_to_publish(survey, answer, status)
    if problem:
        errors["redacted"] = problem
    if errors:
        return errors
    decide(
        get_db(), survey=survey.id, answers=[(answer.response_id, answer.question)], status=status,
        families=families, redacted=redacted, at=_now(),
    )  # fmt: skip
    return {}


def _text_to_publish(survey: Survey, answer: moderation.OpenAnswer, status: str) -> tuple[str | None | bool, str]:
    """The redaction to store (False: leave it as it is, None: the original), or the problem with the field.

    Only text a moderator saw and approved may be published: an emptied field
    never falls back to the original. Going back to the original is its own
    button ("redaction=original"); an empty field when rejecting or leaving
    pending changes nothing about the redaction, so a later approval (bulk
    ones included) still publishes the text approved before.
    """
    if request.form.get("redaction") == "original":
        return None, ""
    if "redacted" not in request.form:
        return False, ""  # a form without the field (a script's): like a bulk action, the redaction stays
    typed = request.form.get("redacted", "").replace("\r\n", "\n")
    limit = survey.question(answer.question).max_length or 4000
    if len(typed) > limit:
        return False, _("The published text can have at most %(max)s characters.", max=limit)
    if not typed.strip():
        if status == "approved":
            return False, _(
                "The text to publish cannot be empty. Write the text that may be published, use “Publish the"
                " original text”, or reject the answer."
            )
        return False, ""
    return (None if typed == answer.text else typed), ""


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
