"""A respondent's way through a survey: which pages and questions apply, and what is stored.

Answers are kept as the browser sent them (``raw``: field name → list of
strings), so a page shown again holds exactly what was typed. Walking the
survey turns them into typed answers section by section, judging each
``show_if`` on the answers before it; answers to hidden questions count as
unanswered and are never stored.

A walk depends only on the respondent (answers, group, whether the first page
asks for the group or a code), never on the page asked for: every page of one
respondent sees the same list of pages, so the first page, "Next", "Previous"
and "Page n of m" always agree.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form

from coresp_survey.answers import forms
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import Section
from coresp_survey.survey.model import Survey

Raw = dict[str, list[str]]


@dataclass
class Page:
    """One section as it stands for this respondent."""

    section: Section | None
    """None on a first page that holds only the group or code, or when no section concerns the respondent."""
    number: int
    form: Form
    position: int = 0
    """The section's place in the survey (0 for a page without a section): what comes after what."""
    active: list[Question] = field(default_factory=list)
    """Questions whose condition holds: required, checked and stored."""
    shown: list[Question] = field(default_factory=list)
    """Questions to display: the active ones, plus those that depend on an answer on the same page."""
    live: dict[str, list] = field(default_factory=dict)
    """Per shown question, the conditions on this page's answers (as data) that a script may judge live."""
    known: dict[str, Any] = field(default_factory=dict)
    """Answers from earlier pages (and the group) that those conditions also read."""

    @property
    def field_names(self) -> list[str]:
        return [name for question in self.active for name in forms.field_names(question)]


@dataclass
class Walk:
    pages: list[Page]
    """Visible pages, in order."""
    answers: dict[str, Any]
    """Typed answers to active questions: what a response stores."""

    def page(self, section_id: str) -> Page | None:
        return next((page for page in self.pages if page.section and page.section.id == section_id), None)

    def following(self, position: int) -> Page | None:
        """The first page whose section comes after ``position`` in the survey."""
        return next((page for page in self.pages if page.section and page.position > position), None)

    def after(self, page: Page) -> Page | None:
        index = self.pages.index(page)
        return self.pages[index + 1] if index + 1 < len(self.pages) else None

    def before(self, page: Page) -> Page | None:
        index = self.pages.index(page)
        return self.pages[index - 1] if index > 0 else None


def walk(survey: Survey, lang: str, raw: Raw, group: str | None, start_page: bool = False) -> Walk:
    """Judge every section and question in order against the answers before them.

    ``start_page``: the first page asks for the group or the invitation code.
    That page always exists (holding the first section too, unless it can
    never apply), and since the group is settled there, conditions on
    ``group`` in the first section are judged only when that page is sent.
    Without it, the first page is the first section that applies. A walk
    always has a page, if only one that sends the response.
    """
    formdata = MultiDict(raw)
    answers: dict[str, Any] = {}
    pages: list[Page] = []
    for index, section in enumerate(survey.sections):
        same_page_names = {q.id for q in section.questions}
        if index == 0 and start_page:
            same_page_names.add("group")
        section_on = _holds(section.show_if, answers, group)
        if not section_on and not _depends_on(section.show_if, same_page_names):
            if index == 0 and start_page:
                pages.append(_page_without_section())
            continue
        form = forms.section_form(section, lang, formdata)
        page = Page(section, len(pages) + 1, form, index)
        earlier = dict(answers, group=group) if group and "group" not in same_page_names else dict(answers)
        for question in section.questions:
            forms.adopt_other_text(form, question)
            if section_on and _holds(question.show_if, answers, group):
                page.active.append(question)
                page.shown.append(question)
                answers.update(forms.typed_answer(form, question))
            elif _depends_on(question.show_if, same_page_names) or not section_on:
                page.shown.append(question)
            else:
                continue
            _note_live(page, question, [section.show_if, question.show_if], same_page_names, earlier)
        pages.append(page)
    return Walk(pages or [_page_without_section()], answers)


def _page_without_section() -> Page:
    return Page(None, 1, Form())


def first_page_section(survey: Survey, group: str | None, start_page: bool = False) -> Section | None:
    """The section on the first page, as ``walk`` decides it, without walking.

    Every section before it is hidden, so no answer counts yet: each
    condition is judged on the group alone.
    """
    for index, section in enumerate(survey.sections):
        if index == 0 and start_page:
            applies = _holds(section.show_if, {}, group) or _depends_on(section.show_if, {"group"})
            return section if applies else None
        if _holds(section.show_if, {}, group):
            return section
    return None


def _note_live(page: Page, question: Question, conditions: list, same_page_names: set[str], earlier: dict) -> None:
    live = [condition for condition in conditions if _depends_on(condition, same_page_names)]
    if not live:
        return
    page.live[question.id] = [condition.to_data() for condition in live]
    for condition in live:
        for name in condition.names() - same_page_names:
            if name in earlier:
                page.known[name] = earlier[name]


def _holds(condition: Any, answers: dict[str, Any], group: str | None) -> bool:
    return condition is None or condition.evaluate(answers, group)


def _depends_on(condition: Any, names: set[str]) -> bool:
    return condition is not None and bool(condition.names() & names)


def page_fields(section: Section) -> list[str]:
    """Every field name a section's page may send."""
    return [name for question in section.questions for name in forms.field_names(question)]


def form_mark(survey: Survey) -> str:
    """A digest of the answers the survey can hold (question ids, types, choices).

    Kept in each draft: a different mark means the file was edited since
    the draft was saved, so the draft may hold values the file no longer has.
    """
    shape = [[question.id, question.type, [str(value) for value in question.values]] for question in survey.questions]
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]


def usable_draft(survey: Survey, raw: Raw, keep: tuple[str, ...] = ()) -> Raw:
    """A draft saved before an edit of the survey file, without the values the file no longer has.

    Such a draft may hold a choice since renamed or removed, or the answer
    to a question since removed: kept, it would be refused as if the
    respondent had just chosen it, even on an optional question. Dropped, an
    optional question is simply unanswered and a required one is asked
    again. What was typed stays (a number the form cannot read is still the
    respondent's to correct). ``keep``: names that are not questions' (the
    page reached, the group), kept as they are.
    """
    questions = {name: question for question in survey.questions for name in forms.field_names(question)}
    usable: Raw = {}
    for name, values in raw.items():
        if name in keep:
            usable[name] = values
        elif name in questions:
            question = questions[name]
            readable = [value for value in values if name != question.id or question.kind.readable(question, value)]
            if readable:
                usable[name] = readable
    return usable


def merge_page(raw: Raw, section: Section, sent: MultiDict) -> Raw:
    """The draft's raw answers with this page's fields replaced by what was sent.

    Only the values a field can use are kept (see ``forms.usable_values``): a
    post repeating one field a hundred thousand times costs, and weighs in the
    draft, no more than an honest one.
    """
    names = page_fields(section)
    merged = {name: values for name, values in raw.items() if name not in names}
    for question in section.questions:
        for name in forms.field_names(question):
            values = [value for value in sent.getlist(name) if isinstance(value, str)]
            if values:
                merged[name] = forms.usable_values(question, name, values)
    return merged


def validate_page(page: Page) -> bool:
    return forms.validate_fields(page.form, page.field_names)


def first_invalid_page(result: Walk, checked: Page | None = None) -> Page | None:
    """The first visible page whose active questions do not pass the checks (``checked`` passed already)."""
    return next((page for page in result.pages if page is not checked and not validate_page(page)), None)
