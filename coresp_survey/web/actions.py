"""The action plans in the workspace (``/admin/<survey>/actions/…``), and each indicator's page there.

Coordinators list, create and edit a survey's actions (title and description
per language, the indicators aimed at, chosen with their latest figures in
view, commitments, dates, status, the baseline round), add and remove dated
progress notes, and read each action's log. Every form is a plain POST with
a CSRF token (the app's CSRFProtect) that works with the keyboard alone and
no script; every text is shown escaped. A form goes through the same checks
as ``actions --import`` (`workspace.action_checks`), its problems shown next
to their fields. Each change is logged with its time and its author
(`current_author`).

The workspace's login guard, headers and globals are admin's (`admin.guard`);
`planning` is the one check each route calls to find its survey.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from coresp_survey.answers import definitions
from coresp_survey.answers.responses import iter_responses
from coresp_survey.figures.effects import baseline_round
from coresp_survey.figures.indicators import Figures
from coresp_survey.figures.indicators import compute
from coresp_survey.i18n import language
from coresp_survey.publish import action_views
from coresp_survey.publish import presenting
from coresp_survey.survey.model import Survey
from coresp_survey.web import accounts
from coresp_survey.web import admin
from coresp_survey.web.accounts import requires
from coresp_survey.web.database import get_db
from coresp_survey.workspace import actions as stored
from coresp_survey.workspace.accounts import PLANNING
from coresp_survey.workspace.action_checks import Context
from coresp_survey.workspace.action_checks import Problem
from coresp_survey.workspace.action_checks import check_action
from coresp_survey.workspace.action_checks import check_note
from coresp_survey.workspace.action_checks import form_list
from coresp_survey.workspace.action_checks import form_mapping
from coresp_survey.workspace.plans import STATUSES
from coresp_survey.workspace.plans import Action

bp = Blueprint("actions", __name__, url_prefix="/admin")
bp.before_request(admin.guard)
bp.after_request(admin.private)
bp.context_processor(admin.admin_globals)

EXTRA_COMMITMENT_ROWS = 1
"""Blank commitment rows under the filled ones; "Another commitment" adds one more without saving."""
MAX_COMMITMENT_ROWS = 30


# -- who may plan, and who is changing what ------------------------------------------


def current_author() -> str:
    """The login recorded with each change (`accounts.current_login`)."""
    return accounts.current_login()


def planning(survey_id: str) -> Survey:
    """The survey whose plan this request works on; 404 unless it exists and has indicators.

    Scope and role were checked before the view (`accounts.check_access`): a
    survey outside a user's scope does not exist for them, the same 404 as an
    unknown one, and only admins and coordinators plan (403 otherwise).
    """
    survey = current_app.extensions["surveys"].get(survey_id)
    if survey is None or not survey.indicators:
        abort(404)
    return survey


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


# -- what every page reads -------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """The survey's published figures (as the site computes them), and the rounds a baseline may name."""

    figures: Figures
    rounds: tuple[str, ...]
    view: presenting.SurveyView
    """The figures as the site shows them, in the workspace's language: each indicator's latest figures."""


def _measured(survey: Survey) -> Measured:
    db = get_db()
    known = definitions.load_definitions(db, survey)
    figures = compute(survey, iter_responses(db, survey.id), known.by_round())
    return Measured(figures, tuple(known.rounds), presenting.survey_view(survey, figures, g.lang))


def _context(survey: Survey, measured: Measured) -> Context:
    return Context(survey, measured.rounds, language(g.lang))


def _action(survey: Survey, action_id: str) -> Action:
    action = stored.get_action(get_db(), survey.id, action_id)
    if action is None:
        abort(404)
    return action


# -- the list, and an action -----------------------------------------------------------


@bp.route("/<survey_id>/actions/")
@requires(PLANNING)
def actions(survey_id: str):
    survey = planning(survey_id)
    measured = _measured(survey)
    found = stored.survey_actions(get_db(), survey.id)
    return render_template(
        "admin/actions.html",
        survey=survey,
        plans=action_views.plans_view(survey, found, measured.figures, g.lang),
        changes=stored.last_changes(get_db(), survey.id),
    )


@bp.route("/<survey_id>/actions/<action_id>/")
@requires(PLANNING)
def action(survey_id: str, action_id: str):
    survey = planning(survey_id)
    return _action_page(survey, _action(survey, action_id))


def _action_page(survey: Survey, found: Action, note_errors: dict[str, str] | None = None):
    measured = _measured(survey)
    return render_template(
        "admin/action.html",
        survey=survey,
        item=action_views.action_view(survey, found, measured.figures, g.lang),
        log=stored.change_log(get_db(), survey.id, found.id),
        field_labels=field_labels(),
        change_labels=change_labels(),
        statuses=action_views.status_labels(language(g.lang)),
        note_errors=note_errors or {},
        form=request.form if note_errors else MultiDict(),
    ), (400 if note_errors else 200)


def field_labels() -> dict[str, str]:
    return {
        "title": _("title"),
        "description": _("description"),
        "indicators": _("indicators"),
        "commitments": _("commitments"),
        "starts": _("start"),
        "ends": _("end"),
        "status": _("status"),
        "baseline": _("baseline round"),
        "updates": _("progress notes"),
    }


def change_labels() -> dict[str, str]:
    return {
        "created": _("Created"),
        "edited": _("Edited"),
        "imported": _("Imported from a file"),
        "note_added": _("Progress note added"),
        "note_removed": _("Progress note removed"),
        "deleted": _("Deleted"),
    }


# -- creating and editing --------------------------------------------------------------


@bp.route("/<survey_id>/actions/new", methods=["GET", "POST"])
@requires(PLANNING)
def new_action(survey_id: str):
    survey = planning(survey_id)
    measured = _measured(survey)
    if request.method == "POST" and request.form.get("then") != "more":
        found, errors = _read_form(survey, measured, request.form.get("id", "").strip())
        if found is not None:
            try:
                stored.create_action(get_db(), found, at=_now(), author=current_author())
            except stored.ActionExists:
                errors = {"id": _("id: an action “%(id)s” already exists; choose another id", id=found.id)}
            else:
                flash(_("Action created."))
                return redirect(url_for("actions.action", survey_id=survey.id, action_id=found.id), 303)
        return _form_page(survey, measured, None, request.form, errors)
    indicator = request.args.get("indicator")
    start = MultiDict([("indicators", indicator)]) if indicator else MultiDict()
    return _form_page(survey, measured, None, request.form if request.method == "POST" else start, {})


@bp.route("/<survey_id>/actions/<action_id>/edit", methods=["GET", "POST"])
@requires(PLANNING)
def edit_action(survey_id: str, action_id: str):
    survey = planning(survey_id)
    existing = _action(survey, action_id)
    measured = _measured(survey)
    if request.method == "POST" and request.form.get("then") != "more":
        found, errors = _read_form(survey, measured, existing.id)
        if found is not None:
            found = dataclasses.replace(found, updates=existing.updates)  # notes are added and removed on their own
            try:
                changed = stored.update_action(get_db(), found, at=_now(), author=current_author())
            except KeyError:
                abort(404)  # deleted meanwhile
            flash(_("Action saved.") if changed else _("Nothing was changed."))
            return redirect(url_for("actions.action", survey_id=survey.id, action_id=existing.id), 303)
        return _form_page(survey, measured, existing, request.form, errors)
    form = request.form if request.method == "POST" else _form_of(survey, existing)
    return _form_page(survey, measured, existing, form, {})


def _form_page(survey: Survey, measured: Measured, existing: Action | None, form: MultiDict, errors: dict[str, str]):
    """The action's form, with what was typed and the problems found (400 when there are any)."""
    rows = _commitment_rows(form)
    if request.method == "POST" and request.form.get("then") == "more":
        rows = min(rows + 1, MAX_COMMITMENT_ROWS)
    ticked = set(form.getlist("indicators"))
    return render_template(
        "admin/action_form.html",
        survey=survey,
        existing=existing,
        form=form,
        errors=errors,
        anchors=_anchors(survey, errors),
        rows=rows,
        ticked=ticked,
        view=measured.view,
        latest=action_views.latest_figures(measured.view, language(g.lang)),
        rounds=measured.rounds,
        default_baseline=_default_baseline(form, measured),
        statuses=action_views.status_labels(language(g.lang)),
        STATUSES=STATUSES,
    ), (400 if errors else 200)


def _default_baseline(form: MultiDict, measured: Measured) -> str | None:
    """What "by default" means for the start typed (or today): the latest round collected before it."""
    try:
        starts = date.fromisoformat(form.get("starts", "").strip())
    except ValueError:
        starts = date.today()
    probe = Action(survey="", id="", title={}, description={}, indicators=(), starts=starts)
    return baseline_round(probe, measured.figures)


def _commitment_rows(form: MultiDict) -> int:
    """How many commitment rows the form shows: those sent (or filled), plus the blank ones."""
    sent = form.get("commitment-rows", type=int)
    if sent is None:
        filled = 0
        while form.get(f"commitment-{filled}-party") is not None:
            filled += 1
        return min(filled + EXTRA_COMMITMENT_ROWS, MAX_COMMITMENT_ROWS)
    return max(1, min(sent, MAX_COMMITMENT_ROWS))


def _anchors(survey: Survey, errors: dict[str, str]) -> dict[str, str]:
    """The element each problem's link leads to: a field's own id, the first box of a group of them."""
    grouped = {"indicators": f"indicator-{survey.indicators[0].id}", "status": f"status-{STATUSES[0]}"}
    return {where: grouped.get(where, where) for where in errors}


def _form_of(survey: Survey, action: Action) -> MultiDict:
    """The form's fields holding ``action``, as if it had just been sent."""
    fields: list[tuple[str, str]] = [("id", action.id)]
    for lang in survey.languages:
        fields += [
            (f"title-{lang}", action.title.get(lang, "")),
            (f"description-{lang}", action.description.get(lang, "")),
        ]
    fields += [("indicators", indicator) for indicator in action.indicators]
    for k, commitment in enumerate(action.commitments):
        party = f"group:{commitment.group}" if commitment.group else "named"
        fields.append((f"commitment-{k}-party", party))
        for lang in survey.languages:
            fields.append((f"commitment-{k}-party-{lang}", (commitment.party or {}).get(lang, "")))
            fields.append((f"commitment-{k}-does-{lang}", commitment.does.get(lang, "")))
    fields.append(("commitment-rows", str(min(len(action.commitments) + EXTRA_COMMITMENT_ROWS, MAX_COMMITMENT_ROWS))))
    fields += [("starts", action.starts.isoformat()), ("ends", action.ends.isoformat() if action.ends else "")]
    fields += [("status", action.status), ("baseline", action.baseline or "")]
    return MultiDict(fields)


def _read_form(survey: Survey, measured: Measured, action_id: str) -> tuple[Action | None, dict[str, str]]:
    """The action the form describes, checked as a file's would be; or None and the problems by field."""
    form = request.form
    tree = _form_tree(survey, form, action_id)
    found, problems = check_action(tree, _context(survey, measured), "id")
    return found, _by_field(problems)


def _form_tree(survey: Survey, form: MultiDict, action_id: str) -> Any:
    """The form as the located tree a file gives `action_checks`, each value located at its field."""
    languages = survey.languages

    def texts(prefix: str) -> Any:
        values = {lang: form.get(f"{prefix}-{lang}", "") for lang in languages}
        return form_mapping(values, {lang: f"{prefix}-{lang}" for lang in languages}, f"{prefix}-{languages[0]}")

    values: dict[str, Any] = {
        "id": action_id,
        "title": texts("title"),
        "description": texts("description"),
        "starts": form.get("starts", ""),
        "status": form.get("status", ""),
    }
    ticked = form.getlist("indicators")
    values["indicators"] = form_list(ticked, [f"indicator-{i}" for i in ticked], "indicators")
    commitments, fields = [], []
    for k in range(_commitment_rows(form)):
        commitment = _commitment_tree(form, k, languages, texts)
        if commitment is not None:
            commitments.append(commitment)
            fields.append(f"commitment-{k}-party")
    values["commitments"] = form_list(commitments, fields, "commitment-0-party")
    if form.get("ends", "").strip():
        values["ends"] = form.get("ends", "")
    if form.get("baseline"):
        values["baseline"] = form.get("baseline")
    return form_mapping(values, {key: key for key in values} | {"indicators": "indicators"}, "id")


def _commitment_tree(form: MultiDict, k: int, languages: tuple[str, ...], texts) -> Any | None:
    """One commitment row as a located mapping; None for a blank row or one ticked to be removed."""
    prefix = f"commitment-{k}"
    party = form.get(f"{prefix}-party", "")
    typed = [form.get(f"{prefix}-{part}-{lang}", "").strip() for part in ("party", "does") for lang in languages]
    if form.get(f"{prefix}-remove") or (not party and not any(typed)):
        return None
    values: dict[str, Any] = {"does": texts(f"{prefix}-does")}
    fields = {"does": f"{prefix}-does-{languages[0]}"}
    if party.startswith("group:"):
        values["group"] = party.removeprefix("group:")
        fields["group"] = f"{prefix}-party"
    elif party == "named":
        values["party"] = texts(f"{prefix}-party")
        fields["party"] = f"{prefix}-party-{languages[0]}"
    return form_mapping(values, fields, f"{prefix}-party")


def _by_field(problems: list[Problem]) -> dict[str, str]:
    """One message per field, the first found: what the error summary lists and each field shows."""
    found: dict[str, str] = {}
    for problem in problems:
        found.setdefault(str(problem.where), problem.message)
    return found


# -- progress notes, deletion ---------------------------------------------------------


@bp.route("/<survey_id>/actions/<action_id>/notes", methods=["POST"])
@requires(PLANNING)
def add_note(survey_id: str, action_id: str):
    survey = planning(survey_id)
    found = _action(survey, action_id)
    languages = survey.languages
    text = form_mapping(
        {lang: request.form.get(f"note-{lang}", "") for lang in languages},
        {lang: f"note-{lang}" for lang in languages},
        f"note-{languages[0]}",
    )
    tree = form_mapping({"date": request.form.get("note-date", ""), "text": text}, {"date": "note-date"}, "note-date")
    note, problems = check_note(tree, Context(survey, (), language(g.lang)), len(found.updates) + 1)
    if note is None:
        return _action_page(survey, found, _by_field(problems))
    try:
        stored.add_note(get_db(), survey.id, found.id, note, at=_now(), author=current_author())
    except KeyError:
        abort(404)
    flash(_("Progress note added."))
    return redirect(url_for("actions.action", survey_id=survey.id, action_id=found.id) + "#progress", 303)


@bp.route("/<survey_id>/actions/<action_id>/notes/<note_id>/remove", methods=["POST"])
@requires(PLANNING)
def remove_note(survey_id: str, action_id: str, note_id: str):
    survey = planning(survey_id)
    found = _action(survey, action_id)
    if not stored.remove_note(get_db(), survey.id, found.id, note_id, at=_now(), author=current_author()):
        abort(404)
    flash(_("Progress note removed."))
    return redirect(url_for("actions.action", survey_id=survey.id, action_id=found.id) + "#progress", 303)


@bp.route("/<survey_id>/actions/<action_id>/delete", methods=["GET", "POST"])
@requires(PLANNING)
def delete_action(survey_id: str, action_id: str):
    """Asks first (GET), deletes on the confirming POST; the log keeps the deletion."""
    survey = planning(survey_id)
    found = _action(survey, action_id)
    if request.method == "POST":
        stored.delete_action(get_db(), survey.id, found.id, at=_now(), author=current_author())
        flash(_("Action “%(title)s” deleted.", title=found.title(g.lang)))
        return redirect(url_for("actions.actions", survey_id=survey.id), 303)
    return render_template("admin/action_delete.html", survey=survey, action=found)


# -- indicators in the workspace --------------------------------------------------------


@bp.route("/<survey_id>/indicators/")
@requires(PLANNING)
def indicators(survey_id: str):
    survey = planning(survey_id)
    measured = _measured(survey)
    found = stored.survey_actions(get_db(), survey.id)
    return render_template(
        "admin/indicators.html",
        survey=survey,
        view=measured.view,
        latest=action_views.latest_figures(measured.view, language(g.lang)),
        plans=action_views.plans_view(survey, found, measured.figures, g.lang),
    )


@bp.route("/<survey_id>/indicators/<indicator_id>/")
@requires(PLANNING)
def indicator(survey_id: str, indicator_id: str):
    survey = planning(survey_id)
    if indicator_id not in {item.id for item in survey.indicators}:
        abort(404)
    measured = _measured(survey)
    found = stored.survey_actions(get_db(), survey.id)
    item = measured.view.indicator(indicator_id)
    words = language(g.lang)
    rows = [item.everyone, *item.groups]
    return render_template(
        "admin/indicator.html",
        survey=survey,
        view=measured.view,
        item=item,
        sentences={row.id: presenting.change_sentence(row.change, words) for row in rows if row.change},
        plans=action_views.plans_view(survey, found, measured.figures, g.lang),
    )
