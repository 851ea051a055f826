"""WTForms classes built from a section of the survey model, in one interface language.

Each question becomes the fields its type declares (`QuestionType.fields`);
the form class is made with ``type()`` so fields keep the survey's order, and
its messages are those of the language it is made for (`i18n.Language`), so
no web request is needed. The same forms check a web page, the whole response
before it is stored, and each row of a CSV import: one set of rules wherever
answers come from.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Field
from wtforms import Form
from wtforms.fields.choices import SelectChoice

from coresp_survey import i18n
from coresp_survey.i18n import Language
from coresp_survey.survey.fields import ChoiceField
from coresp_survey.survey.fields import TextField
from coresp_survey.survey.fields import required
from coresp_survey.survey.model import OTHER_VALUE
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import Section
from coresp_survey.survey.model import Survey
from coresp_survey.survey.model import is_answered

# -- the first page's own fields -------------------------------------------------------


def group_field(survey: Survey, language: Language) -> ChoiceField:
    pairs = [SelectChoice(group.id, group.label(language.code)) for group in survey.groups]
    message = language.gettext("Please say which group you belong to.")
    return ChoiceField(choices=pairs, validators=[required(message)], invalid=message, validate_choice=False)


def code_field(language: Language) -> TextField:
    return TextField(validators=[required(language.gettext("Please enter the invitation code written on your slip."))])


def start_form(survey: Survey, lang: str, raw: MultiDict, with_group: bool, with_code: bool) -> Form:
    """The first page's own fields: the respondent's group and invitation code."""
    language = i18n.language(lang)
    fields: dict[str, Any] = {}
    if with_group:
        fields["group"] = group_field(survey, language)
    if with_code:
        fields["code"] = code_field(language)
    return type("Start", (Form,), fields)(formdata=raw, meta={"locales": [lang, "en"]})


# -- the form of a section ---------------------------------------------------------------


def section_form_class(section: Section, lang: str) -> type[Form]:
    """The form class of ``section`` in ``lang``: its messages are bound now, once."""
    language = i18n.language(lang)
    fields: dict[str, Field] = {}
    for question in section.questions:
        fields.update(question.kind.fields(question, language))
    return type(f"Section_{section.id}", (Form,), fields)


_form_classes: dict[tuple[int, str], tuple[Section, type[Form]]] = {}


def cached_form_class(section: Section, lang: str) -> type[Form]:
    """Form classes are made once per section and language (sections live as long as the app)."""
    key = (id(section), lang)
    cached = _form_classes.get(key)
    if cached is None or cached[0] is not section:  # an id can be reused once a section is gone
        cached = _form_classes[key] = (section, section_form_class(section, lang))
    return cached[1]


def section_form(section: Section, lang: str, raw: MultiDict) -> Form:
    """The form of one page, filled from ``raw`` values (as a browser sends them)."""
    return cached_form_class(section, lang)(formdata=raw, meta={"locales": [lang, "en"]})


# -- reading a form -------------------------------------------------------------------------


def field_names(question: Question) -> list[str]:
    """What the question is sent and stored as (`QuestionType.field_names`): none for a note."""
    return question.kind.field_names(question)


def usable_values(question: Question, name: str, values: list[str]) -> list[str]:
    """What a field can use of the values sent for it (`QuestionType.usable`); an "Other" text, the first."""
    return question.kind.usable(question, values) if name == question.id else values[:1]


def typed_answer(form: Form, question: Question) -> dict[str, Any]:
    """The answer to ``question`` as stored: values coerced, "Other" text kept only when chosen; none for a note."""
    if question.id not in form:
        return {}
    value = form[question.id].data
    if not is_answered(value):
        return {}
    answer = {question.id: value}
    if question.other:
        chosen = value if isinstance(value, list) else [value]
        if OTHER_VALUE in chosen and form[question.other_field].data:
            answer[question.other_field] = form[question.other_field].data
    return answer


def validate_fields(form: Form, names: list[str]) -> bool:
    """Validate only the named fields (visible questions); others keep no errors."""
    ok = True
    for name in names:
        field = form[name]
        if not field.validate(form):
            ok = False
    return ok


def adopt_other_text(form: Form, question: Question) -> None:
    """Text typed in the "Other" box counts as choosing "Other" when nothing contradicts it."""
    if question.other and form[question.other_field].data:
        question.kind.adopt_other_text(form[question.id])
