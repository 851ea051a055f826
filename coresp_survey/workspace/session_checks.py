"""What a group session must be before it is stored: one set of checks for the workspace's form and the import.

A session belongs to one of the survey's groups, has a day (not in the
future) and at least one participant; each criterion answers one of the
survey's open questions, in one of its languages, and is a non-empty text no
longer than the question allows, without invisible characters (direction
controls, zero-width characters: they can make two texts look the same or
show a text in another order, as the survey files' labels refuse them).
Problems are written in the language asked for (`i18n.Language`), each under
the name of the field it is about.

The form types criteria one per line (`read_lines`): a line may start with a
marker in square brackets naming the question (its number on the page, or
its id) and/or the language, e.g. ``[2 en] Too much noise``; the marker holds
for the following lines until another one; a line holding only a marker
changes them without adding a criterion.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from coresp_survey.i18n import Language
from coresp_survey.survey.model import Survey
from coresp_survey.workspace.moderation import open_questions

MAX_PARTICIPANTS = 10_000
MAX_NOTE = 4000
MAX_LABEL = 200
MAX_CRITERIA = 2000
DEFAULT_TEXT_LIMIT = 4000
SOFT_HYPHEN = "\u00ad"
MARKER = re.compile(r"\s*\[([^\]]*)\]\s*(.*)", re.DOTALL)


@dataclass(frozen=True)
class TypedCriterion:
    """A criterion as typed or imported, before it is checked: ``line`` is where it was (1 for the first)."""

    question: str
    lang: str
    text: str
    line: int


@dataclass
class Problems:
    """The problems found, by field name (``group``, ``date``, ``participants``, ``note``, ``criteria``…)."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def invisible_characters(text: str) -> str:
    """The invisible format characters of ``text`` (category Cf but the soft hyphen), named, or ""."""
    found = dict.fromkeys(ch for ch in text if unicodedata.category(ch) == "Cf" and ch != SOFT_HYPHEN)
    return ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, 'FORMAT CHARACTER')}" for ch in found)


def check_group(survey: Survey, group: str, words: Language) -> str | None:
    if survey.group(group) is None:
        known = ", ".join(g.id for g in survey.groups)
        return words.gettext("%(group)s is not a group of this survey (%(known)s)", group=group, known=known)
    return None


def check_date(typed: str, words: Language, today: date) -> tuple[str | None, str | None]:
    """The day as YYYY-MM-DD, or the problem."""
    try:
        day = date.fromisoformat(typed.strip())
    except ValueError:
        return None, words.gettext("Give the day of the session as YYYY-MM-DD, e.g. 2026-03-14.")
    if len(typed.strip()) != 10:
        return None, words.gettext("Give the day of the session as YYYY-MM-DD, e.g. 2026-03-14.")
    if day > today:
        return None, words.gettext("The session cannot be in the future.")
    return day.isoformat(), None


def check_participants(typed: str | int | None, words: Language) -> tuple[int | None, str | None]:
    try:
        number = int(str(typed).strip())
    except ValueError:
        return None, words.gettext("Give the number of participants, at least 1.")
    if not 1 <= number <= MAX_PARTICIPANTS:
        return None, words.gettext(
            "Give the number of participants, from 1 to %(max)s.", max=words.integer(MAX_PARTICIPANTS)
        )
    return number, None


def check_free_text(text: str, limit: int, words: Language) -> str | None:
    if len(text) > limit:
        return words.gettext("At most %(max)s characters.", max=words.integer(limit))
    if invisible := invisible_characters(text):
        return words.gettext(
            "This text holds %(chars)s: invisible characters (direction controls, zero-width characters) can make"
            " two texts look the same or show a text in another order; remove them.",
            chars=invisible,
        )
    return None


def check_criterion(survey: Survey, criterion: TypedCriterion, words: Language) -> str | None:
    """The problem of one criterion (its question, its language, its text), or None."""
    questions = {question.id: question for question in open_questions(survey)}
    question = questions.get(criterion.question)
    if question is None:
        return words.gettext(
            "%(question)s is not an open question of this survey (%(known)s)",
            question=criterion.question or "–",
            known=", ".join(questions),
        )
    if criterion.lang not in survey.languages:
        return words.gettext(
            "%(lang)s is not a language of this survey (%(known)s)",
            lang=criterion.lang or "–",
            known=", ".join(survey.languages),
        )
    if not criterion.text.strip():
        return words.gettext("The criterion is empty.")
    return check_free_text(criterion.text, question.max_length or DEFAULT_TEXT_LIMIT, words)


def question_numbers(survey: Survey) -> dict[str, str]:
    """The number each open question has on the recording page ("1", "2"…), by question id."""
    return {question.id: str(number) for number, question in enumerate(open_questions(survey), start=1)}


def read_lines(
    survey: Survey, typed: str, question: str, lang: str, words: Language
) -> tuple[list[TypedCriterion], list[str]]:
    """The criteria typed one per line, starting from the page's ``question`` and ``lang``; problems of markers.

    Blank lines are skipped. A marker's words are the question (its number or
    id) and the language, in either order: ``[2]``, ``[en]``, ``[ill_being fr]``.
    """
    by_number = {number: question_id for question_id, number in question_numbers(survey).items()}
    ids = set(by_number.values())
    criteria = []
    problems = []
    for line_number, line in enumerate(typed.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        marked = MARKER.fullmatch(line)
        text = line.strip()
        if marked:
            text = marked.group(2).strip()
            for word in marked.group(1).split():
                if word in by_number:
                    question = by_number[word]
                elif word in ids:
                    question = word
                elif word in survey.languages:
                    lang = word
                else:
                    problems.append(
                        words.gettext(
                            "line %(line)s: [%(word)s] names no question (%(numbers)s) and no language (%(langs)s)",
                            line=line_number,
                            word=word,
                            numbers=", ".join(by_number),
                            langs=", ".join(survey.languages),
                        )
                    )
            if not text:
                continue
        criteria.append(TypedCriterion(question=question, lang=lang, text=text, line=line_number))
    return criteria, problems


def check_session(
    survey: Survey,
    *,
    group: str,
    day: str,
    participants: str | int | None,
    label: str,
    note: str,
    criteria: list[TypedCriterion],
    words: Language,
    today: date,
) -> tuple[dict, Problems]:
    """The session's values checked (``date`` normalised, ``participants`` a number), and the problems by field.

    Each criterion's problem is filed under ``criteria`` as "line N: …".
    """
    problems = Problems()
    if problem := check_group(survey, group, words):
        problems.add("group", problem)
    checked_day, problem = check_date(day, words, today)
    if problem:
        problems.add("date", problem)
    number, problem = check_participants(participants, words)
    if problem:
        problems.add("participants", problem)
    if problem := check_free_text(label, MAX_LABEL, words):
        problems.add("label", problem)
    if problem := check_free_text(note, MAX_NOTE, words):
        problems.add("note", problem)
    if not criteria:
        problems.add("criteria", words.gettext("Type at least one criterion."))
    if len(criteria) > MAX_CRITERIA:
        problems.add("criteria", words.gettext("At most %(max)s criteria a session.", max=MAX_CRITERIA))
    for criterion in criteria:
        if problem := check_criterion(survey, criterion, words):
            problems.add("criteria", words.gettext("line %(line)s: %(problem)s", line=criterion.line, problem=problem))
    values = {
        "group": group,
        "date": checked_day,
        "participants": number,
        "label": label.strip(),
        "note": note.strip(),
        "criteria": [(c.question, c.lang, c.text.strip()) for c in criteria],
    }
    return values, problems
