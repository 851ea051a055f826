"""`coresp-survey serve` as it runs in production: gunicorn's logs, slow clients, two instances side by side.

Each test starts the real command on a free port and a fresh database, and
stops it with SIGTERM (gunicorn's graceful stop) before reading its log.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import TEST_SURVEYS
from serving import environment
from serving import free_port
from serving import running

from coresp_survey.web.database import get_db

COMMAND = Path(sys.executable).with_name("coresp-survey")
SURVEYS = TEST_SURVEYS
CANDIDATE = re.compile(r"[0-9A-Fa-f:.]{3,}")
"""Runs of the characters of IP addresses; those that parse as one are addresses (times such as 21:01:50 do not)."""


@dataclass
class Served:
    port: int
    log: Path
    home: Path


@contextmanager
def serving(folder: Path, *options: str, home: Path | None = None) -> Iterator[Served]:
    """``coresp-survey serve`` on its own database; HOME and XDG_RUNTIME_DIR are ``home`` (a folder of the test)."""
    folder.mkdir(parents=True)
    shutil.copytree(SURVEYS, folder / "surveys")
    home = home or folder / "home"
    home.mkdir(exist_ok=True)
    port = free_port()
    env = environment(HOME=str(home), XDG_RUNTIME_DIR=str(home))
    command = [COMMAND, "--surveys", folder / "surveys", "--db", folder / "responses.db", "serve",
               "--port", str(port), *options]  # fmt: skip
    with running(command, port, folder / "serve.log", "/fr/", env=env, cwd=folder, timeout=60) as server:
        yield Served(port, server.log, home)


def get(port: int, path: str, timeout: float = 30) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def exchange(port: int, data: bytes) -> bytes:
    """Send raw bytes as a client would, and read the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        client.sendall(data)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    return received


def still_open(client: socket.socket) -> bool:
    """Nothing to read and no end of stream: the server has neither answered nor closed this connection."""
    try:
        return client.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True


# -- logs name no client --------------------------------------------------------------


@pytest.mark.slow
def test_malformed_requests_are_logged_without_any_address(tmp_path):
    """Bound by name, so that an address in the log could only be a client's (or the server's own, hidden too)."""
    with serving(tmp_path / "server", "--host", "localhost") as server:
        bad_line = exchange(server.port, b"NOT A REQUEST LINE\r\n\r\n")
        long_header = exchange(server.port, b"GET /fr/ HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
        long_line = exchange(server.port, b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert bad_line.startswith(b"HTTP/1.1 400")
    assert long_header.startswith(b"HTTP/1.1 431")
    assert long_line.startswith(b"HTTP/1.1 414")
    log = server.log.read_text()
    assert log.count("Invalid request from") == 3, log  # the errors are still said, only the address is not
    assert "127.0.0.1" not in log and "localhost" in log
    assert addresses_in(log) == [], log


def addresses_in(text: str) -> list[str]:
    found = []
    for run in CANDIDATE.findall(text):
        for candidate in {run, run.strip(".:"), *run.split(":")}:
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                continue
            found.append(candidate)
    return found


# -- slow clients ---------------------------------------------------------------------


@pytest.mark.slow
def test_idle_and_half_sent_connections_do_not_block_a_two_worker_server(tmp_path):
    with serving(tmp_path / "server", "--workers", "2") as server:
        idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(8)]
        half = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(4)]
        try:
            for client in half:
                client.sendall(b"GET /fr/ HT")
            assert get(server.port, "/fr/") == 200
            assert all(still_open(client) for client in idle + half)
            for client in half:  # they were waiting, not dropped: each is answered once it is complete
                client.sendall(b"TP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                client.settimeout(30)
                assert client.recv(12) == b"HTTP/1.1 200"
        finally:
            for client in idle + half:
                client.close()


# -- two instances of one user ----------------------------------------------------------


@pytest.mark.slow
def test_two_servers_of_one_user_both_answer_and_share_no_control_socket(tmp_path):
    home = tmp_path / "home"  # one user: one HOME, one XDG_RUNTIME_DIR
    with serving(tmp_path / "a", home=home) as first, serving(tmp_path / "b", home=home) as second:
        assert get(first.port, "/fr/") == 200
        assert get(second.port, "/fr/") == 200
    for served in (first, second):
        log = served.log.read_text()
        assert "Listening at" in log
        assert "control socket" not in log.lower() and "gunicorn.ctl" not in log, log
    assert not list(home.rglob("*.ctl"))


# -- one database connection per thread --------------------------------------------------


def test_each_thread_of_a_worker_has_its_own_connection(app):
    with app.app_context():
        first, again = get_db(), get_db()
    other = []

    def in_another_thread() -> None:
        with app.app_context():
            other.append(get_db())

    thread = threading.Thread(target=in_another_thread)
    thread.start()
    thread.join()
    assert first is again
    assert other[0] is not first and other[0].conn is not first.conn
