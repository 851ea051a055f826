"""bench/serving.py: start a server in its own process group, wait until it answers, stop it, leave nothing behind.

The server here is a few lines of Python's ``http.server`` (written by the
test), so the proofs take a fraction of a second; the benchmarks and the slow
suites use the same functions on gunicorn. The proofs with a worker are
marked slow: a killed group's orphans wait for the init process to reap them
(about 2 s on the development machine), and stop and kill wait for that.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import time
from pathlib import Path

import pytest
from serving import ServerDidNotStart
from serving import answers
from serving import environment
from serving import free_port
from serving import kill
from serving import running
from serving import start
from serving import stop
from serving import wait_until_answering

SERVER = """\
import http.server, os, signal, subprocess, sys
port = int(sys.argv[1])
if os.environ.get("CHILD"):  # a worker of the same process group, deaf to SIGTERM
    subprocess.Popen(["sh", "-c", "trap '' TERM; echo child $$ up; exec sleep 600"])
if os.environ.get("DEAF"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
else:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(int(os.environ.get("EXIT_ON_TERM", "0"))))
print("told", os.environ.get("TOLD"), "and", os.environ.get("CORESP_DB"), flush=True)
http.server.HTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler).serve_forever()
"""


def server_command(tmp_path: Path, port: int) -> list[str]:
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    return [sys.executable, str(script), str(port)]


def child_pid(log: Path) -> int:
    """The worker's pid, once it has said it is up and deaf (a bounded wait for start-up, not a timed assertion)."""
    deadline = time.monotonic() + 30
    while (said := re.search(r"child (\d+) up", log.read_text())) is None:
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.01)
    return int(said[1])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_free_port_is_on_the_loopback_and_can_be_bound():
    port = free_port()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_the_environment_given_keeps_no_coresp_setting_but_those_asked(monkeypatch):
    monkeypatch.setenv("CORESP_DB", "/elsewhere/responses.db")
    monkeypatch.setenv("CORESP_ADMIN_PASSWORD", "from the shell")
    given = environment(CORESP_SURVEYS="surveys")
    assert [name for name in given if name.startswith("CORESP_")] == ["CORESP_SURVEYS"]
    assert given["PATH"] == os.environ["PATH"]


def test_a_server_is_used_once_it_answers_then_stopped_with_its_exit_status(tmp_path):
    port, log = free_port(), tmp_path / "server.log"
    env = environment(TOLD="this", EXIT_ON_TERM="3")
    with running(server_command(tmp_path, port), port, log, "/", env=env, cwd=tmp_path) as server:
        assert server.url("/x") == f"http://127.0.0.1:{port}/x"
        assert answers(port, "/")  # answering already, without a retry
        assert server.process.poll() is None
        assert os.getpgid(server.process.pid) == server.process.pid != os.getpgid(0)  # its own process group
    assert server.process.returncode == 3  # stopped by SIGTERM, which it answered by exiting 3
    said = log.read_text()
    assert "told this and None" in said  # the environment given, and its output in the log
    assert '"GET / HTTP/1.1" 200' in said
    with pytest.raises(ConnectionRefusedError):
        answers(port, "/")


def test_a_restarted_server_adds_to_the_log_of_the_one_before(tmp_path):
    port, log = free_port(), tmp_path / "server.log"
    command = server_command(tmp_path, port)
    for told in ("first", "second"):
        with running(command, port, log, "/", env=environment(TOLD=told)):
            pass
    assert "told first" in log.read_text() and "told second" in log.read_text()


def test_a_command_that_exits_before_answering_fails_with_its_log_tail(tmp_path):
    command = [sys.executable, "-c", "print('no such survey folder'); raise SystemExit(4)"]
    with pytest.raises(ServerDidNotStart, match=r"(?s)python\S* exited with 4 before answering\nno such survey"):
        with running(command, free_port(), tmp_path / "server.log", "/"):
            pytest.fail("never used")


def test_a_command_that_never_answers_fails_when_the_time_runs_out_and_is_stopped(tmp_path):
    command = [
        sys.executable,
        "-c",
        "import os, time; print('still booting', os.getpid(), flush=True); time.sleep(600)",
    ]
    log = tmp_path / "server.log"
    with pytest.raises(ServerDidNotStart, match=r"(?s)slow starter: .* did not answer 200 within 1 s\n.*still booting"):
        with running(command, free_port(), log, "/", name="slow starter", timeout=1):
            pytest.fail("never used")
    assert not alive(int(log.read_text().split()[-1]))  # stopped all the same


def test_a_server_answering_anything_but_200_on_the_path_is_not_ready(tmp_path):
    port = free_port()
    with pytest.raises(ServerDidNotStart, match=r"/missing did not answer 200 within 0.5 s\n"):
        with running(server_command(tmp_path, port), port, tmp_path / "server.log", "/missing", timeout=0.5):
            pytest.fail("never used")


def test_stop_returns_the_exit_status_of_a_command_ended_by_sigterm(tmp_path):
    server = start([sys.executable, "-c", "import time; time.sleep(600)"], free_port(), tmp_path / "server.log")
    assert stop(server) == -15


@pytest.mark.slow
def test_stop_kills_what_ignores_sigterm_once_the_grace_is_over(tmp_path):
    port, log = free_port(), tmp_path / "server.log"
    server = start(server_command(tmp_path, port), port, log, env=environment(DEAF="1", CHILD="1"))
    wait_until_answering(server, "/")
    worker = child_pid(log)
    assert stop(server, grace=0.3) == -9
    assert not alive(worker)


@pytest.mark.slow
def test_stop_waits_for_every_process_of_the_group_not_only_the_leader(tmp_path):
    port, log = free_port(), tmp_path / "server.log"
    server = start(server_command(tmp_path, port), port, log, env=environment(CHILD="1"))
    wait_until_answering(server, "/")
    worker = child_pid(log)
    assert stop(server, grace=0.3) == 0  # the leader exits on SIGTERM; its deaf worker is killed after the grace
    assert not alive(worker)


@pytest.mark.slow
def test_kill_ends_the_whole_group_at_once(tmp_path):
    port, log = free_port(), tmp_path / "server.log"
    server = start(server_command(tmp_path, port), port, log, env=environment(CHILD="1"))
    wait_until_answering(server, "/")
    worker = child_pid(log)
    assert kill(server) == -9
    assert not alive(worker)
    with pytest.raises(ProcessLookupError):
        os.killpg(server.process.pid, 0)
