"""Paper questionnaires typed into a CSV: every row checked by the form's own rules, all stored or none."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from . import answering
from . import forms
from .exporting import FIXED_COLUMNS
from .exporting import FORMULA_STARTS
from .exporting import LIST_SEPARATOR
from .exporting import columns
from .survey.model import Survey

MAX_ROWS = 100_000


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


def read_csv(survey: Survey, text: str, lang: str) -> list[ImportedRow]:
    """Check every row of ``text``; raise ImportRefused listing all problems, or return the rows."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = reader.fieldnames or []
    problems = header_problems(survey, header)
    if problems:
        raise ImportRefused(problems)
    rows = []
    for number, record in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise ImportRefused([f"the file has more than {MAX_ROWS:,} rows; split it"])
        if None in record:
            problems.append(f"line {reader.line_num}: more cells than columns in the header")
            continue
        if not any((value or "").strip() for value in record.values()):
            continue
        row, row_problems = check_row(survey, record, lang)
        problems.extend(f"line {reader.line_num}: {problem}" for problem in row_problems)
        if row is not None:
            rows.append(row)
    if problems:
        raise ImportRefused(problems)
    if not rows:
        raise ImportRefused(["the file has no responses"])
    return rows


def header_problems(survey: Survey, header: list[str]) -> list[str]:
    known = set(columns(survey))
    problems = [
        f"unknown column '{name}' (expected question ids, <id>_other, group, round)"
        for name in header
        if name not in known
    ]
    repeated = {name for name in header if header.count(name) > 1}
    problems += [f"column '{name}' appears more than once" for name in sorted(repeated)]
    if survey.groups and "group" not in header:
        problems.append("the survey has groups: the file needs a 'group' column")
    if not any(name not in FIXED_COLUMNS for name in header):
        problems.append("the file has no question column")
    return problems


def uncell(value: str) -> str:
    """Undo the apostrophe that our own export adds before formula-like text."""
    value = value.strip()
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def check_row(survey: Survey, record: dict[str, str], lang: str) -> tuple[ImportedRow | None, list[str]]:
    raw: answering.Raw = {}
    for question in survey.questions:
        for name in forms.field_names(question):
            value = uncell(record.get(name) or "")
            if not value:
                continue
            is_list = question.type == "multiple" and name == question.id
            raw[name] = [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()] if is_list else [value]
    problems = []
    group = (record.get("group") or "").strip() or None
    if survey.groups and not survey.group(group):
        problems.append(f"group '{group or ''}' is not one of {', '.join(g.id for g in survey.groups)}")
    elif not survey.groups and group:
        problems.append("the survey has no groups; leave 'group' empty")
    result = answering.walk(survey, lang, MultiDict(raw), group)
    for page in result.pages:
        if not answering.validate_page(page):
            for question in page.active:
                for error in page.form[question.id].errors:
                    problems.append(f"{question.id}: {error}")
    survey_round = (record.get("round") or "").strip() or survey.round
    if problems:
        return None, problems
    return ImportedRow(group, survey_round, result.answers), []
