"""Group sessions in the workspace: the coordinators list, record, change and delete a survey's sessions.

The routes belong to the workspace's blueprint (`admin.bp`): its guard checks
the login, and `requires` says they need `SESSIONS` (a survey out of scope
answers 404, a moderator 403). The values are checked by
`workspace.session_checks`, as the import checks them; errors are shown at
their field, with what was typed. A session whose criteria are being
moderated can no longer be changed or deleted: the page says why.
"""

from __future__ import annotations

from datetime import date

from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField

from coresp_survey import i18n
from coresp_survey.answers.records import GroupSession
from coresp_survey.figures.synthesis import question_kind
from coresp_survey.survey.model import Survey
from coresp_survey.web import accounts
from coresp_survey.web.accounts import requires
from coresp_survey.web.admin import _now
from coresp_survey.web.admin import bp
from coresp_survey.web.database import get_db
from coresp_survey.workspace import moderation
from coresp_survey.workspace import session_checks
from coresp_survey.workspace import sessions
from coresp_survey.workspace.accounts import SESSIONS


class SessionForm(Form):
    """What a coordinator types from a session's cards; the checks are `session_checks`' (shared with the import)."""

    group = SelectField(validate_choice=False)
    label = StringField()
    date = StringField()
    participants = StringField()
    question = SelectField(validate_choice=False)
    lang = SelectField(validate_choice=False)
    criteria = TextAreaField()
    note = TextAreaField()

    def __init__(self, formdata: MultiDict | None, survey: Survey, shown_in: str, **data) -> None:
        super().__init__(formdata, **data)
        self.survey = survey
        self.group.choices = [(group.id, group.label(shown_in)) for group in survey.groups]
        numbers = session_checks.question_numbers(survey)
        self.question.choices = [
            (q.id, f"{numbers[q.id]}. {q.label(shown_in)}") for q in moderation.open_questions(survey)
        ]
        self.lang.choices = [(code, i18n.LANGUAGE_NAMES.get(code, code)) for code in survey.languages]
        self.values: dict = {}
        self.problems: dict[str, list[str]] = {}

    def check(self) -> bool:
        """Run the shared checks; ``values`` then holds what to store, ``problems`` what is wrong, by field."""
        words = i18n.language(g.lang)
        typed, marker_problems = session_checks.read_lines(
            self.survey, self.criteria.data or "", self.question.data or "", self.lang.data or "", words
        )
        self.values, found = session_checks.check_session(
            self.survey,
            group=self.group.data or "",
            day=self.date.data or "",
            participants=self.participants.data,
            label=self.label.data or "",
            note=(self.note.data or "").replace("\r\n", "\n"),
            criteria=typed,
            words=words,
            today=date.today(),
        )
        for problem in marker_problems:
            found.add("criteria", problem)
        self.problems = found.by_field
        return not found


def _survey(survey_id: str) -> Survey:
    """A visible survey with groups and open questions: sessions need both."""
    survey = accounts.visible_surveys()[survey_id]
    if not survey.groups or not moderation.open_questions(survey):
        abort(404)
    return survey


def _session(survey: Survey, session_id: str) -> GroupSession:
    found = sessions.get_session(get_db(), session_id)
    if found is None or found.survey != survey.id:
        abort(404)
    return found


def typed_lines(survey: Survey, session: GroupSession) -> tuple[str, str, str]:
    """A session's criteria as the textarea shows them, with the default question and language of its first line.

    A marker is written only where the question or language changes.
    """
    numbers = session_checks.question_numbers(survey)
    first = session.criteria[0] if session.criteria else None
    question, lang = (first.question, first.lang) if first else ("", "")
    lines = []
    for criterion in session.criteria:
        words = []
        if criterion.question != question:
            words.append(numbers.get(criterion.question, criterion.question))
        if criterion.lang != lang:
            words.append(criterion.lang)
        question, lang = criterion.question, criterion.lang
        lines.append(f"[{' '.join(words)}] {criterion.text}" if words else criterion.text)
    return "\n".join(lines), (first.question if first else ""), (first.lang if first else "")


@bp.route("/<survey_id>/sessions/")
@requires(SESSIONS)
def sessions_list(survey_id: str):
    survey = _survey(survey_id)
    db = get_db()
    found = sessions.list_sessions(db, survey.id)
    locked = {session.id for session in found if sessions.moderated_criteria(db, session.id)}
    return render_template("admin/sessions.html", survey=survey, sessions=found, locked=locked)


@bp.route("/<survey_id>/sessions/new", methods=["GET", "POST"])
@requires(SESSIONS)
def session_new(survey_id: str):
    survey = _survey(survey_id)
    if request.method == "POST":
        form = SessionForm(request.form, survey, g.lang)
        if form.check():
            v = form.values
            sessions.record_session(
                get_db(), survey=survey.id, group=v["group"], date=v["date"], participants=v["participants"],
                criteria=v["criteria"], label=v["label"], note=v["note"], by=accounts.current_login(), at=_now(),
            )  # fmt: skip
            flash(ngettext("Session recorded with %(num)s criterion.", "Session recorded with %(num)s criteria.",
                           len(v["criteria"])))  # fmt: skip
            return redirect(url_for("admin.sessions_list", survey_id=survey.id), 303)
        return _form_page(survey, form, None), 400
    form = SessionForm(
        None,
        survey,
        g.lang,
        question=first_question(survey),
        lang=survey.default_language,
        date=date.today().isoformat(),
    )
    return _form_page(survey, form, None)


def first_question(survey: Survey) -> str:
    """The question a new session's first cards answer: the method starts with what well-being means, so the
    first open question asking it (`synthesis.question_kind`), else the first open question."""
    questions = moderation.open_questions(survey)
    well_being = [q.id for q in questions if question_kind(q.id) == "well_being"]
    return (well_being or [q.id for q in questions] or [""])[0]


@bp.route("/<survey_id>/sessions/<session_id>/", methods=["GET", "POST"])
@requires(SESSIONS)
def session_edit(survey_id: str, session_id: str):
    survey = _survey(survey_id)
    found = _session(survey, session_id)
    locked = sessions.moderated_criteria(get_db(), found.id)
    if request.method == "POST":
        form = SessionForm(request.form, survey, g.lang)
        if locked:
            flash(_locked_message(locked), "error")
            return redirect(url_for("admin.session_edit", survey_id=survey.id, session_id=found.id), 303)
        if form.check():
            v = form.values
            try:
                sessions.change_session(
                    get_db(), found.id, group=v["group"], date=v["date"], participants=v["participants"],
                    criteria=v["criteria"], label=v["label"], note=v["note"], by=accounts.current_login(), at=_now(),
                )  # fmt: skip
            except sessions.SessionLocked:
                flash(_locked_message(1), "error")
                return redirect(url_for("admin.session_edit", survey_id=survey.id, session_id=found.id), 303)
            except sessions.SessionMissing:
                abort(404)
            flash(_("Session saved."))
            return redirect(url_for("admin.sessions_list", survey_id=survey.id), 303)
        return _form_page(survey, form, found, locked), 400
    lines, question, lang = typed_lines(survey, found)
    form = SessionForm(
        None, survey, g.lang, group=found.group, label=found.label, date=found.date,
        participants=str(found.participants), question=question, lang=lang, criteria=lines, note=found.note,
    )  # fmt: skip
    return _form_page(survey, form, found, locked)


@bp.route("/<survey_id>/sessions/<session_id>/delete", methods=["POST"])
@requires(SESSIONS)
def session_delete(survey_id: str, session_id: str):
    survey = _survey(survey_id)
    found = _session(survey, session_id)
    try:
        sessions.delete_session(get_db(), found.id, by=accounts.current_login(), at=_now())
    except sessions.SessionLocked:
        flash(_locked_message(sessions.moderated_criteria(get_db(), found.id)), "error")
        return redirect(url_for("admin.session_edit", survey_id=survey.id, session_id=found.id), 303)
    except sessions.SessionMissing:
        abort(404)
    flash(_("Session deleted."))
    return redirect(url_for("admin.sessions_list", survey_id=survey.id), 303)


def _locked_message(moderated: int) -> str:
    return ngettext(
        "This session can no longer be changed or deleted: %(num)s of its criteria has already been moderated, and"
        " changing it would publish text nobody approved. Correct a criterion in moderation (the text to publish)"
        " instead.",
        "This session can no longer be changed or deleted: %(num)s of its criteria have already been moderated,"
        " and changing it would publish text nobody approved. Correct a criterion in moderation (the text to"
        " publish) instead.",
        moderated,
    )


def _form_page(survey: Survey, form: SessionForm, found: GroupSession | None, locked: int = 0):
    return render_template(
        "admin/session.html",
        survey=survey,
        form=form,
        session=found,
        locked=_locked_message(locked) if locked else None,
        log=sessions.session_log(get_db(), found.id) if found else [],
        problems=form.problems,
        numbers=session_checks.question_numbers(survey),
        questions=moderation.open_questions(survey),
        example=example_marks(survey),
    )


def example_marks(survey: Survey) -> tuple[str | None, str | None]:
    """The marks of the form's example lines that this survey has: the second open question's number, and the
    third's with ``en`` (the example's English card); None for a line the survey could not take."""
    numbers = session_checks.question_numbers(survey)
    questions = moderation.open_questions(survey)
    second = str(numbers[questions[1].id]) if len(questions) > 1 else None
    marks = [str(numbers[questions[2].id])] if len(questions) > 2 else []
    if "en" in survey.languages and survey.default_language != "en":
        marks.append("en")
    english = "en" in marks or survey.default_language == "en"
    return second, (" ".join(marks) if marks and english else None)
