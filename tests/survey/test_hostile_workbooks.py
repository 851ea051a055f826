"""Generated workbooks: ``validate`` never crashes on one, and a valid one is served without a 500.

The YAML surveys of test_hostile_surveys.py (built from the real keys, then
spoiled) and the valid ones of test_convert.py are laid out as XLSForm workbooks, as an author would write them —
show_if written as relevant, choices in their sheet, numbers' ranges as
constraints — and spoiled again the ways a workbook is: a header misspelt or in
another case, an unsupported type or column, a cell emptied, a sheet renamed.
They go through ``coresp-survey validate FILE`` in .xlsx and .ods; a valid one
is served, every page. Random sheets of random cells, and damaged files, must
give problem lines too.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from test_convert import valid_surveys
from workbooks import small_survey
from workbooks import write_workbook

from coresp_survey.cli import main
from coresp_survey.survey import conditions
from coresp_survey.survey import relevant
from coresp_survey.survey.xlsform import language_header
from survey.test_hostile_surveys import ODD
from survey.test_hostile_surveys import serve_every_page
from survey.test_hostile_surveys import server  # noqa: F401 (the fixture)
from survey.test_hostile_surveys import surveys

ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""What no workbook can hold (XML 1.0 forbids it)."""
CELL = re.compile(r"(?:[^\W\d][\w.]*|'(?:[^']|'')+')![A-Z]{1,3}[1-9][0-9]*")


def cell_value(value: Any) -> Any:
    """A value as a cell can hold it."""
    if value is None:
        return ""
    if isinstance(value, bool | int | date) or (isinstance(value, float) and value == value and abs(value) < 1e300):
        return value if not isinstance(value, int) or abs(value) < 2**53 else str(value)
    return ILLEGAL.sub("", str(value))


def texts(prefix: str, value: Any, first: str) -> dict[str, Any]:
    """A text's cells, one column per language; a spoiled text (no mapping) lands in the first language's column."""
    if isinstance(value, dict):
        return {f"{prefix}::{language_header(str(k)) if isinstance(k, str) else k}": v for k, v in value.items()}
    return {f"{prefix}::{language_header(first)}": value}


def as_relevant(show_if: Any) -> Any:
    """A show_if as an author writes it in a workbook: its relevant, or as it was when it is garbage."""
    if not isinstance(show_if, str):
        return show_if
    try:
        return relevant.to_relevant(conditions.parse(show_if))
    except (conditions.ConditionError, relevant.NotWritable):
        return show_if


class Layout:
    """A generated survey tree (maybe spoiled) laid out in sheets, keys by their XLSForm columns."""

    def __init__(self, tree: dict) -> None:
        self.tree = tree
        languages = tree.get("languages")
        self.first = (
            next((lang for lang in languages if isinstance(lang, str)), "fr") if isinstance(languages, list) else "fr"
        )
        self.survey: list[dict] = []
        self.choices: list[dict] = []

    def sheets(self) -> dict[str, list[list[Any]]]:
        tree = self.tree
        sections = tree.get("sections")
        for section in sections if isinstance(sections, list) else [sections]:
            self.section(section)
        for name, levels in (tree.get("scales") or {}).items() if isinstance(tree.get("scales"), dict) else []:
            self.add_choices(name, levels)
        settings_row = {"form_id": tree.get("id"), **texts("form_title", tree.get("title"), self.first)}
        if isinstance(tree.get("languages"), list) and tree["languages"]:
            settings_row["default_language"] = language_header(str(tree["languages"][0]))
        for key in ("round", "access", "opens", "closes", "kiosk"):
            if key in tree:
                settings_row[key] = tree[key]
        for key in ("intro", "thanks"):
            if key in tree:
                settings_row.update(texts(key, tree[key], self.first))
        if isinstance(tree.get("publish"), dict):
            settings_row["min_group_size"] = tree["publish"].get("min_group_size")
        sheets = {"survey": self.survey, "choices": self.choices, "settings": [settings_row]}
        for key, sheet in (("groups", "groups"), ("indicators", "indicators")):
            if isinstance(tree.get(key), list):
                sheets[sheet] = [self.row_of(item) for item in tree[key]]
        if isinstance(tree.get("families"), list):
            sheets["families"] = [self.row_of(item) for item in tree["families"]]
        return {name: table(rows) for name, rows in sheets.items()}

    def row_of(self, item: Any) -> dict:
        if not isinstance(item, dict):
            return {"name": item}
        row = {}
        for key, value in item.items():
            if key == "label":
                row.update(texts("label", value, self.first))
            else:
                row["name" if key == "id" else str(key)] = value
        return row

    def section(self, section: Any) -> None:
        if not isinstance(section, dict):
            self.survey.append({"type": "begin group", "name": section})
            self.survey.append({"type": "end group"})
            return
        row = {"type": "begin group", "name": section.get("id"), **texts("label", section.get("title"), self.first)}
        if "show_if" in section:
            row["relevant"] = as_relevant(section["show_if"])
        self.survey.append(row)
        questions = section.get("questions")
        for question in questions if isinstance(questions, list) else [questions]:
            self.question(question)
        self.survey.append({"type": "end group"})

    def question(self, question: Any) -> None:
        if not isinstance(question, dict):
            self.survey.append({"type": question})
            return
        kind, qid = question.get("type"), question.get("id")
        row: dict[str, Any] = {"name": qid}
        for key, value in question.items():
            if key == "label":
                row.update(texts("label", value, self.first))
            elif key == "help":
                row.update(texts("hint", value, self.first))
            elif key == "show_if":
                row["relevant"] = as_relevant(value)
            elif key == "required":
                row["required"] = "yes" if value is True else "no" if value is False else value
            elif key == "max_length":
                row["max_length"] = value
            elif key in ("min", "max") and kind == "multiple":
                row[f"{key}_choices"] = value
            elif key not in ("id", "type", "choices", "scale", "other", "min", "max", "integer"):
                row[str(key)] = value  # a spoiled key: an unknown column
        list_name = f"{qid}_list" if isinstance(qid, str) else "list"
        if kind in ("single", "multiple"):
            word = "select_one" if kind == "single" else "select_multiple"
            row["type"] = f"{word} {list_name}{' or_other' if question.get('other') is True else ''}"
            self.add_choices(list_name, question.get("choices"))
        elif kind == "scale":
            scale = question.get("scale")
            if "choices" in question or not isinstance(scale, str):
                self.add_choices(list_name, question.get("choices"))
                scale = list_name
            row["type"], row["appearance"] = f"select_one {scale}", "likert"
        elif kind in ("text", "long_text"):
            row["type"] = "text"
            if kind == "long_text":
                row["appearance"] = "multiline"
        elif kind == "number":
            row["type"] = "integer" if question.get("integer") is True else "decimal"
            bounds = [f". {op} {question[key]}" for key, op in (("min", ">="), ("max", "<=")) if key in question]
            if bounds:
                row["constraint"] = " and ".join(bounds)
        else:
            row["type"] = kind
        self.survey.append(row)

    def add_choices(self, list_name: str, choices: Any) -> None:
        for choice in choices if isinstance(choices, list) else [choices]:
            if isinstance(choice, dict):
                self.choices.append({"list_name": list_name, "name": choice.get("value"),
                                     **texts("label", choice.get("label"), self.first)})  # fmt: skip
            else:
                self.choices.append({"list_name": list_name, "name": choice})


def table(rows: list[dict]) -> list[list[Any]]:
    """Rows of header → value as a sheet: the headers in order of first use, then each row's cells."""
    headers: dict[str, None] = {}
    for row in rows:
        headers.update(dict.fromkeys(str(key) for key in row))
    return [list(headers)] + [[cell_value(row.get(header)) for header in headers] for row in rows]


WORKBOOK_SLIPS = ["header case", "header typo", "unsupported type", "unsupported column", "empty cell", "sheet case",
                  "unknown sheet", "note", "relevant typo"]  # fmt: skip


@st.composite
def spoiled_sheets(draw, sheets: dict) -> dict:
    """Now and then the slips of a workbook's author."""
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        slip = draw(st.sampled_from(WORKBOOK_SLIPS))
        name = draw(st.sampled_from(sorted(sheets)))
        rows = sheets[name]
        if slip == "header case" and rows and rows[0]:
            column = draw(st.integers(0, len(rows[0]) - 1))
            rows[0][column] = str(rows[0][column]).upper()
        elif slip == "header typo" and rows and rows[0]:
            column = draw(st.integers(0, len(rows[0]) - 1))
            rows[0][column] = str(rows[0][column])[:-1] + "x"
        elif slip == "unsupported type" and len(sheets["survey"]) > 1:
            row = draw(st.integers(1, len(sheets["survey"]) - 1))
            sheets["survey"][row][0] = draw(
                st.sampled_from(["calculate", "geopoint", "begin repeat", "date", "integr"])
            )
        elif slip == "unsupported column" and rows:
            rows[0].append(draw(st.sampled_from(["choice_filter", "media::image", "default", "calculation", "zz"])))
            for row in rows[1:]:
                row.append(draw(st.sampled_from(["", "x", 1])))
        elif slip == "empty cell" and len(rows) > 1 and rows[1]:
            row = draw(st.integers(1, len(rows) - 1))
            rows[row][draw(st.integers(0, len(rows[row]) - 1))] = ""
        elif slip == "sheet case":
            sheets[name.title()] = sheets.pop(name)
        elif slip == "unknown sheet":
            sheets[draw(st.sampled_from(["choises", "Feuil1", "osm", "external_choices"]))] = [["a"], ["b"]]
        elif slip == "note" and len(sheets["survey"]) > 1:
            sheets["survey"].insert(2, ["note"] + [""] * (len(sheets["survey"][0]) - 1))
        elif slip == "relevant typo" and "relevant" in sheets["survey"][0]:
            column = sheets["survey"][0].index("relevant")
            row = draw(st.integers(1, len(sheets["survey"]) - 1)) if len(sheets["survey"]) > 1 else 0
            if row:
                sheets["survey"][row][column] = draw(
                    st.sampled_from(["${x} == 1", "q1 = 'a'", "selected(${q0})", "not ${q0} = 1"])
                )
    return sheets


def validate(path: Path) -> bool:
    """Run ``coresp-survey validate FILE``: only well-formed problem lines, exit 0 or 1, never a traceback."""
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for printed in result.stdout.splitlines():
        assert printed.startswith(f"{path}:"), printed
        rest = printed[len(str(path)) + 1 :]
        if rest.startswith(" "):  # the whole file
            assert rest[1:].strip(), printed
            continue
        where, _, message = rest.partition(": ")
        assert CELL.fullmatch(where) and message.strip(), printed
    assert (result.exit_code == 0) == (result.stdout == "")
    return result.exit_code == 0


def write(folder: Path, sheets: dict, suffix: str) -> Path:
    return write_workbook(folder / f"gen{suffix}", sheets)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tree=st.one_of(surveys(), valid_surveys()), suffix=st.sampled_from([".xlsx", ".ods"]), data=st.data())
def test_generated_workbooks_give_problem_lines_or_a_survey_that_is_served(server, tree, suffix, data):  # noqa: F811
    folder = Path(tempfile.mkdtemp(prefix="gen-workbook-"))
    try:
        sheets = data.draw(spoiled_sheets(Layout(tree).sheets()))
        valid = validate(write(folder, sheets, suffix))
        event("valid" if valid else "problems")
        if valid:
            serve_every_page(server, folder, data)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


HEADERS = ["type", "name", "label::Français (fr)", "label::English (en)", "label", "hint::fr", "required", "relevant",
           "constraint", "appearance", "list_name", "form_id", "form_title", "default_language", "size", "question",
           "family", "good_from", "max_length", "choice_filter", "$kuid", ""]  # fmt: skip
TYPES = ["text", "integer", "decimal", "select_one a", "select_multiple a or_other", "select_one spiral5",
         "begin group", "end group", "begin_group", "note", "calculate", "integr", "select_one"]  # fmt: skip
CELLS = st.one_of(st.sampled_from(TYPES + HEADERS + ["${a} = 'x'", ". >= 0", "likert", "multiline", "yes"]), ODD)


@st.composite
def random_sheets(draw) -> dict:
    sheets = {}
    for name in draw(st.lists(st.sampled_from(["survey", "choices", "settings", "groups", "indicators", "families",
                                               "SURVEY", "x"]), min_size=1, max_size=4, unique=True)):  # fmt: skip
        width = draw(st.integers(1, 6))
        header = draw(st.lists(st.sampled_from(HEADERS), min_size=width, max_size=width))
        body = draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=6))
        sheets[name] = [header] + [[cell_value(value) for value in row] for row in body]
    return sheets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets=random_sheets(), suffix=st.sampled_from([".xlsx", ".ods"]))
def test_random_workbooks_give_problem_lines(sheets, suffix):
    folder = Path(tempfile.mkdtemp(prefix="random-workbook-"))
    try:
        validate(write(folder, sheets, suffix))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=40, deadline=None)
@given(suffix=st.sampled_from([".xlsx", ".ods"]), cut=st.floats(0, 1), flips=st.lists(st.tuples(st.floats(0, 1),
       st.integers(0, 255)), max_size=4))  # fmt: skip
def test_damaged_workbooks_give_problem_lines(suffix, cut, flips):
    folder = Path(tempfile.mkdtemp(prefix="damaged-workbook-"))
    try:
        path = write(folder, small_survey(), suffix)
        data = bytearray(path.read_bytes())
        for where, byte in flips:
            data[int(where * (len(data) - 1))] = byte
        path.write_bytes(bytes(data[: max(1, int(cut * len(data)))] if cut < 0.9 else data))
        validate(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_workbook_member_that_is_no_xml_is_a_damaged_workbook(tmp_path):
    path = write(tmp_path, small_survey(), ".xlsx")
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            target.writestr(member, b"<<not xml" if member.filename.startswith("xl/worksheets/") else data)
    result = CliRunner().invoke(main, ["validate", str(damaged)])
    assert result.exit_code == 1 and result.stdout.startswith(f"{damaged}: the workbook is damaged (")
