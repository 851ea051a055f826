"""The survey as it was per round: stored answers are read with the survey file they answered.

Authors edit survey files between rounds and sometimes during one (a choice
renamed, a question removed, a scale changed). Answers already stored must
never be lost or hidden by such an edit (PRODUCT.md, "Privacy and data
promises"), so the database keeps each survey file as it was when answers
were collected (`versions.survey_versions`): the web app saves the current file
for its current round at start, ``import`` and ``demo`` for the rounds they
fill. The latest version saved for a round is the round's definition; the
current round's is always the current file.

`mismatches` is the one place that says which stored answers no longer fit
the definition of their round (each question type says which values fit it:
`QuestionType.misfit`); ``validate``, ``serve`` and ``build`` print its
lines, in English unless another `i18n.Language` is asked for.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlite_utils import Database

from coresp_survey import i18n
from coresp_survey.answers.forms import field_names
from coresp_survey.answers.records import Response
from coresp_survey.answers.records import SurveyVersion
from coresp_survey.answers.responses import iter_responses
from coresp_survey.answers.responses import response_counts_by_survey
from coresp_survey.answers.responses import response_rounds
from coresp_survey.answers.versions import save_survey_versions
from coresp_survey.answers.versions import survey_versions
from coresp_survey.i18n import Language
from coresp_survey.survey.loader import YAML_FORMAT
from coresp_survey.survey.loader import parse_source
from coresp_survey.survey.model import OTHER_SUFFIX
from coresp_survey.survey.model import OTHER_VALUE
from coresp_survey.survey.model import Survey
from coresp_survey.survey.model import round_key
from coresp_survey.survey.question_types import CHOICES
from coresp_survey.survey.question_types import COUNT
from coresp_survey.survey.question_types import LEVELS
from coresp_survey.survey.question_types import NUMBER
from coresp_survey.survey.question_types import TEXT
from coresp_survey.survey.xlsform import FORMATS as WORKBOOK_FORMATS

MAX_SHOWN_VALUES = 5
"""A warning names at most this many of the values that no longer fit."""
COMMAND_LINE_LANGUAGE = "en"
"""The language of the warnings unless another is asked for: the commands speak English."""


def command_line_language() -> Language:
    return i18n.language(COMMAND_LINE_LANGUAGE)


# -- saving ------------------------------------------------------------------------


def current_versions(surveys: Iterable[Survey]) -> list[tuple[str, str, str, bytes]]:
    """(survey, round, format, source) of each survey file for its current round."""
    return [(s.id, s.round, s.source.format, s.source.data) for s in surveys if s.source is not None]


def save_current(db: Database, surveys: Iterable[Survey]) -> int:
    """Save each survey file as a version of its current round (the web app at start); return how many were new."""
    return save_survey_versions(db, current_versions(surveys))


def round_versions(survey: Survey, rounds: Iterable[str]) -> list[tuple[str, str, bytes]]:
    """(round, format, source): the current file as the definition of ``rounds`` (for `responses.import_responses`)."""
    if survey.source is None:
        return []
    return [(round_name, survey.source.format, survey.source.data) for round_name in rounds]


# -- reading -----------------------------------------------------------------------


@dataclass
class Definitions:
    """The survey each round of one survey is read with, from the current file and the saved versions."""

    current: Survey
    saved: dict[str, list[SurveyVersion]]
    """Saved versions per round, newest first."""
    answered: set[str] = field(default_factory=set)
    """Rounds with stored responses."""
    problems: list[str] = field(default_factory=list)
    """Rounds whose saved definition no longer loads, one line each (the current file is used instead)."""
    language: Language = field(default_factory=command_line_language)
    """The language of `problems` and of the warnings about stored answers (`warning_lines`)."""
    _parsed: dict[tuple[str, int], tuple[Survey | None, str]] = field(default_factory=dict)

    @property
    def rounds(self) -> list[str]:
        """Every round known for the survey: the current one, those saved and those answered, in natural order."""
        return sorted({self.current.round, *self.saved, *self.answered}, key=round_key)

    def of(self, round_name: str) -> Survey:
        """The definition of ``round_name``: its latest saved version.

        The current file for the current round, for a round never saved, and
        instead of a saved version that no longer loads (said once in `problems`).
        """
        if round_name == self.current.round or round_name not in self.saved:
            return self.current
        latest = self.saved[round_name][0]
        known = (latest.round, latest.version) in self._parsed
        survey, reason = self._load(latest)
        if survey is None:
            if not known:
                self.problems.append(_no_longer_loads(self.current.id, latest, reason, self.language))
            return self.current
        return survey

    def by_round(self) -> dict[str, Survey]:
        return {round_name: self.of(round_name) for round_name in self.rounds}

    def candidates(self, round_name: str) -> list[Survey]:
        """The definitions a row of ``round_name`` may have been collected with, the round's own first.

        A file corrected mid-round leaves earlier answers that fit only an
        earlier version: an export of them imports back.
        """
        found = [self.of(round_name)]
        seen = {found[0].source.digest if found[0].source else None}
        for version in self.saved.get(round_name, []):
            if version.digest in seen:
                continue
            seen.add(version.digest)
            survey, _reason = self._load(version)
            if survey is not None:
                found.append(survey)
        return found

    def every_version(self) -> list[Survey]:
        """The current file and every saved version that loads: what the columns of an import may name."""
        surveys = [self.current]
        for round_name in self.saved:
            surveys.extend(self.candidates(round_name))
        return surveys

    def _load(self, version: SurveyVersion) -> tuple[Survey | None, str]:
        """The saved version read back (parsed once), or None and why not."""
        key = (version.round, version.version)
        if key not in self._parsed:
            self._parsed[key] = _parse(version, self.current.id, self.language)
        return self._parsed[key]


def _parse(version: SurveyVersion, survey_id: str, language: Language) -> tuple[Survey | None, str]:
    """A saved version read back in its own format: YAML, or an XLSForm workbook (.xlsx, .ods)."""
    if version.format != YAML_FORMAT and version.format not in WORKBOOK_FORMATS:
        return None, language.gettext("its format '%(format)s' is not known", format=version.format)
    if version.format == YAML_FORMAT:
        try:
            version.source.decode("utf-8")
        except UnicodeDecodeError:
            return None, language.gettext("it is not UTF-8 text")
    shown = f"{survey_id} (round {version.round}, saved {version.saved})"
    survey, problems = parse_source(version.format, version.source, shown)
    if survey is None:
        return None, problems[0].message if problems else "?"
    if survey.id != survey_id:
        return None, language.gettext("it is the survey '%(other)s'", other=survey.id)
    return survey, ""


def _no_longer_loads(survey_id: str, version: SurveyVersion, reason: str, language: Language) -> str:
    return language.gettext(
        "%(survey)s: round %(round)s: the survey file saved on %(day)s no longer loads (%(reason)s);"
        " its answers are read with the current file",
        survey=survey_id,
        round=version.round,
        day=version.saved,
        reason=reason,
    )


def load_definitions(db: Database, survey: Survey, language: Language | None = None) -> Definitions:
    """The definitions of every round of ``survey`` known to the database; ``language``: that of its warnings."""
    saved: dict[str, list[SurveyVersion]] = {}
    for version in survey_versions(db, survey.id):
        saved.setdefault(version.round, []).append(version)
    return Definitions(survey, saved, response_rounds(db, survey.id), language=language or command_line_language())


# -- answers that no longer fit ---------------------------------------------------

REMOVED = "removed"
KIND_ORDER = (REMOVED, CHOICES, LEVELS, NUMBER, TEXT, COUNT)
"""When one question's answers misfit in several ways, the line names the first of these."""


@dataclass
class Mismatch:
    """Stored answers to one question of one round that do not fit the round's definition."""

    survey: str
    round: str
    question: str
    kinds: Counter = field(default_factory=Counter)
    count: int = 0
    """Responses whose answer to the question does not fit."""
    values: Counter = field(default_factory=Counter)
    """The stored values that are not choices, levels or accepted numbers, with how often."""
    limit: int | None = None
    """For texts: the longest the question accepts."""

    @property
    def kind(self) -> str:
        return next(kind for kind in KIND_ORDER if self.kinds[kind])

    def add(self, kind: str, values: list, responses: int = 1) -> None:
        """``responses`` more answers that misfit as ``kind``, each holding ``values`` that do not fit."""
        self.kinds[kind] += responses
        self.count += responses
        for value in values:
            self.values[_shown(value)] += responses

    def shown_values(self) -> str:
        ranked = sorted(self.values.items(), key=lambda item: (-item[1], item[0]))
        shown = ", ".join(value for value, _count in ranked[:MAX_SHOWN_VALUES])
        return shown + (", …" if len(ranked) > MAX_SHOWN_VALUES else "")

    def message(self, language: Language) -> str:
        ngettext = language.ngettext
        n = self.count
        where = {"survey": self.survey, "round": self.round, "question": self.question}
        kind = self.kind
        if kind == REMOVED:
            return ngettext(
                "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored answer to a question no longer"
                " in the survey file; kept and exported",
                "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored answers to a question no longer"
                " in the survey file; kept and exported",
                n,
                **where,
            )
        if kind == CHOICES:
            return ngettext(
                "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored answer is not among its choices"
                " (%(values)s); it is kept and exported, not counted",
                "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored answers are not among its"
                " choices (%(values)s); they are kept and exported, not counted",
                n,
                values=self.shown_values(),
                **where,
            )
        if kind == LEVELS:
            return ngettext(
                "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored value is not a level of its"
                " scale (%(values)s); it is kept and exported, not counted",
                "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored values are not levels of its"
                " scale (%(values)s); they are kept and exported, not counted",
                n,
                values=self.shown_values(),
                **where,
            )
        if kind == NUMBER:
            return ngettext(
                "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored answer is not a number it"
                " accepts (%(values)s); it is kept and exported",
                "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored answers are not numbers it"
                " accepts (%(values)s); they are kept and exported",
                n,
                values=self.shown_values(),
                **where,
            )
        if kind == TEXT:
            return ngettext(
                "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored answer is not a text of at most"
                " %(limit)s characters; it is kept and exported",
                "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored answers are not texts of at most"
                " %(limit)s characters; they are kept and exported",
                n,
                limit=self.limit,
                **where,
            )
        return ngettext(
            "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored answer chooses a number of options"
            " it does not accept; it is kept and exported",
            "%(survey)s: round %(round)s: question '%(question)s': %(num)s stored answers choose a number of options"
            " it does not accept; they are kept and exported",
            n,
            **where,
        )


def mismatches(definitions: Definitions, responses: Iterable[Response]) -> list[Mismatch]:
    """Per round × question, the stored answers that do not fit the round's definition, in one pass.

    Ordered by round (natural order), then by the question's place in the
    round's definition, questions it no longer has last (by id).
    """
    finder = MismatchFinder(definitions)
    for response in responses:
        finder.add(response)
    return finder.found()


class MismatchFinder:
    """`mismatches` response by response, so a command that reads the responses anyway reads them once.

    Like `indicators.tally`, the pass itself does C-level work only: each
    response's answers are gathered as a tuple and its keys compared with its
    round's fields; values are counted and judged at the end, once per
    distinct value, so a build over 100,000 responses pays little for it.
    """

    def __init__(self, definitions: Definitions) -> None:
        self.definitions = definitions
        self.rounds: dict[str, _RoundAnswers] = {}

    def passing(self, responses: Iterable[Response]) -> Iterator[Response]:
        """The responses, each checked as it goes by (`add`, inlined: this runs once per response of a build)."""
        rounds = self.rounds
        for response in responses:
            gathered = rounds.get(response.round) or self._start(response.round)
            answers = response.answers
            if not answers.keys() <= gathered.field_set:
                gathered.stray(answers)
            gathered.rows.append(tuple(map(answers.get, gathered.ids)))
            yield response

    def add(self, response: Response) -> None:
        gathered = self.rounds.get(response.round) or self._start(response.round)
        if not response.answers.keys() <= gathered.field_set:
            gathered.stray(response.answers)
        gathered.rows.append(tuple(map(response.answers.get, gathered.ids)))

    def _start(self, round_name: str) -> _RoundAnswers:
        gathered = self.rounds[round_name] = _RoundAnswers(self.definitions.of(round_name))
        return gathered

    def found(self) -> list[Mismatch]:
        survey_id = self.definitions.current.id
        found = []
        for round_name in sorted(self.rounds, key=round_key):
            found.extend(self.rounds[round_name].mismatches(survey_id, round_name))
        return found


class _RoundAnswers:
    """One round's stored answers as rows of its questions' values, and the responses holding keys that are no field."""

    def __init__(self, definition: Survey) -> None:
        self.questions = definition.questions
        self.ids = tuple(question.id for question in self.questions)
        self.field_set = frozenset(name for question in self.questions for name in field_names(question))
        self.rows: list[tuple] = []
        self.strays: dict[str, list[dict[str, Any]]] = {}
        """Question id → the answers holding a key of it that is no field (a removed question, an "Other" text)."""

    def stray(self, answers: dict[str, Any]) -> None:
        """Note the answers holding keys that are no field of the definition (rare)."""
        for question_id in {key.removesuffix(OTHER_SUFFIX) for key in answers.keys() - self.field_set}:
            self.strays.setdefault(question_id, []).append(answers)  # no question id ends in "_other"

    def mismatches(self, survey_id: str, round_name: str) -> list[Mismatch]:
        found = []
        columns = zip(*self.rows, strict=True) if self.rows else ((),) * len(self.questions)
        for question, column in zip(self.questions, columns, strict=True):
            mismatch = Mismatch(survey_id, round_name, question.id, limit=question.max_length)
            for value, count in _counts(column).items():
                misfit = question.kind.misfit(question, _thaw(value))
                if misfit is not None:
                    mismatch.add(*misfit, count)
            for answers in self.strays.get(question.id, []):  # an "Other" text the question no longer offers
                if question.id not in answers or question.kind.misfit(question, answers[question.id]) is None:
                    mismatch.add(CHOICES, [OTHER_VALUE])  # not counted above: the response counts once
            if mismatch.count:
                found.append(mismatch)
        for question_id in sorted(set(self.strays) - set(self.ids)):
            holding = len(self.strays[question_id])
            found.append(Mismatch(survey_id, round_name, question_id, Counter({REMOVED: holding}), holding))
        return found


def _counts(column: tuple) -> Counter:
    """How often each answered value of ``column`` occurs (in C when the column holds one hashable type).

    Values of different types are told apart (1, 1.0 and True are equal keys
    of a Counter, yet only 1 is a level), and lists are counted by content.
    """
    types = set(map(type, column))
    types.discard(type(None))
    if len(types) <= 1 and not types & {list, dict}:
        counts = Counter(column)
    else:
        counts = Counter(_Typed(_hashable(value)) for value in column if value is not None)
    counts.pop(None, None)
    return counts


class _Typed(tuple):
    """A value with its type, so that equal values of different types are counted apart."""

    def __new__(cls, value: Any) -> _Typed:
        return super().__new__(cls, (value, type(value)))


class _ListValue(tuple):
    """A stored list (the choices of a multiple question), hashable so that it can be counted."""


class _Unhashable:
    """Any other unhashable stored value, counted by its JSON text."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.text = json.dumps(value, sort_keys=True, default=str)

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Unhashable) and other.text == self.text


def _hashable(value: Any) -> Any:
    if isinstance(value, Hashable):  # stored answers are JSON: no tuple holds a list
        return value
    if type(value) is list and all(isinstance(item, str) for item in value):
        return _ListValue(value)
    return _Unhashable(value)


def _thaw(value: Any) -> Any:
    if type(value) is _Typed:
        value = value[0]
    if type(value) is _ListValue:
        return list(value)
    if type(value) is _Unhashable:
        return value.value
    return value


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return str(value)


def survey_warnings(db: Database, surveys: Iterable[Survey], language: Language | None = None) -> list[str]:
    """Every warning about stored answers of ``surveys``, one line each: what the commands print."""
    lines = []
    for survey in surveys:
        definitions = load_definitions(db, survey, language)
        found = mismatches(definitions, iter_responses(db, survey.id))
        lines.extend(warning_lines(definitions, found))
    return lines


def unknown_survey_warnings(db: Database, known: Iterable[str], language: Language | None = None) -> list[str]:
    """One line per survey id that stored responses name but no survey file defines (renamed or removed).

    Such answers are kept, never deleted; but nothing else says they are
    there, since every other warning starts from a survey file.
    """
    language = language or command_line_language()
    defined = set(known)
    unknown = {survey_id: n for survey_id, n in response_counts_by_survey(db).items() if survey_id not in defined}
    return [
        language.ngettext(
            "%(survey)s: %(num)s stored response to a survey no file defines (renamed or removed?); kept: a survey"
            " file with the id '%(survey)s' exports and publishes it again",
            "%(survey)s: %(num)s stored responses to a survey no file defines (renamed or removed?); kept: a survey"
            " file with the id '%(survey)s' exports and publishes them again",
            n,
            survey=survey_id,
        )
        for survey_id, n in sorted(unknown.items())
    ]


def warning_lines(definitions: Definitions, found: list[Mismatch]) -> list[str]:
    """Saved versions that no longer load, then the mismatches: one line each."""
    definitions.by_round()  # a saved version that no longer loads is a warning even without answers
    return [*definitions.problems, *(mismatch.message(definitions.language) for mismatch in found)]
