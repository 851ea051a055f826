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
    header, records, unreadable = read_table(text)
    problems = header_problems(survey, header)
    if problems:
        raise ImportRefused(problems + unreadable)
    rows = []
    for line, cells in records:
        if len(cells) > len(header):
            problems.append(f"line {line}: more cells than columns in the header")
            continue
        if len(cells) < len(header):
            problems.append(
                f"line {line}: {len(cells)} cells where the header has {len(header)} columns; add the missing"
                " cells (empty ones too), so that each value stays under its column"
            )
            continue
        record = dict(zip(header, cells, strict=True))
        if not any(value.strip() for value in record.values()):
            continue
        row, row_problems = check_row(survey, record, lang)
        problems.extend(f"line {line}: {problem}" for problem in row_problems)
        if row is not None:
            rows.append(row)
    problems += unreadable  # the row where reading stopped comes after every row read
    if problems:
        raise ImportRefused(problems)
    if not rows:
        raise ImportRefused(["the file has no responses"])
    return rows


def read_table(text: str) -> tuple[list[str], list[tuple[int, list[str]]], list[str]]:
    """The header, each non-blank row with the line it starts on, and the problem that stopped the reading.

    The reader is strict: a quote left open would otherwise swallow the rest
    of the file into one cell, and text after a closing quote would be glued
    to the cell, both without a word. Reading stops at such a row, since what
    follows it cannot be told apart.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if header is None:
                header = cells
            elif cells:
                records.append((start, cells))
                if len(records) > MAX_ROWS:
                    raise ImportRefused([f"the file has more than {MAX_ROWS:,} rows; split it"])
            start = reader.line_num + 1
    except csv.Error as error:
        return header or [], records, [f"line {start}: {_unreadable(error)}"]
    return header or [], records, []


def _unreadable(error: csv.Error) -> str:
    """What is wrong with a row the CSV reader gave up on, and what to do, for a person with a spreadsheet."""
    how = 'write "" for a quote inside a cell'
    if "unexpected end of data" in str(error):
        return (
            "a quote opens a cell in this row and is never closed, so the rest of the file would be one cell:"
            f" close it ({how})"
        )
    if "expected after" in str(error):
        return f"text follows the closing quote of a cell: put the whole cell in quotes ({how})"
    return f"this row cannot be read as CSV ({error}); save the file again as CSV from the spreadsheet"


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
