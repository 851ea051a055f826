"""Survey files to ``Survey`` objects, with every problem named by file and line.

The reader walks the YAML once, in file order, and collects problems instead of
stopping at the first: an author fixing a file wants the whole list.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from coresp_survey.survey import conditions
from coresp_survey.survey import xlsform
from coresp_survey.survey.builtins import SCALES
from coresp_survey.survey.builtins import SPIRAL_FAMILIES
from coresp_survey.survey.located import WHOLE_FILE
from coresp_survey.survey.located import Cell
from coresp_survey.survey.located import LocatedDict
from coresp_survey.survey.located import LocatedList
from coresp_survey.survey.located import Location
from coresp_survey.survey.located import YamlError
from coresp_survey.survey.located import described
from coresp_survey.survey.located import load_located
from coresp_survey.survey.located import order
from coresp_survey.survey.model import ACCESS_MODES
from coresp_survey.survey.model import ALL_GROUPS
from coresp_survey.survey.model import OTHER_SUFFIX
from coresp_survey.survey.model import OTHER_VALUE
from coresp_survey.survey.model import QUESTION_TYPES
from coresp_survey.survey.model import RESERVED_IDS
from coresp_survey.survey.model import SUPPORTED_LANGUAGES
from coresp_survey.survey.model import Choice
from coresp_survey.survey.model import Family
from coresp_survey.survey.model import Group
from coresp_survey.survey.model import Indicator
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import Scale
from coresp_survey.survey.model import Section
from coresp_survey.survey.model import Source
from coresp_survey.survey.model import Survey
from coresp_survey.survey.model import Text
from coresp_survey.survey.question_types import TYPES
from coresp_survey.survey.shown import clip

SURVEY_ID = re.compile(r"[a-z0-9-]+")
ID = re.compile(r"[a-z][a-z0-9_]*")
FAMILY_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CHOICE_VALUE = re.compile(r"[a-z0-9_-]+")
ROUND = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SOFT_HYPHEN = "\u00ad"
"""The one format character (Unicode category Cf) a text may hold: it only says where a word may break."""
MIN_GROUP_SIZE = 3
"""Below 3, a published cell of a group can point to one person (and a pair can read each other's)."""
MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 20_000
YAML_FORMAT = "yaml"
"""The `Source` format of a survey written in YAML."""
WORKBOOK_SUFFIXES = {".xlsx": "xlsx", ".ods": "ods"}
"""Survey files written as XLSForm workbooks, by suffix (any case), with their `Source` format."""

SURVEY_KEYS = (
    "id", "round", "languages", "title", "intro", "thanks", "opens", "closes", "access", "kiosk",
    "groups", "publish", "families", "scales", "sections", "indicators",
)  # fmt: skip
GROUP_KEYS = ("id", "label", "size")
FAMILY_KEYS = ("id", "label")
PUBLISH_KEYS = ("min_group_size",)
SECTION_KEYS = ("id", "title", "show_if", "questions")
CHOICE_KEYS = ("value", "label")
INDICATOR_KEYS = ("id", "question", "family", "label", "good_from")
COMMON_QUESTION_KEYS = ("id", "type", "label", "help", "required", "show_if")
"""The keys of every question; each type adds its own (`QuestionType.keys`)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a survey file, printed as ``PATH:LINE: message`` (a workbook: ``PATH:SHEET!CELL: …``)."""

    path: str
    where: Location
    """A line of a YAML file, a `Cell` of a workbook, or `WHOLE_FILE` (printed ``PATH: message``)."""
    message: str

    @property
    def line(self) -> int:
        """The line of a YAML file (a cell's row; 1 for the whole file)."""
        if isinstance(self.where, Cell):
            return self.where.row
        return self.where if isinstance(self.where, int) else 1

    def __str__(self) -> str:
        where = str(self.where)
        return f"{self.path}:{where}: {self.message}" if where else f"{self.path}: {self.message}"


class SurveyInvalid(Exception):
    """One or more survey files have problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_survey(path: Path) -> Survey:
    """Read and check one survey file; raise SurveyInvalid listing every problem."""
    survey, problems = read_survey(path)
    if problems:
        raise SurveyInvalid(problems)
    assert survey is not None
    return survey


def survey_format(path: Path) -> str:
    """The format a survey file is read in, by its name: a workbook (.xlsx, .ods), else YAML.

    A file named on the command line is read whatever its name, as YAML unless it is a workbook.
    """
    return WORKBOOK_SUFFIXES.get(path.suffix.lower(), YAML_FORMAT)


def read_survey(path: Path) -> tuple[Survey | None, list[Problem]]:
    """Read one survey file, in its format: the survey when it is valid, and the problems found."""
    shown = str(path)
    file_format = survey_format(path)
    whole = 1 if file_format == YAML_FORMAT else WHOLE_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(shown, whole, "no such file or folder")]
    except OSError as error:
        return None, [Problem(shown, whole, f"cannot read the file: {error.strerror or error}")]
    return parse_source(file_format, data, shown, path)


def parse_source(
    file_format: str, data: bytes, shown_path: str, path: Path | None = None
) -> tuple[Survey | None, list[Problem]]:
    """Check a survey file's bytes written in ``file_format`` (a `Source`'s format), by that format's front.

    The surveys folder and the versions saved per round both come through here.
    """
    if file_format in xlsform.FORMATS:
        return parse_workbook(data, file_format, shown_path, path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        message = f"the file is not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8"
        return None, [Problem(shown_path, line, message)]
    return parse_survey(text, shown_path, path)


def parse_survey(text: str, shown_path: str, path: Path | None = None) -> tuple[Survey | None, list[Problem]]:
    """Check survey ``text``; ``shown_path`` is the name used in problems.

    The survey keeps ``text`` as its `Source`: the database saves it per round,
    and a saved text is read back through this same function.
    """
    try:
        document = load_located(text)
    except YamlError as error:
        return None, [Problem(shown_path, error.line, _one_line(error.message))]
    return _check(document, shown_path, path, Source(YAML_FORMAT, text.encode("utf-8")))


def parse_workbook(
    data: bytes, file_format: str, shown_path: str, path: Path | None = None
) -> tuple[Survey | None, list[Problem]]:
    """Check an XLSForm workbook (``file_format`` "xlsx" or "ods"): its front's problems and the same checks as YAML."""
    read = xlsform.read_document(data, file_format)
    found = [Problem(shown_path, where, _one_line(message)) for where, message in read.problems]
    if read.document is None:
        return None, found
    return _check(read.document, shown_path, path, Source(file_format, data), found, read.reported)


def _check(
    document: LocatedDict,
    shown_path: str,
    path: Path | None,
    source: Source,
    found: list[Problem] | None = None,
    reported: frozenset[str] = frozenset(),
) -> tuple[Survey | None, list[Problem]]:
    """The one set of checks, whatever the format; ``found``: the front's own problems, about ``reported`` questions."""
    reader = _Reader(shown_path)
    reader.seen.update(reported)  # a question whose row the front refused is reported there, not where it is used
    survey = reader.survey(document, path)
    if found is None:
        problems = sorted(reader.problems, key=lambda p: order(p.where))
    else:  # a front may give the same cell to two keys (a page's title is the form's): say each thing once
        problems = sorted(dict.fromkeys([*found, *reader.problems]), key=lambda p: order(p.where))
    if problems or survey is None:
        return None, problems
    return dataclasses.replace(survey, source=source), []


class _Reader:
    """Walks one document; each method reads one part and returns its model or None."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = SUPPORTED_LANGUAGES
        """Every text needs these; the survey's languages once read."""
        self.accepted: tuple[str, ...] = SUPPORTED_LANGUAGES
        """Languages a text may hold: wider when ``languages:`` itself is wrong, to report that mistake once."""
        self.question_lines: dict[str, int] = {}
        """Every question id written in the file, with the line of its first occurrence."""
        self.seen: set[str] = set()
        """Question ids read so far, valid or not: a question with a problem is reported once, not where used."""

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, _one_line(message)))

    # -- generic pieces -------------------------------------------------

    def mapping(self, value: Any, line: int, what: str) -> LocatedDict | None:
        if isinstance(value, LocatedDict):
            self.duplicates(value, f"this {what}")
            return value
        self.problem(line, f"{what} must be a mapping of keys, not {_kind(value)}")
        return None

    def duplicates(self, data: LocatedDict, where: str) -> None:
        """YAML keeps the last of two equal keys without a word; the author must hear of it."""
        for key, line, first in data.duplicate_keys:
            self.problem(line, f"'{clip(key)}' appears twice in {where} (first at {described(first)})")

    def sequence(self, value: Any, line: int, what: str, allow_empty: bool = False) -> LocatedList | None:
        if not isinstance(value, LocatedList):
            self.problem(line, f"{what} must be a list, not {_kind(value)}")
            return None
        if not value and not allow_empty:
            self.problem(line, f"{what} must not be empty")
            return None
        return value

    def keys(
        self,
        data: LocatedDict,
        allowed: tuple[str, ...],
        required: tuple[str, ...],
        what: str,
        elsewhere: tuple[str, ...] = (),
    ) -> None:
        """Unknown keys (``elsewhere``: known, but not here) and missing ones; a misspelt key counts once."""
        suggested = set()
        for key in data:
            if key in allowed:
                continue
            if key in elsewhere:
                self.problem(data.line_of(key), f"'{key}' does not apply to {what} (allowed: {', '.join(allowed)})")
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"
            self.problem(data.line_of(key), f"unknown key '{clip(key)}' in {what}{hint}")
            suggested.update(close)
        for key in required:
            if key not in data and key not in suggested:
                self.problem(data.line, f"{what} needs '{key}'")

    def identifier(self, data: LocatedDict, key: str, pattern: re.Pattern, what: str) -> str | None:
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.problem(data.line_of(key), f"{what} must be a plain identifier, not {_kind(value)}")
            return None
        value = str(value)
        if len(value) > MAX_ID_LENGTH or not pattern.fullmatch(value):
            self.problem(
                data.line_of(key),
                f"{what} '{clip(value)}' must match {pattern.pattern} (at most {MAX_ID_LENGTH} characters)",
            )
            return None
        return value

    def text(self, data: LocatedDict, key: str, what: str, required: bool = False) -> Text | None:
        if key not in data:
            if required:
                self.problem(data.line, f"{what} needs '{key}'")
            return None
        value, line = data[key], data.line_of(key)
        languages = ", ".join(self.languages or self.accepted)
        if not isinstance(value, LocatedDict):
            self.problem(line, f'\'{key}\' must give a text for each language ({languages}), e.g. {{fr: "…", en: "…"}}')
            return None
        self.duplicates(value, f"'{key}'")
        ok = not value.duplicate_keys
        for lang in value:
            if lang not in self.accepted:
                self.problem(
                    value.line_of(lang),
                    f"'{key}' has a text in '{lang}', which is not one of the survey's languages ({languages})",
                )
                ok = False
        for lang in self.languages:
            if lang not in value:
                self.problem(line, f"'{key}' is missing its '{lang}' translation")
                ok = False
            elif not isinstance(value[lang], str) or not value[lang].strip():
                self.problem(value.line_of(lang), f"'{key}' in '{lang}' must be a non-empty text")
                ok = False
            elif len(value[lang]) > MAX_TEXT_LENGTH:
                self.problem(value.line_of(lang), f"'{key}' in '{lang}' is longer than {MAX_TEXT_LENGTH:,} characters")
                ok = False
            elif invisible := _invisible_characters(value[lang]):
                self.problem(
                    value.line_of(lang),
                    f"'{key}' in '{lang}' holds {invisible}: invisible characters (direction controls, zero-width"
                    " characters) can make two texts look the same or show a text in another order; remove them",
                )
                ok = False
        return Text({lang: value[lang].strip() for lang in self.languages}) if ok else None

    def boolean(self, data: LocatedDict, key: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(data.line_of(key), f"'{key}' must be true or false")
            return default
        return value

    def integer(
        self, data: LocatedDict, key: str, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(data.line_of(key), f"'{key}' must be a whole number, not {_kind(value)}")
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = f"from {minimum}" + (f" to {maximum}" if maximum is not None else " up")
            self.problem(data.line_of(key), f"'{key}' must be a whole number {bounds}")
            return None
        return value

    def number(self, data: LocatedDict, key: str) -> float | int | None:
        if key not in data:
            return None
        value = data[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or value != value
            or abs(value) == float("inf")
        ):
            self.problem(data.line_of(key), f"'{key}' must be a number, not {_kind(value)}")
            return None
        return value

    def day(self, data: LocatedDict, key: str) -> date | None:
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                pass
        if not isinstance(value, date) or hasattr(value, "hour"):
            self.problem(data.line_of(key), f"'{key}' must be a date written YYYY-MM-DD")
            return None
        return value

    def condition(self, data: LocatedDict, known: dict[str, conditions.NameInfo]) -> conditions.Condition | None:
        if "show_if" not in data:
            return None
        source, line = data["show_if"], data.line_of("show_if")
        if isinstance(source, conditions.Condition):  # parsed by its file's front (a workbook's relevant)
            condition = source
        elif not isinstance(source, str):
            self.problem(line, f"show_if must be an expression in quotes, not {_kind(source)}")
            return None
        else:
            try:
                condition = conditions.parse(source)
            except conditions.ConditionError as error:
                self.problem(line, f"show_if: {_with_column(error)}")
                return None
        keyword = condition.keyword
        missing = condition.names() - known.keys()
        later = sorted(name for name in missing if name in self.question_lines and name not in self.seen)
        for name in later:
            self.problem(
                line,
                f"{keyword}: '{name}' is asked at {described(self.question_lines[name])}; "
                "a condition may only use group and the questions asked before it",
            )
        if later or missing & self.seen:  # an earlier question with a problem of its own is reported there
            return None
        errors = condition.check(known)
        for error in errors:
            self.problem(line, f"{keyword}: {_with_column(error)}")
        return None if errors else condition

    def unique(self, items: list[tuple[str | None, int]], what: str) -> None:
        seen: dict[str, int] = {}
        for item_id, line in items:
            if item_id is None:
                continue
            if item_id in seen:
                self.problem(line, f"duplicate {what} '{item_id}' (first at {described(seen[item_id])})")
            else:
                seen[item_id] = line

    def each_mapping(self, items: LocatedList, what: str, read: Callable[[LocatedDict], Any]) -> list:
        results = []
        for index, item in enumerate(items):
            data = self.mapping(item, items.line_of(index), what)
            if data is not None:
                results.append(read(data))
        return results

    def distinct_labels(self, items: LocatedList, labelled: list[tuple[str, Text]]) -> bool:
        """Whether respondents can tell these apart: no two labels look the same in one language.

        ``labelled`` holds (what, label) for each mapping of ``items``, in
        order; "the same" is after `_looks`, so case, spaces and look-alike
        forms of a letter (fullwidth, ligatures, composed accents) do not count.
        """
        distinct = True
        for lang in self.languages:
            seen: dict[str, tuple[str, int]] = {}
            for index, (what, label) in enumerate(labelled):
                line = items[index]["label"].line_of(lang)
                looks = _looks(label(lang))
                if looks in seen:
                    first, first_line = seen[looks]
                    self.problem(
                        line,
                        f"in '{lang}', {what} has the same label as {first} (first at {described(first_line)}), once"
                        " case, spaces and look-alike characters are set aside: respondents cannot tell them apart",
                    )
                    distinct = False
                else:
                    seen[looks] = (what, line)
        return distinct

    # -- the survey ---------------------------------------------------------

    def survey(self, data: LocatedDict, path: Path | None) -> Survey | None:
        self.duplicates(data, "the survey")
        self.keys(data, SURVEY_KEYS, ("id", "languages", "title", "sections"), "the survey")
        survey_id = self.identifier(data, "id", SURVEY_ID, "the survey id")
        self.read_languages(data)
        title = self.text(data, "title", "the survey")
        intro = self.text(data, "intro", "the survey")
        thanks = self.text(data, "thanks", "the survey")
        opens, closes = self.day(data, "opens"), self.day(data, "closes")
        if opens and closes and closes < opens:
            self.problem(data.line_of("closes"), f"closes ({closes}) comes before opens ({opens})")
        access = data.get("access", "public")
        if access not in ACCESS_MODES:
            self.problem(
                data.line_of("access"), f"access must be one of {', '.join(ACCESS_MODES)}, not '{clip(access)}'"
            )
        kiosk = self.boolean(data, "kiosk")
        survey_round = self.read_round(data)
        groups = self.read_groups(data)
        min_group_size = self.read_publish(data)
        families = self.read_families(data)
        scales = self.read_scales(data)
        sections = self.read_sections(data, groups, scales)
        indicators = self.read_indicators(data, sections, families)
        if self.problems or survey_id is None or title is None:
            return None
        return Survey(
            id=survey_id, languages=self.languages, title=title, sections=tuple(sections), round=survey_round,
            intro=intro, thanks=thanks, opens=opens, closes=closes, access=access, kiosk=kiosk, groups=tuple(groups),
            min_group_size=min_group_size, families=tuple(families), scales=scales,
            indicators=tuple(indicators), path=path,
        )  # fmt: skip

    def read_languages(self, data: LocatedDict) -> None:
        if "languages" not in data:
            return
        line = data.line_of("languages")
        languages = self.sequence(data["languages"], line, "languages")
        if languages is None:
            return
        good, written = [], []
        for index, lang in enumerate(languages):
            if lang not in SUPPORTED_LANGUAGES:
                self.problem(
                    languages.line_of(index),
                    f"language '{clip(lang)}' is not supported (supported: {', '.join(SUPPORTED_LANGUAGES)})",
                )
            elif lang in good:
                self.problem(languages.line_of(index), f"language '{lang}' is listed twice")
            else:
                good.append(lang)
            if isinstance(lang, str):
                written.append(lang)
        self.languages = tuple(good)
        if len(good) < len(languages):  # one mistake in the list, not one more in every text
            self.accepted = tuple(dict.fromkeys(SUPPORTED_LANGUAGES + tuple(written)))
        else:
            self.accepted = self.languages

    def read_round(self, data: LocatedDict) -> str:
        value = data.get("round", "1")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not ROUND.fullmatch(value):
            self.problem(
                data.line_of("round"), 'round must be a short name such as "2026" (letters, digits, space . _ -)'
            )
            return "1"
        return value

    def read_groups(self, data: LocatedDict) -> list[Group]:
        if "groups" not in data:
            return []
        items = self.sequence(data["groups"], data.line_of("groups"), "groups")
        if items is None:
            return []
        groups = self.each_mapping(items, "group", self.read_group)
        self.unique([(g[0], g[1]) for g in groups], "group id")
        read = [g[2] for g in groups if g[2] is not None]
        if len(read) == len(items):
            self.distinct_labels(items, [(f"group '{g.id}'", g.label) for g in read])
        return read

    def read_group(self, data: LocatedDict) -> tuple[str | None, int, Group | None]:
        self.keys(data, GROUP_KEYS, ("id", "label"), "a group")
        group_id = self.identifier(data, "id", ID, "a group id")
        if group_id == ALL_GROUPS:
            self.problem(
                data.line_of("id"),
                f"'{ALL_GROUPS}' is reserved for every respondent together; name the group otherwise",
            )
            group_id = None
        label = self.text(data, "label", "the group")
        size = self.integer(data, "size", minimum=1)
        group = Group(group_id, label, size) if group_id and label else None
        return group_id, data.line_of("id"), group

    def read_publish(self, data: LocatedDict) -> int:
        if "publish" not in data:
            return 5
        publish = self.mapping(data["publish"], data.line_of("publish"), "publish")
        if publish is None:
            return 5
        self.keys(publish, PUBLISH_KEYS, (), "publish")
        size = self.integer(publish, "min_group_size", minimum=MIN_GROUP_SIZE, maximum=1000)
        return 5 if size is None else size

    def read_families(self, data: LocatedDict) -> list[Family]:
        """The survey's families; the built-in ones when 'families' is wrong, so indicators are checked still."""
        items = data.get("families", "spiral")
        if items == "spiral":
            return list(SPIRAL_FAMILIES)
        if not isinstance(items, LocatedList) or not items:
            self.problem(
                data.line_of("families"), f"families must be spiral or a list of {{id, label}}, not {_kind(items)}"
            )
            return list(SPIRAL_FAMILIES)

        def read(item: LocatedDict) -> tuple[str | None, int, Family | None]:
            self.keys(item, FAMILY_KEYS, FAMILY_KEYS, "a family")
            family_id = self.identifier(item, "id", FAMILY_ID, "a family id")
            label = self.text(item, "label", "the family")
            return family_id, item.line_of("id"), Family(family_id, label) if family_id and label else None

        families = self.each_mapping(items, "family", read)
        self.unique([(f[0], f[1]) for f in families], "family id")
        return [f[2] for f in families if f[2] is not None]

    def read_scales(self, data: LocatedDict) -> dict[str, Scale]:
        scales = dict(SCALES)
        if "scales" not in data:
            return scales
        defined = self.mapping(data["scales"], data.line_of("scales"), "scales")
        for scale_id, levels in (defined or {}).items():
            line = defined.line_of(scale_id)
            if not isinstance(scale_id, str) or not ID.fullmatch(scale_id):
                self.problem(line, f"a scale name '{clip(scale_id)}' must match {ID.pattern}")
                continue
            if scale_id in SCALES:
                self.problem(line, f"scale '{scale_id}' is built in; give your scale another name")
                continue
            items = self.sequence(levels, line, f"scale '{scale_id}'")
            if items is not None:
                choices = self.read_levels(items, line, f"scale '{scale_id}'")
                if choices:
                    scales[scale_id] = Scale(scale_id, choices)
        return scales

    def read_levels(self, items: LocatedList, key_line: int, what: str) -> tuple[Choice, ...] | None:
        """Scale levels: integer values, unique, at least two; returned in increasing order."""
        levels = self.each_mapping(items, "level", lambda item: self.read_choice(item, integer=True))
        self.unique([(None if v is None else str(v), line) for v, line, _ in levels], f"level in {what}")
        if len(items) < 2:
            self.problem(key_line, f"{what} needs at least two levels")
            return None
        good = [choice for _, _, choice in levels if choice is not None]
        if len(good) != len(items) or len({c.value for c in good}) != len(good):
            return None
        if not self.distinct_labels(items, [(f"level {c.value}", c.label) for c in good]):
            return None
        return tuple(sorted(good, key=lambda c: c.value))

    def read_choice(self, data: LocatedDict, integer: bool) -> tuple[Any, int, Choice | None]:
        self.keys(data, CHOICE_KEYS, CHOICE_KEYS, "a choice")
        value, line = data.get("value"), data.line_of("value")
        label = self.text(data, "label", "the choice")
        if "value" not in data:
            return None, line, None
        if isinstance(value, bool):
            self.problem(line, "YAML reads yes/no/on/off as true/false: put the value in quotes")
            return None, line, None
        if integer:
            if not isinstance(value, int):
                self.problem(line, f"a scale level needs a whole-number value, not {_kind(value)}")
                return None, line, None
        else:
            value = str(value) if isinstance(value, int) else value
            if not isinstance(value, str) or len(value) > MAX_ID_LENGTH or not CHOICE_VALUE.fullmatch(value):
                self.problem(line, f"a choice value '{clip(value)}' must match {CHOICE_VALUE.pattern}")
                return None, line, None
        return value, line, Choice(value, label) if label else None

    # -- sections and questions -----------------------------------------

    def read_sections(self, data: LocatedDict, groups: list[Group], scales: dict[str, Scale]) -> list[Section]:
        if "sections" not in data:
            return []
        items = self.sequence(data["sections"], data.line_of("sections"), "sections")
        if items is None:
            return []
        self.question_lines = _question_lines(items)
        known: dict[str, conditions.NameInfo] = {}
        if groups:
            known["group"] = conditions.NameInfo("group", frozenset(g.id for g in groups))
        sections, section_ids, question_ids = [], [], []
        for index, item in enumerate(items):
            section_data = self.mapping(item, items.line_of(index), "section")
            if section_data is None:
                continue
            section = self.read_section(section_data, known, scales, question_ids)
            section_ids.append(
                (
                    section_data.get("id") if isinstance(section_data.get("id"), str) else None,
                    section_data.line_of("id"),
                )
            )
            if section is not None:
                sections.append(section)
        self.unique(section_ids, "section id")
        self.unique(question_ids, "question id")
        return sections

    def read_section(
        self, data: LocatedDict, known: dict, scales: dict[str, Scale], question_ids: list
    ) -> Section | None:
        self.keys(data, SECTION_KEYS, ("id", "title", "questions"), "a section")
        section_id = self.identifier(data, "id", ID, "a section id")
        title = self.text(data, "title", "the section")
        show_if = self.condition(data, dict(known))
        questions = []
        if "questions" in data:
            items = self.sequence(data["questions"], data.line_of("questions"), "questions")
            for index, item in enumerate(items or []):
                question_data = self.mapping(item, items.line_of(index), "question")
                if question_data is None:
                    continue
                question = self.read_question(question_data, known, scales)
                raw_id = question_data.get("id")
                question_ids.append((raw_id if isinstance(raw_id, str) else None, question_data.line_of("id")))
                if isinstance(raw_id, str):
                    self.seen.add(raw_id)
                if question is not None:
                    questions.append(question)
                    known.setdefault(question.id, _name_info(question))
        if section_id and title:
            return Section(section_id, title, tuple(questions), show_if=show_if)
        return None

    def read_question(self, data: LocatedDict, known: dict, scales: dict[str, Scale]) -> Question | None:
        question_type = data.get("type")
        if "type" not in data:
            self.problem(data.line, "a question needs 'type' (one of: " + ", ".join(QUESTION_TYPES) + ")")
        elif question_type not in QUESTION_TYPES:  # any YAML value, lists included: no dict lookup before this
            close = difflib.get_close_matches(str(question_type), QUESTION_TYPES, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "one of: " + ", ".join(QUESTION_TYPES)
            self.problem(data.line_of("type"), f"unknown question type '{clip(question_type)}' ({hint})")
        kind = TYPES[question_type] if question_type in QUESTION_TYPES else None
        every_key = COMMON_QUESTION_KEYS + tuple(dict.fromkeys(key for each in TYPES.values() for key in each.keys))
        if kind is not None:
            allowed = COMMON_QUESTION_KEYS + kind.keys
            others = tuple(k for k in every_key if k not in allowed)
            self.keys(data, allowed, ("id", "label"), f"a {question_type} question", elsewhere=others)
        else:
            self.keys(data, every_key, ("id", "label"), "a question")
        question_id = self.question_id(data)
        label = self.text(data, "label", "the question")
        help_text = self.text(data, "help", "the question")
        required = self.boolean(data, "required")
        show_if = self.condition(data, known)
        if kind is None:
            return None
        details = kind.read(self, data, scales)
        if question_id is None or label is None or details is None:
            return None
        return Question(
            id=question_id, kind=kind, label=label, help=help_text, required=required,
            show_if=show_if, line=data.line, **details,
        )  # fmt: skip

    def question_id(self, data: LocatedDict) -> str | None:
        question_id = self.identifier(data, "id", ID, "a question id")
        if question_id in RESERVED_IDS:
            self.problem(data.line_of("id"), f"'{question_id}' is reserved; name the question otherwise")
            return None
        if question_id and question_id.endswith(OTHER_SUFFIX):
            self.problem(
                data.line_of("id"), f"a question id may not end in '{OTHER_SUFFIX}' (kept for the \"Other\" text)"
            )
            return None
        return question_id

    def choices(self, data: LocatedDict, integer: bool, other: bool) -> tuple[Choice, ...] | None:
        if "choices" not in data:
            self.problem(data.line, "this question needs 'choices'")
            return None
        items = self.sequence(data["choices"], data.line_of("choices"), "choices")
        if items is None:
            return None
        if integer:
            return self.read_levels(items, data.line_of("choices"), "the choices")
        read = self.each_mapping(items, "choice", lambda item: self.read_choice(item, integer=False))
        self.unique([(v, line) for v, line, _ in read], "choice value")
        for value, line, _ in read:
            if other and value == OTHER_VALUE:
                self.problem(line, f"the value '{OTHER_VALUE}' is kept for the choice that other: true adds")
        if len(items) + (1 if other else 0) < 2:
            self.problem(data.line_of("choices"), "a choice question needs at least two choices")
        choices = tuple(choice for _, _, choice in read if choice is not None)
        if len(choices) != len(items):
            return None
        if not self.distinct_labels(items, [(f"choice '{c.value}'", c.label) for c in choices]):
            return None
        return choices

    # -- indicators -------------------------------------------------------

    def read_indicators(self, data: LocatedDict, sections: list[Section], families: list[Family]) -> list[Indicator]:
        if "indicators" not in data:
            return []
        items = self.sequence(data["indicators"], data.line_of("indicators"), "indicators", allow_empty=True)
        if items is None:
            return []
        questions: dict[str, Question] = {}
        for question in (q for s in sections for q in s.questions):
            questions.setdefault(question.id, question)  # a duplicate id is reported; the first one counts
        family_ids = [f.id for f in families]
        read = self.each_mapping(items, "indicator", lambda item: self.read_indicator(item, questions, family_ids))
        self.unique([(i[0], i[1]) for i in read], "indicator id")
        return [i[2] for i in read if i[2] is not None]

    def read_indicator(self, data: LocatedDict, questions: dict[str, Question], family_ids: list[str]) -> tuple:
        self.keys(data, INDICATOR_KEYS, ("id", "question", "family", "label"), "an indicator")
        indicator_id = self.identifier(data, "id", ID, "an indicator id")
        label = self.text(data, "label", "the indicator")
        question = self.indicator_question(data, questions)
        family = data.get("family")
        if "family" in data and family not in family_ids:
            close = difflib.get_close_matches(str(family), family_ids, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(family_ids)
            self.problem(data.line_of("family"), f"unknown family '{clip(family)}' ({hint})")
            family = None
        good_from = self.good_from(data, question)
        ready = indicator_id and label and question and family and good_from is not None
        indicator = Indicator(indicator_id, question.id, family, label, good_from) if ready else None
        return indicator_id, data.line_of("id"), indicator

    def indicator_question(self, data: LocatedDict, questions: dict[str, Question]) -> Question | None:
        if "question" not in data:
            return None
        name = data["question"]
        question = questions.get(name) if isinstance(name, str) else None
        if question is None and isinstance(name, str) and name in self.seen:
            return None  # the question has a problem of its own, reported at the question
        if question is None:
            close = difflib.get_close_matches(str(name), list(questions), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.problem(data.line_of("question"), f"unknown question '{clip(name)}'{hint}")
            return None
        if not question.kind.rated:
            self.problem(data.line_of("question"), f"an indicator needs a scale question; '{name}' is {question.type}")
            return None
        return question

    def good_from(self, data: LocatedDict, question: Question | None) -> int | None:
        levels = [c.value for c in question.choices] if question else []
        if "good_from" not in data:
            return levels[-2] if len(levels) >= 2 else None
        value = self.integer(data, "good_from")
        if value is not None and levels and value not in levels:
            self.problem(
                data.line_of("good_from"),
                f"good_from must be one of the scale's levels ({', '.join(map(str, levels))})",
            )
            return None
        return value


def _question_lines(sections: LocatedList) -> dict[str, int]:
    """Every question id written in ``sections``, at its first line, to tell "later" from "unknown"."""
    lines: dict[str, int] = {}
    for section in sections:
        questions = section.get("questions") if isinstance(section, LocatedDict) else None
        for question in questions if isinstance(questions, LocatedList) else ():
            if isinstance(question, LocatedDict) and isinstance(question.get("id"), str):
                lines.setdefault(question["id"], question.line_of("id"))
    return lines


def _name_info(question: Question) -> conditions.NameInfo:
    return conditions.NameInfo(question.type, frozenset(question.values) if question.choices else None)


def _with_column(error: conditions.ConditionError) -> str:
    """Parse errors already say where; checks get their column added."""
    if error.column and "column" not in error.message:
        return f"{error.message} (column {error.column})"
    return error.message


def _invisible_characters(text: str) -> str:
    """The invisible format characters of ``text`` (category Cf but the soft hyphen), named, or ""."""
    found = dict.fromkeys(ch for ch in text if unicodedata.category(ch) == "Cf" and ch != SOFT_HYPHEN)
    return ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, 'FORMAT CHARACTER')}" for ch in found)


def _looks(text: str) -> str:
    """What a label looks like to a reader: compatibility forms folded (NFKC), case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value}"
    return f"'{clip(value)}'"


def _one_line(message: str) -> str:
    """A problem is one line of output: a key or value quoted from the file may hold line breaks."""
    return CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), message)
