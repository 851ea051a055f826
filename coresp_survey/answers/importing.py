"""Paper questionnaires typed into a CSV: every row checked by the form's own rules, all stored or none.

Problems are written in the language asked for (`i18n.Language`); the command line asks for English.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from coresp_survey import i18n
from coresp_survey.answers import csv_files
from coresp_survey.answers import forms
from coresp_survey.answers import walk as answering
from coresp_survey.answers.definitions import Definitions
from coresp_survey.answers.exporting import FIXED_COLUMNS
from coresp_survey.answers.exporting import FORMULA_STARTS
from coresp_survey.answers.exporting import columns
from coresp_survey.i18n import Language
from coresp_survey.survey.loader import ROUND
from coresp_survey.survey.model import Survey
from coresp_survey.survey.shown import clip

MAX_ROWS = csv_files.MAX_ROWS


class ImportRefused(Exception):
    """The file cannot be imported; ``problems`` names each bad row and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportedRow:
    group: str | None
    round: str
    answers: dict
    submitted: str | None = None
    """The day the response was given (a ``submitted`` cell, as ``export`` writes it); None: the day of the import."""


SUBMITTED = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.+\-Z]*)?")
"""A ``submitted`` cell: a day, ``YYYY-MM-DD``, maybe with a time after it, which is not kept."""


def read_csv(definitions: Definitions, data: bytes, lang: str, new_round: str | None = None) -> list[ImportedRow]:
    """Check every row of the CSV file ``data``; raise ImportRefused listing all problems, or return the rows.

    The file is read as spreadsheets write it (`csv_files`: comma or
    semicolon, UTF-8 with or without a byte-order mark, any line endings).
    ``lang``: the language of the problems (forms are made in it too).
    A row's round must be one the survey knows (`Definitions.rounds`) or
    ``new_round`` (``--round``), which also stamps rows that name none; the
    row is checked with the survey file of its round.
    """
    language = i18n.language(lang)
    try:
        table = csv_files.read(data, language, MAX_ROWS)
    except csv_files.CsvRefused as refused:
        raise ImportRefused(refused.problems) from None
    problems = header_problems(definitions, table.header, language)
    if problems:
        raise ImportRefused(problems + table.problems)
    rows = []
    for row in table.rows:
        imported, row_problems = check_round_row(definitions, row.cells, language, new_round)
        submitted, problem = row_submitted(row.cells, language)
        row_problems += [problem] if problem else []
        problems.extend(language.gettext("line %(line)s: %(problem)s", line=row.line, problem=p) for p in row_problems)
        if imported is not None and problem is None:
            rows.append(dataclasses.replace(imported, submitted=submitted))
    problems += table.problems  # the rows that could not be read, after every row read (where reading stopped last)
    if problems:
        raise ImportRefused(sorted(problems, key=_line_of))
    if not rows:
        raise ImportRefused([language.gettext("the file has no responses")])
    return rows


def row_submitted(record: dict[str, str], language: Language) -> tuple[str | None, str | None]:
    """The row's day of submission (None when the cell is empty or absent), and the problem when it is no day.

    An export keeps each response's day: importing it back keeps it too,
    instead of dating every response the day of the import. A day after
    today is refused: no response was given in the future.
    """
    value = uncell(record.get("submitted") or "").strip()
    if not value:
        return None, None
    found = SUBMITTED.fullmatch(value)
    try:
        day = datetime.date.fromisoformat(found.group(1)) if found else None
    except ValueError:
        day = None
    if day is None or day > datetime.date.today():
        shown = clip(value.encode("unicode_escape").decode("ascii"))
        return None, language.gettext(
            "submitted: '%(value)s' is not a day written YYYY-MM-DD, as export writes it (or it is after today);"
            " leave it empty for today",
            value=shown,
        )
    return day.isoformat(), None


def _line_of(problem: str) -> int:
    """The line a problem names (``line 12: …``), to list them in the file's order; 0 when it names none."""
    found = re.match(r"\D*(\d+)", problem)
    return int(found.group(1)) if found else 0


def header_problems(definitions: Definitions, header: list[str], language: Language) -> list[str]:
    """Problems of the header row: every column must be a field of the current file or of a saved version."""
    survey = definitions.current
    known = {name for version in definitions.every_version() for name in columns(version)}
    problems = [
        language.gettext("unknown column '%(name)s' (expected question ids, <id>_other, group, round)", name=clip(name))
        for name in header
        if name and name not in known
    ]
    repeated = {name for name in header if name and header.count(name) > 1}
    problems += [language.gettext("column '%(name)s' appears more than once", name=name) for name in sorted(repeated)]
    if survey.groups and "group" not in header:
        problems.append(language.gettext("the survey has groups: the file needs a 'group' column"))
    if not any(name not in FIXED_COLUMNS for name in header):
        problems.append(language.gettext("the file has no question column"))
    return problems


def uncell(value: str) -> str:
    """Undo the apostrophe that our own export adds before formula-like text."""
    value = value.strip()
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def row_round(
    definitions: Definitions, record: dict[str, str], new_round: str | None, language: Language
) -> tuple[str, str | None]:
    """The row's round, and the problem when the survey does not know it."""
    survey_round = (record.get("round") or "").strip() or new_round or definitions.current.round
    if survey_round == new_round or survey_round in definitions.rounds:
        return survey_round, None
    if not ROUND.fullmatch(survey_round):
        shown = clip(survey_round.encode("unicode_escape").decode("ascii"))  # no control character reaches a terminal
        return survey_round, language.gettext("round '%(round)s' is not a round name such as \"2026\"", round=shown)
    return survey_round, language.gettext(
        "round '%(round)s' is not a round of survey '%(survey)s' (its rounds: %(rounds)s); to store it as a new"
        " round, run the import again with --round %(round)s",
        round=survey_round,
        survey=definitions.current.id,
        rounds=", ".join(definitions.rounds),
    )


def check_round_row(
    definitions: Definitions, record: dict[str, str], language: Language, new_round: str | None
) -> tuple[ImportedRow | None, list[str]]:
    """Check a row with its round's survey file, or an earlier version saved for that round.

    A file corrected mid-round leaves answers that fit only the version they
    were given with (an export of them imports back): the first version that
    stores every filled cell wins, else the first that accepts the row
    (dropping, as the form does, answers to questions not asked to this
    respondent). Problems are named by the round's own file.
    """
    survey_round, problem = row_round(definitions, record, new_round, language)
    if problem is not None:
        return None, [problem]
    first_problems: list[str] | None = None
    accepted: ImportedRow | None = None
    for survey in definitions.candidates(survey_round):
        row, problems = check_row(survey, record, language, survey_round)
        if row is not None and not dropped_cells(survey, record, row):
            return row, []
        accepted = accepted or row
        if first_problems is None:
            first_problems = problems
    return (accepted, []) if accepted is not None else (None, first_problems or [])


def dropped_cells(survey: Survey, record: dict[str, str], row: ImportedRow) -> list[str]:
    """The filled cells of ``record`` that ``row`` does not store (hidden by ``show_if``, "Other" not chosen)."""
    names = (name for question in survey.questions for name in forms.field_names(question))
    return [name for name in names if uncell(record.get(name) or "") and name not in row.answers]


def check_row(
    survey: Survey, record: dict[str, str], language: Language, survey_round: str | None = None
) -> tuple[ImportedRow | None, list[str]]:
    """Check a row with one survey file; a filled cell of a column the file does not have is a problem."""
    survey_round = survey_round or (record.get("round") or "").strip() or survey.round
    fields = set(columns(survey))
    problems = [
        language.gettext("%(column)s: the survey file of round %(round)s has no such question; leave the cell empty",
                         column=name, round=survey_round)
        for name, value in record.items()
        if name is not None and name not in fields and uncell(value or "")
    ]  # fmt: skip
    raw: answering.Raw = {}
    for question in survey.questions:
        for name in forms.field_names(question):
            value = uncell(record.get(name) or "")
            if not value:
                continue
            raw[name] = question.kind.from_cell(value) if name == question.id else [value]
    group = (record.get("group") or "").strip() or None
    if survey.groups and not survey.group(group):
        problems.append(
            language.gettext(
                "group '%(group)s' is not one of %(groups)s",
                group=clip(group or ""),
                groups=", ".join(g.id for g in survey.groups),
            )
        )
    elif not survey.groups and group:
        problems.append(language.gettext("the survey has no groups; leave 'group' empty"))
    result = answering.walk(survey, language.code, MultiDict(raw), group)
    for page in result.pages:
        if not answering.validate_page(page):
            for question in page.active:
                for error in page.form[question.id].errors:
                    problems.append(f"{question.id}: {error}")
    if problems:
        return None, problems
    return ImportedRow(group, survey_round, result.answers), []
