"""Commands that only read (validate, export, build) create, migrate and prune nothing, and change no byte.

Each command runs on an instance folder as the serving app leaves it (answers,
decisions, a draft abandoned 100 days ago) and on every database fixture as
an earlier version wrote it (tests/fixtures/: not migrated, its WAL beside
it); every file of the folder is hashed before and after. The commands that
write (``import``, ``codes``, ``demo``) prepare the database explicitly, and
prune no draft either: only the serving app does, at start.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sqlite3
from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES
from helpers import SECRET
from sqlite_utils.migrations import Migrations

from coresp_survey import create_app
from coresp_survey.answers import database
from coresp_survey.answers import schema
from coresp_survey.answers.drafts import save_draft
from coresp_survey.answers.responses import import_responses
from coresp_survey.answers.responses import iter_responses
from coresp_survey.answers.versions import survey_versions
from coresp_survey.cli import main
from coresp_survey.publish import site as publish
from coresp_survey.workspace.decisions import decide
from coresp_survey.workspace.decisions import decisions

FIXTURES = FIXTURES
EVERY_FIXTURE = sorted(manifest.parent.name for manifest in FIXTURES.glob("*/manifest.json"))
ABANDONED = (date.today() - timedelta(days=100)).isoformat()


def folder_hashes(folder: Path) -> dict[str, str]:
    """Every file of ``folder`` and below, by name: what a command may not change, add or remove."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def fixture_instance(name: str, folder: Path) -> tuple[Path, Path]:
    """A copy of a fixture's database files in ``folder``; returns the database and the fixture's surveys folder."""
    folder.mkdir(parents=True)
    for file in (FIXTURES / name).iterdir():
        if file.is_file() and file.name not in ("manifest.json", "make.py"):
            shutil.copyfile(file, folder / file.name)
    return folder / "responses.db", FIXTURES / name / "surveys"


@pytest.fixture
def served(tmp_path, surveys_dir) -> tuple[Path, Path]:
    """An instance folder as the serving app leaves it: answers, decisions, drafts (one abandoned long ago)."""
    path = tmp_path / "instance" / "responses.db"
    create_app({"SURVEYS_DIR": surveys_dir, "DATABASE": path, "SECRET_KEY": SECRET})
    db = database.connect(path)
    import_responses(db, survey="mini", lang="fr", rows=[("2026", "students", {"mood": 1, "why": "Trop de bruit"})] * 6)
    (first, *_others) = iter_responses(db, "mini")
    decide(db, survey="mini", answers=[(first.id, "why")], status="approved", at="2026-11-01T10:00:00")
    save_draft(db, key="recent", survey="mini", answers={"mood": ["3"]}, group="students")
    save_draft(db, key="abandoned", survey="mini", answers={"mood": ["4"]}, group="parents")
    with database.write(db):
        db.execute("UPDATE drafts SET updated = ? WHERE key = 'abandoned'", [ABANDONED])
    db.close()
    return path, surveys_dir


def instance_named(which: str, request, tmp_path) -> tuple[Path, Path]:
    if which == "served":
        return request.getfixturevalue("served")
    return fixture_instance(which, tmp_path / "instance")


def run(path: Path, surveys: Path, *args: str):
    env = {"CORESP_SURVEYS": str(surveys), "CORESP_DB": str(path), "CORESP_SECRET_KEY": "test"}
    return CliRunner().invoke(main, list(args), env=env)


READING_COMMANDS = {
    "validate": lambda survey, out: ["validate"],
    "export": lambda survey, out: ["export", survey],
    "export --out": lambda survey, out: ["export", survey, "--format", "xlsx", "--out", str(out / "answers.xlsx")],
    "build": lambda survey, out: ["build", "--no-pdf", "--out", str(out / "site")],
    "actions --export": lambda survey, out: ["actions", survey, "--export"],
}
SURVEY_OF = {"served": "mini", **dict.fromkeys(EVERY_FIXTURE, "open")}


@pytest.mark.parametrize("which", ["served", *EVERY_FIXTURE])
@pytest.mark.parametrize(
    "command",
    READING_COMMANDS,
)
def test_a_command_that_only_reads_changes_no_byte_of_the_database_folder(command, which, request, tmp_path):
    path, surveys = instance_named(which, request, tmp_path)
    before = folder_hashes(path.parent)
    out = tmp_path / "out"
    out.mkdir()
    result = run(path, surveys, *READING_COMMANDS[command](SURVEY_OF[which], out))
    assert result.exit_code == 0, result.output
    assert folder_hashes(path.parent) == before


@pytest.mark.parametrize("name", EVERY_FIXTURE)
def test_export_reads_a_database_not_yet_migrated_with_every_response(name, tmp_path):
    path, surveys = fixture_instance(name, tmp_path / "instance")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as found:  # as it is: the read-only copy's reader
        stored = found.execute("SELECT count(*) FROM responses WHERE survey = 'open'").fetchone()[0]
    result = run(path, surveys, "export", "open")
    assert result.exit_code == 0, result.output
    assert len(list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))) == 1 + stored


def test_the_library_build_reads_the_database_as_it_is(served, tmp_path, surveys_dir):
    """`publish.build_site` opens the database read-only, whatever the command around it does."""
    path, _surveys = served
    app = create_app(
        {"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "other" / "responses.db", "SECRET_KEY": SECRET}
    )
    for folder in (path.parent, fixture_instance(EVERY_FIXTURE[0], tmp_path / "fixture")[0].parent):
        app.config["DATABASE"] = folder / "responses.db"
        before = folder_hashes(folder)
        publish.build_site(app.extensions["surveys"], app.config["DATABASE"], tmp_path / "site", with_pdf=False)
        assert folder_hashes(folder) == before, folder


def test_a_read_only_copy_has_the_schema_of_today(tmp_path):
    """A database at its first migration reads with every later table empty; a missing one reads as empty."""
    first = tmp_path / "first" / "responses.db"
    first.parent.mkdir()
    older = database.connect(first)
    first_migration = Migrations(schema.migrations.name)
    first_migration()(schema.m001_initial)
    database.migrate(older, first_migration)
    older.execute("INSERT INTO responses VALUES ('r1', 'mini', '2026', NULL, 'fr', '2026-01-01', 'web', '{}')")
    older.close()
    copy = database.read_only(first)
    assert [response.id for response in iter_responses(copy, "mini")] == ["r1"]
    assert decisions(copy, "mini") == {} and survey_versions(copy, "mini") == []
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        copy.execute("DELETE FROM responses")
    missing = database.read_only(tmp_path / "none" / "responses.db")
    assert list(iter_responses(missing, "mini")) == []
    assert not (tmp_path / "none").exists()


def test_a_read_only_copy_reads_through_a_running_server_and_keeps_what_it_read(served):
    """With a server's connection open (its ``-shm`` beside the database), the copy is read through it."""
    path, _surveys = served
    server = database.connect(path)
    server.execute("SELECT count(*) FROM responses").fetchone()
    assert Path(f"{path}-shm").exists()
    copy = database.read_only(path)
    import_responses(server, survey="mini", lang="fr", rows=[("2026", "parents", {"mood": 5})])
    assert len(list(iter_responses(copy, "mini"))) == 6  # a copy: the server's later write is not in it
    assert len(list(iter_responses(server, "mini"))) == 7
    server.close()


def test_a_file_that_is_no_database_is_refused_in_one_line(tmp_path, surveys_dir):
    path = tmp_path / "instance" / "responses.db"
    path.parent.mkdir()
    path.write_bytes(b"not a database, just bytes " * 100)
    result = run(path, surveys_dir, "export", "mini")
    assert result.exit_code == 1 and "is not a database" in result.stderr and "Traceback" not in result.output
    assert run(path, surveys_dir, "validate").exit_code == 0  # validate reads stored answers only if it can
    assert path.read_bytes() == b"not a database, just bytes " * 100


@pytest.mark.parametrize("name", EVERY_FIXTURE)
@pytest.mark.parametrize(
    "command",
    [
        "codes",
        "import",
    ],
)
def test_a_command_that_writes_migrates_the_database_and_prunes_no_draft(command, name, tmp_path):
    path, surveys = fixture_instance(name, tmp_path / "instance")
    abandoned = json.loads((FIXTURES / name / "manifest.json").read_text())["abandoned_drafts"]
    paper = tmp_path / "paper.csv"
    paper.write_text("group,mood,remark\nparents,3,on paper\n", encoding="utf-8")
    args = {"codes": ["codes", "invited", "--group", "young", "--count", "1"], "import": ["import", "open", str(paper)]}
    result = run(path, surveys, *args[command])
    assert result.exit_code == 0, result.output
    migrated = database.connect(path)
    assert schema.migrations.pending(migrated) == []
    kept = {row[0] for row in migrated.execute("SELECT key FROM drafts")}
    migrated.close()
    assert set(abandoned) <= kept
