"""CSV files as spreadsheets write them: separators, byte-order marks, line endings, and the files refused.

The files in ``spreadsheet_csv/`` were written by LibreOffice Calc itself
(``spreadsheet_csv/make.py``; a slow test writes them again and compares), and
in the shape Excel's "CSV UTF-8" gives in a French locale.
"""

from __future__ import annotations

import shutil
import sys

import pytest
from click.testing import CliRunner
from helpers import TESTS

from coresp_survey.answers import csv_files
from coresp_survey.answers.responses import iter_responses
from coresp_survey.cli import main
from coresp_survey.i18n import language

FOLDER = TESTS / "answers" / "spreadsheet_csv"
sys.path.insert(0, str(FOLDER))
import make as spreadsheets  # noqa: E402

ENGLISH = language("en")
FRENCH = language("fr")
READABLE = ["libreoffice-semicolon-utf8.csv", "libreoffice-comma-utf8.csv", "excel-semicolon-bom-crlf.csv"]


def read(data: bytes, lang=ENGLISH) -> csv_files.Table:
    return csv_files.read(data, lang)


@pytest.fixture
def run(app):
    env = {"CORESP_SURVEYS": str(app.config["SURVEYS_DIR"]), "CORESP_DB": str(app.config["DATABASE"])}
    return lambda *args: CliRunner().invoke(main, list(args), env=env)


def stored(db) -> list[dict]:
    return sorted((r.answers for r in iter_responses(db, "mini")), key=lambda answers: answers["age"])


# -- reading -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\r\n1,2\r\n",
        b"a;b\n1;2\n",
        b"\xef\xbb\xbfa;b\r\n1;2\r\n",
        b"a;b\r1;2\r",  # an old Mac's lone CRs
        b"\xef\xbb\xbfa,b\n1,2",  # no line break at the end
    ],
    ids=["comma CRLF", "semicolon LF", "BOM semicolon CRLF", "CR", "BOM no final break"],
)
def test_separator_byte_order_mark_and_line_endings_are_read_alike(data):
    table = read(data)
    assert table.header == ["a", "b"] and table.problems == []
    assert [(row.line, row.cells) for row in table.rows] == [(2, {"a": "1", "b": "2"})]


def test_the_separator_is_the_one_of_the_header_line_outside_quotes():
    assert read(b'"a,x";b;c\n1;2;3\n').separator == ";"
    assert read(b"a,b\n1;2,3\n").separator == ","  # a semicolon in a row is a value
    assert read(b"a\n1\n").separator == ","  # a single column: nothing to tell, nothing lost


def test_rows_of_empty_cells_and_empty_columns_at_the_end_are_skipped():
    table = read(b"a;b;;\n1;2;;\n;;;\n\n;\n3;4\n")
    assert table.header == ["a", "b"] and table.problems == []
    assert [row.cells for row in table.rows] == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_a_latin1_file_is_refused_naming_its_first_line_that_is_not_utf8_and_the_menus_to_use():
    with pytest.raises(csv_files.CsvRefused) as refused:
        read("a;b\r\n1;2\r\nélève;3\r\n".encode("latin-1"))
    (problem,) = refused.value.problems
    assert problem.startswith("line 3: the file is not UTF-8 text")
    for words in ["File > Save As…", "“Text CSV (.csv)”", "“Edit filter settings”", "“Unicode (UTF-8)”",
                  "“CSV UTF-8 (Comma delimited) (*.csv)”"]:  # fmt: skip
        assert words in problem


def test_a_utf16_file_is_refused_from_its_first_line():
    with pytest.raises(csv_files.CsvRefused) as refused:
        read("a\tb\r\n1\t2\r\n".encode("utf-16"))
    assert refused.value.problems[0].startswith("line 1: the file is not UTF-8 text")


def test_rows_of_the_wrong_length_are_named_with_what_to_do():
    table = read(b"a;b;c\n1;2;3\n1;2\n1;2;3;4\n1;2;3;\n")
    assert [row.line for row in table.rows] == [2, 5]  # an empty cell past the header is a spreadsheet's padding
    assert table.problems == [
        "line 3: 2 cells where the header has 3 columns; add the missing cells (empty ones too), so that each value"
        " stays under its column",
        "line 4: more cells than columns in the header (4 cells, 3 columns): a cell that holds a “;” must be in"
        " quotes, or a value was typed in a column with no name",
    ]


def test_a_quote_left_open_stops_the_reading_at_its_line():
    table = read(b'a,b\n1,2\n3,"four\n5,6\n')
    assert [row.line for row in table.rows] == [2]
    assert table.problems == [
        "line 3: a quote opens a cell in this row and is never closed, so the rest of the file would be one cell:"
        ' close it (write "" for a quote inside a cell)'
    ]


def test_a_column_without_a_name_is_named():
    assert read(b"a,,c\n1,2,3\n").problems == ["line 1: column 2 of the header has no name"]


def test_problems_are_in_the_language_asked_for():
    assert read(b"a;b\n1\n", FRENCH).problems[0].startswith("ligne 2\u202f: 1 case là où l’en-tête a 2 colonnes")
    with pytest.raises(csv_files.CsvRefused) as refused:
        read(b"a\n\xe9\n", FRENCH)
    assert "«\u00a0Unicode (UTF-8)\u00a0»" in refused.value.problems[0]


# -- importing the files spreadsheets write ----------------------------------------


@pytest.mark.parametrize("name", READABLE)
def test_import_reads_the_files_libreoffice_and_excel_write(run, db, name):
    result = run("import", "mini", str(FOLDER / name))
    assert result.exit_code == 0, result.output
    assert "3 response(s) stored" in result.stderr
    assert stored(db) == sorted(spreadsheets.EXPECTED, key=lambda answers: answers["age"])


def test_import_refuses_the_latin1_file_libreoffice_writes_saying_how_to_save_it(run, db):
    result = run("import", "mini", str(FOLDER / "libreoffice-semicolon-latin1.csv"))
    assert result.exit_code == 1
    assert "libreoffice-semicolon-latin1.csv: line 3: the file is not UTF-8 text" in result.stderr
    assert "“Unicode (UTF-8)”" in result.stderr and "nothing was stored" in result.stderr
    assert list(iter_responses(db, "mini")) == []


def test_a_semicolon_file_is_no_longer_one_unknown_column(run, db, tmp_path):
    paper = tmp_path / "paper.csv"
    paper.write_bytes(b"\xef\xbb\xbfgroup;mood;age\r\nstudents;4;12\r\nparents;3;40\r\n")
    result = run("import", "mini", str(paper))
    assert result.exit_code == 0, result.output
    assert "unknown column" not in result.stderr
    assert [a["mood"] for a in stored(db)] == [4, 3]


def test_our_own_csv_export_imports_back_and_so_does_an_old_one_with_apostrophes(run, db, tmp_path, respondent):
    respondent.post("/en/mini/", {"group": "parents", "mood": "3", "age": "40"})
    respondent.post("/en/mini/page/last/", {"remark": "=1+1 é"})
    exported = tmp_path / "export.csv"
    assert run("export", "mini", "--out", str(exported)).exit_code == 0
    assert exported.read_bytes().startswith(b"\xef\xbb\xbfgroup,round,submitted,")
    assert run("import", "mini", str(exported)).exit_code == 0
    old = tmp_path / "old.csv"  # an export of before, without a byte-order mark
    old.write_bytes(exported.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    assert run("import", "mini", str(old)).exit_code == 0
    assert [r.answers.get("remark") for r in iter_responses(db, "mini")] == ["=1+1 é"] * 3


# -- LibreOffice itself ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice Calc (Debian's libreoffice-calc) is missing")
def test_libreoffice_writes_the_committed_files_and_import_reads_them(run, db, tmp_path):
    made = spreadsheets.make(tmp_path / "made")
    for path in made:
        assert path.read_bytes() == (FOLDER / path.name).read_bytes(), path.name
    for path in made:
        if path.name in READABLE:
            assert run("import", "mini", str(path)).exit_code == 0
    assert len(list(iter_responses(db, "mini"))) == 3 * len(READABLE)
