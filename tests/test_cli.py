"""The command line: every command documented, refusals as one clear line, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from coresp_survey.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme_and_has_help(command):
    assert re.search(rf"^\| `{command}\b", README, re.MULTILINE), f"{command} is missing from the README's table"
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert len(main.commands[command].help or "") > 20


def test_serve_refuses_invalid_surveys_with_their_lines(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: bad\nlanguages: [fr]\ntitle: {fr: x}\nsections: []\n")
    result = CliRunner().invoke(main, ["--surveys", str(tmp_path), "--db", str(tmp_path / "r.db"), "serve"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'bad.yaml'}:4: sections must not be empty" in result.stdout
    assert "nothing was done" in result.stderr
    assert "Traceback" not in result.output


def test_options_also_come_from_the_environment(tmp_path):
    result = CliRunner().invoke(main, ["validate"], env={"CORESP_SURVEYS": str(tmp_path / "nowhere")})
    assert result.exit_code == 1
    assert "no such file or folder" in result.stdout


def test_export_of_an_unknown_survey_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "r.db"), "export", "nope"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no survey 'nope'")
