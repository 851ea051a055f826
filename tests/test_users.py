"""``coresp-survey users``: accounts added, listed, removed and given new passwords; passwords never in clear."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT

from coresp_survey.answers.database import connect
from coresp_survey.cli import main
from coresp_survey.workspace import accounts
from coresp_survey.workspace import passwords

GOOD = "saucisson lune vélo parapluie"


@pytest.fixture
def instance(tmp_path, surveys_dir) -> dict[str, str]:
    return {"CORESP_SURVEYS": str(surveys_dir), "CORESP_DB": str(tmp_path / "db" / "responses.db")}


def users(env: dict, *args: str, password: str | None = None):
    return CliRunner().invoke(main, ["users", *args], env=env, input=None if password is None else password + "\n")


def stored(env: dict) -> dict[str, accounts.Account]:
    if not Path(env["CORESP_DB"]).exists():
        return {}
    db = connect(env["CORESP_DB"])
    try:
        return {account.login: account for account in accounts.list_accounts(db)}
    finally:
        db.close()


def test_add_list_remove(instance):
    added = users(instance, "add", "ana", "--role", "coordinator", "--survey", "mini", "--survey", "kiosk",
                  password=GOOD)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Account ana added: coordinator, mini, kiosk." in added.stderr
    assert users(instance, "add", "zoe", "--role", "admin", password="une autre phrase de passe").exit_code == 0
    listed = users(instance, "list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        "login\trole\tsurveys",
        "admin\tadmin\tevery survey (built-in: CORESP_ADMIN_PASSWORD, not set here)",
        "ana\tcoordinator\tmini,kiosk",
        "zoe\tadmin\tevery survey",
    ]
    assert "$argon2" not in listed.output and GOOD not in listed.output
    assert users(instance, "remove", "ana").exit_code == 0
    assert set(stored(instance)) == {"zoe"}
    gone = users(instance, "remove", "ana")
    assert gone.exit_code == 1 and "no account 'ana'" in gone.output


def test_the_password_is_kept_only_as_an_argon2_hash_and_never_printed(instance, tmp_path):
    result = users(instance, "add", "ana", "--role", "moderator", "--survey", "mini", password=GOOD)
    assert result.exit_code == 0 and GOOD not in result.output
    db = connect(instance["CORESP_DB"])
    hashed = accounts.password_hash(db, "ana")
    db.close()
    assert hashed.startswith("$argon2id$") and passwords.check(hashed, GOOD).matches
    for path in (tmp_path / "db").iterdir():
        assert GOOD.encode() not in path.read_bytes() and GOOD.encode("utf-16-le") not in path.read_bytes(), path


@pytest.mark.parametrize(
    "password, why",
    [
        ("short one", "at least 12 characters (this one has 9)"),
        ("motdepasse123", "list of common passwords"),
        ("2026-Azerty!!", "list of common passwords"),
        ("iloveyouiloveyou", "list of common passwords"),
        ("abcabcabcabcabc", "list of common passwords"),
        ("0000000000000", "list of common passwords"),
        ("1234567890ab", "list of common passwords"),
        ("xqjzxqjzxqjzxqjz", "repeats a short pattern"),
        ("my name is ana, hello", "may not contain the login"),
    ],
)
def test_a_weak_password_is_refused_and_nothing_is_stored(instance, password, why):
    result = users(instance, "add", "ana", "--role", "moderator", "--survey", "mini", password=password)
    assert result.exit_code == 1 and why in result.output and "nothing was changed" in result.output
    assert password not in result.output
    assert stored(instance) == {}


@pytest.mark.parametrize(
    "args, why",
    [
        (["add", "ana", "--role", "coordinator", "--survey", "nosuch"], "no survey nosuch"),
        (["add", "ana", "--role", "moderator"], "a moderator needs at least one --survey"),
        (["add", "ana", "--role", "admin", "--survey", "mini"], "an admin sees every survey"),
        (["add", "Ana Maria", "--role", "moderator", "--survey", "mini"], "cannot be a login"),
        (["add", "admin", "--role", "admin"], "built-in account"),
        (["add", "ana", "--role", "boss", "--survey", "mini"], "Invalid value for '--role'"),
        (["password", "admin"], "built-in account"),
        (["remove", "admin"], "built-in account"),
        (["password", "nobody"], "no account 'nobody'"),
    ],
)
def test_what_cannot_be_done_is_one_line_and_changes_nothing(instance, args, why):
    result = users(instance, *args, password=GOOD)
    assert result.exit_code != 0 and why in result.output and "Traceback" not in result.output
    assert stored(instance) == {}


def test_a_login_already_taken_is_refused_before_the_password_is_asked(instance):
    users(instance, "add", "ana", "--role", "moderator", "--survey", "mini", password=GOOD)
    again = users(instance, "add", "ana", "--role", "admin")
    assert again.exit_code == 1 and "already an account 'ana'" in again.output
    assert stored(instance)["ana"].role == "moderator"


def test_a_new_password_ends_the_sessions_and_forgets_the_failures(instance):
    users(instance, "add", "ana", "--role", "moderator", "--survey", "mini", password=GOOD)
    db = connect(instance["CORESP_DB"])
    before = accounts.session_of(db, "ana")
    from coresp_survey.workspace import logins

    logins.begin_attempt(db, "ana", 1_800_000_000.0)
    changed = users(instance, "password", "ana", password="a brand new passphrase")
    assert changed.exit_code == 0, changed.output
    assert accounts.session_of(db, "ana") != before
    assert passwords.check(accounts.password_hash(db, "ana"), "a brand new passphrase").matches
    assert db.execute("SELECT count(*) FROM login_throttle").fetchone()[0] == 0
    db.close()


def test_on_a_terminal_the_password_is_asked_twice_and_never_echoed(instance, tmp_path):
    """A real terminal (a pseudo-terminal): the prompt hides what is typed, and asks again to confirm."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CORESP_")}, **instance}
    command = [str(ROOT / ".venv" / "bin" / "coresp-survey"), "users", "add", "ana", "--role", "moderator",
               "--survey", "mini"]  # fmt: skip
    controller, terminal = pty.openpty()
    process = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal, env=env, close_fds=True)
    os.close(terminal)
    seen = b""

    def read_until(text: bytes, seconds: float = 30) -> None:
        nonlocal seen
        deadline = time.monotonic() + seconds
        while text not in seen and time.monotonic() < deadline:
            if select.select([controller], [], [], 0.5)[0]:
                try:
                    seen += os.read(controller, 1024)
                except OSError:
                    break

    try:
        read_until(b"Password for ana")
        os.write(controller, GOOD.encode() + b"\r")
        read_until(b"Repeat for confirmation")
        os.write(controller, GOOD.encode() + b"\r")
        read_until(b"Account ana added")
        process.wait(timeout=30)
    finally:
        process.kill()
        os.close(controller)
    assert process.returncode == 0, seen
    assert b"Account ana added" in seen and GOOD.encode() not in seen
    assert "ana" in stored(instance)


def test_users_list_changes_no_byte(instance, tmp_path):
    users(instance, "add", "ana", "--role", "moderator", "--survey", "mini", password=GOOD)
    folder = Path(instance["CORESP_DB"]).parent
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert users(instance, "list").exit_code == 0
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
