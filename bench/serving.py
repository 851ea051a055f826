"""One way to start a real server, wait until it answers and stop it, for the benchmarks and the tests.

A server is a command (``coresp-survey serve``, gunicorn, ``coresp-survey
demo``) run in its own process group, so that a signal reaches the master and
every worker at once and nothing of it outlives the run; its output goes to a
log file, whose tail explains a failed start. The benchmarks import this file
as a sibling module; the tests find it through pytest's ``pythonpath``
(pyproject.toml).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
"""Loopback only: nothing started here listens on or is asked from another address."""


class ServerDidNotStart(RuntimeError):
    """The command exited before answering, or did not answer in time; the message ends with its log's tail."""


@dataclass
class Server:
    """A started command: its process (the leader of its own process group), its port and its log."""

    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path


def free_port() -> int:
    """A loopback port the kernel says is free now (a tiny race remains; a clash shows up as a failed start)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def environment(**settings: str) -> dict[str, str]:
    """This process's environment without any ``CORESP_`` setting, plus ``settings``: the server reads only the
    configuration it is given, whatever the shell running the tests has set."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith("CORESP_")}
    return {**kept, **settings}


def start(
    command: Sequence[str | Path],
    port: int,
    log: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    name: str | None = None,
) -> Server:
    """Run ``command`` (which listens on ``port``) in its own process group, its output appended to ``log``.

    Appending lets a server restarted on the same log keep the story of the one before.
    """
    with Path(log).open("a") as out:
        process = subprocess.Popen(
            [str(part) for part in command],
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name or Path(str(command[0])).name, port, process, Path(log))


def answers(port: int, path: str, timeout: float = 2.0) -> bool:
    """Whether a GET of ``path`` on a fresh connection is answered 200."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        response.read()
        return response.status == 200
    finally:
        connection.close()


def wait_until_answering(server: Server, path: str, timeout: float = 30.0, interval: float = 0.1) -> float:
    """Poll ``path`` until it answers 200, and return the seconds that took: a server still booting is not used.

    Raises ``ServerDidNotStart`` as soon as the process exits, or once ``timeout`` seconds have passed.
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.process.poll() is not None:
            raise ServerDidNotStart(
                f"{server.name} exited with {server.process.returncode} before answering\n{log_tail(server.log)}"
            )
        try:
            if answers(server.port, path):
                return time.monotonic() - started
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(interval)
    raise ServerDidNotStart(
        f"{server.name}: {HOST}:{server.port}{path} did not answer 200 within {timeout:g} s\n{log_tail(server.log)}"
    )


def stop(server: Server, grace: float = 30.0) -> int:
    """SIGTERM to the whole group (gunicorn's graceful stop: the request in hand is finished), SIGKILL to what is
    left after ``grace`` seconds; returns the leader's exit status once no process of the group remains."""
    if server.process.poll() is None:
        _signal_group(server, signal.SIGTERM)
    deadline = time.monotonic() + grace
    try:
        server.process.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return kill(server)
    while _group_alive(server) and time.monotonic() < deadline:
        time.sleep(0.01)
    return kill(server) if _group_alive(server) else server.process.returncode


def kill(server: Server, settle: float = 10.0) -> int:
    """SIGKILL the leader and every process of its group at once, as a power cut would, and wait until none is
    left to touch a file; returns the leader's exit status (``-9`` unless it had already ended)."""
    _signal_group(server, signal.SIGKILL)
    server.process.wait()
    deadline = time.monotonic() + settle
    while _group_alive(server):
        if time.monotonic() > deadline:
            raise RuntimeError(f"process group {server.process.pid} still alive {settle:g} s after SIGKILL")
        time.sleep(0.01)
    return server.process.returncode


@contextmanager
def running(
    command: Sequence[str | Path],
    port: int,
    log: Path,
    path: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    name: str | None = None,
    timeout: float = 30.0,
    grace: float = 30.0,
) -> Iterator[Server]:
    """``start``, ``wait_until_answering`` ``path``, then always ``stop``, even when the start failed.

    After the block, ``server.process.returncode`` is the exit status.
    """
    server = start(command, port, log, env=env, cwd=cwd, name=name)
    try:
        wait_until_answering(server, path, timeout)
        yield server
    finally:
        stop(server, grace)


def log_tail(log: Path, lines: int = 20) -> str:
    """The end of a server's log: enough to explain a failed start or an error answer."""
    try:
        return "\n".join(Path(log).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _signal_group(server: Server, signum: signal.Signals) -> None:
    try:
        os.killpg(server.process.pid, signum)
    except ProcessLookupError:
        pass  # the whole group has ended already


def _group_alive(server: Server) -> bool:
    try:
        os.killpg(server.process.pid, 0)
    except ProcessLookupError:
        return False
    return True
