"""The commands that read or publish run without the web app: no Flask app made, no start-up side effect.

Each command runs once, in a fresh interpreter, which writes down at exit the
modules it imported: what ``sys.modules`` holds then is everything the command
needed, whatever path led there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coresp_survey.answers import database
from coresp_survey.answers import drafts
from coresp_survey.answers import responses

HERE = Path(__file__).parent
WEB = ("flask", "flask_babel", "flask_wtf")
APP = "coresp_survey.web.app"
PROBE = f"""
import atexit, json, os, sys

def note_modules():
    with open(os.environ["PROBE_OUT"], "w") as out:
        json.dump(sorted(m for m in sys.modules if m.split(".")[0] in {WEB!r} or m == {APP!r}), out)

atexit.register(note_modules)
from coresp_survey.cli import main
main(sys.argv[1:], prog_name="coresp-survey")
"""
PAPER = "group,mood,age\nstudents,4,12\n"
PLAN = """\
- id: calm
  title: {fr: "Calme", en: "Calm"}
  description: {fr: "D", en: "D"}
  indicators: [mood]
  starts: 2026-01-15
"""


def make_instance(folder: Path) -> Path:
    """Survey files, a database holding a draft abandoned long ago, and a paper questionnaire to import."""
    shutil.copytree(HERE / "surveys", folder / "surveys")
    db = database.prepare(folder / "responses.db")
    drafts.save_draft(db, key="abandoned", survey="mini", answers={"mood": ["3"]}, group=None)
    db.execute("UPDATE drafts SET updated = '2000-01-01'")
    db.close()
    (folder / "paper.csv").write_text(PAPER, encoding="utf-8")
    (folder / "plan.yaml").write_text(PLAN, encoding="utf-8")
    return folder


COMMANDS = {
    "build": ["build", "--out", "{folder}/site", "--no-pdf"],
    "codes": ["codes", "coded", "--group", "young", "--count", "2", "--pdf", "{folder}/slips.pdf"]
    + ["--url", "https://example.org"],
    "export": ["export", "mini"],
    "validate": ["validate"],
    "import": ["import", "mini", "{folder}/paper.csv"],
    "actions-export": ["actions", "mini", "--export"],
    "actions-import": ["actions", "mini", "--import", "{folder}/plan.yaml"],
}


def run(instance: Path, command: str) -> list[str]:
    """Run ``command`` in a fresh interpreter; the web modules (and the app factory's) imported when it exited."""
    out = instance / f"{command}.json"
    env = {
        **os.environ,
        "PROBE_OUT": str(out),
        "CORESP_SURVEYS": str(instance / "surveys"),
        "CORESP_DB": str(instance / "responses.db"),
        "CORESP_SECRET_KEY": "test",
    }
    argv = [arg.format(folder=instance) for arg in COMMANDS[command]]
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], env=env, capture_output=True, text=True)
    assert done.returncode == 0, (command, done.stderr)
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, list[str]]:
    instance = make_instance(tmp_path_factory.mktemp("commands"))
    return {command: run(instance, command) for command in COMMANDS}


@pytest.mark.parametrize("command", ["build", "codes", "import", "actions-export", "actions-import"])
def test_build_slips_and_import_make_no_web_app(imported, command):
    assert APP not in imported[command]


def test_build_slips_and_import_prune_no_draft(tmp_path):
    """Making the app deleted drafts older than 90 days: a static build or an import must not (the server's job)."""
    instance = make_instance(tmp_path)
    run(instance, "build")
    run(instance, "codes")
    run(instance, "import")
    db = database.connect(instance / "responses.db")
    assert [row[0] for row in db.execute("SELECT key FROM drafts")] == ["abandoned"]
    assert responses.count_responses(db, "mini") == 1
    db.close()
    assert (instance / "site" / "fr" / "index.html").is_file() and (instance / "slips.pdf").is_file()


@pytest.mark.parametrize(
    "command", ["build", "codes", "export", "validate", "import", "actions-export", "actions-import"]
)
def test_reading_and_publishing_commands_import_no_flask(imported, command):
    assert [module for module in imported[command] if module != APP] == []
