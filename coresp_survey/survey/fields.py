"""The WTForms fields and checks that question types are asked with, their messages in one language.

Each question type (`question_types`) says which of these fields it becomes;
the forms of `coresp_survey.answers.forms` are made of them. A message is
bound to the form's `Language` when the form class is made, so checking an
answer needs no web request: the web page, the whole response before it is
stored and each row of a CSV import are checked by the same rules, in the
language asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from wtforms import Field
from wtforms import Form
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from coresp_survey.i18n import Language
from coresp_survey.survey.model import OTHER_VALUE
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import is_answered

Check = Callable[[Form, Field], None]
OTHER_MAX_LENGTH = 200
"""The longest "Other" text: a few words saying what it is."""
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


# -- checks ----------------------------------------------------------------------


def answer_checks(question: Question, language: Language, *more: Check) -> list[Check]:
    """``required`` or ``optional`` first, then the type's own checks (``more``)."""
    first = required(language.gettext("Please answer this question.")) if question.required else optional
    return [first, *more]


def required(message: str) -> Check:
    """Stop with ``message`` when the field has no answer (0 is an answer)."""

    def check(form: Form, field: Field) -> None:
        if not is_answered(field.data):
            field.errors[:] = []
            raise StopValidation(message)

    return check


def optional(form: Form, field: Field) -> None:
    """Skip the other checks when the field is empty (clearing a choice error)."""
    if not is_answered(field.data) and not typed_something(field):
        field.errors[:] = []
        raise StopValidation()


def typed_something(field: Field) -> bool:
    return any(str(value).strip() for value in (field.raw_data or []))


def max_length(limit: int, language: Language) -> Check:
    def check(form: Form, field: Field) -> None:
        length = len(field.data or "")
        if length > limit:
            raise ValidationError(too_long(limit, length, language))

    return check


def too_long(limit: int, length: int, language: Language) -> str:
    return language.gettext(
        "Please shorten your answer to %(limit)s characters (it has %(length)s).",
        limit=language.number(limit),
        length=language.number(length),
    )


def number_range(low: float | None, high: float | None, language: Language) -> Check:
    def check(form: Form, field: Field) -> None:
        value = field.data
        if value is None:
            return
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                message = language.gettext(
                    "Please enter a number from %(low)s to %(high)s.",
                    low=language.number(low),
                    high=language.number(high),
                )
            elif low is not None:
                message = language.gettext("Please enter a number of at least %(low)s.", low=language.number(low))
            else:
                message = language.gettext("Please enter a number of at most %(high)s.", high=language.number(high))
            raise ValidationError(message)

    return check


def selection_count(low: int | None, high: int | None, language: Language) -> Check:
    def check(form: Form, field: Field) -> None:
        count = len(field.data or [])
        if low is not None and count < low:
            raise ValidationError(
                language.ngettext(
                    "Please choose at least %(num)s option.", "Please choose at least %(num)s options.", low
                )
            )
        if high is not None and count > high:
            raise ValidationError(
                language.ngettext(
                    "Please choose at most %(num)s option.", "Please choose at most %(num)s options.", high
                )
            )

    return check


def other_text(question: Question, language: Language) -> Check:
    """Choosing "Other" needs a few words saying what it is."""
    missing = language.gettext("Please say what “Other” is.")

    def check(form: Form, field: Field) -> None:
        chosen = field.data if isinstance(field.data, list) else [field.data]
        text = form[question.other_field].data
        if OTHER_VALUE in chosen and not text:
            raise ValidationError(missing)
        if text and len(text) > OTHER_MAX_LENGTH:
            raise ValidationError(too_long(OTHER_MAX_LENGTH, len(text), language))

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


class NumberField(Field):
    """A number as people type it: ``12``, ``3,5``, ``1 234.5``; None when unreadable.

    ``unreadable``: the message for what cannot be read as a number.
    """

    widget = StringField.widget

    def __init__(self, *args: Any, unreadable: str, integer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.integer = integer
        self.unreadable = unreadable

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
        if self.data is None and typed_something(self):
            raise StopValidation(self.unreadable)


def unreadable_number(integer: bool, language: Language) -> str:
    if integer:
        return language.gettext("Please enter a whole number, such as 12.")
    return language.gettext("Please enter a number, such as 12 or 3.5.")


class Refusing:
    """A field of choices that refuses a value none of them with ``invalid``, a message in the form's language."""

    def __init__(self, *args: Any, invalid: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid = invalid


class ChoiceField(Refusing, RadioField):
    """A radio group whose invalid or missing value is simply "no answer" (None)."""

    def process_formdata(self, valuelist: list) -> None:
        """An empty value is the "no answer" radio; only the first of repeated values counts."""
        self.data = None
        if valuelist and valuelist[0] != "":
            super().process_formdata(valuelist[:1])

    def pre_validate(self, form: Form) -> None:
        allowed = {choice.value for choice in self.choices}
        if (self.data is None and typed_something(self)) or (self.data is not None and self.data not in allowed):
            raise StopValidation(self.invalid)


class ChoicesField(Refusing, SelectMultipleField):
    """Check boxes; unknown values are an error, repeated ones count once."""

    def process_formdata(self, valuelist: list) -> None:
        self.data = list(dict.fromkeys(valuelist))  # in order, once each, in linear time

    def pre_validate(self, form: Form) -> None:
        allowed = {choice.value for choice in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise StopValidation(self.invalid)


def coerce_level(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None
