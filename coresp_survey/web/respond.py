"""The respondent's side: survey list, one page per section, thanks.

Every page view reads top to bottom: find the survey, load the respondent's
draft, act on what was sent, then render or redirect (POST → 303 → GET).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict
from wtforms import Form

from coresp_survey.answers import codes
from coresp_survey.answers import database
from coresp_survey.answers import drafts
from coresp_survey.answers import forms
from coresp_survey.answers import responses
from coresp_survey.answers import walk as answering
from coresp_survey.i18n import LANGUAGES
from coresp_survey.survey.model import Section
from coresp_survey.survey.model import Survey
from coresp_survey.web.database import get_codes_db
from coresp_survey.web.database import get_db
from coresp_survey.web.errors import render_error
from coresp_survey.web.languages import preferred_language
from coresp_survey.web.templating import twins

bp = Blueprint("respond", __name__)

NAV = "_nav"
"""The name of the navigation buttons; it cannot clash with a question id."""
REACHED = "_reached"
"""Kept in the draft: the furthest page reached, to offer a returning respondent to go on."""
FORM_MARK = "_form"
"""Kept in the draft: the survey's ``form_mark`` when it was saved, to notice an edit of the file since."""
KIOSK_SEEN = "kiosk_seen"
"""Kept in the session of a kiosk's browser: when each kiosk survey last had a request (seconds)."""
THANKS_SECONDS = 30
"""How long a kiosk's thanks page stays before the form starts afresh for the next person."""


def now() -> float:
    """The clock of kiosk idleness (tests move it)."""
    return time.time()


@bp.url_defaults
def add_language(endpoint: str, values: dict) -> None:
    if "lang" not in values and g.get("lang") and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.lang


@bp.url_value_preprocessor
def pull_language(endpoint: str | None, values: dict | None) -> None:
    if values and "lang" in values:
        g.lang = values.pop("lang")
        if g.lang not in LANGUAGES:
            g.lang = None
            abort(404)


@bp.route("/")
def root():
    return redirect(url_for(".home", lang=preferred_language()), 302)


@bp.route("/<lang>/")
def home():
    today = date.today()
    surveys = [s for s in current_app.extensions["surveys"].values() if g.lang in s.languages and s.is_open_on(today)]
    return render_template("home.html", surveys=sorted(surveys, key=lambda s: s.title(g.lang)))


# -- the respondent's state ---------------------------------------------------------


@dataclass
class Respondent:
    """What we know of this browser's answers to one survey."""

    key: str
    raw: answering.Raw = field(default_factory=dict)
    code_ok: bool = False
    """An invitation code was accepted (spent) for these answers; which one is kept nowhere."""
    code_group: str | None = None
    submitted: bool = False

    def group(self, survey: Survey) -> str | None:
        if self.code_group:
            return self.code_group
        chosen = (self.raw.get("group") or [None])[0]
        return chosen if survey.group(chosen) else None


def load_respondent(survey: Survey) -> Respondent:
    """This browser's draft; a new respondent gets its key now, so a double click on
    the first page it sends still carries one submission key."""
    key = session.get("drafts", {}).get(survey.id)
    if key is None:
        key = database.new_key()
        session.permanent = True
        session["drafts"] = {**session.get("drafts", {}), survey.id: key}
        return Respondent(key)
    draft = drafts.get_draft(get_db(), key)
    if draft is None or draft.survey != survey.id:
        return Respondent(key)
    code_group = draft.group if draft.code_ok else None
    return Respondent(draft.key, draft.answers, draft.code_ok, code_group, draft.submitted)


def save_respondent(survey: Survey, respondent: Respondent) -> None:
    drafts.save_draft(
        get_db(),
        key=respondent.key,
        survey=survey.id,
        answers=respondent.raw,
        group=respondent.group(survey),
        code_ok=respondent.code_ok,
    )


def find_survey(survey_id: str) -> Survey:
    survey = current_app.extensions["surveys"].get(survey_id)
    if survey is None or g.lang not in survey.languages:
        abort(404)
    return survey


# -- pages ---------------------------------------------------------------------------


@dataclass
class Screen:
    """Everything one page of the form needs to be drawn."""

    survey: Survey
    result: answering.Walk
    page: answering.Page
    start: Form | None
    respondent: Respondent
    notice: str | None = None
    errors: bool = False
    resume: answering.Page | None = None


@bp.route("/<lang>/<survey_id>/", methods=["GET", "POST"], endpoint="page")
@bp.route("/<lang>/<survey_id>/page/<section_id>/", methods=["GET", "POST"], endpoint="page")
def page(survey_id: str, section_id: str | None = None):
    survey = find_survey(survey_id)
    if section_id is not None and all(section.id != section_id for section in survey.sections):
        abort(404)
    if not survey.is_open_on(date.today()):
        return render_template("closed.html", survey=survey, today=date.today())
    if request.method == "GET" and ("group" in request.args or "code" in request.args):
        return keep_prefill(survey, section_id)
    if survey.kiosk:
        keep_kiosk_fresh(survey)
    respondent = current_respondent(survey)
    if respondent.submitted and survey.kiosk:  # a resent last page: the thanks, then the next person
        forget_in_session(survey)
        return redirect(url_for(".thanks", survey_id=survey.id), 303)
    if respondent.submitted:
        return render_template("answered.html", survey=survey)
    if section_id is not None and survey.access == "code" and not respondent.code_ok:
        return redirect(url_for(".page", survey_id=survey.id), 303)
    if request.method == "POST":
        return receive_page(survey, respondent, section_id)
    screen = build_screen(survey, respondent, section_id)
    if screen is None:
        return redirect(url_for(".page", survey_id=survey.id), 303)
    if request.args.get("check"):
        screen.errors = not check_screen(screen)
    elif screen.page.number == 1 and not survey.kiosk:
        screen.resume = resume_page(screen.result, respondent)
    return render_screen(screen)


def current_respondent(survey: Survey) -> Respondent:
    """This browser's respondent; a draft saved before the survey file was edited keeps only what it still fits."""
    respondent = load_respondent(survey)
    mark = answering.form_mark(survey)
    if respondent.raw and respondent.raw.get(FORM_MARK) != [mark]:
        respondent.raw = answering.usable_draft(survey, respondent.raw, keep=("group", REACHED))
    respondent.raw[FORM_MARK] = [mark]
    return respondent


def check_screen(screen: Screen) -> bool:
    """Check a page shown again to be corrected (``?check=1``): its questions, and the group or code it asks."""
    page_ok = answering.validate_page(screen.page)
    start_ok = screen.start is None or screen.start.validate()
    return page_ok and start_ok


def resume_page(result: answering.Walk, respondent: Respondent) -> answering.Page | None:
    """For a respondent back on the first page: the furthest page they had reached, if further."""
    reached = (respondent.raw.get(REACHED) or [None])[0]
    page = result.page(reached) if reached else None
    return page if page is not None and page.number > 1 else None


def keep_prefill(survey: Survey, section_id: str | None):
    """Keep ``?group=``/``?code=`` in the session and drop them from the address (logs, history)."""
    prefill = {name: request.args.get(name, "")[:100] for name in ("group", "code") if name in request.args}
    session["prefill"] = {**session.get("prefill", {}), survey.id: prefill}
    return redirect(url_for(".page", survey_id=survey.id, section_id=section_id), 303)


def prefill_values(survey: Survey) -> dict[str, str]:
    return session.get("prefill", {}).get(survey.id, {})


def start_fields(survey: Survey, respondent: Respondent) -> tuple[bool, bool]:
    """Which of group and code the first page asks for.

    Codes are made for one group, so a survey by invitation never asks for
    the group: it comes with the code.
    """
    with_code = survey.access == "code" and not respondent.code_ok
    with_group = bool(survey.groups) and survey.access != "code"
    return with_group, with_code


def start_form(survey: Survey, respondent: Respondent, data: MultiDict) -> Form | None:
    with_group, with_code = start_fields(survey, respondent)
    return forms.start_form(survey, g.lang, data, with_group, with_code) if with_group or with_code else None


def walk_for(survey: Survey, respondent: Respondent) -> answering.Walk:
    """The respondent's pages as they stand: the same list whichever page is asked for."""
    asks_start = any(start_fields(survey, respondent))
    return answering.walk(survey, g.lang, respondent.raw, respondent.group(survey), start_page=asks_start)


def build_screen(
    survey: Survey, respondent: Respondent, section_id: str | None, start: Form | None = None
) -> Screen | None:
    """Walk the survey with the respondent's answers and pick the page asked for (None if it has none)."""
    result = walk_for(survey, respondent)
    current = addressed_page(result, section_id)
    if current is None:
        return None
    if current.number == 1 and start is None:
        start = start_form(survey, respondent, _start_data(survey, respondent))
    return Screen(survey, result, current, start if current.number == 1 else None, respondent)


def addressed_page(result: answering.Walk, section_id: str | None) -> answering.Page | None:
    """The page at an address: the first page has the survey's own; a section hidden, or first, has none."""
    if section_id is None:
        return result.pages[0]
    current = result.page(section_id)
    return None if current is result.pages[0] else current


def _start_data(survey: Survey, respondent: Respondent) -> MultiDict:
    prefill = prefill_values(survey)
    data = MultiDict()
    group = respondent.raw.get("group", [prefill.get("group", "")])
    data.setlist("group", [value for value in group if value])
    if prefill.get("code"):
        data.add("code", prefill["code"])
    return data


def sent_section(survey: Survey, respondent: Respondent, section_id: str | None) -> Section | None:
    """The section of the page sent (None: a first page without one), known before its answers are taken."""
    if section_id is None:
        with_start = any(start_fields(survey, respondent))
        return answering.first_page_section(survey, respondent.group(survey), start_page=with_start)
    return next(section for section in survey.sections if section.id == section_id)


def take_sent(
    survey: Survey, respondent: Respondent, section: Section | None, first: bool, sent: MultiDict
) -> Form | None:
    """Put what the page of ``section`` sent into the respondent's answers; return the first page's own form."""
    start = start_form(survey, respondent, sent) if first else None
    if section is not None:
        respondent.raw = answering.merge_page(respondent.raw, section, sent)
    if start is not None and "group" in start:
        respondent.raw["group"] = sent.getlist("group")[:1]
    return start


def receive_page(survey: Survey, respondent: Respondent, section_id: str | None):
    """Take the page sent, then walk the survey once with its answers and go on from there."""
    sent = request.form
    action = sent.get(NAV, "next")
    section = sent_section(survey, respondent, section_id)
    start = take_sent(survey, respondent, section, section_id is None, sent)
    start_ok = True
    if start is not None and action == "next":
        start_ok = check_start(survey, respondent, start)
        if start_ok and "code" in start:
            start = None  # accepted: the page no longer asks for it
    result = walk_for(survey, respondent)
    page = sent_page(result, section, section_id)
    if section_id is not None and page is None:  # hidden, or the first page's: nothing is kept
        return redirect(url_for(".page", survey_id=survey.id), 303)
    ok = True
    if action == "next":
        page_ok = page is None or answering.validate_page(page)  # every field checked, whatever the start says
        ok = page_ok and start_ok
    following = result.following(survey.sections.index(section) if section else 0)
    if ok and action == "next" and following is None:
        # With no page left, ``page`` is missing only when the walk is down to its page without a section.
        return finish(survey, respondent, result, page or result.pages[0])
    if ok and action == "next":
        note_reached(result, respondent, following)
    save_respondent(survey, respondent)
    if action == "back":
        return redirect(page_url(survey, result.before(page) if page else None), 303)
    if action != "next":  # the language switch: same page, answers kept
        return redirect(page_url(survey, page or result.pages[0]), 303)
    if not ok:  # refused: the page sent is still in the walk (only an accepted code takes one out)
        refused = page or result.pages[0]
        screen = Screen(survey, result, refused, start if refused.number == 1 else None, respondent, errors=True)
        return render_screen(screen)
    return redirect(page_url(survey, following), 303)


def sent_page(result: answering.Walk, section: Section | None, section_id: str | None) -> answering.Page | None:
    """The page just sent, in the walk as its answers left it; None if it is not there.

    A page's answers never change whether that page or an earlier one is
    shown. Only an accepted invitation code changes which page is first: the
    code's page then leaves the walk when its section is hidden for the
    code's group.
    """
    first = result.pages[0]
    if section is None:
        return first if first.section is None else None
    page = result.page(section.id)
    return None if section_id is not None and page is first else page


def note_reached(result: answering.Walk, respondent: Respondent, following: answering.Page) -> None:
    """Remember the furthest page reached, so a respondent who comes back can go on from there."""
    if following.number > _reached_number(result, respondent):
        respondent.raw[REACHED] = [following.section.id]


def _reached_number(result: answering.Walk, respondent: Respondent) -> int:
    reached = result.page((respondent.raw.get(REACHED) or [""])[0])
    return reached.number if reached else 1


def check_start(survey: Survey, respondent: Respondent, start: Form) -> bool:
    """Validate the group and, for ``access: code``, accept the invitation code.

    Accepting spends the code (in the codes file), then notes ``code_ok`` in
    the draft (``drafts.start_with_code``: if the process dies between the
    two, the code is spent without a draft, and the refusal tells the
    respondent to ask for a new one). The session forgets a code it was given
    in the address.
    """
    ok = start.validate()
    if ok and "code" in start:
        try:
            respondent.code_group = drafts.start_with_code(
                get_db(), get_codes_db(), key=respondent.key, survey=survey.id, code=start.code.data
            )
        except codes.CodeRefused as refused:
            start.code.errors = [code_refusal_message(refused.reason)]
            return False
        respondent.code_ok = True
        forget_prefilled_code(survey)
    return ok


def forget_prefilled_code(survey: Survey) -> None:
    prefill = prefill_values(survey)
    if "code" in prefill:
        kept = {name: value for name, value in prefill.items() if name != "code"}
        session["prefill"] = {**session.get("prefill", {}), survey.id: kept}


def code_refusal_message(reason: str) -> str:
    if reason == "used":
        return _(
            "This code has already been used: each code gives one response. If you started the survey with it, "
            "continue on the device where you started; otherwise ask for a new code."
        )
    return _("This code is not valid. Check it against your slip and try again.")


def finish(survey: Survey, respondent: Respondent, result: answering.Walk, last: answering.Page):
    """Check every other page once more, then store the response once and say thank you (303)."""
    group = respondent.group(survey)
    invalid = answering.first_invalid_page(result, checked=last)
    if invalid is None and (survey.groups and group is None or survey.access == "code" and not respondent.code_ok):
        invalid = result.pages[0]
    if invalid is not None:
        save_respondent(survey, respondent)
        return redirect(page_url(survey, invalid, check=True), 303)
    responses.submit_draft(
        get_db(),
        key=respondent.key,
        survey=survey.id,
        survey_round=survey.round,
        lang=g.lang,
        group=group,
        answers=result.answers,
    )
    after_submission(survey)
    return redirect(url_for(".thanks", survey_id=survey.id), 303)


def page_url(survey: Survey, page: answering.Page | None, check: bool = False) -> str:
    return url_for(".page", **page_values(survey, page), **({"check": 1} if check else {}), lang=g.lang)


def page_values(survey: Survey, page: answering.Page | None) -> dict[str, str | None]:
    """What names ``page`` in its URL, but for the language: the first page is the survey's address."""
    return {"survey_id": survey.id, "section_id": None if page is None or page.number == 1 else page.section.id}


def render_screen(screen: Screen, status: int = 200):
    result, page = screen.result, screen.page
    return render_template(
        "page.html",
        survey=screen.survey,
        page=page,
        pages=result.pages,
        start=screen.start,
        is_last=result.after(page) is None,
        previous=result.before(page),
        errors=screen.errors,
        notice=screen.notice,
        resume=screen.resume and page_url(screen.survey, screen.resume),
        idle_seconds=kiosk_idle_seconds(),
        code_entered=screen.respondent.code_ok,
        form_action=page_url(screen.survey, page),
        twins=twins(".page", page_values(screen.survey, page), screen.survey.languages),
    ), status


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    """Store nothing, but show the page again with what was typed, and say why (400)."""
    values = request.view_args or {}
    survey = current_app.extensions["surveys"].get(values.get("survey_id", ""))
    if request.endpoint != "respond.page" or survey is None or g.get("lang") not in survey.languages:
        return render_error(400, csrf_message())
    respondent = current_respondent(survey)
    section_id = values.get("section_id")
    if respondent.submitted or (section_id is not None and all(s.id != section_id for s in survey.sections)):
        return render_error(400, csrf_message())
    section = sent_section(survey, respondent, section_id)
    start = take_sent(survey, respondent, section, section_id is None, request.form)
    screen = build_screen(survey, respondent, section_id, start)
    if screen is None:
        return render_error(400, csrf_message())
    screen.notice = csrf_message()
    return render_screen(screen, 400)


def csrf_message() -> str:
    return _(
        "For your security, this page could not be sent: it had expired or cookies are blocked. "
        "Nothing was saved. Please check your answers and send the page again."
    )


@bp.route("/<lang>/<survey_id>/thanks/")
def thanks(survey_id: str):
    survey = find_survey(survey_id)
    return render_template("thanks.html", survey=survey, idle_seconds=THANKS_SECONDS)


@bp.route("/<lang>/<survey_id>/again/", methods=["POST"])
def again(survey_id: str):
    """Start afresh: forget this browser's unfinished answers (a shared computer at school, a family)."""
    survey = find_survey(survey_id)
    forget_this_browser(survey)
    return redirect(url_for(".page", survey_id=survey.id), 303)


# -- shared computers and kiosks ---------------------------------------------------------


def forget_this_browser(survey: Survey) -> None:
    """Delete this browser's open draft of ``survey`` from the database, then forget it in the session."""
    key = session.get("drafts", {}).get(survey.id)
    if key is not None:
        drafts.forget_draft(get_db(), key)
    forget_in_session(survey)


def forget_in_session(survey: Survey) -> None:
    """The session forgets its draft of ``survey`` and a prefilled code.

    A prefilled group stays: on a shared computer it is the computer's
    setting (the link the school opened), not the respondent's.
    """
    session["drafts"] = _without(session.get("drafts", {}), survey.id)
    kept = {name: value for name, value in prefill_values(survey).items() if name != "code"}
    if survey.id in session.get("prefill", {}):
        session["prefill"] = {**_without(session["prefill"], survey.id), **({survey.id: kept} if kept else {})}
    if survey.id in session.get(KIOSK_SEEN, {}):
        session[KIOSK_SEEN] = _without(session[KIOSK_SEEN], survey.id)


def _without(mapping: dict, survey_id: str) -> dict:
    return {k: v for k, v in mapping.items() if k != survey_id}


def after_submission(survey: Survey) -> None:
    """What the session keeps once a response is stored.

    On a kiosk, nothing of this respondent: the next person starts afresh,
    and a new CSRF token means a page left open by this respondent (a resent
    last page, a second tab) can no longer be sent into the next one's answers.
    """
    if survey.kiosk:
        forget_in_session(survey)
        session.pop("csrf_token", None)
    elif survey.id in session.get("prefill", {}):
        session["prefill"] = {k: v for k, v in session["prefill"].items() if k != survey.id}


def keep_kiosk_fresh(survey: Survey) -> None:
    """Forget a kiosk's unfinished answers idle too long when the browser comes back (a GET), then note the time.

    A POST is never refused for idleness: it carries the page as it was on
    screen, which the page's own timer has reset if it sat idle, and a
    respondent typing a long answer is not idle to the script.
    """
    seen = session.get(KIOSK_SEEN, {}).get(survey.id)
    moment = now()
    if request.method == "GET" and seen is not None and moment - seen >= kiosk_idle_seconds():
        forget_this_browser(survey)
    session[KIOSK_SEEN] = {**session.get(KIOSK_SEEN, {}), survey.id: int(moment)}


def kiosk_idle_seconds() -> int:
    return int(current_app.config["KIOSK_IDLE_MINUTES"] * 60)
