"""A survey written as an XLSForm workbook a translator can fill (``coresp-survey convert --to xlsx``).

Every text has one column per language, side by side (``label::Français
(fr)``, ``label::English (en)``), the survey's languages first and then the
other languages the interface speaks, empty, for a translation to come; an
empty cell a text needs is coloured, in Excel and LibreOffice alike
(conditional formatting), and so are the cells of a language not begun yet.
Read back by the spreadsheet front (`coresp_survey.survey.xlsform`), the
workbook is the same survey; a language column left entirely empty is no
language of the survey yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coresp_survey.survey import relevant
from coresp_survey.survey.builtins import SCALES
from coresp_survey.survey.builtins import SPIRAL_FAMILIES
from coresp_survey.survey.located import column_letters
from coresp_survey.survey.model import SUPPORTED_LANGUAGES
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import Survey
from coresp_survey.survey.model import Text
from coresp_survey.survey.xlsform import TRANSLATABLE
from coresp_survey.survey.xlsform import language_header

Rows = list[dict[str, Any]]
"""A sheet as rows of header → value (a text cell is written as text, even one that starts with =)."""
TO_FILL = "FFF2CC"
"""The colour of an empty cell that needs a text (a pale yellow, readable in print too)."""
HEADER = "DDEBF7"
LABEL_WIDTH = 42


def survey_sheets(survey: Survey) -> dict[str, tuple[list[str], Rows]]:
    """The workbook's sheets: name → (headers, rows), in the order they are written."""
    languages = list(survey.languages) + [lang for lang in SUPPORTED_LANGUAGES if lang not in survey.languages]
    writer = _Sheets(survey, languages)
    return writer.sheets()


def write_workbook(survey: Survey, path: Path) -> None:
    """Write ``survey`` as an .xlsx workbook at ``path``."""
    save_sheets(survey_sheets(survey), path)


def save_sheets(sheets: dict[str, tuple[list[str], Rows]], path: Path) -> None:
    """Write sheets of rows as an .xlsx file: bold headers, frozen, wide text columns, empty texts coloured."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment
    from openpyxl.styles import Font
    from openpyxl.styles import PatternFill

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (headers, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        for column, header in enumerate(headers, start=1):
            cell = sheet.cell(1, column)
            _set(cell, header)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=HEADER)
        for row_number, row in enumerate(rows, start=2):
            for column, header in enumerate(headers, start=1):
                value = row.get(header)
                if value is not None and value != "":
                    _set(sheet.cell(row_number, column), value)
        sheet.freeze_panes = "C2" if name == "survey" else "A2"
        last = len(rows) + 1
        for column, header in enumerate(headers, start=1):
            letter = column_letters(column)
            base = header.partition("::")[0]
            text_column = base in TRANSLATABLE.get(name, ())
            sheet.column_dimensions[letter].width = LABEL_WIDTH if text_column else max(12, min(len(header) + 2, 30))
            if not text_column or last < 2:
                continue
            for row_number in range(2, last + 1):
                sheet.cell(row_number, column).alignment = Alignment(wrap_text=True, vertical="top")
            needed = _needed(name, base, headers, column)
            if needed:
                sheet.conditional_formatting.add(
                    f"{letter}2:{letter}{last}",
                    FormulaRule(formula=[needed], fill=PatternFill("solid", fgColor=TO_FILL, bgColor=TO_FILL)),
                )
    workbook.save(path)


def _needed(sheet: str, base: str, headers: list[str], column: int) -> str | None:
    """When an empty cell of this text column needs filling, as a formula on row 2 (Excel shifts it down)."""
    letter = column_letters(column)
    empty = f"LEN(TRIM({letter}2))=0"
    if base in ("label", "form_title"):
        if sheet == "survey":
            return f'AND({empty},LEN(TRIM($A2))>0,LOWER(TRIM($A2))<>"end group")'
        return f"AND({empty},COUNTA($A2:$B2)>0)"
    siblings = [column_letters(i) for i, h in enumerate(headers, start=1) if h.partition("::")[0] == base]
    if len(siblings) < 2:
        return None
    filled = "+".join(f"LEN(TRIM({other}2))" for other in siblings if other != letter)
    return f"AND({empty},{filled}>0)"  # a hint or an intro given in another language


def _set(cell: Any, value: Any) -> None:
    """A value in a cell; a text stays a text, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


class _Sheets:
    """Builds each sheet's rows from the survey."""

    def __init__(self, survey: Survey, languages: list[str]) -> None:
        self.survey = survey
        self.languages = languages
        self.lists: dict[str, list[dict[str, Any]]] = {}

    def columns(self, base: str) -> list[str]:
        return [f"{base}::{language_header(lang)}" for lang in self.languages]

    def texts(self, base: str, text: Text | None) -> dict[str, str]:
        if text is None:
            return {}
        return {f"{base}::{language_header(lang)}": text.get(lang, "") for lang in self.languages}

    def sheets(self) -> dict[str, tuple[list[str], Rows]]:
        survey_rows = self.survey_rows()
        sheets: dict[str, tuple[list[str], Rows]] = {}
        headers = ["type", "name", *self.columns("label")]
        if any(q.help for q in self.survey.questions):
            headers += self.columns("hint")
        for key in ("required", "relevant", "constraint", "appearance", "max_length", "min_choices", "max_choices"):
            if any(key in row for row in survey_rows):
                headers.append(key)
        sheets["survey"] = (headers, survey_rows)
        choice_rows = [
            {"list_name": list_name, **choice} for list_name, choices in self.lists.items() for choice in choices
        ]
        sheets["choices"] = (["list_name", "name", *self.columns("label")], choice_rows)
        sheets["settings"] = self.settings()
        if self.survey.groups:
            rows = [{"name": g.id, **self.texts("label", g.label), "size": g.size} for g in self.survey.groups]
            sheets["groups"] = (["name", *self.columns("label"), "size"], rows)
        if self.survey.indicators:
            rows = [
                {"name": i.id, "question": i.question, "family": i.family, **self.texts("label", i.label),
                 "good_from": i.good_from}
                for i in self.survey.indicators
            ]  # fmt: skip
            sheets["indicators"] = (["name", "question", "family", *self.columns("label"), "good_from"], rows)
        if self.survey.families != SPIRAL_FAMILIES:
            rows = [{"name": f.id, **self.texts("label", f.label)} for f in self.survey.families]
            sheets["families"] = (["name", *self.columns("label")], rows)
        return sheets

    def settings(self) -> tuple[list[str], Rows]:
        survey = self.survey
        row: dict[str, Any] = {"form_id": survey.id, **self.texts("form_title", survey.title)}
        row["default_language"] = language_header(survey.default_language)
        row["round"] = survey.round
        if survey.access != "public":
            row["access"] = survey.access
        if survey.kiosk:
            row["kiosk"] = "yes"
        for key in ("opens", "closes"):
            if getattr(survey, key) is not None:
                row[key] = getattr(survey, key)
        if survey.min_group_size != 5:
            row["min_group_size"] = survey.min_group_size
        headers = ["form_id", *self.columns("form_title"), "default_language", "round"]
        headers += [key for key in ("access", "kiosk", "opens", "closes", "min_group_size") if key in row]
        for key in ("intro", "thanks"):
            if getattr(survey, key) is not None:
                row.update(self.texts(key, getattr(survey, key)))
                headers += self.columns(key)
        return headers, [row]

    def survey_rows(self) -> Rows:
        rows: Rows = []
        for section in self.survey.sections:
            row = {"type": "begin group", "name": section.id, **self.texts("label", section.title)}
            if section.show_if is not None:
                row["relevant"] = relevant.to_relevant(section.show_if)
            rows.append(row)
            rows.extend(self.question_row(question) for question in section.questions)
            rows.append({"type": "end group"})
        return rows

    def question_row(self, question: Question) -> dict[str, Any]:
        row: dict[str, Any] = {"name": question.id, **self.texts("label", question.label)}
        row.update(self.texts("hint", question.help))
        if question.required:
            row["required"] = "yes"
        if question.show_if is not None:
            row["relevant"] = relevant.to_relevant(question.show_if)
        word, appearance = question.kind.xlsform(question)
        if question.kind.chosen:  # its choices (a scale's levels) in a list of the choices sheet
            row["type"] = f"{word} {self.list_of(question)}{' or_other' if question.other else ''}"
        else:
            row["type"] = word
        if appearance:
            row["appearance"] = appearance
        for key in question.kind.keys:
            value = getattr(question, key)
            if key in ("min", "max") and question.kind.chosen:  # how many choices
                row[f"{key}_choices"] = value
            elif key == "max_length" and value != question.kind.default_max_length:
                row["max_length"] = value
        if "integer" in question.kind.keys:  # a number's range
            bounds = [f". >= {relevant.number_text(question.min)}"] if question.min is not None else []
            bounds += [f". <= {relevant.number_text(question.max)}"] if question.max is not None else []
            if bounds:
                row["constraint"] = " and ".join(bounds)
        return {key: value for key, value in row.items() if value is not None}

    def list_of(self, question: Question) -> str:
        """The list a question's choices are in: a built-in scale's name, a named scale's, or one of its own."""
        if question.scale in SCALES:
            return question.scale
        if question.scale is not None:
            if question.scale not in self.lists:
                self.lists[question.scale] = self.choice_rows(self.survey.scales[question.scale].levels)
            return question.scale
        return self.new_list(question.id, question)

    def new_list(self, name: str, question: Question) -> str:
        """A list of choices of its own for ``question``, named after it (its levels, for a scale)."""
        list_name = name
        taken = set(self.lists) | set(self.survey.scales)
        while list_name in taken:
            list_name += "_choices"
        self.lists[list_name] = self.choice_rows(question.choices)
        return list_name

    def choice_rows(self, choices: tuple) -> list[dict[str, Any]]:
        return [{"name": choice.value, **self.texts("label", choice.label)} for choice in choices]
