"""Files the commands write (`export --out`, `codes --pdf`): never one of the app's own, never half-written.

Every refusal is checked against the real database: `PRAGMA integrity_check`
still says ok and every response is still there.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from coresp_survey import config
from coresp_survey.answers import responses
from coresp_survey.answers.codes import code_counts
from coresp_survey.answers.database import connect_codes
from coresp_survey.answers.responses import import_responses
from coresp_survey.cli import main

ROWS = [("2026", "students", {"mood": 4, "why": f"réponse {n}"}) for n in range(20)]


@pytest.fixture
def instance(app, db, tmp_path):
    """The app's files as a real instance has them: a database in WAL mode (its -wal open), a secret key, a site."""
    import_responses(db, survey="mini", lang="fr", rows=ROWS)
    config.secret_key(app.config["DATABASE"].parent)
    site = tmp_path / "site"
    (site / "fr").mkdir(parents=True)
    (site / "fr" / "index.html").write_text("<p>published</p>")
    assert Path(f"{app.config['DATABASE']}-wal").exists()  # ``db`` holds the database open, as the server does
    return app


@pytest.fixture
def run(instance, tmp_path):
    env = {
        "CORESP_SURVEYS": str(instance.config["SURVEYS_DIR"]),
        "CORESP_DB": str(instance.config["DATABASE"]),
        "CORESP_SITE": str(tmp_path / "site"),
    }

    def invoke(*args):
        return CliRunner().invoke(main, list(args), env=env)

    return invoke


def database_state(path: Path) -> tuple[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0], conn.execute(
            "SELECT count(*) FROM responses"
        ).fetchone()[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the whole test folder): nothing may appear, vanish or change."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def owned_targets(app, tmp_path: Path) -> dict[str, Path]:
    """Paths that are, or lead to, one of the app's own files."""
    database = app.config["DATABASE"]
    surveys = app.config["SURVEYS_DIR"]
    (tmp_path / "to-database.csv").symlink_to(database)
    (tmp_path / "to-surveys").symlink_to(surveys)
    os.link(database, tmp_path / "hard-link.db")
    return {
        "the database": database,
        "its WAL": Path(f"{database}-wal"),
        "its shared memory": Path(f"{database}-shm"),
        "its rollback journal (absent)": Path(f"{database}-journal"),
        "the codes file (absent)": config.codes_database(database),
        "the codes journal (absent)": Path(f"{config.codes_database(database)}-journal"),
        "the secret key": database.parent / config.SECRET_FILE,
        "a symlink to the database": tmp_path / "to-database.csv",
        "a hard link to the database": tmp_path / "hard-link.db",
        "a survey file": surveys / "mini.yaml",
        "a new file in the surveys folder": surveys / "export.csv",
        "a survey file through a symlinked folder": tmp_path / "to-surveys" / "mini.yaml",
        "a file in the site": tmp_path / "site" / "fr" / "index.html",
        "a new file in the site": tmp_path / "site" / "data" / "export.csv",
        "the site's build lock": tmp_path / ".site.lock",
    }


TARGETS = [
    "the database",
    "its WAL",
    "its shared memory",
    "its rollback journal (absent)",
    "the codes file (absent)",
    "the codes journal (absent)",
    "the secret key",
    "a symlink to the database",
    "a hard link to the database",
    "a survey file",
    "a new file in the surveys folder",
    "a survey file through a symlinked folder",
    "a file in the site",
    "a new file in the site",
    "the site's build lock",
]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("target", TARGETS)
def test_export_refuses_every_file_of_the_app_and_writes_nothing(run, instance, tmp_path, target, file_format):
    path = owned_targets(instance, tmp_path)[target]
    before = snapshot(tmp_path)
    result = run("export", "mini", "--format", file_format, "--out", str(path))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: ") and "choose another file" in result.stderr
    assert "Traceback" not in result.output
    after = snapshot(tmp_path)
    after.pop(str(instance.config["DATABASE"].relative_to(tmp_path)) + "-shm", None)  # SQLite's own index, rebuilt
    before.pop(str(instance.config["DATABASE"].relative_to(tmp_path)) + "-shm", None)
    assert after == before
    assert database_state(instance.config["DATABASE"]) == ("ok", len(ROWS))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_writes_a_private_file_through_a_rename(run, tmp_path, file_format):
    out = tmp_path / "exports" / f"answers.{file_format}"
    out.parent.mkdir()
    out.write_text("the previous export")
    out.chmod(0o644)
    result = run("export", "mini", "--format", file_format, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # it holds answers
    if file_format == "csv":
        assert out.read_text(encoding="utf-8-sig").count("réponse") == len(ROWS)
    else:
        assert sum(1 for _ in load_workbook(out).active.iter_rows()) == len(ROWS) + 1
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left


def test_export_through_a_symlink_of_the_user_replaces_the_file_it_points_to(run, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    (tmp_path / "latest.csv").symlink_to(real)
    assert run("export", "mini", "--out", str(tmp_path / "latest.csv")).exit_code == 0
    assert (tmp_path / "latest.csv").is_symlink()
    assert "réponse 0" in real.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_failed_export_leaves_the_previous_file_whole(run, instance, tmp_path, monkeypatch, file_format):
    out = tmp_path / f"answers.{file_format}"
    out.write_bytes(b"the previous export, whole")
    real = responses.iter_responses

    def disk_full_after_five(db, survey):
        for number, response in enumerate(real(db, survey)):
            if number == 5:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            yield response

    monkeypatch.setattr(responses, "iter_responses", disk_full_after_five)
    result = run("export", "mini", "--format", file_format, "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "No space left on device" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output
    assert out.read_bytes() == b"the previous export, whole"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [out.name]  # no temporary file left


def test_codes_refuse_to_write_slips_over_the_database_and_make_no_code(run, instance):
    database = instance.config["DATABASE"]
    result = run("codes", "coded", "--group", "young", "--pdf", str(database), "--url", "https://example.org")
    assert result.exit_code == 1
    assert "choose another file" in result.stderr and result.stdout == ""
    assert database_state(database) == ("ok", len(ROWS))
    with closing(connect_codes(database)) as db:
        assert code_counts(db) == {}


@pytest.mark.slow
def test_slips_are_a_private_file_written_through_a_rename(run, tmp_path):
    pdf = tmp_path / "slips.pdf"
    pdf.write_text("older slips")
    result = run("codes", "coded", "--group", "young", "--count", "2", "--pdf", str(pdf), "--url", "https://e.org")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600  # it holds codes
    assert len(pypdf.PdfReader(pdf).pages) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".pdf" or p.name.startswith(".")) == [pdf.name]
