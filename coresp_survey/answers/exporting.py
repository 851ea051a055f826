"""Responses out as a table (CSV or XLSX): one row per response, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

from coresp_survey.answers.forms import field_names
from coresp_survey.answers.records import Response
from coresp_survey.survey.model import Survey
from coresp_survey.survey.question_types import to_cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIXED_COLUMNS = ("group", "round", "submitted")
BOM = "\ufeff"
"""The UTF-8 byte-order mark, as text: the first character of every CSV written for people."""


def columns(survey: Survey) -> list[str]:
    return [*FIXED_COLUMNS, *(name for question in survey.questions for name in field_names(question))]


def stored_columns(survey: Survey, stored_keys: Iterable[str]) -> list[str]:
    """The current file's columns, then every other key found in stored answers, sorted (``<id>_other`` after ``<id>``).

    Questions since removed from the file, or "Other" texts it no longer
    offers, still have answers: an export never hides them.
    """
    names = columns(survey)
    known = set(names)
    return names + sorted(key for key in set(stored_keys) if key not in known)


def inert(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP): for CSV, which has no types."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    """Any value as a safe CSV cell: a list of choices joined, None empty (`question_types.to_cell`), formulas inert."""
    return inert(to_cell(value))


def rows(survey: Survey, responses: Iterable[Response], stored_keys: Iterable[str] = ()) -> Iterator[list[Any]]:
    """The header, then one row per response (no code, id or device detail), values exactly as stored.

    ``stored_keys`` are the keys of the stored answers (`responses.answer_keys`): each gets a column. Cells are
    the values as given; each writer makes them safe in its own way (`write_csv`, `write_xlsx`).
    """
    names = stored_columns(survey, stored_keys)
    by_question = {question.id: question.kind.to_cell for question in survey.questions}
    as_cells = [by_question.get(name, to_cell) for name in names]  # "Other" texts, removed questions: as stored
    yield list(names)
    for response in responses:
        fixed = {"group": response.group, "round": response.round, "submitted": response.submitted}
        values = (fixed[name] if name in fixed else response.answers.get(name) for name in names)
        yield [as_cell(value) for as_cell, value in zip(as_cells, values, strict=True)]


def write_csv(table: Iterable[list[Any]], stream: io.TextIOBase) -> int:
    """Write the table for people, formulas inert; return the number of rows below the header.

    It starts with a UTF-8 byte-order mark: without one, Excel and LibreOffice
    read the file in the machine's legacy encoding and show "Ã©" for "é".
    """
    stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n")
    written = 0
    for row in table:
        writer.writerow([inert(value) for value in row])
        written += 1
    return max(written - 1, 0)


def write_xlsx(table: Iterable[list[Any]], path: Path, title: str) -> int:
    """Write the table as a workbook: text as text cells holding exactly the text given, numbers as numbers.

    Text a spreadsheet would read as a formula (``=1+1``) is a text cell with
    the quote-prefix style: shown as typed, with no apostrophe added, and still
    text when someone edits the cell (`text_cell`).
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "responses")
    written = 0
    try:
        for row in table:
            sheet.append([text_cell(sheet, value) if isinstance(value, str) else value for value in row])
            written += 1
    except BaseException:
        with suppress(Exception):
            sheet.close()  # ends openpyxl's row writer, which would complain when collected
        raise
    workbook.save(path)
    return max(written - 1, 0)


def text_cell(sheet, text: str):
    """A cell that is text whatever it holds: openpyxl would make ``=…`` a formula; the quote prefix keeps it inert."""
    from openpyxl.cell import WriteOnlyCell

    made = WriteOnlyCell(sheet, value=text)
    made.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        made.quotePrefix = True
    return made
