"""The survey as typed data: what a survey file means once it has been checked.

Everything downstream (forms, storage, indicators, the site) reads these
objects, never the YAML.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from coresp_survey.i18n import LANGUAGES

if TYPE_CHECKING:
    from coresp_survey.survey.conditions import Condition
    from coresp_survey.survey.located import Location
    from coresp_survey.survey.question_types import QuestionType

QUESTION_TYPES = ("single", "multiple", "scale", "text", "long_text", "number", "note")
"""The types a question may have; each is declared in `question_types` (``Question.kind``)."""
OTHER_VALUE = "other"
"""The value of the "Other" choice added by ``other: true``."""
OTHER_SUFFIX = "_other"
RESERVED_IDS = ("group", "code", "csrf_token", "round", "submitted")
"""Names a question may not take: the form's own fields, and the columns ``import`` and ``export`` add to the
questions' (a question ``round`` would be read as the round of its row)."""
ACCESS_MODES = ("public", "code")
ALL_GROUPS = "all"
"""The published name of every respondent together; no group may take it."""
SUPPORTED_LANGUAGES = LANGUAGES
"""Languages the interface is translated into; a survey may use any of them."""


def is_answered(value: object) -> bool:
    """Whether ``value`` is an answer: None, "" and empty collections (no box ticked) are none; 0 is one.

    The one rule for forms (required, stored), the walk and ``show_if`` (``answered(q)``).
    """
    if value is None:
        return False
    if isinstance(value, (str, list, tuple, set, frozenset, dict)):
        return len(value) > 0
    return True


class Text(dict):
    """A user-visible text in each of the survey's languages: ``{"fr": …, "en": …}``."""

    def __call__(self, lang: str) -> str:
        return self.get(lang) or next(iter(self.values()), "")


@dataclass(frozen=True)
class Choice:
    value: str | int
    label: Text


@dataclass(frozen=True)
class Scale:
    id: str
    levels: tuple[Choice, ...]

    @property
    def lowest(self) -> int:
        return min(level.value for level in self.levels)

    @property
    def highest(self) -> int:
        return max(level.value for level in self.levels)


@dataclass(frozen=True)
class Group:
    id: str
    label: Text
    size: int | None = None


@dataclass(frozen=True)
class Family:
    id: str
    label: Text


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionType
    """The declaration of the question's type: how it is read, asked, checked, exported and shown."""
    label: Text
    help: Text | None = None
    required: bool = False
    show_if: Condition | None = None
    choices: tuple[Choice, ...] = ()
    """For single/multiple: the author's choices (not "Other"); for scale: the levels."""
    scale: str | None = None
    other: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    integer: bool = False
    line: Location = 0
    """Where the question is written: its line, or its row's type cell in a workbook."""

    @property
    def type(self) -> str:
        """One of `QUESTION_TYPES`, as the survey file names it."""
        return self.kind.name

    @property
    def other_field(self) -> str:
        return self.id + OTHER_SUFFIX

    @property
    def values(self) -> tuple:
        """Every value an answer may hold (including "other" when offered)."""
        values = tuple(choice.value for choice in self.choices)
        return values + (OTHER_VALUE,) if self.other else values

    @property
    def is_open(self) -> bool:
        """Answered in the respondent's own words (moderated before publication)."""
        return self.kind.open


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    questions: tuple[Question, ...]
    show_if: Condition | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    question: str
    family: str
    label: Text
    good_from: int


@dataclass(frozen=True)
class Source:
    """The survey file as it was read, kept per round so stored answers are read with the survey they answered."""

    format: str
    """How ``data`` is written: "yaml", or an XLSForm workbook's "xlsx" or "ods"."""
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Survey:
    id: str
    languages: tuple[str, ...]
    title: Text
    sections: tuple[Section, ...]
    round: str = "1"
    intro: Text | None = None
    thanks: Text | None = None
    opens: date | None = None
    closes: date | None = None
    access: str = "public"
    kiosk: bool = False
    """A shared computer: never offer to resume, forget each respondent after the thanks page or when idle."""
    groups: tuple[Group, ...] = ()
    min_group_size: int = 5
    families: tuple[Family, ...] = ()
    scales: dict[str, Scale] = field(default_factory=dict)
    indicators: tuple[Indicator, ...] = ()
    path: Path | None = None
    source: Source | None = field(default=None, compare=False, repr=False)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for section in self.sections for q in section.questions)

    def question(self, question_id: str) -> Question:
        return self._questions_by_id[question_id]

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def group(self, group_id: str | None) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def family(self, family_id: str) -> Family | None:
        return next((f for f in self.families if f.id == family_id), None)

    def is_open_on(self, day: date) -> bool:
        return (self.opens is None or day >= self.opens) and (self.closes is None or day <= self.closes)


def round_key(name: str) -> tuple:
    """Natural order for round names: "2" before "10", "2025" before "2026-spring"."""
    parts = re.split(r"(\d+)", name)
    return tuple(int(part) if i % 2 else part.casefold() for i, part in enumerate(parts)), name
