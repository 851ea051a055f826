"""``backup FILE``: both files copied from one snapshot each, checked, owner-only, never over the app's own files.

The slow test takes a backup of a real server in the middle of a burst of
submissions and restores it: every response acknowledged before the backup
began is in it, and nothing that was never sent.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CSRF

from coresp_survey.answers import database
from coresp_survey.answers.backup import BackupFailed
from coresp_survey.answers.backup import back_up
from coresp_survey.answers.codes import issue_codes
from coresp_survey.answers.responses import import_responses
from coresp_survey.answers.responses import iter_responses
from coresp_survey.cli import main
from coresp_survey.config import codes_database
from coresp_survey.survey.loader import load_survey

COMMAND = Path(sys.executable).with_name("coresp-survey")


@pytest.fixture
def run(app):
    env = {"CORESP_SURVEYS": str(app.config["SURVEYS_DIR"]), "CORESP_DB": str(app.config["DATABASE"])}
    return lambda *args: CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def filled(app, db, surveys_dir):
    """Two responses and three codes, one of them used."""
    import_responses(db, survey="mini", lang="fr", rows=[("2026", "students", {"mood": 3}), ("2026", None, {})])
    codes = database.connect_codes(app.config["DATABASE"])
    made = issue_codes(codes, survey=load_survey(surveys_dir / "coded.yaml"), group="young", count=3)
    codes.execute("UPDATE codes SET used = 1 WHERE hash = (SELECT min(hash) FROM codes)")
    codes.close()
    return made


def digests(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def test_backup_copies_both_files_checked_and_owner_only(run, app, db, filled, tmp_path):
    target = tmp_path / "backups" / "monday.db"
    result = run("backup", str(target))
    assert result.exit_code == 0, result.output
    codes_copy = tmp_path / "backups" / "monday-codes.db"
    assert sorted(path.name for path in target.parent.iterdir()) == ["monday-codes.db", "monday.db"]
    for path in (target, codes_copy):
        assert path.stat().st_mode & 0o777 == 0o600
        copy = sqlite3.connect(path)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, nothing beside it
        copy.close()
    assert "copied to" in result.stderr and "integrity ok" in result.stderr and "responses 2" in result.stderr
    restored = database.connect(target)
    assert sorted(r.group or "" for r in iter_responses(restored, "mini")) == ["", "students"]
    restored.close()
    codes = sqlite3.connect(codes_copy)
    assert codes.execute("SELECT count(*), sum(used) FROM codes").fetchone() == (3, 1)
    codes.close()


def test_a_backup_serves_as_the_database_it_copied(run, app, db, filled, tmp_path):
    """Pointing CORESP_DB at FILE finds the codes beside it, as the app names its own files."""
    target = tmp_path / "copy" / "responses.db"
    assert run("backup", str(target)).exit_code == 0
    assert codes_database(target).exists()
    restored = database.prepare(target)  # as the app opens it at start
    codes = database.connect_codes(target)
    assert codes.execute("SELECT count(*) FROM codes").fetchone()[0] == 3
    assert len(list(iter_responses(restored, "mini"))) == 2
    codes.close()
    restored.close()


def test_backup_changes_no_byte_of_the_app_files(run, app, db, filled, tmp_path):
    db.close()
    folder = Path(app.config["DATABASE"]).parent
    before = digests(folder)
    assert run("backup", str(tmp_path / "b.db")).exit_code == 0
    assert digests(folder) == before


@pytest.mark.parametrize("name", ["responses.db", "responses-codes.db", "responses.db-wal", "secret_key"])
def test_backup_never_writes_over_the_app_files(run, app, db, filled, name):
    folder = Path(app.config["DATABASE"]).parent
    before = digests(folder)
    result = run("backup", str(folder / name))
    assert result.exit_code == 1
    assert "refusing to write over it" in result.stderr and "Traceback" not in result.output
    assert digests(folder) == before


def test_backup_without_a_database_says_so(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "none.db"), "backup", str(tmp_path / "b.db")])
    assert result.exit_code == 1
    assert "no database at" in result.stderr
    assert not (tmp_path / "b.db").exists() and not (tmp_path / "none.db").exists()


def test_a_backup_replaces_an_older_one_whole(run, app, db, filled, tmp_path):
    target = tmp_path / "b.db"
    assert run("backup", str(target)).exit_code == 0
    import_responses(db, survey="mini", lang="fr", rows=[("2026", "parents", {"mood": 5})])
    assert run("backup", str(target)).exit_code == 0
    copy = database.connect(target)
    assert len(list(iter_responses(copy, "mini"))) == 3
    copy.close()
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(("b", ".b"))) == [
        "b-codes.db",
        "b.db",
    ]


def test_a_copy_that_does_not_check_out_is_refused_and_nothing_is_left(app, db, filled, tmp_path, monkeypatch):
    monkeypatch.setattr(database, "table_counts", lambda conn: {"responses": id(conn)})  # never the same twice
    target = tmp_path / "b.db"
    target.touch()
    with pytest.raises(BackupFailed, match="does not hold the rows"):
        back_up(Path(app.config["DATABASE"]), target)


def test_the_copy_is_one_snapshot_while_another_connection_keeps_writing(app, db, tmp_path):
    """Counted and copied in the same read transaction: whatever is written meanwhile, the check holds."""
    stop = threading.Event()

    def keep_writing() -> None:
        writer = database.connect(app.config["DATABASE"])
        while not stop.is_set():
            import_responses(writer, survey="mini", lang="fr", rows=[("2026", "students", {"mood": 2})] * 20)
        writer.close()

    import_responses(db, survey="mini", lang="fr", rows=[("2026", "students", {"mood": 1})])
    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        copies = []
        for k in range(5):
            target = tmp_path / f"b{k}.db"
            target.touch()
            copies.append(back_up(Path(app.config["DATABASE"]), target))
    finally:
        stop.set()
        thread.join()
    assert all(copy.counts["responses"] >= 1 for copy in copies)


# -- a real server, answering -------------------------------------------------------


def respond(port: int, marker: str) -> bool:
    """One whole response to ``mini`` through HTTP; True once the last page is acknowledged by its 303."""
    import http.client
    from urllib.parse import urlencode

    cookies: dict[str, str] = {}

    def request(method: str, path: str, data: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=urlencode(data, doseq=True) if data else None, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                cookies[name.strip()] = value
            return response.status, text, response.headers.get("Location") or ""
        finally:
            connection.close()

    pages = [("/en/mini/", {"group": "parents", "mood": "4", "age": "40"}), ("/en/mini/page/last/", {"remark": marker})]
    for path, answers in pages:
        token = CSRF.search(request("GET", path)[1]).group(1)
        status, _, location = request("POST", path, {"csrf_token": token, "_nav": "next", **answers})
        if status != 303:
            return False
    return location == "/en/mini/thanks/"


@pytest.mark.slow
def test_a_backup_taken_during_a_burst_of_submissions_restores_every_acknowledged_response(tmp_path):
    from web.test_server import serving

    acknowledged: dict[str, int] = {}  # marker: how many backups had started when its 303 came
    sent: set[str] = set()
    backups_started = 0
    stop = threading.Event()
    lock = threading.Lock()

    def respondent(n: int, port: int) -> None:
        k = 0
        while not stop.is_set() and k < 400:  # bounded: the burst ends by itself
            marker = f"burst-{n}-{k}"
            k += 1
            with lock:
                sent.add(marker)
            if respond(port, marker):
                with lock:
                    acknowledged[marker] = backups_started

    with serving(tmp_path / "server", "--workers", "2") as server:
        folder = tmp_path / "server"
        threads = [threading.Thread(target=respondent, args=(n, server.port)) for n in range(6)]
        for thread in threads:
            thread.start()
        try:
            while len(acknowledged) < 30:
                stop.wait(0.05)
            with lock:
                backups_started = 1
                before = {marker for marker, started in acknowledged.items() if started == 0}
            backup = subprocess.run(
                [str(COMMAND), "--surveys", str(folder / "surveys"), "--db", str(folder / "responses.db"),
                 "backup", str(tmp_path / "backup" / "responses.db")],
                capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            while len(acknowledged) < len(before) + 30:  # the burst goes on after the backup
                stop.wait(0.05)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
    assert backup.returncode == 0, backup.stderr
    assert "integrity ok" in backup.stderr
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copyfile(tmp_path / "backup" / "responses.db", restored / "responses.db")
    shutil.copyfile(tmp_path / "backup" / "responses-codes.db", restored / "responses-codes.db")
    db = database.prepare(restored / "responses.db")  # as the app opens a restored folder
    remarks = [r.answers.get("remark") for r in iter_responses(db, "mini")]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    print(f"\n{len(before)} acknowledged before the backup, {len(remarks)} in it, {len(acknowledged)} in all")
    assert len(before) >= 30
    assert before <= set(remarks)  # every response acknowledged before the backup began
    assert set(remarks) <= sent and len(remarks) == len(set(remarks))  # nothing else, nothing twice
    assert len(acknowledged) > len(remarks)  # and the burst went on past the snapshot
