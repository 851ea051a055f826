"""Workbooks for the tests, written from rows: .xlsx by openpyxl, .ods by a small writer of our own.

Every fixture workbook is made here from rows in the test, in the shape
KoboToolbox and pyxform's examples have (no third-party file is copied), so a
test says exactly which cell holds what.
"""

from __future__ import annotations

import dataclasses
import zipfile
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from coresp_survey.survey.model import Survey

Sheets = dict[str, list[list[Any]]]


def write_xlsx(path: Path, sheets: Sheets) -> Path:
    """Each sheet's rows from A1; a text is written as text (even "=1+1")."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row_number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                cell = sheet.cell(row_number, column)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"
    workbook.save(path)
    return path


def write_ods(path: Path, sheets: Sheets) -> Path:
    """The same as an OpenDocument spreadsheet, written as LibreOffice lays one out (mimetype first, stored)."""
    tables = []
    for name, rows in sheets.items():
        lines = [f'<table:table table:name="{escape(name, {chr(34): "&quot;"})}">']
        for row in rows:
            lines.append("<table:table-row>" + "".join(_ods_cell(value) for value in row) + "</table:table-row>")
        lines.append("</table:table>")
        tables.append("".join(lines))
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def _ods_cell(value: Any) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        shown = "TRUE" if value else "FALSE"
        return f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(value).lower()}"><text:p>{shown}</text:p></table:table-cell>'
    if isinstance(value, int | float):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    if isinstance(value, date):
        return f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"><text:p>{value}</text:p></table:table-cell>'
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
    return f'<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>'


def write_workbook(path: Path, sheets: Sheets) -> Path:
    """.xlsx or .ods, by the name's suffix."""
    return write_ods(path, sheets) if path.suffix == ".ods" else write_xlsx(path, sheets)


# -- a small bilingual survey, sheet by sheet -----------------------------------------------

FR, EN = "label::Français (fr)", "label::English (en)"
SURVEY_HEADER = ["type", "name", FR, EN, "hint::Français (fr)", "hint::English (en)", "required", "relevant",
                 "constraint", "appearance"]  # fmt: skip


def small_survey() -> Sheets:
    """A valid bilingual survey using every kind of question, a group condition and a scale indicator."""
    return {
        "survey": [
            SURVEY_HEADER,
            ["begin group", "vous", "Vous", "You"],
            ["select_one oui_non", "habite", "Habitez-vous ici ?", "Do you live here?", "", "", "yes"],
            ["integer", "annees", "Depuis combien d'années ?", "For how many years?", "En années", "In years", "",
             "${habite} = 'oui'", ". >= 0 and . <= 90"],
            ["decimal", "distance", "Distance au travail (km)", "Distance to work (km)", "", "", "", "", ". >= 0"],
            ["select_multiple transports or_other", "transports", "Vos transports", "Your transport"],
            ["end group"],
            ["begin group", "avis", "Votre avis", "Your opinion", "", "", "", "${group} != 'enfants'"],
            ["select_one spiral5", "securite", "Sécurité", "Safety", "", "", "yes", "", "", "likert"],
            ["select_one accord", "calme", "Le quartier est calme", "The area is quiet", "", "", "", "", "", "likert"],
            ["text", "mot", "Un mot", "One word", "", "", "", "selected(${transports}, 'bus')"],
            ["text", "idees", "Vos idées", "Your ideas", "", "", "", "${securite} <= 2", "", "multiline"],
            ["end group"],
        ],
        "choices": [
            ["list_name", "name", FR, EN],
            ["oui_non", "oui", "Oui", "Yes"],
            ["oui_non", "non", "Non", "No"],
            ["transports", "bus", "Bus", "Bus"],
            ["transports", "velo", "Vélo", "Bike"],
            ["accord", 1, "Pas d'accord", "Disagree"],
            ["accord", 2, "Neutre", "Neutral"],
            ["accord", 3, "D'accord", "Agree"],
        ],
        "settings": [
            ["form_id", "form_title::Français (fr)", "form_title::English (en)", "default_language", "round", "access",
             "opens"],
            ["quartier-xls", "Le quartier", "The neighbourhood", "Français (fr)", "2026", "public", date(2026, 1, 1)],
        ],  # fmt: skip
        "groups": [["name", FR, EN, "size"], ["adultes", "Adultes", "Adults", 300], ["enfants", "Enfants", "Children", ""]],
        "indicators": [
            ["name", "question", "family", FR, EN, "good_from"],
            ["securite", "securite", "B", "Sentiment de sécurité", "Feeling of safety", 4],
            ["calme", "calme", "B", "Calme", "Quiet", ""],
        ],
    }  # fmt: skip


# -- the same survey, whatever its form ------------------------------------------------------


def signature(survey: Survey) -> dict[str, Any]:
    """What makes two surveys the same survey: every field but where things were written and how conditions
    were spelt (their syntax trees are compared) or scales named (their levels are compared, in the questions)."""

    def question(q: Any) -> dict[str, Any]:
        data = {f.name: getattr(q, f.name) for f in dataclasses.fields(q) if f.name not in ("line", "scale")}
        data["show_if"] = q.show_if.to_data() if q.show_if else None
        return data

    data = {
        f.name: getattr(survey, f.name)
        for f in dataclasses.fields(survey)
        if f.name not in ("sections", "path", "source", "scales")
    }
    data["sections"] = [
        (s.id, s.title, s.show_if.to_data() if s.show_if else None, [question(q) for q in s.questions])
        for s in survey.sections
    ]
    return data
