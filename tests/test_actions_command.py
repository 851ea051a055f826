"""``coresp-survey actions SURVEY --import FILE.yaml`` / ``--export``: all or nothing, every problem with its line."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import BUNDLED_SURVEYS

from coresp_survey.answers.database import connect
from coresp_survey.answers.database import prepare
from coresp_survey.answers.responses import import_responses
from coresp_survey.cli import main
from coresp_survey.workspace.actions import change_log
from coresp_survey.workspace.actions import survey_actions

SCHOOL = "college-bien-etre"
PLAN = """\
- id: cour
  title: {fr: "Repeindre la cour", en: "Repaint the yard"}
  description: {fr: "=1+1 <script>alert(1)</script>", en: "The city repaints."}
  indicators: [cour, securite]
  commitments:
    - party: {fr: "La ville", en: "The city"}
      does: {fr: "Repeint", en: "Repaints"}
  baseline: "2025"
  starts: 2026-01-15
  status: under_way
- id: devoirs
  title: {fr: "Aide aux devoirs", en: "Homework help"}
  description: {fr: "Deux soirs", en: "Two evenings"}
  indicators: [charge_devoirs]
  starts: 2027-01-11
"""


@pytest.fixture
def instance(tmp_path) -> Path:
    """The bundled school survey and a database with a response in each of its two rounds."""
    (tmp_path / "surveys").mkdir()
    shutil.copy(BUNDLED_SURVEYS / f"{SCHOOL}.yaml", tmp_path / "surveys" / f"{SCHOOL}.yaml")
    db = prepare(tmp_path / "responses.db")
    import_responses(
        db, survey=SCHOOL, lang="fr", rows=[("2025", "eleves", {"cour": 3}), ("2026", "eleves", {"cour": 4})]
    )
    db.close()
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    return tmp_path


def run(instance: Path, *args: str):
    return CliRunner().invoke(
        main, ["--surveys", str(instance / "surveys"), "--db", str(instance / "responses.db"), "actions", *args]
    )


def stored(instance: Path) -> list:
    db = connect(instance / "responses.db")
    try:
        return survey_actions(db, SCHOOL)
    finally:
        db.close()


def test_an_import_stores_every_action_and_the_export_writes_them_back(instance):
    result = run(instance, SCHOOL, "--import", str(instance / "plan.yaml"))
    assert result.exit_code == 0, result.output
    assert "2 action(s) of college-bien-etre read: 2 new, 0 changed, 0 unchanged." in result.stderr
    assert [action.id for action in stored(instance)] == ["cour", "devoirs"]
    exported = run(instance, SCHOOL, "--export")
    assert exported.exit_code == 0 and "2 action(s) of college-bien-etre exported." in exported.stderr
    assert [item["id"] for item in yaml.safe_load(exported.stdout)] == ["cour", "devoirs"]
    (instance / "again.yaml").write_text(exported.stdout, encoding="utf-8")
    before = stored(instance)
    again = run(instance, SCHOOL, "--import", str(instance / "again.yaml"))
    assert "0 new, 0 changed, 2 unchanged." in again.stderr
    assert stored(instance) == before


def test_an_import_with_a_problem_stores_nothing_and_names_every_line(instance):
    path = instance / "plan.yaml"
    path.write_text(
        PLAN.replace("[cour, securite]", "[cour, nope]").replace("2027-01-11", "2027-13-11"), encoding="utf-8"
    )
    result = run(instance, SCHOOL, "--import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:4: indicators: 'nope' is not an indicator of the survey",
        f"{path}:15: start: a date written YYYY-MM-DD, such as 2026-03-15",
        "Error: 2 problem(s); nothing was stored",
    ]
    assert stored(instance) == []
    assert "Traceback" not in result.output


def test_an_import_records_each_change_in_the_log(instance):
    run(instance, SCHOOL, "--import", str(instance / "plan.yaml"))
    (instance / "plan.yaml").write_text(PLAN.replace("status: under_way", "status: done"), encoding="utf-8")
    run(instance, SCHOOL, "--import", str(instance / "plan.yaml"))
    db = connect(instance / "responses.db")
    log = change_log(db, SCHOOL, "cour")
    db.close()
    assert [(entry.change, entry.detail.get("status")) for entry in log] == [
        ("imported", ["under_way", "done"]),
        ("imported", None),
    ]


def test_the_export_changes_no_byte_of_the_database_folder(instance):
    run(instance, SCHOOL, "--import", str(instance / "plan.yaml"))

    def digests() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in instance.iterdir() if p.is_file()}

    before = digests()
    assert run(instance, SCHOOL, "--export").exit_code == 0
    assert digests() == before


@pytest.mark.parametrize("args", [[], ["--export", "--import", "plan.yaml"]])
def test_exactly_one_of_import_and_export_is_asked(instance, args):
    args = [str(instance / a) if a.endswith(".yaml") else a for a in args]
    result = run(instance, SCHOOL, *args)
    assert result.exit_code == 2 and "give either --import FILE.yaml or --export" in result.stderr


def test_a_file_that_is_not_utf8_or_an_unknown_survey_is_one_line(instance):
    (instance / "latin.yaml").write_bytes("- id: é\n".encode("latin-1"))
    result = run(instance, SCHOOL, "--import", str(instance / "latin.yaml"))
    assert result.exit_code == 1 and result.stderr.strip().endswith("is not UTF-8 text; save it as UTF-8")
    result = run(instance, "nope", "--export")
    assert result.exit_code == 1 and result.stderr.startswith("Error: no survey 'nope'")
