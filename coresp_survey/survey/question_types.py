"""Every question type, declared once: how it is read, asked, checked, moved in and out, shown and made up.

A survey file gives each question a type (``type: scale``); whatever depends
on the type asks the type's declaration here (``question.kind``), never its
name:

- the loader: the keys the type takes, read and checked (`QuestionType.read`);
- ``show_if``: what an answer is in a condition (`QuestionType.operand`);
- the forms: the fields it becomes, with their checks (`fields`), what a field
  keeps of the values sent for it (`usable`), what a draft saved before an
  edit of the file can still use (`readable`), and text typed in the "Other"
  box (`adopt_other_text`);
- stored answers: which values still fit the question (`misfit`);
- CSV import and export: an answer in one spreadsheet cell (`from_cell`, `to_cell`);
- the page: the macro of ``templates/question_types.html`` that asks it (`macro`);
- the demo: a made-up answer (`made_up`).

A new type is one class here, its name in `model.QUESTION_TYPES`, its macro
in the template, and its tests (tests/test_question_types.py checks that
every type has a whole declaration and that no other module keeps a table of
types of its own).
"""

from __future__ import annotations

import difflib
import random
from typing import TYPE_CHECKING
from typing import Any
from typing import NamedTuple
from typing import Protocol

from wtforms import Field
from wtforms.fields.choices import SelectChoice

from coresp_survey.i18n import Language
from coresp_survey.survey.fields import OTHER_MAX_LENGTH
from coresp_survey.survey.fields import ChoiceField
from coresp_survey.survey.fields import ChoicesField
from coresp_survey.survey.fields import LongTextField
from coresp_survey.survey.fields import NumberField
from coresp_survey.survey.fields import TextField
from coresp_survey.survey.fields import answer_checks
from coresp_survey.survey.fields import coerce_level
from coresp_survey.survey.fields import max_length
from coresp_survey.survey.fields import number_range
from coresp_survey.survey.fields import other_text
from coresp_survey.survey.fields import selection_count
from coresp_survey.survey.fields import unreadable_number
from coresp_survey.survey.model import OTHER_VALUE
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import Scale
from coresp_survey.survey.shown import clip

if TYPE_CHECKING:
    from coresp_survey.survey.loader import _Reader
    from coresp_survey.survey.located import LocatedDict

MAX_LENGTH_CAP = 20_000
"""The longest ``max_length`` a text question may ask for."""
LIST_SEPARATOR = ";"
"""Joins the choices of a multiple-choice answer in one cell."""
LEVEL_SPREAD = 0.22
"""How far a made-up level strays from the respondent's leaning (0–1 scale, standard deviation)."""

# Why a stored answer no longer fits its question (`misfit`), as the warnings of `answers.definitions` name it.
CHOICES = "choices"
LEVELS = "levels"
NUMBER = "number"
TEXT = "text"
COUNT = "count"


class Operand(NamedTuple):
    """What an answer is in a ``show_if`` condition (`survey.conditions`)."""

    value: str
    """How it compares: 'string', 'number', or 'multiple' (a set of choices, tested with ``'x' in q``)."""
    label: str
    """What the question is called in a problem: "a scale question"."""
    member: str | None = None
    """What a value written in the condition must be one of: 'choice', 'level', or None when anything goes."""


class Misfit(NamedTuple):
    """Why a stored value does not fit its question: one of the kinds above, and the values to name."""

    kind: str
    values: list


class MadeUpRespondent(Protocol):
    """What the demo (`coresp_survey.demo.Respondent`) knows of the person it makes an answer up for."""

    rng: random.Random

    def leaning(self, question: Question) -> float:
        """Where this person's answer sits between the lowest (0) and the highest (1) level."""

    def choice_weights(self, question: Question) -> list[float]:
        """How popular each of ``question.values`` is with this person's group."""

    def typical_number(self) -> float:
        """A typical value above a number question's minimum (seniority in years, mostly)."""

    def open_text(self, question: Question, limit: int) -> str:
        """A plausible answer to an open question, at most ``limit`` characters long."""

    def other_text(self, limit: int) -> str:
        """A plausible "Other" text, at most ``limit`` characters long."""


def to_cell(value: Any) -> Any:
    """Any stored value as one cell (before `answers.exporting` makes formulas inert): a list joined, None empty.

    The same for every type: a value is exported exactly as stored, even
    when the question has changed type since.
    """
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return "" if value is None else value


class QuestionType:
    """One type of question, everywhere it matters; each subclass declares one type."""

    name: str
    keys: tuple[str, ...] = ()
    """Keys a question of this type may have in a survey file, besides those every question has."""
    operand: Operand
    macro: str
    """The macro of ``templates/question_types.html`` that asks it on a page."""
    chosen: bool = False
    """Answered by picking among listed choices (radio buttons or check boxes, the first one ``q-<id>-1``)."""
    rated: bool = False
    """Answered with a level of an ordered scale: the only type an indicator may count."""
    open: bool = False
    """Answered in the respondent's own words: moderated before anything of it is published."""
    xlsform_word: str = ""
    """Its type in an XLSForm workbook (``select_one``, ``text``…; `survey.as_xlsform`)."""
    xlsform_appearance: str = ""
    """The appearance that makes an XLSForm type this one (``likert``, ``multiline``), or ""."""

    def __repr__(self) -> str:
        return f"<question type {self.name}>"

    def read(self, reader: _Reader, data: LocatedDict, scales: dict[str, Scale]) -> dict | None:
        """The type's own attributes of a `Question`, read from ``data``; None (problems told) if they are wrong."""
        raise NotImplementedError

    def xlsform(self, question: Question) -> tuple[str, str]:
        """How an XLSForm workbook writes the question: its type word and its appearance."""
        return self.xlsform_word, self.xlsform_appearance

    def fields(self, question: Question, language: Language) -> dict[str, Field]:
        """The form fields the question becomes (the "Other" text has its own), with their checks."""
        raise NotImplementedError

    def field_names(self, question: Question) -> list[str]:
        """The names its answer is sent and stored under: its id, and ``<id>_other`` for an "Other" text."""
        return [question.id, question.other_field] if question.other else [question.id]

    def usable(self, question: Question, values: list[str]) -> list[str]:
        """What the answer's field can use of the values sent for it: the first one."""
        return values[:1]

    def readable(self, question: Question, value: str) -> bool:
        """Whether a value a browser sent (kept in a draft) is still one the question can take."""
        return True

    def adopt_other_text(self, field: Field) -> None:
        """Count text typed in the "Other" box as choosing "Other" (types with ``other`` only)."""

    def misfit(self, question: Question, value: Any) -> Misfit | None:
        """Why a stored answer (not None) does not fit the question; None when it does."""
        raise NotImplementedError

    def from_cell(self, text: str) -> list[str]:
        """A filled cell of an imported row, as the values a browser would send for the answer."""
        return [text]

    to_cell = staticmethod(to_cell)
    """A stored answer as one cell of an export: so far the same for every type (`to_cell`)."""

    def made_up(self, question: Question, respondent: MadeUpRespondent) -> dict[str, Any]:
        """A believable answer for the demo, as a response stores it (``<id>_other`` too, when chosen)."""
        raise NotImplementedError


# -- chosen among choices ---------------------------------------------------------------


def choice_pairs(question: Question, language: Language) -> list[SelectChoice]:
    pairs = [SelectChoice(choice.value, choice.label(language.code)) for choice in question.choices]
    if question.other:
        pairs.append(SelectChoice(OTHER_VALUE, language.gettext("Other")))
    return pairs


def read_choices(reader: _Reader, data: LocatedDict) -> dict | None:
    other = reader.boolean(data, "other")
    choices = reader.choices(data, integer=False, other=other)
    return None if choices is None else {"choices": choices, "other": other}


def with_other(question: Question, value: Any, chosen: list, respondent: MadeUpRespondent) -> dict[str, Any]:
    answer = {question.id: value}
    if OTHER_VALUE in chosen:
        answer[question.other_field] = respondent.other_text(OTHER_MAX_LENGTH)
    return answer


class SingleType(QuestionType):
    """One choice among several (radio buttons), optionally "Other" with a text."""

    name = "single"
    keys = ("choices", "other")
    operand = Operand("string", "a single-choice question", "choice")
    macro = "radios"
    xlsform_word = "select_one"
    chosen = True

    def read(self, reader: _Reader, data: LocatedDict, scales: dict[str, Scale]) -> dict | None:
        return read_choices(reader, data)

    def fields(self, question: Question, language: Language) -> dict[str, Field]:
        checks = answer_checks(question, language, *([other_text(question, language)] if question.other else []))
        fields = {
            question.id: ChoiceField(
                choices=choice_pairs(question, language),
                validators=checks,
                validate_choice=False,
                invalid=language.gettext("Please choose one of the options."),
            )
        }
        if question.other:
            fields[question.other_field] = TextField()
        return fields

    def readable(self, question: Question, value: str) -> bool:
        return value in {str(choice) for choice in question.values}

    def adopt_other_text(self, field: Field) -> None:
        if field.data is None:
            field.data = OTHER_VALUE

    def misfit(self, question: Question, value: Any) -> Misfit | None:
        return None if isinstance(value, str) and value in question.values else Misfit(CHOICES, [value])

    def made_up(self, question: Question, respondent: MadeUpRespondent) -> dict[str, Any]:
        weights = respondent.choice_weights(question)
        value = respondent.rng.choices(question.values, weights=weights)[0]
        return with_other(question, str(value), [value], respondent)


class MultipleType(QuestionType):
    """Any number of choices (check boxes), optionally between ``min`` and ``max``, optionally "Other"."""

    name = "multiple"
    keys = ("choices", "other", "min", "max")
    operand = Operand("multiple", "a multiple-choice question", "choice")
    macro = "check_boxes"
    xlsform_word = "select_multiple"
    chosen = True

    def read(self, reader: _Reader, data: LocatedDict, scales: dict[str, Scale]) -> dict | None:
        details = read_choices(reader, data)
        count = len(details["choices"]) + details["other"] if details else None
        low = reader.integer(data, "min", minimum=0, maximum=count)
        high = reader.integer(data, "max", minimum=1, maximum=count)
        if low is not None and high is not None and low > high:
            reader.problem(data.line_of("min"), f"min ({low}) is larger than max ({high})")
            return None
        return None if details is None else {**details, "min": low, "max": high}

    def fields(self, question: Question, language: Language) -> dict[str, Field]:
        checks = [selection_count(question.min, question.max, language)]
        if question.other:
            checks.append(other_text(question, language))
        fields = {
            question.id: ChoicesField(
                choices=choice_pairs(question, language),
                validators=answer_checks(question, language, *checks),
                invalid=language.gettext("Please choose among the options."),
            )
        }
        if question.other:
            fields[question.other_field] = TextField()
        return fields

    def usable(self, question: Question, values: list[str]) -> list[str]:
        """Each check box once, and one value more than there are choices: an unknown one is refused, not dropped."""
        return list(dict.fromkeys(values))[: len(question.values) + 1]

    def readable(self, question: Question, value: str) -> bool:
        return value in {str(choice) for choice in question.values}

    def adopt_other_text(self, field: Field) -> None:
        if OTHER_VALUE not in field.data:
            field.data = [*field.data, OTHER_VALUE]

    def misfit(self, question: Question, value: Any) -> Misfit | None:
        if not isinstance(value, list):
            return Misfit(CHOICES, [value])
        unknown = [item for item in value if not isinstance(item, str) or item not in question.values]
        if unknown:
            return Misfit(CHOICES, unknown)
        low, high = question.min, question.max
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            return Misfit(COUNT, [])
        return None

    def from_cell(self, text: str) -> list[str]:
        return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]

    def made_up(self, question: Question, respondent: MadeUpRespondent) -> dict[str, Any]:
        values = list(question.values)
        low = max(int(question.min or 0), 1)
        high = min(int(question.max) if question.max is not None else 3, len(values))
        count = respondent.rng.randint(min(low, high), high)
        weights = list(respondent.choice_weights(question))
        chosen = []
        for _ in range(count):
            index = respondent.rng.choices(range(len(values)), weights=weights)[0]
            chosen.append(values[index])
            weights[index] = 0.0
        ordered = [str(v) for v in values if v in chosen]  # the form keeps the order they were sent in
        return with_other(question, ordered, chosen, respondent)


class ScaleType(QuestionType):
    """One level of an ordered scale: a named one (``scale: spiral5``) or the question's own integer ``choices``."""

    name = "scale"
    keys = ("scale", "choices")
    operand = Operand("number", "a scale question", "level")
    macro = "levels"
    xlsform_word = "select_one"
    xlsform_appearance = "likert"
    chosen = True
    rated = True

    def read(self, reader: _Reader, data: LocatedDict, scales: dict[str, Scale]) -> dict | None:
        if "scale" in data and "choices" in data:
            reader.problem(
                data.line_of("choices"), "a scale question takes 'scale' (a scale's name) or 'choices', not both"
            )
            return None
        if "scale" not in data and "choices" not in data:
            reader.problem(data.line, "a scale question needs 'scale' (e.g. spiral5) or its own 'choices'")
            return None
        if "choices" in data:
            levels = reader.choices(data, integer=True, other=False)
            return None if levels is None else {"choices": levels}
        name = data["scale"]
        if not isinstance(name, str) or name not in scales:
            names = [str(n) for n in scales]
            close = difflib.get_close_matches(str(name), names, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(names)
            reader.problem(data.line_of("scale"), f"unknown scale '{clip(name)}' ({hint})")
            return None
        return {"scale": name, "choices": scales[name].levels}

    def fields(self, question: Question, language: Language) -> dict[str, Field]:
        pairs = [SelectChoice(choice.value, choice.label(language.code)) for choice in question.choices]
        field = ChoiceField(
            choices=pairs,
            coerce=coerce_level,
            validators=answer_checks(question, language),
            validate_choice=False,
            invalid=language.gettext("Please choose one of the options."),
        )
        return {question.id: field}

    def readable(self, question: Question, value: str) -> bool:
        return coerce_level(value) in {level.value for level in question.choices}

    def misfit(self, question: Question, value: Any) -> Misfit | None:
        levels = {choice.value for choice in question.choices}
        return None if type(value) is int and value in levels else Misfit(LEVELS, [value])

    def made_up(self, question: Question, respondent: MadeUpRespondent) -> dict[str, Any]:
        levels = sorted(choice.value for choice in question.choices)
        drawn = respondent.rng.gauss(respondent.leaning(question), LEVEL_SPREAD)
        index = min(len(levels) - 1, max(0, round(drawn * (len(levels) - 1))))
        return {question.id: levels[index]}


# -- typed -----------------------------------------------------------------------------------


class TextType(QuestionType):
    """A short text on one line, at most ``max_length`` characters."""

    name = "text"
    keys = ("max_length",)
    operand = Operand("string", "a text question")
    macro = "line"
    xlsform_word = "text"
    open = True
    default_max_length = 200

    def read(self, reader: _Reader, data: LocatedDict, scales: dict[str, Scale]) -> dict | None:
        length = reader.integer(data, "max_length", minimum=1, maximum=MAX_LENGTH_CAP)
        return {"max_length": self.default_max_length if length is None else length}

    def fields(self, question: Question, language: Language) -> dict[str, Field]:
        return {question.id: TextField(validators=self.checks(question, language))}

    def checks(self, question: Question, language: Language) -> list:
        return answer_checks(question, language, max_length(question.max_length, language))

    def misfit(self, question: Question, value: Any) -> Misfit | None:
        limit = question.max_length
        return None if isinstance(value, str) and (limit is None or len(value) <= limit) else Misfit(TEXT, [])

    def made_up(self, question: Question, respondent: MadeUpRespondent) -> dict[str, Any]:
        return {question.id: respondent.open_text(question, question.max_length)}


class LongTextType(TextType):
    """A text of several lines (a text area), at most ``max_length`` characters."""

    name = "long_text"
    operand = Operand("string", "a long text question")
    macro = "paragraph"
    xlsform_appearance = "multiline"
    default_max_length = 4000

    def fields(self, question: Question, language: Language) -> dict[str, Field]:
        return {question.id: LongTextField(validators=self.checks(question, language))}


class NumberType(QuestionType):
    """A number as people type it (``3,5``, ``1 234``), optionally whole, between ``min`` and ``max``."""

    name = "number"
    keys = ("min", "max", "integer")
    operand = Operand("number", "a number question")
    macro = "number"

    def xlsform(self, question: Question) -> tuple[str, str]:
        return ("integer" if question.integer else "decimal"), ""

    def read(self, reader: _Reader, data: LocatedDict, scales: dict[str, Scale]) -> dict | None:
        integer = reader.boolean(data, "integer")
        low, high = reader.number(data, "min"), reader.number(data, "max")
        if low is not None and high is not None and low > high:
            reader.problem(data.line_of("min"), f"min ({low}) is larger than max ({high})")
            return None
        return {"integer": integer, "min": low, "max": high}

    def fields(self, question: Question, language: Language) -> dict[str, Field]:
        field = NumberField(
            integer=question.integer,
            unreadable=unreadable_number(question.integer, language),
            validators=answer_checks(question, language, number_range(question.min, question.max, language)),
        )
        return {question.id: field}

    def misfit(self, question: Question, value: Any) -> Misfit | None:
        return None if accepted_number(question, value) else Misfit(NUMBER, [value])

    def made_up(self, question: Question, respondent: MadeUpRespondent) -> dict[str, Any]:
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 100
        value = low + respondent.rng.expovariate(1 / respondent.typical_number())
        value = min(high, max(low, value))
        return {question.id: int(value) if question.integer else round(value, 1)}


def accepted_number(question: Question, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if question.integer and value != int(value):
        return False
    return (question.min is None or value >= question.min) and (question.max is None or value <= question.max)


# -- shown, not answered ---------------------------------------------------------------------


class NoteType(QuestionType):
    """A text shown on the page (its ``label``, and its ``help``), with no answer: nothing is asked or stored."""

    name = "note"
    operand = None
    """A note has no answer: a condition cannot test it (`survey.conditions` says so)."""
    macro = "note"
    xlsform_word = "note"

    def read(self, reader: _Reader, data: LocatedDict, scales: dict[str, Scale]) -> dict | None:
        if data.get("required") is True:
            reader.problem(data.line_of("required"), "a note has no answer, so it cannot be required")
            return None
        return {}

    def field_names(self, question: Question) -> list[str]:
        return []

    def fields(self, question: Question, language: Language) -> dict[str, Field]:
        return {}

    def misfit(self, question: Question, value: Any) -> Misfit | None:
        return Misfit(TEXT, [])  # nothing is ever stored for a note: anything stored under its id is stray

    def made_up(self, question: Question, respondent: MadeUpRespondent) -> dict[str, Any]:
        return {}


TYPES: dict[str, QuestionType] = {
    kind.name: kind
    for kind in (SingleType(), MultipleType(), ScaleType(), TextType(), LongTextType(), NumberType(), NoteType())
}
"""Each type's declaration by its name, in the order of `model.QUESTION_TYPES`."""
