"""Paper questionnaires in (all rows or none), responses out (formula-safe CSV and XLSX)."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date

import pytest
from click.testing import CliRunner
from helpers import for_people
from helpers import libreoffice
from openpyxl import load_workbook

from coresp_survey.answers.responses import iter_responses
from coresp_survey.cli import main

HEADER = "group,mood,why,age,transport,transport_other,bus_line,favourite,favourite_other,remark\n"


@pytest.fixture
def run(app):
    env = {"CORESP_SURVEYS": str(app.config["SURVEYS_DIR"]), "CORESP_DB": str(app.config["DATABASE"])}

    def invoke(*args):
        return CliRunner().invoke(main, list(args), env=env)

    return invoke


def write(tmp_path, text, name="paper.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_stores_every_valid_row(run, tmp_path, db):
    path = write(
        tmp_path,
        HEADER
        + "students,2,Trop de bruit,12,bus;other,trottinette,14,maths,,\n"
        + "parents,5,,41,,,,other,Musique,Très bien\n",
    )
    result = run("import", "mini", path)
    assert result.exit_code == 0, result.output
    assert "2 response(s) stored" in result.stderr
    stored = sorted(iter_responses(db, "mini"), key=lambda r: r.group)
    assert [r.group for r in stored] == ["parents", "students"]
    assert stored[1].answers == {
        "mood": 2, "why": "Trop de bruit", "age": 12, "transport": ["bus", "other"],
        "transport_other": "trottinette", "bus_line": "14", "favourite": "maths",
    }  # fmt: skip
    assert stored[0].answers == {
        "mood": 5,
        "age": 41,
        "favourite": "other",
        "favourite_other": "Musique",
        "remark": "Très bien",
    }
    assert {r.round for r in stored} == {"2026"}


def test_import_refuses_the_whole_file_naming_each_bad_row(run, tmp_path, db):
    path = write(
        tmp_path,
        HEADER + "students,4,,12,,,,,,\n" + "teachers,4,,12,,,,,,\n" + "students,,,3,bus;bike;walk,,,,,\n",
    )
    result = run("import", "mini", path)
    assert result.exit_code == 1
    assert "line 3: group 'teachers' is not one of students, parents" in result.stderr
    assert "line 4: mood: Please answer this question." in result.stderr
    assert "line 4: age: Please enter a number from 5 to 99." in result.stderr
    assert "line 4: transport: Please choose at most 2 options." in result.stderr
    assert "nothing was stored" in result.stderr
    assert list(iter_responses(db, "mini")) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("group,mood,colour\nstudents,3,red\n", "unknown column 'colour'"),
        ("mood\n3\n", "needs a 'group' column"),
        ("group,mood,mood\nstudents,3,3\n", "column 'mood' appears more than once"),
        (HEADER, "the file has no responses"),
        ("group,mood\nstudents,3,extra\n", "more cells than columns"),
    ],
)
def test_import_refuses_malformed_files(run, tmp_path, db, text, message):
    result = run("import", "mini", write(tmp_path, text))
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert list(iter_responses(db, "mini")) == []


def test_import_refuses_non_utf8(run, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("group,remark\nparents,élève\n".encode("latin-1"))
    result = run("import", "mini", str(path))
    assert result.exit_code == 1
    assert "not UTF-8" in result.stderr


def test_export_has_the_shape_of_the_contract_and_no_identifying_column(run, tmp_path, respondent):
    respondent.post("/en/mini/", {"group": "students", "mood": "4", "age": "12"})
    respondent.post(
        "/en/mini/page/second/", {"transport": ["bus", "other"], "transport_other": "roller", "bus_line": "7"}
    )
    respondent.post("/en/mini/page/last/", {"remark": '=HYPERLINK("http://evil")'})
    result = run("export", "mini")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(for_people(result.stdout))))
    assert list(rows[0]) == [
        "group", "round", "submitted", "mood", "why", "age", "transport", "transport_other",
        "bus_line", "favourite", "favourite_other", "remark",
    ]  # fmt: skip
    row = rows[0]
    assert row["group"] == "students" and row["round"] == "2026"
    assert row["transport"] == "bus;other" and row["transport_other"] == "roller"
    assert row["remark"] == '\'=HYPERLINK("http://evil")'
    assert len(row["submitted"]) == 10


@pytest.mark.parametrize("dangerous", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_export_makes_formulas_inert(dangerous):
    from coresp_survey.answers.exporting import cell

    assert cell(dangerous) == "'" + dangerous
    assert cell(-3) == -3  # a number is a number, not a formula


def test_xlsx_export_is_formula_safe(run, tmp_path, respondent):
    respondent.post("/en/mini/", {"group": "parents", "mood": "3", "age": "40"})
    respondent.post("/en/mini/page/last/", {"remark": "=cmd|' /C calc'!A0"})
    out = tmp_path / "export.xlsx"
    result = run("export", "mini", "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    values = {name: cell.value for name, cell in cells.items()}
    assert values["remark"] == "=cmd|' /C calc'!A0"  # exactly the text given, no apostrophe added
    assert cells["remark"].data_type == "s" and cells["remark"].quotePrefix  # a text cell, inert
    assert values["mood"] == 3 and cells["mood"].data_type == "n"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_export_can_be_imported_back(run, tmp_path, respondent, db):
    respondent.post("/en/mini/", {"group": "students", "mood": "1", "why": "-tired", "age": "13"})
    respondent.post("/en/mini/page/second/", {"transport": ["walk"]})
    respondent.post("/en/mini/page/last/", {"favourite": "art"})
    exported = run("export", "mini", "--out", str(tmp_path / "out.csv"))
    assert exported.exit_code == 0
    imported = run("import", "mini", str(tmp_path / "out.csv"))
    assert imported.exit_code == 0, imported.output
    first, second = iter_responses(db, "mini")
    assert first.answers == second.answers
    assert first.answers["why"] == "-tired"


def test_an_export_imported_back_keeps_the_day_each_response_was_given(run, tmp_path, respondent, db):
    respondent.post("/en/mini/", {"group": "students", "mood": "1", "why": "x", "age": "13"})
    respondent.post("/en/mini/page/second/", {"transport": ["walk"]})
    respondent.post("/en/mini/page/last/", {"favourite": "art"})
    db.execute("UPDATE responses SET submitted = '2026-01-15'")  # answered in January
    db.commit()
    assert run("export", "mini", "--out", str(tmp_path / "out.csv")).exit_code == 0
    imported = run("import", "mini", str(tmp_path / "out.csv"))
    assert imported.exit_code == 0, imported.output
    assert [r.submitted for r in iter_responses(db, "mini")] == ["2026-01-15", "2026-01-15"]  # not today


@pytest.mark.parametrize(
    ("cell", "stored"),
    [("2025-11-30", "2025-11-30"), ("2025-11-30T10:02:05+00:00", "2025-11-30"), ("", None)],
    ids=["a day", "a time after it is not kept", "empty: today"],
)
def test_import_reads_the_submitted_day(run, tmp_path, db, cell, stored):
    path = write(tmp_path, "group,mood,submitted\n" + f"students,2,{cell}\n")
    result = run("import", "mini", path)
    assert result.exit_code == 0, result.output
    (response,) = iter_responses(db, "mini")
    assert response.submitted == (stored or date.today().isoformat())


@pytest.mark.parametrize("cell", ["15/01/2026", "2026-02-30", "2999-01-01", "hier"])
def test_import_refuses_a_submitted_cell_that_is_no_day_naming_its_line(run, tmp_path, db, cell):
    path = write(tmp_path, "group,mood,submitted\n" + "students,2,2026-01-15\n" + f"students,3,{cell}\n")
    result = run("import", "mini", path)
    assert result.exit_code == 1
    assert f"line 3: submitted: '{cell}' is not a day written YYYY-MM-DD" in result.stderr
    assert list(iter_responses(db, "mini")) == []  # nothing stored


@pytest.mark.parametrize(
    ("rows", "line", "fragments"),
    [
        pytest.param(
            'students,4,,12,,,,,,\nstudents,2,"Trop de bruit,12,,,,,,\nparents,5,,41,,,,,,\n',
            3,
            ["a quote opens a cell in this row and is never closed", 'write "" for a quote inside a cell'],
            id="unclosed quote",
        ),
        pytest.param(
            'students,4,,12,,,,,,\nstudents,2,"Trop" de bruit,12,,,,,,\n',
            3,
            ["text follows the closing quote of a cell", 'write "" for a quote inside a cell'],
            id="text after a closing quote",
        ),
        pytest.param(
            "students,4,,12,,,,,,\nstudents,2,Trop de bruit,12\nparents,5,,41,,,,,,\n",
            3,
            ["4 cells where the header has 10 columns", "add the missing cells (empty ones too)"],
            id="missing cells",
        ),
    ],
)
def test_import_refuses_a_broken_row_naming_its_line_and_what_to_do(run, tmp_path, db, rows, line, fragments):
    result = run("import", "mini", write(tmp_path, HEADER + rows))
    assert result.exit_code == 1
    assert f"paper.csv: line {line}: " in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
    assert "nothing was stored" in result.stderr and "Traceback" not in result.output
    assert list(iter_responses(db, "mini")) == []


def test_import_keeps_quoted_line_breaks_and_skips_blank_lines(run, tmp_path, db):
    text = HEADER + '\nstudents,2,"Trop de bruit\nle matin, surtout",12,,,,,,\n\n' + "parents,5,,41,,,,,,\n"
    result = run("import", "mini", write(tmp_path, text))
    assert result.exit_code == 0, result.output
    assert sorted(r.answers.get("why", "") for r in iter_responses(db, "mini")) == [
        "",
        "Trop de bruit\nle matin, surtout",
    ]


# -- opened by LibreOffice ---------------------------------------------------------

CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76"
"""LibreOffice's CSV filter: comma, double quotes, UTF-8 (76), as its Text Import dialog reads a file with a BOM."""
EVALUATING = "Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,0,true"
"""The same, with "Evaluate formulas" ticked (the 13th option): what a formula-like cell must survive."""
TYPED = {"why": "Élève « très » fatigué, ça va", "remark": "=1+1", "favourite_other": "@SUM(A1)"}


@pytest.fixture
def exported(run, tmp_path, respondent):
    """A response with accents and formula-like text, exported as CSV and XLSX."""
    respondent.post("/en/mini/", {"group": "parents", "mood": "2", "why": TYPED["why"], "age": "40"})
    respondent.post(
        "/en/mini/page/last/",
        {"favourite": "other", "favourite_other": TYPED["favourite_other"], "remark": TYPED["remark"]},
    )
    paths = {"csv": tmp_path / "answers.csv", "xlsx": tmp_path / "answers.xlsx"}
    for file_format, path in paths.items():
        assert run("export", "mini", "--format", file_format, "--out", str(path)).exit_code == 0
    return paths


def read_back(path) -> dict[str, str]:
    """The one response of a CSV that LibreOffice wrote, by column."""
    header, row = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return dict(zip(header, row, strict=True))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice Calc (Debian's libreoffice-calc) is missing")
def test_libreoffice_opens_the_xlsx_export_with_accents_and_the_exact_text_of_formula_like_answers(exported, tmp_path):
    seen = read_back(libreoffice(exported["xlsx"], CSV_UTF8, tmp_path / "from-xlsx"))
    assert {name: seen[name] for name in TYPED} == TYPED  # "=1+1" stays that text: not 2, no apostrophe
    assert seen["mood"] == "2" and seen["group"] == "parents"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice Calc (Debian's libreoffice-calc) is missing")
def test_libreoffice_opens_the_csv_export_with_accents_and_no_formula_evaluated(exported, tmp_path):
    assert exported["csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    for name, infilter in {"utf8": CSV_UTF8.split(":", 1)[1], "evaluating": EVALUATING}.items():
        sheet = libreoffice(exported["csv"], "ods", tmp_path / name, infilter=infilter)
        seen = read_back(libreoffice(sheet, CSV_UTF8, tmp_path / f"{name}-back"))
        assert list(seen)[0] == "group"  # the byte-order mark is read as one, not as text of the first cell
        assert seen["why"] == TYPED["why"]
        assert seen["remark"] == "'=1+1" and seen["favourite_other"] == "'@SUM(A1)"  # text, never evaluated
