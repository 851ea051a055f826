"""WTForms classes built from a section of the survey model.

One table maps each question type to a field builder; the form class is made
with ``type()`` so fields keep the survey's order. The same forms check a web
page, the whole response before it is stored, and each row of a CSV import:
one set of rules wherever answers come from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import MultiDict
from wtforms import Field
from wtforms import Form
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from coresp_survey.survey.model import OTHER_VALUE
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import Section
from coresp_survey.survey.model import Survey
from coresp_survey.web.languages import format_decimal  # until forms speak through i18n.Language

OTHER_MAX_LENGTH = 200
CODE_MAX_LENGTH = 40


def is_answered(value: Any) -> bool:
    return value not in (None, "", [], ())


# -- validators ----------------------------------------------------------------


def required(message: Callable[[], str]) -> Callable[[Form, Field], None]:
    """Stop with ``message`` when the field has no answer (0 is an answer)."""

    def check(form: Form, field: Field) -> None:
        if not is_answered(field.data):
            field.errors[:] = []
            raise StopValidation(message())

    return check


def optional(form: Form, field: Field) -> None:
    """Skip the other checks when the field is empty (clearing a choice error)."""
    if not is_answered(field.data) and not _typed_something(field):
        field.errors[:] = []
        raise StopValidation()


def _typed_something(field: Field) -> bool:
    return any(str(value).strip() for value in (field.raw_data or []))


def max_length(limit: int) -> Callable[[Form, Field], None]:
    def check(form: Form, field: Field) -> None:
        length = len(field.data or "")
        if length > limit:
            raise ValidationError(
                _("Please shorten your answer to %(limit)s characters (it has %(length)s).",
                  limit=format_decimal(limit), length=format_decimal(length))
            )  # fmt: skip

    return check


def number_range(low: float | None, high: float | None) -> Callable[[Form, Field], None]:
    def check(form: Form, field: Field) -> None:
        value = field.data
        if value is None:
            return
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                message = _(
                    "Please enter a number from %(low)s to %(high)s.",
                    low=format_decimal(low),
                    high=format_decimal(high),
                )
            elif low is not None:
                message = _("Please enter a number of at least %(low)s.", low=format_decimal(low))
            else:
                message = _("Please enter a number of at most %(high)s.", high=format_decimal(high))
            raise ValidationError(message)

    return check


def selection_count(low: int | None, high: int | None) -> Callable[[Form, Field], None]:
    def check(form: Form, field: Field) -> None:
        count = len(field.data or [])
        if low is not None and count < low:
            raise ValidationError(
                ngettext("Please choose at least %(num)s option.", "Please choose at least %(num)s options.", low)
            )
        if high is not None and count > high:
            raise ValidationError(
                ngettext("Please choose at most %(num)s option.", "Please choose at most %(num)s options.", high)
            )

    return check


def other_text(question: Question) -> Callable[[Form, Field], None]:
    """Choosing "Other" needs a few words saying what it is."""

    def check(form: Form, field: Field) -> None:
        chosen = field.data if isinstance(field.data, list) else [field.data]
        text = form[question.other_field].data
        if OTHER_VALUE in chosen and not text:
            raise ValidationError(_("Please say what “Other” is."))
        if text and len(text) > OTHER_MAX_LENGTH:
            raise ValidationError(_("Please shorten your answer to %(limit)s characters (it has %(length)s).",
                                    limit=format_decimal(OTHER_MAX_LENGTH), length=format_decimal(len(text))))  # fmt: skip

    return check


# -- fields ------------------------------------------------------------------------


def clean_text(value: str | None) -> str:
    """Trim, unify line ends, and drop control characters other than newline and tab."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch in "\n\t" or ch.isprintable())
    return value.strip()


class TextField(StringField):
    def process_formdata(self, valuelist: list) -> None:
        self.data = clean_text(valuelist[0]) if valuelist else ""


class LongTextField(TextAreaField):
    def process_formdata(self, valuelist: list) -> None:
        self.data = clean_text(valuelist[0]) if valuelist else ""


NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


class NumberField(Field):
    """A number as people type it: ``12``, ``3,5``, ``1 234.5``; None when unreadable."""

    widget = StringField.widget

    def __init__(self, *args: Any, integer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.integer = integer

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ""

    def process_formdata(self, valuelist: list) -> None:
        self.data = None
        text = SPACES.sub("", valuelist[0]) if valuelist else ""
        if not text or not NUMBER.fullmatch(text) or len(text) > 30:
            return
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            return
        if self.integer and number != number.to_integral_value():
            return
        self.data = int(number) if number == number.to_integral_value() else float(number)

    def pre_validate(self, form: Form) -> None:
        if self.data is None and _typed_something(self):
            if self.integer:
                raise StopValidation(_("Please enter a whole number, such as 12."))
            raise StopValidation(_("Please enter a number, such as 12 or 3.5."))


class ChoiceField(RadioField):
    """A radio group whose invalid or missing value is simply "no answer" (None)."""

    def __init__(self, *args: Any, invalid: Callable[[], str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid = invalid or (lambda: _("Please choose one of the options."))

    def process_formdata(self, valuelist: list) -> None:
        """An empty value is the "no answer" radio; only the first of repeated values counts."""
        self.data = None
        if valuelist and valuelist[0] != "":
            super().process_formdata(valuelist[:1])

    def pre_validate(self, form: Form) -> None:
        allowed = {choice.value for choice in self.choices}
        if (self.data is None and _typed_something(self)) or (self.data is not None and self.data not in allowed):
            raise StopValidation(self.invalid())


class ChoicesField(SelectMultipleField):
    """Check boxes; unknown values are an error, repeated ones count once."""

    def process_formdata(self, valuelist: list) -> None:
        self.data = list(dict.fromkeys(valuelist))  # in order, once each, in linear time

    def pre_validate(self, form: Form) -> None:
        allowed = {choice.value for choice in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise StopValidation(_("Please choose among the options."))


def coerce_level(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


# -- building forms ------------------------------------------------------------------


def _validators(question: Question, *more: Callable) -> list:
    first = required(lambda: _("Please answer this question.")) if question.required else optional
    return [first, *more]


def _choice_pairs(question: Question, lang: str) -> list[SelectChoice]:
    pairs = [SelectChoice(choice.value, choice.label(lang)) for choice in question.choices]
    if question.other:
        pairs.append(SelectChoice(OTHER_VALUE, _("Other")))
    return pairs


def _single(question: Question, lang: str) -> dict[str, Field]:
    validators = _validators(question, *([other_text(question)] if question.other else []))
    fields = {
        question.id: ChoiceField(choices=_choice_pairs(question, lang), validators=validators, validate_choice=False)
    }
    if question.other:
        fields[question.other_field] = TextField()
    return fields


def _multiple(question: Question, lang: str) -> dict[str, Field]:
    checks = [selection_count(question.min, question.max)]
    if question.other:
        checks.append(other_text(question))
    fields = {
        question.id: ChoicesField(choices=_choice_pairs(question, lang), validators=_validators(question, *checks))
    }
    if question.other:
        fields[question.other_field] = TextField()
    return fields


def _scale(question: Question, lang: str) -> dict[str, Field]:
    pairs = [SelectChoice(choice.value, choice.label(lang)) for choice in question.choices]
    return {
        question.id: ChoiceField(
            choices=pairs, coerce=coerce_level, validators=_validators(question), validate_choice=False
        )
    }


def _text(question: Question, lang: str) -> dict[str, Field]:
    return {question.id: TextField(validators=_validators(question, max_length(question.max_length)))}


def _long_text(question: Question, lang: str) -> dict[str, Field]:
    return {question.id: LongTextField(validators=_validators(question, max_length(question.max_length)))}


def _number(question: Question, lang: str) -> dict[str, Field]:
    checks = _validators(question, number_range(question.min, question.max))
    return {question.id: NumberField(integer=question.integer, validators=checks)}


FIELD_BUILDERS: dict[str, Callable[[Question, str], dict[str, Field]]] = {
    "single": _single,
    "multiple": _multiple,
    "scale": _scale,
    "text": _text,
    "long_text": _long_text,
    "number": _number,
}


def group_field(survey: Survey, lang: str) -> RadioField:
    pairs = [SelectChoice(group.id, group.label(lang)) for group in survey.groups]
    message = lambda: _("Please say which group you belong to.")  # noqa: E731
    return ChoiceField(choices=pairs, validators=[required(message)], invalid=message, validate_choice=False)


def code_field() -> TextField:
    return TextField(validators=[required(lambda: _("Please enter the invitation code written on your slip."))])


def start_form(survey: Survey, lang: str, raw: MultiDict, with_group: bool, with_code: bool) -> Form:
    """The first page's own fields: the respondent's group and invitation code."""
    fields: dict[str, Any] = {}
    if with_group:
        fields["group"] = group_field(survey, lang)
    if with_code:
        fields["code"] = code_field()
    return type("Start", (Form,), fields)(formdata=raw, meta={"locales": [lang, "en"]})


def section_form_class(section: Section, lang: str) -> type[Form]:
    fields: dict[str, Any] = {}
    for question in section.questions:
        fields.update(FIELD_BUILDERS[question.type](question, lang))
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


def field_names(question: Question) -> list[str]:
    return [question.id, question.other_field] if question.other else [question.id]


def usable_values(question: Question, name: str, values: list[str]) -> list[str]:
    """What a field can use of the values sent for it: the first, or each check box once.

    Check boxes keep one value more than there are choices, so that an unknown
    value is still refused with a message rather than silently dropped.
    """
    if question.type == "multiple" and name == question.id:
        return list(dict.fromkeys(values))[: len(question.values) + 1]
    return values[:1]


def typed_answer(form: Form, question: Question) -> dict[str, Any]:
    """The answer to ``question`` as stored: values coerced, "Other" text kept only when chosen."""
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
    if not question.other or not form[question.other_field].data:
        return
    field = form[question.id]
    if question.type == "multiple" and OTHER_VALUE not in field.data:
        field.data = [*field.data, OTHER_VALUE]
    elif question.type == "single" and field.data is None:
        field.data = OTHER_VALUE
