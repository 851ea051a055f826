"""Surveys written as XLSForm workbooks (.xlsx, .ods): PRODUCT.md's mapping, and every problem at its cell.

Workbooks are made from rows in each test (`workbooks.py`); `small_survey` is
a valid bilingual one using each kind of question, which a test then spoils
in one place.
"""

from __future__ import annotations

import copy
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import TEST_SURVEYS
from workbooks import EN
from workbooks import FR
from workbooks import SURVEY_HEADER
from workbooks import small_survey
from workbooks import write_workbook
from workbooks import write_xlsx

from coresp_survey.cli import main
from coresp_survey.survey import workbook as workbook_module
from coresp_survey.survey.catalog import check_files
from coresp_survey.survey.loader import Problem
from coresp_survey.survey.loader import read_survey
from coresp_survey.survey.located import WHOLE_FILE
from coresp_survey.survey.located import Cell
from coresp_survey.survey.xlsform import language_header


def read(tmp_path: Path, sheets: dict, suffix: str = ".xlsx"):
    path = write_workbook(tmp_path / f"form{suffix}", sheets)
    return read_survey(path)


def problems(tmp_path: Path, sheets: dict, suffix: str = ".xlsx") -> list[str]:
    """Each problem as ``SHEET!CELL: message``."""
    survey, found = read(tmp_path, sheets, suffix)
    assert (survey is None) == bool(found)
    return [f"{p.where}: {p.message}" if str(p.where) else p.message for p in found]


def valid(tmp_path: Path, sheets: dict, suffix: str = ".xlsx"):
    survey, found = read(tmp_path, sheets, suffix)
    assert found == [], [str(p) for p in found]
    return survey


def with_rows(sheets: dict, sheet: str, *rows: list) -> dict:
    changed = copy.deepcopy(sheets)
    changed[sheet].extend(rows)
    return changed


def with_cell(sheets: dict, sheet: str, row: int, column: int, value) -> dict:
    """``row`` and ``column`` 1-based, as the spreadsheet shows them."""
    changed = copy.deepcopy(sheets)
    cells = changed[sheet][row - 1]
    cells.extend([""] * (column - len(cells)))
    cells[column - 1] = value
    return changed


# -- the mapping ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_a_bilingual_workbook_is_the_survey_it_says(tmp_path, suffix):
    survey = valid(tmp_path, small_survey(), suffix)
    assert (survey.id, survey.languages, survey.round, survey.opens) == ("quartier-xls", ("fr", "en"), "2026",
                                                                         date(2026, 1, 1))  # fmt: skip
    assert survey.title == {"fr": "Le quartier", "en": "The neighbourhood"}
    assert [(s.id, s.title["en"]) for s in survey.sections] == [("vous", "You"), ("avis", "Your opinion")]
    assert survey.sections[1].show_if.to_data() == ["compare", "!=", ["name", "group"], ["value", "enfants"]]
    questions = {q.id: q for q in survey.questions}
    assert {q.id: q.type for q in survey.questions} == {
        "habite": "single", "annees": "number", "distance": "number", "transports": "multiple",
        "securite": "scale", "calme": "scale", "mot": "text", "idees": "long_text",
    }  # fmt: skip
    assert questions["habite"].required and questions["habite"].values == ("oui", "non")
    assert questions["habite"].label == {"fr": "Habitez-vous ici ?", "en": "Do you live here?"}
    assert (questions["annees"].integer, questions["annees"].min, questions["annees"].max) == (True, 0, 90)
    assert questions["annees"].help == {"fr": "En années", "en": "In years"}
    assert questions["annees"].show_if.to_data() == ["compare", "==", ["name", "habite"], ["value", "oui"]]
    assert (questions["distance"].integer, questions["distance"].min, questions["distance"].max) == (False, 0, None)
    assert questions["transports"].other and questions["transports"].values == ("bus", "velo", "other")
    assert questions["securite"].scale == "spiral5" and [c.value for c in questions["securite"].choices] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert [c.value for c in questions["calme"].choices] == [1, 2, 3] and questions["calme"].scale == "accord"
    assert questions["mot"].show_if.to_data() == ["in", "bus", "transports"]
    assert questions["idees"].show_if.to_data() == ["compare", "<=", ["name", "securite"], ["value", 2]]
    assert [(g.id, g.size) for g in survey.groups] == [("adultes", 300), ("enfants", None)]
    assert [(i.id, i.good_from) for i in survey.indicators] == [("securite", 4), ("calme", 2)]
    assert survey.source.format == suffix[1:] and survey.source.data == (tmp_path / f"form{suffix}").read_bytes()


def test_headers_and_sheet_names_in_any_case_and_short_language_forms(tmp_path):
    sheets = small_survey()
    renamed = {name.upper(): rows for name, rows in sheets.items()}
    renamed["SURVEY"][0] = ["TYPE", "Name", "LABEL::fr", "Label::EN", "hint::Français (fr)", "HINT::english",
                            "Required", "RELEVANT", "Constraint", "appearance"]  # fmt: skip
    renamed["CHOICES"][0] = ["list name", "NAME", "label:Français (fr)", "label::English"]
    survey = valid(tmp_path, renamed)
    assert survey.languages == ("fr", "en")
    assert survey.question("annees").help == {"fr": "En années", "en": "In years"}
    assert survey.question("habite").choices[0].label == {"fr": "Oui", "en": "Yes"}


def test_the_default_language_comes_first(tmp_path):
    sheets = with_cell(small_survey(), "settings", 2, 4, "English (en)")
    assert valid(tmp_path, sheets).languages == ("en", "fr")
    sheets = with_cell(small_survey(), "settings", 2, 4, "en")
    assert valid(tmp_path, sheets).languages == ("en", "fr")


def test_a_column_without_a_language_is_in_the_default_language(tmp_path):
    sheets = small_survey()
    sheets["settings"] = [["form_id", "form_title", "default_language"], ["seul", "Mon enquête", "fr"]]
    sheets["survey"] = [["type", "name", "label"], ["text", "mot", "Un mot"]]
    sheets["choices"] = [["list_name", "name", "label"]]
    del sheets["groups"], sheets["indicators"]
    survey = valid(tmp_path, sheets)
    assert (survey.languages, survey.title, survey.question("mot").label) == (("fr",), {"fr": "Mon enquête"},
                                                                               {"fr": "Un mot"})  # fmt: skip
    assert [s.id for s in survey.sections] == ["page"]  # rows outside any group: a page of their own
    assert survey.sections[0].title == {"fr": "Mon enquête"}


def test_rows_outside_any_group_are_pages_of_their_own(tmp_path):
    sheets = small_survey()
    sheets["survey"][1:1] = [["text", "avant", "Avant", "Before"]]
    sheets["survey"].append(["text", "apres", "Après", "After"])
    survey = valid(tmp_path, sheets)
    assert [(s.id, [q.id for q in s.questions][:1]) for s in survey.sections] == [
        ("page", ["avant"]), ("vous", ["habite"]), ("avis", ["securite"]), ("page_2", ["apres"])
    ]  # fmt: skip
    assert survey.sections[-1].title == survey.title


def test_a_list_of_numbers_asked_with_likert_by_one_question_of_its_name_is_its_own_scale(tmp_path):
    sheets = with_rows(small_survey(), "choices", ["note", 1, "Mal", "Bad"], ["note", 2, "Bien", "Good"])
    sheets["survey"].insert(-1, ["select_one note", "note", "Note", "Mark", "", "", "", "", "", "likert"])
    question = valid(tmp_path, sheets).question("note")
    assert (question.type, question.scale, [c.value for c in question.choices]) == ("scale", None, [1, 2])


def test_a_list_of_numbers_without_likert_is_a_single_choice(tmp_path):
    sheets = small_survey()
    sheets["survey"][9][9] = ""  # calme: no appearance
    del sheets["indicators"][2]
    question = valid(tmp_path, sheets).question("calme")
    assert (question.type, question.values) == ("single", ("1", "2", "3"))


@pytest.mark.parametrize(
    ("constraint", "kind", "bounds"),
    [
        (". >= 0 and . <= 50", "integer", (0, 50)),
        (". <= 50 and . >= 0", "integer", (0, 50)),
        ("0 <= . and . <= 5.5", "decimal", (0, 5.5)),
        (". > 0", "integer", (1, None)),
        (". < 10", "integer", (None, 9)),
        (".<=-1", "decimal", (None, -1)),
    ],
)
def test_number_ranges_come_from_the_constraint(tmp_path, constraint, kind, bounds):
    sheets = with_rows(small_survey(), "survey")
    sheets["survey"][3][0], sheets["survey"][3][8] = kind, constraint
    question = valid(tmp_path, sheets).question("annees")
    assert (question.min, question.max, question.integer) == (*bounds, kind == "integer")


@pytest.mark.parametrize("value", ["yes", "Yes", "TRUE", True, 1, "true()", "oui"])
def test_required_is_yes_in_any_spelling(tmp_path, value):
    sheets = with_cell(small_survey(), "survey", 6, 7, value)
    assert valid(tmp_path, sheets).question("transports").required


@pytest.mark.parametrize("value", ["no", "FALSE", False, 0, "false()"])
def test_required_is_no_in_any_spelling(tmp_path, value):
    sheets = with_cell(small_survey(), "survey", 3, 7, value)
    assert not valid(tmp_path, sheets).question("habite").required


def test_kiosk_access_dates_and_publishing_come_from_settings(tmp_path):
    sheets = small_survey()
    sheets["settings"][0] += ["kiosk", "closes", "min_group_size", "intro::Français (fr)", "intro::English (en)"]
    sheets["settings"][1] += ["yes", "2026-12-31", 10, "Bonjour", "Hello"]
    sheets["settings"][1][5] = "Code"
    survey = valid(tmp_path, sheets)
    assert (survey.kiosk, survey.access, survey.closes, survey.min_group_size) == (True, "code", date(2026, 12, 31), 10)
    assert survey.intro == {"fr": "Bonjour", "en": "Hello"}


def test_families_come_from_their_sheet(tmp_path):
    sheets = small_survey()
    sheets["families"] = [["name", FR, EN], ["B", "Cadre", "Setting"], ["Z", "Autre", "Other"]]
    assert [(f.id, f.label["en"]) for f in valid(tmp_path, sheets).families] == [("B", "Setting"), ("Z", "Other")]


def test_kobo_bookkeeping_columns_and_empty_columns_change_nothing(tmp_path):
    sheets = small_survey()
    for row in sheets["survey"]:
        row.extend([""] * (len(SURVEY_HEADER) - len(row)))
    sheets["survey"][0] += ["$kuid", "$autoname", "calculation", "constraint_message::English (en)"]
    for number, row in enumerate(sheets["survey"][1:]):
        row += [f"k{number}", row[1], "", ""]
    sheets["choices"][0].append("$autovalue")
    sheets["settings"][0].append("version")
    sheets["settings"][1].append("vQ3xYz")
    sheets["Feuille2"] = []
    assert valid(tmp_path, sheets).id == "quartier-xls"


# -- problems, each at its cell --------------------------------------------------------------------


def test_a_problem_prints_as_path_sheet_cell_message():
    assert str(Problem("surveys/ecole.xlsx", Cell(0, 12, 3, "survey"), "oops")) == "surveys/ecole.xlsx:survey!C12: oops"
    assert (
        str(Problem("surveys/ecole.xlsx", Cell(2, 1, 28, "Ma feuille"), "x"))
        == "surveys/ecole.xlsx:'Ma feuille'!AB1: x"
    )
    assert str(Problem("surveys/ecole.xlsx", WHOLE_FILE, "not a workbook")) == "surveys/ecole.xlsx: not a workbook"
    assert Problem("s.xlsx", Cell(0, 12, 3, "survey"), "oops").line == 12


def test_a_missing_translation_names_the_empty_cell(tmp_path):
    sheets = with_cell(small_survey(), "survey", 3, 4, "")
    sheets = with_cell(sheets, "choices", 4, 3, "  ")
    sheets = with_cell(sheets, "groups", 2, 3, "")
    assert problems(tmp_path, sheets) == [
        "survey!D3: 'label' in 'en' must be a non-empty text",
        "choices!C4: 'label' in 'fr' must be a non-empty text",
        "groups!C2: 'label' in 'en' must be a non-empty text",
    ]


def test_a_hint_in_one_language_only_names_the_other_cell(tmp_path):
    sheets = with_cell(small_survey(), "survey", 5, 5, "Plusieurs réponses")
    assert problems(tmp_path, sheets) == ["survey!F5: 'help' in 'en' must be a non-empty text"]


def test_a_language_without_its_column_is_named_where_the_column_goes(tmp_path):
    sheets = small_survey()
    sheets["choices"] = [row[:3] for row in sheets["choices"]]
    found = problems(tmp_path, sheets)
    assert "choices!D1: no column label::English (en): each text needs one column per language (fr, en)" in found
    for row in range(2, 9):
        assert f"choices!D{row}: 'label' in 'en' must be a non-empty text" in found


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "expected"),
    [
        ("survey", 3, 1, "calculate", "survey!A3: the type calculate is not supported (no calculations)"),
        ("survey", 3, 1, "begin repeat", "survey!A3: the type begin repeat is not supported (no repeats)"),
        ("survey", 4, 1, "geopoint", "survey!A4: the type geopoint is not supported (no locations)"),
        ("survey", 4, 1, "date", "survey!A4: the type date is not supported (no date questions)"),
        (
            "survey",
            4,
            1,
            "start",
            "survey!A4: the type start is not supported (the project records nothing about the"
            " respondent or their device)",
        ),
        (
            "survey",
            4,
            1,
            "select_one_from_file lieux.csv",
            "survey!A4: the type select_one_from_file is not supported (no choice files)",
        ),
        ("survey", 3, 10, "minimal", "survey!J3: the appearance minimal is not supported on select_one"),
        ("survey", 4, 10, "thousands-sep", "survey!J4: the appearance thousands-sep is not supported on integer"),
        (
            "survey",
            2,
            10,
            "table-list",
            "survey!J2: the appearance table-list is not supported on a group (a group is a page)",
        ),
        (
            "survey",
            3,
            7,
            "${annees} > 3",
            "survey!G3: required must be yes or no (a condition is not supported), not '${annees} > 3'",
        ),
        ("survey", 3, 9, ". != 'x'", "survey!I3: constraint does not apply to a select_one question"),
        (
            "survey",
            4,
            9,
            "string-length(.) < 3",
            "survey!I4: constraint: 'string-length(.) < 3' is not a range: write"
            " . >= 0, . <= 50 or both joined by and (other constraints are not supported)",
        ),
        ("survey", 5, 9, ". > 0.5", "survey!I5: constraint: '>' is not supported on decimals: write >="),
        (
            "survey",
            4,
            9,
            ". <= 1" + "0" * 5000,
            "survey!I4: constraint: the number 10000000000000000000000… is too long for a bound",
        ),
        ("survey", 2, 5, "Aide", "survey!E2: hint does not apply to a group"),
        ("settings", 2, 8, "theme-grid", None),
    ],
)
def test_an_unsupported_feature_is_a_problem_at_its_cell(tmp_path, sheet, row, column, value, expected):
    sheets = with_cell(small_survey(), sheet, row, column, value)
    if expected is None:  # a settings column: give it its header
        sheets = with_cell(sheets, "settings", 1, 8, "style")
        expected = "settings!H2: the style 'theme-grid' is not supported: each group is a page of its own"
    assert expected in problems(tmp_path, sheets)


@pytest.mark.parametrize(
    ("sheet", "header", "value", "expected"),
    [
        ("survey", "choice_filter", "cat=${x}", "survey!K3: choice_filter is not supported (no choice filters)"),
        ("survey", "media::image::English (en)", "a.png", "survey!K3: media is not supported (no media)"),
        ("survey", "image", "a.png", "survey!K3: image is not supported (no media)"),
        ("survey", "default", "oui", "survey!K3: default is not supported (no default answers)"),
        ("survey", "calculation", "1+1", "survey!K3: calculation is not supported (no calculations)"),
        (
            "survey",
            "constraint_message::English (en)",
            "Too big",
            "survey!K3: constraint_message is not supported (the form says itself which numbers it accepts)",
        ),
        ("survey", "requierd", "yes", "survey!K1: unknown column 'requierd' in survey (did you mean 'required'?)"),
        (
            "survey",
            "lable::English (en)",
            "x",
            "survey!K1: unknown column 'lable::English (en)' in survey (did you mean 'label'?)",
        ),
        ("survey", "", "x", "survey!K1: this column has no header, yet survey!K3 holds a value"),
    ],
)
def test_an_unknown_or_unsupported_column_is_a_problem_when_it_holds_anything(tmp_path, sheet, header, value, expected):
    sheets = with_cell(small_survey(), sheet, 1, 11, header)
    assert problems(tmp_path, sheets) == []  # a column with nothing in it changes nothing
    sheets = with_cell(sheets, sheet, 3, 11, value)
    assert problems(tmp_path, sheets) == [expected]


def test_unsupported_and_misnamed_sheets(tmp_path):
    sheets = small_survey()
    sheets["external_choices"] = [["list_name", "name"], ["lieux", "mairie"]]
    sheets["choises"] = [["list_name", "name"], ["x", "y"]]
    sheets["Notes du traducteur"] = [["à revoir : la question 3"]]
    assert problems(tmp_path, sheets) == [
        "external_choices!A1: the sheet external_choices is not supported (no choice files)",
        "choises!A1: unknown sheet 'choises' (did you mean 'choices'?)",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("integr", "survey!A4: unknown type 'integr' (did you mean 'integer'?)"),
        ("select_on oui_non", "survey!A3: unknown type 'select_on oui_non' (did you mean 'select_one'?)"),
        ("select_one oui_nn", "survey!A3: no list 'oui_nn' in the choices sheet (did you mean 'oui_non'?)"),
        ("select_one", "survey!A3: select_one needs the name of its list of choices: select_one LIST"),
        ("select_one oui_non or_othr", "survey!A3: unexpected 'or_othr' after select_one in the type"),
        (
            "select_one spiral5",
            "survey!A3: no list 'spiral5' in the choices sheet (spiral5 is a built-in scale: add appearance likert)",
        ),
        ("", "survey!A3: this row has no type"),
    ],
)
def test_a_wrong_type_suggests_the_closest_known_one(tmp_path, value, expected):
    row = 3 if "oui" in value or "select_one" in value or value == "" else 4
    assert problems(tmp_path, with_cell(small_survey(), "survey", row, 1, value)) == [expected]


def test_likert_on_a_list_of_words_is_a_problem(tmp_path):
    sheets = with_cell(small_survey(), "survey", 3, 10, "likert")
    assert problems(tmp_path, sheets) == [
        "survey!J3: likert makes a scale: the names of the list oui_non must be whole numbers (the levels, e.g. 1 to"
        " 5), or use spiral5 or agree5",
    ]


def test_groups_open_and_close(tmp_path):
    sheets = small_survey()
    sheets["survey"].insert(3, ["begin group", "dedans", "Dedans", "Inside"])
    sheets["survey"].insert(5, ["end group"])
    sheets["survey"].append(["end group", "", "", "", "", "", "", "${habite} = 'oui'"])
    sheets["survey"].append(["begin group", "fin", "Fin", "End"])
    assert problems(tmp_path, sheets) == [
        "survey!A4: a group inside a group is not supported: a group is one page of the form",
        "survey!A16: end group without a begin group above it",
        "survey!H16: end group takes nothing but its type: relevant is lost here",
        "survey!A17: this group has no end group below it",
        "survey!A17: questions must not be empty",
    ]


def test_a_row_without_a_name_is_named_and_still_checked(tmp_path):
    sheets = with_cell(small_survey(), "survey", 4, 2, "")
    sheets = with_cell(sheets, "survey", 4, 4, "")
    assert problems(tmp_path, sheets) == [
        "survey!B4: this question has no name (its id)",
        "survey!D4: 'label' in 'en' must be a non-empty text",
    ]


def test_relevant_is_checked_exactly_as_show_if(tmp_path):
    base = small_survey()

    def relevant(value: str, row: int = 4) -> list[str]:
        return problems(tmp_path, with_cell(base, "survey", row, 8, value))

    assert relevant("${habitee} = 'oui'") == [
        "survey!H4: relevant: unknown name 'habitee' (did you mean 'habite'?) (column 1)"
    ]
    assert relevant("${transports} = 'bus'") == [
        "survey!H4: relevant: 'transports' is asked at survey!B6; a condition may only use group and the questions"
        " asked before it"
    ]
    assert relevant("${habite} > 'oui'") == ["survey!H4: relevant: cannot use '>' on strings; use == or != (column 11)"]
    assert relevant("${habite} = 'peut-etre'") == [
        "survey!H4: relevant: 'peut-etre' is not a choice of habite (choices: non, oui) (column 13)"
    ]
    assert relevant("${group} = 'ados'", row=8) == [
        "survey!H8: relevant: 'ados' is not a choice of group (choices: adultes, enfants) (column 12)"
    ]
    assert relevant("${habite} == 'oui'") == [
        "survey!H4: relevant: '==' at column 11: XLSForm compares with a single '='"
    ]
    assert relevant("string-length(${habite}) > 2") == [
        "survey!H4: relevant: the function string-length() at column 1 is not supported (supported: selected(), not(),"
        " and, or, comparisons)"
    ]
    assert relevant("selected(${habite}, 'oui') and not(${habite} = '')") == []


def test_a_condition_on_a_refused_row_is_reported_once(tmp_path):
    sheets = with_cell(small_survey(), "survey", 3, 1, "calculate")
    assert problems(tmp_path, sheets) == ["survey!A3: the type calculate is not supported (no calculations)"]


def test_every_problem_is_reported_at_once_in_reading_order(tmp_path):
    sheets = with_cell(small_survey(), "survey", 4, 1, "integr")
    sheets = with_cell(sheets, "choices", 3, 2, "Non!")
    sheets = with_cell(sheets, "settings", 2, 1, "Quartier XLS")
    sheets = with_cell(sheets, "indicators", 2, 2, "securit")
    assert problems(tmp_path, sheets) == [
        "survey!A4: unknown type 'integr' (did you mean 'integer'?)",
        "choices!B3: a choice value 'Non!' must match [a-z0-9_-]+",
        "settings!A2: the survey id 'Quartier XLS' must match [a-z0-9-]+ (at most 64 characters)",
        "indicators!B2: unknown question 'securit' (did you mean 'securite'?)",
    ]


def test_duplicate_ids_are_named_with_their_first_cell(tmp_path):
    sheets = with_cell(small_survey(), "survey", 5, 2, "habite")
    assert problems(tmp_path, sheets) == ["survey!B5: duplicate question id 'habite' (first at survey!B3)"]


def test_the_survey_sheet_is_needed(tmp_path):
    sheets = small_survey()
    del sheets["survey"]
    assert problems(tmp_path, sheets) == [
        "the workbook has no sheet named survey (its sheets: choices, settings, groups, indicators)"
    ]


def test_a_survey_sheet_without_labels_says_so_once(tmp_path):
    sheets = small_survey()
    sheets["survey"] = [[cell for index, cell in enumerate(row) if index not in (2, 3)] for row in sheets["survey"]]
    assert problems(tmp_path, sheets) == [
        "survey!I1: the survey sheet has no label column holding a text: one per language, e.g. label::Français (fr)"
        " and label::English (en)"
    ]


def test_a_language_not_told_is_a_problem_at_its_header(tmp_path):
    sheets = with_cell(small_survey(), "survey", 1, 4, "label::Klingon")
    found = problems(tmp_path, sheets)
    assert found[0] == (
        "survey!D1: cannot tell the language of 'label::Klingon': write it as label::Name (code), e.g. label::English"
        " (en)"
    )


def test_a_language_the_interface_does_not_speak_is_named_at_its_header(tmp_path):
    sheets = with_cell(small_survey(), "survey", 1, 4, "label::Deutsch (de)")
    assert "survey!D1: language 'de' is not supported (supported: fr, en)" in problems(tmp_path, sheets)


# -- files that are no workbook ---------------------------------------------------------------------


def one_line(tmp_path: Path, data: bytes, name: str = "form.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    survey, found = read_survey(path)
    assert survey is None and len(found) == 1 and found[0].where == WHOLE_FILE
    text = str(found[0])
    assert text.startswith(f"{path}: ") and "\n" not in text
    return found[0].message


def test_a_file_that_is_not_a_workbook_is_one_line(tmp_path):
    assert one_line(tmp_path, b"type,name,label\ntext,a,b\n") == (
        "the file is not a workbook (.xlsx or .ods) (it looks like text: a CSV file renamed?)"
    )
    assert one_line(tmp_path, b"\x89PNG\r\n\x1a\n" + bytes(range(256))) == "the file is not a workbook (.xlsx or .ods)"
    assert one_line(tmp_path, b"") == "the file is not a workbook (.xlsx or .ods)"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("word/document.xml", "<w:document/>")
    assert one_line(tmp_path, archive.getvalue()) == (
        "this is a text document, not a workbook: a survey is written in a spreadsheet"
    )


def test_a_damaged_workbook_is_one_line(tmp_path):
    data = write_xlsx(tmp_path / "whole.xlsx", small_survey()).read_bytes()
    assert one_line(tmp_path, data[: len(data) // 2]).startswith("the file is not a workbook")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
    assert one_line(tmp_path, archive.getvalue()).startswith("the workbook is damaged")


def test_a_password_protected_or_old_workbook_is_one_line(tmp_path):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)
    encrypted = ole2 + "EncryptedPackage".encode("utf-16-le") + bytes(100)
    assert one_line(tmp_path, encrypted) == "the workbook is protected by a password: save a copy without one"
    assert one_line(tmp_path, ole2) == (
        "this is an Excel 97-2003 file (.xls) or another old format: save it as .xlsx or .ods"
    )


def test_a_value_far_away_is_refused_before_it_is_read(tmp_path):
    """calamine would allocate the whole grid up to the last value, and abort the process (no exception)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "survey"
    book.active["A1"] = "type"
    book.active["XFD1048576"] = "x"
    path = tmp_path / "far.xlsx"
    book.save(path)
    assert one_line(tmp_path, path.read_bytes()) == (
        "sheet 'survey' holds a value as far as cell XFD1048576: a survey workbook has at most 20,000 rows and 200"
        " columns a sheet; delete the cells far below or to the right"
    )


def test_a_value_repeated_far_away_in_an_ods_file_is_refused(tmp_path):
    path = write_workbook(tmp_path / "far.ods", {"survey": [["type", "name"]]})
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode()
        content = content.replace(
            "</table:table>",
            '<table:table-row table:number-rows-repeated="1048000"><table:table-cell office:value-type="string"'
            ' table:number-columns-repeated="16000"><text:p>x</text:p></table:table-cell></table:table-row>'
            "</table:table>",
        )
    far = write_workbook(tmp_path / "copy.ods", {"survey": []})
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(far, "w") as target:
        for member in source.infolist():
            target.writestr(member, content if member.filename == "content.xml" else source.read(member))
    message = one_line(tmp_path, far.read_bytes(), "far.ods")
    assert message.startswith("sheet 'survey' holds a value as far as cell") and "at most 20,000 rows" in message


def test_a_workbook_that_unpacks_to_too_much_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_UNPACKED_BYTES", 1024 * 1024)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("xl/workbook.xml", "<workbook/>")
        zipped.writestr("xl/sharedStrings.xml", b"\0" * (2 * 1024 * 1024))
    assert one_line(tmp_path, archive.getvalue()) == (
        "the workbook unpacks to more than 1 MB: a survey workbook is far smaller"
    )


def test_a_file_too_large_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_FILE_BYTES", 1000)
    data = write_xlsx(tmp_path / "big.xlsx", small_survey()).read_bytes()
    assert one_line(tmp_path, data).startswith("the file is larger than 0 MB")


# -- the surveys folder and the commands ----------------------------------------------------------


def test_the_surveys_folder_reads_yaml_xlsx_and_ods_alike(tmp_path):
    folder = tmp_path / "surveys"
    folder.mkdir()
    write_workbook(folder / "quartier.xlsx", small_survey())
    write_workbook(folder / "AUTRE.ODS", with_cell(small_survey(), "settings", 2, 1, "autre"))
    write_workbook(folder / "~$quartier.xlsx", {"survey": []})  # Office's lock file
    (folder / "mini.yaml").write_text((TEST_SURVEYS / "mini.yaml").read_text())
    surveys, found = check_files([folder])
    assert found == [] and sorted(s.id for s in surveys) == ["autre", "mini", "quartier-xls"]


def test_an_id_used_by_a_yaml_file_and_a_workbook_is_a_problem(tmp_path):
    folder = tmp_path / "surveys"
    folder.mkdir()
    write_workbook(folder / "b.xlsx", with_cell(small_survey(), "settings", 2, 1, "mini"))
    (folder / "a.yaml").write_text((TEST_SURVEYS / "mini.yaml").read_text())
    _surveys, found = check_files([folder])
    assert [str(p) for p in found] == [
        f"{folder / 'b.xlsx'}:settings!A2: survey id 'mini' is already used by {folder / 'a.yaml'}"
    ]


def test_validate_prints_every_cell_and_exits_1(tmp_path):
    path = write_workbook(tmp_path / "form.ods", with_cell(small_survey(), "survey", 3, 4, ""))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == f"{path}:survey!D3: 'label' in 'en' must be a non-empty text\n"
    good = write_workbook(tmp_path / "good.xlsx", small_survey())
    result = CliRunner().invoke(main, ["validate", str(good)])
    assert (result.exit_code, result.stdout) == (0, "")


def test_a_kobotoolbox_form_loads_or_fails_only_on_what_is_not_supported(tmp_path):
    """A bilingual form laid out as KoboToolbox exports it: English first, metadata rows, its own columns."""
    header = ["type", "name", "label::English (en)", "label::Français (fr)", "hint::English (en)", "hint::Français (fr)",
              "required", "relevant", "appearance", "constraint", "constraint_message::English (en)",
              "constraint_message::Français (fr)", "$kuid", "$autoname", "calculation"]  # fmt: skip
    rows = [
        ["start", "start"], ["end", "end"],
        ["begin_group", "about", "About you", "À propos de vous", "", "", "", "", "field-list"],
        ["select_one yesno", "lives_here", "Do you live here?", "Habitez-vous ici ?", "", "", "true"],
        ["integer", "years", "Since how many years?", "Depuis combien d'années ?", "", "", "false",
         "${lives_here} = 'yes'", "", ". >= 0 and . <= 90", "0 to 90", "0 à 90"],
        ["select_multiple transport or_other", "transport", "How do you travel?", "Comment vous déplacez-vous ?",
         "Several answers", "Plusieurs réponses"],
        ["select_one satisfaction", "safety", "Do you feel safe?", "Vous sentez-vous en sécurité ?", "", "", "", "",
         "likert"],
        ["text", "ideas", "Your ideas", "Vos idées", "", "", "", "${safety} <= 2 or selected(${transport}, 'bus')",
         "multiline"],
        ["end_group"],
    ]  # fmt: skip
    survey_rows = [header] + [
        row + [""] * (len(header) - len(row) - 3) + [f"k{i}", row[1] if len(row) > 1 else "", ""]
        for i, row in enumerate(rows)
    ]
    sheets = {
        "survey": survey_rows,
        "choices": [["list_name", "name", "label::English (en)", "label::Français (fr)", "$kuid", "$autovalue"],
                    ["yesno", "yes", "Yes", "Oui", "c1", "yes"], ["yesno", "no", "No", "Non", "c2", "no"],
                    ["transport", "bus", "Bus", "Bus", "c3", "bus"], ["transport", "bike", "Bike", "Vélo", "c4", "bike"],
                    *[["satisfaction", level, f"Level {level}", f"Niveau {level}", f"s{level}", str(level)]
                      for level in range(1, 5)]],
        "settings": [["form_title::English (en)", "form_title::Français (fr)", "form_id", "version", "default_language"],
                     ["Our area", "Notre quartier", "our-area", "vAbC3xyz", "Français (fr)"]],
    }  # fmt: skip
    assert problems(tmp_path, sheets) == [
        "survey!A2: the type start is not supported (the project records nothing about the respondent or their device)",
        "survey!A3: the type end is not supported (the project records nothing about the respondent or their device)",
        "survey!K6: constraint_message is not supported (the form says itself which numbers it accepts)",
        "survey!L6: constraint_message is not supported (the form says itself which numbers it accepts)",
    ]
    del sheets["survey"][1:3]
    for row in sheets["survey"][1:]:
        row[10:12] = ["", ""]
    survey = valid(tmp_path, sheets)
    assert survey.languages == ("fr", "en") and [q.type for q in survey.questions] == [
        "single",
        "number",
        "multiple",
        "scale",
        "long_text",
    ]
    assert survey.question("ideas").show_if.to_data() == [
        "or",
        ["compare", "<=", ["name", "safety"], ["value", 2]],
        ["in", "bus", "transport"],
    ]


def test_a_note_row_is_a_note_shown_on_its_page(tmp_path):
    sheets = small_survey()
    sheets["survey"].insert(2, ["note", "bienvenue", "Bienvenue", "Welcome"])
    note = valid(tmp_path, sheets).question("bienvenue")
    assert note.type == "note" and note.label == {"fr": "Bienvenue", "en": "Welcome"}


def test_two_label_columns_in_one_language_are_a_problem(tmp_path):
    sheets = small_survey()
    for row in sheets["survey"]:
        row.extend([""] * (11 - len(row)))
    sheets["survey"][0][10] = "label::fr"
    sheets["survey"][2][10] = "Vivez-vous ici ?"
    assert problems(tmp_path, sheets) == [
        "survey!K1: a second label column in fr (the first is at survey!C1): keep one"
    ]


def test_an_ods_file_protected_by_a_password_is_one_line(tmp_path):
    path = write_workbook(tmp_path / "plain.ods", small_survey())
    locked = tmp_path / "locked.ods"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(locked, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "META-INF/manifest.xml":
                data = data.replace(b"<manifest:file-entry manifest:full-path=\"content.xml\"",
                                    b"<manifest:file-entry manifest:full-path=\"content.xml\"><manifest:encryption-data/"
                                    b"></manifest:file-entry><manifest:file-entry manifest:full-path=\"x\"")  # fmt: skip
            target.writestr(member, data)
    assert one_line(tmp_path, locked.read_bytes(), "locked.ods") == (
        "the workbook is protected by a password: save a copy without one"
    )


def test_a_choice_without_a_name_is_said_once(tmp_path):
    sheets = with_cell(small_survey(), "choices", 3, 2, "")
    assert problems(tmp_path, sheets) == ["choices!B3: this choice of the list oui_non has no name"]


def test_a_cell_two_keys_share_is_reported_once(tmp_path):
    """The page of rows outside any group takes the form's title: an empty title cell is one problem, not two."""
    sheets = small_survey()
    sheets["survey"].insert(1, ["text", "avant", "Avant", "Before"])
    sheets = with_cell(sheets, "settings", 2, 3, "")
    assert problems(tmp_path, sheets) == ["settings!C2: 'title' in 'en' must be a non-empty text"]


@pytest.mark.parametrize("written", ["Klingon (tlh)", "zz", "Español (es)"])
def test_a_default_language_without_its_column_is_a_problem_whatever_its_code(tmp_path, written):
    code = written.split("(")[-1].rstrip(")")
    found = problems(tmp_path, with_cell(small_survey(), "settings", 2, 4, written))
    assert found == [f"settings!D2: default_language is {code}, but the survey sheet has no label column in it"
                     f" (label::{language_header(code)})"]  # fmt: skip
