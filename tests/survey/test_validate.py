"""``coresp-survey validate``: one ``PATH:LINE: message`` line per problem, a summary, the exit code.

Problems go to standard output (a script or an editor reads them), the summary
to standard error, and no input whatsoever may end in a Python traceback.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from click.testing import Result
from helpers import BUNDLED_SURVEYS

from coresp_survey.cli import main
from coresp_survey.survey.catalog import check_files
from coresp_survey.survey.catalog import load_catalog
from coresp_survey.survey.catalog import survey_files
from coresp_survey.survey.loader import SurveyInvalid

BUNDLED = BUNDLED_SURVEYS
PROBLEM_LINE = re.compile(r"(?P<path>.+):(?P<line>[1-9][0-9]*): (?P<message>\S.*)")

MINIMAL = """\
id: {id}
languages: [fr, en]
title: {{fr: "Titre", en: "Title"}}
sections:
  - id: page
    title: {{fr: "Page", en: "Page"}}
    questions:
      - {{id: mood, type: scale, scale: spiral5, label: {{fr: "Humeur", en: "Mood"}}}}
"""


def minimal(survey_id: str = "demo") -> str:
    return MINIMAL.format(id=survey_id)


def validate(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, ["validate", *map(str, args)], env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def problem_lines(result: Result) -> list[tuple[str, int, str]]:
    """Every stdout line, each of which must be ``PATH:LINE: message``."""
    found = []
    for line in result.stdout.splitlines():
        match = PROBLEM_LINE.fullmatch(line)
        assert match, f"not PATH:LINE: message: {line!r}"
        found.append((match["path"], int(match["line"]), match["message"]))
    return found


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the bundled surveys."""
    copy = tmp_path / "surveys"
    shutil.copytree(BUNDLED, copy)
    return copy


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- valid files


def test_the_bundled_surveys_are_valid(folder):
    result = validate(folder)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    ids = sorted(path.stem for path in BUNDLED.glob("*.yaml"))
    assert result.stderr.strip() == f"{len(ids)} survey(s) valid: {', '.join(ids)}."


def test_without_argument_it_checks_the_folder_named_by_CORESP_SURVEYS(folder):
    result = validate(env={"CORESP_SURVEYS": str(folder)})
    assert result.exit_code == 0
    assert "survey(s) valid" in result.stderr


def test_the_surveys_option_names_the_folder_too(folder):
    result = CliRunner().invoke(main, ["--surveys", str(folder), "validate"])
    assert result.exit_code == 0 and "survey(s) valid" in result.stderr


def test_a_folder_gives_all_its_yaml_and_yml_files_and_nothing_else(tmp_path):
    write(tmp_path / "a.yaml", minimal("a"))
    write(tmp_path / "b.yml", minimal("b"))
    write(tmp_path / "notes.txt", "not a survey")
    write(tmp_path / "c.yaml.bak", "id: [")
    write(tmp_path / "sub" / "d.yaml", "id: [")  # folders are not searched recursively
    result = validate(tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "2 survey(s) valid: a, b."
    assert survey_files([tmp_path]) == [tmp_path / "a.yaml", tmp_path / "b.yml"]


def test_files_may_be_named_one_by_one(tmp_path):
    first, second = write(tmp_path / "a.yaml", minimal("a")), write(tmp_path / "b.yaml", minimal("b"))
    result = validate(first, second)
    assert result.exit_code == 0 and "2 survey(s) valid: a, b." in result.stderr


def test_a_file_named_twice_does_not_clash_with_itself(tmp_path):
    path = write(tmp_path / "a.yaml", minimal("a"))
    result = validate(tmp_path, path, tmp_path / "." / "a.yaml")
    assert result.exit_code == 0, result.output
    assert "1 survey(s) valid: a." in result.stderr


# ---------------------------------------------------------------- problems


def test_a_problem_is_one_line_on_stdout_and_the_exit_code_is_1(tmp_path):
    path = write(tmp_path / "bad.yaml", minimal().replace("type: scale", "type: scael"))
    result = validate(path)
    assert result.exit_code == 1
    assert problem_lines(result) == [(str(path), 8, "unknown question type 'scael' (did you mean 'scale'?)")]
    assert result.stderr.strip() == "1 problem(s) found."


def test_every_problem_of_every_file_is_printed_in_file_then_line_order(tmp_path):
    write(tmp_path / "a.yaml", minimal("a").replace('en: "Title"', 'en: ""').replace("spiral5", "spiral6"))
    write(tmp_path / "b.yaml", minimal("b"))
    write(tmp_path / "c.yaml", minimal("c") + "acess: code\n")
    result = validate(tmp_path)
    assert result.exit_code == 1
    assert [(Path(path).name, line) for path, line, _ in problem_lines(result)] == [
        ("a.yaml", 3),
        ("a.yaml", 8),
        ("c.yaml", 9),
    ]
    assert "did you mean 'access'?" in result.stdout
    assert result.stderr.strip() == "3 problem(s) found."


def test_valid_and_invalid_files_together_report_only_the_invalid_ones(folder):
    write(folder / "zz-broken.yaml", "id: [\n")
    result = validate(folder)
    assert result.exit_code == 1
    assert [(Path(p).name, line) for p, line, _ in problem_lines(result)] == [("zz-broken.yaml", 1)]
    assert "YAML syntax error" in result.stdout


@pytest.mark.parametrize("name", ["nope.yaml", "no-folder"])
def test_a_missing_path_is_a_problem_line_not_a_traceback(tmp_path, name):
    write(tmp_path / "ok.yaml", minimal())
    result = validate(tmp_path / "ok.yaml", tmp_path / name)
    assert result.exit_code == 1
    assert problem_lines(result) == [(str(tmp_path / name), 1, "no such file or folder")]


def test_a_missing_surveys_folder_from_the_environment_is_a_problem_line(tmp_path):
    result = validate(env={"CORESP_SURVEYS": str(tmp_path / "nowhere")})
    assert result.exit_code == 1
    assert problem_lines(result) == [(str(tmp_path / "nowhere"), 1, "no such file or folder")]


def test_two_files_with_the_same_survey_id_are_a_problem_at_the_second_id(tmp_path):
    write(tmp_path / "a.yaml", minimal("same"))
    write(tmp_path / "b.yaml", "# the same survey, copied\n\n" + minimal("same"))
    result = validate(tmp_path)
    assert result.exit_code == 1
    assert problem_lines(result) == [
        (str(tmp_path / "b.yaml"), 3, f"survey id 'same' is already used by {tmp_path / 'a.yaml'}")
    ]


def test_a_file_that_is_not_utf8_is_a_problem_at_the_line_of_the_bad_byte(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(minimal().replace('"Titre"', '"Été"').encode("latin-1"))
    result = validate(path)
    assert result.exit_code == 1
    [(shown, line, message)] = problem_lines(result)
    assert (shown, line) == (str(path), 3) and "not UTF-8" in message


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        pytest.param("", 1, "the file is empty", id="empty"),
        pytest.param("- a\n- b\n", 1, "must be a mapping", id="a list"),
        pytest.param("id: demo\n  title: x\n", 2, "YAML syntax error", id="syntax"),
        pytest.param("id: demo\nintro: \x00\n", 2, "U+0000", id="NUL"),
        pytest.param("x: &a [*a]\n", 1, "its own anchor", id="recursive alias"),
        pytest.param("x: " + "[" * 10_000 + "]" * 10_000 + "\n", 1, "nested more than", id="deep"),
        pytest.param(
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            None,  # any of its lines: the values are counted wherever the aliases lead
            "more than 100,000 values",
            id="billion laughs",
        ),
    ],
)
def test_files_that_are_not_surveys_at_all_are_one_problem_line(tmp_path, text, line, fragment):
    path = write(tmp_path / "x.yaml", text)
    result = validate(path)
    assert result.exit_code == 1
    [(shown, found_line, message)] = problem_lines(result)
    assert shown == str(path) and fragment in message, message
    assert (found_line == line) if line else (1 <= found_line <= len(text.splitlines()))


def test_a_folder_given_as_a_file_name_is_searched(tmp_path):
    folder = tmp_path / "named.yaml"
    write(folder / "a.yaml", minimal())
    result = validate(folder)
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- the web app says the same


def test_load_catalog_refuses_with_the_same_problems(tmp_path):
    write(tmp_path / "a.yaml", minimal("same"))
    write(tmp_path / "b.yaml", minimal("same").replace("spiral5", "spiral6"))
    write(tmp_path / "c.yaml", minimal("same"))
    with pytest.raises(SurveyInvalid) as raised:
        load_catalog(tmp_path)
    surveys, problems = check_files([tmp_path])
    assert [s.id for s in surveys] == ["same"]
    assert raised.value.problems == problems
    assert [(Path(p.path).name, p.line) for p in problems] == [("b.yaml", 8), ("c.yaml", 1)]
    assert str(raised.value).splitlines() == [str(p) for p in problems]


def test_load_catalog_of_a_missing_folder_is_a_problem(tmp_path):
    with pytest.raises(SurveyInvalid) as raised:
        load_catalog(tmp_path / "nowhere")
    assert [p.line for p in raised.value.problems] == [1]


def test_load_catalog_gives_the_surveys_by_id(folder):
    catalog = load_catalog(folder)
    assert sorted(catalog) == sorted(path.stem for path in BUNDLED.glob("*.yaml"))


@pytest.mark.parametrize(
    "name",
    ["._demo.yaml", ".demo.yaml.swp.yaml", "~$demo.yaml", ".~lock.demo.yaml#", ".#demo.yaml"],
)
def test_hidden_files_and_office_lock_files_in_the_folder_are_ignored(tmp_path, name):
    """macOS writes ``._x.yaml`` beside each file copied to a USB key; Office and LibreOffice leave lock files."""
    (tmp_path / "demo.yaml").write_text(minimal(), encoding="utf-8")
    (tmp_path / name).write_bytes(b"\x00\x05\x16\x07 Mac OS X resource fork \xff\xfe")  # not a survey, not UTF-8
    assert survey_files([tmp_path]) == [tmp_path / "demo.yaml"]
    assert list(load_catalog(tmp_path)) == ["demo"]
    result = validate(tmp_path)
    assert result.exit_code == 0, result.output
    assert validate(tmp_path / name).exit_code == 1  # named on purpose, a file is still read
