#!/usr/bin/env python3
"""Load benchmark: the real app against a bare Flask app doing the same work, in one run.

Both are served by gunicorn with the same settings on 127.0.0.1 (the worker
class and threads of ``coresp-survey serve``) and driven by the same clients.
Each client plays complete respondents one after the other: a new cookie jar,
GET the form, read the CSRF token, POST random valid answers, expect ``303``
to the thanks page. Afterwards every acknowledged answer is
looked up in the database: "303 means stored" is checked, not assumed.

The bare app sits in this file (``create_bare_app``) so gunicorn can import it.
Run ``.venv/bin/python bench/load.py --help``; see bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import os
import platform
import random
import re
import secrets
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urlsplit

import serving  # bench/serving.py, beside this file
from flask import Flask
from flask import abort
from flask import redirect
from flask import request
from markupsafe import escape

from coresp_survey.web.server import THREADS
from coresp_survey.web.server import WORKER_CLASS

HOST = serving.HOST
"""Loopback only: the benchmark never listens on or talks to another address."""
STOP_GRACE = 35.0
"""Seconds gunicorn may take to stop gracefully (its own graceful timeout is 30) before it is killed."""
SURVEY_ID = "bench"
FORM_PATH = f"/en/{SURVEY_ID}/"
THANKS_PATH = f"/en/{SURVEY_ID}/thanks/"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
SCALE_VALUES = ("1", "2", "3", "4", "5")
CHOICE_VALUES = ("bus", "bike", "walk")
TARGET_RATIO = 0.5
BUSY_TIMEOUT_MS = 30_000
BARE_DB_ENV = "BENCH_BARE_DB"
BARE_COOKIE = "bare_session"
REPO = Path(__file__).resolve().parent.parent

SURVEY_YAML = """\
# Written by bench/load.py: one page, three questions, public, no groups.
id: bench
round: "1"
languages: [en, fr]
title: {en: "Load benchmark", fr: "Banc de charge"}
access: public
sections:
  - id: only
    title: {en: "The only page", fr: "La seule page"}
    questions:
      - id: mood
        type: scale
        scale: spiral5
        required: true
        label: {en: "How do you feel here?", fr: "Comment vous sentez-vous ici ?"}
      - id: transport
        type: single
        label: {en: "How do you come?", fr: "Comment venez-vous ?"}
        choices:
          - {value: bus, label: {en: "Bus", fr: "Bus"}}
          - {value: bike, label: {en: "Bike", fr: "Vélo"}}
          - {value: walk, label: {en: "On foot", fr: "À pied"}}
      - id: remark
        type: text
        label: {en: "Any remark?", fr: "Une remarque ?"}
"""


# -- the bare app (imported by gunicorn workers: keep this part free of side effects) ---------


def bare_connect(path: str | Path) -> sqlite3.Connection:
    """Open the bare app's database with the app's durability settings, so only the app's own work differs."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def create_bare_schema(path: Path) -> None:
    """Made once by the benchmark before gunicorn starts, so two booting workers never race on it."""
    conn = bare_connect(path)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS answers"
        " (id TEXT PRIMARY KEY, mood INTEGER NOT NULL, transport TEXT, remark TEXT, submitted TEXT NOT NULL)"
        " WITHOUT ROWID"
    )
    conn.close()


def create_bare_app() -> Flask:
    """The least a survey form can do: a form with a token, a checked POST, one durable row, a 303.

    One connection per worker thread, kept between requests (as the app
    does); the token is compared with a cookie, not signed.
    """
    app = Flask(__name__)
    kept = threading.local()

    def connection() -> sqlite3.Connection:
        if not hasattr(kept, "conn"):
            kept.conn = bare_connect(os.environ[BARE_DB_ENV])
        return kept.conn

    @app.get(FORM_PATH)
    def form():
        token = secrets.token_urlsafe(24)
        html = (
            '<!doctype html><html lang="en"><title>Bare</title>'
            f'<form method="post"><input type="hidden" name="csrf_token" value="{escape(token)}">'
            + "".join(f'<input type="radio" name="mood" value="{v}">' for v in SCALE_VALUES)
            + "".join(f'<input type="radio" name="transport" value="{v}">' for v in CHOICE_VALUES)
            + '<input type="text" name="remark"><button>Send</button></form></html>'
        )
        response = app.make_response(html)
        response.set_cookie(BARE_COOKIE, token, httponly=True, samesite="Lax")
        return response

    @app.post(FORM_PATH)
    def submit():
        token = request.cookies.get(BARE_COOKIE, "")
        if not token or not secrets.compare_digest(token, request.form.get("csrf_token", "")):
            abort(400)
        mood, transport, remark = request.form.get("mood"), request.form.get("transport"), request.form.get("remark")
        if mood not in SCALE_VALUES or transport not in (None, *CHOICE_VALUES) or len(remark or "") > 200:
            abort(400)
        conn = connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT INTO answers (id, mood, transport, remark, submitted) VALUES (?, ?, ?, ?, date('now'))",
                [secrets.token_urlsafe(18), int(mood), transport, remark],
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return redirect(THANKS_PATH, 303)

    @app.get(THANKS_PATH)
    def thanks():
        return "Thank you"

    return app


# -- servers ---------------------------------------------------------------------------------


@dataclass
class Target:
    """One thing to measure: how gunicorn loads it, and how to read back what it stored."""

    name: str
    app_spec: str
    db_path: Path
    env: dict[str, str]
    stored_markers: Callable[[Path], list[str]]
    pythonpath: Path | None = None


def start_gunicorn(target: Target, gunicorn: Path, workers: int, workdir: Path) -> serving.Server:
    """Start gunicorn exactly alike for both targets; its own process group, so we alone decide when it stops."""
    port = serving.free_port()
    command = [str(gunicorn), "-w", str(workers), "-b", f"{HOST}:{port}"]  # its error log goes to stderr: the log
    command += ["--worker-class", WORKER_CLASS, "--threads", str(THREADS), "--no-control-socket"]  # as `serve`
    if target.pythonpath is not None:
        command += ["--pythonpath", str(target.pythonpath)]
    command.append(target.app_spec)
    log = workdir / f"{target.name}-gunicorn.log"
    return serving.start(command, port, log, env={**os.environ, **target.env}, cwd=workdir, name=target.name)


# -- clients ---------------------------------------------------------------------------------


@dataclass
class Reply:
    """What a client needs from one answer; ``seconds`` runs from connect to the last byte."""

    status: int
    location: str | None
    cookies: list[str]
    body: bytes
    seconds: float


def fetch(port: int, method: str, path: str, body: str | None = None, cookie: str = "", timeout: float = 30) -> Reply:
    """One request on a fresh connection (no keep-alive, for both targets alike)."""
    headers = {"Connection": "close"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        seconds = time.perf_counter() - start
        return Reply(
            response.status, response.getheader("Location"), response.headers.get_all("Set-Cookie") or [], data, seconds
        )
    finally:
        conn.close()


@dataclass
class ClientResult:
    """What one client saw; plain data so it can come back from another process."""

    completed: int = 0
    post_seconds: list[float] = field(default_factory=list)
    get_seconds: list[float] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    """The ``remark`` of every answer acknowledged by the expected 303: each must be in the database."""
    errors: Counter = field(default_factory=Counter)
    """Non-2xx/3xx answers, by "METHOD status"."""
    unexpected: Counter = field(default_factory=Counter)
    """2xx/3xx answers other than the expected one (200 form, 303 to thanks): the benchmark did not do its job."""
    transport: Counter = field(default_factory=Counter)
    """Requests that got no HTTP answer at all (refused, reset, timeout), by exception name."""
    started: float = 0.0
    ended: float = 0.0

    def merge(self, other: ClientResult) -> None:
        self.completed += other.completed
        self.post_seconds += other.post_seconds
        self.get_seconds += other.get_seconds
        self.markers += other.markers
        self.errors.update(other.errors)
        self.unexpected.update(other.unexpected)
        self.transport.update(other.transport)
        self.started = min(self.started, other.started) if self.started else other.started
        self.ended = max(self.ended, other.ended)


def is_error(status: int) -> bool:
    """The reliability target counts any answer outside 2xx/3xx as an error."""
    return not 200 <= status < 400


def answer_once(port: int, rng: random.Random, result: ClientResult, timeout: float) -> None:
    """One complete respondent with a fresh cookie jar; outcomes go into ``result``."""
    form = fetch(port, "GET", FORM_PATH, timeout=timeout)
    if is_error(form.status):
        result.errors[f"GET {form.status}"] += 1
        return
    token = CSRF_INPUT.search(form.body.decode("utf-8", "replace"))
    if form.status != 200 or token is None:
        result.unexpected[f"GET {form.status}{'' if token else ' without csrf_token'}"] += 1
        return
    result.get_seconds.append(form.seconds)
    cookie = "; ".join(header.split(";", 1)[0].strip() for header in form.cookies)
    marker = f"bench-{secrets.token_hex(8)}"
    answers = {"csrf_token": token.group(1), "mood": rng.choice(SCALE_VALUES), "remark": marker}
    if rng.random() < 0.8:  # an optional question is sometimes left out, as people do
        answers["transport"] = rng.choice(CHOICE_VALUES)
    sent = fetch(port, "POST", FORM_PATH, body=urlencode(answers), cookie=cookie, timeout=timeout)
    if is_error(sent.status):
        result.errors[f"POST {sent.status}"] += 1
        return
    if sent.status != 303 or urlsplit(sent.location or "").path != THANKS_PATH:
        result.unexpected[f"POST {sent.status} to {sent.location}"] += 1
        return
    result.post_seconds.append(sent.seconds)
    result.markers.append(marker)
    result.completed += 1


def run_client(
    port: int, seconds: float, cap: int, seed: int, timeout: float, stop: threading.Event | None = None
) -> ClientResult:
    """Play respondents back to back until the time or this client's share of the count is used up."""
    rng = random.Random(seed)
    result = ClientResult(started=time.monotonic())
    deadline = result.started + seconds
    attempts = 0
    while time.monotonic() < deadline and attempts < cap and not (stop and stop.is_set()):
        attempts += 1
        try:
            answer_once(port, rng, result, timeout)
        except (OSError, http.client.HTTPException) as exc:
            result.transport[type(exc).__name__] += 1
            time.sleep(0.01)  # a dead server must not turn the client into a busy loop
    result.ended = time.monotonic()
    return result


def drive_threads(port: int, clients: int, seconds: float, cap: int, timeout: float) -> ClientResult:
    """Clients as threads of this process: the GIL caps the clients at about one core of the two."""
    stop = threading.Event()
    results: list[ClientResult] = []
    lock = threading.Lock()

    def client(seed: int) -> None:
        outcome = run_client(port, seconds, cap, seed, timeout, stop)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=client, args=(seed,), daemon=True) for seed in range(clients)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    finally:
        stop.set()  # on Ctrl+C the clients end after the request in hand
    return merge(results)


def _client_signals() -> None:
    """Client processes leave Ctrl+C to the parent, which terminates them (SIGTERM: plain exit)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def drive_processes(port: int, clients: int, seconds: float, cap: int, timeout: float) -> ClientResult:
    """Clients as processes: no GIL between them, but they compete with the servers for the cores."""
    pool = multiprocessing.Pool(clients, initializer=_client_signals)
    try:
        jobs = pool.starmap_async(run_client, [(port, seconds, cap, seed, timeout) for seed in range(clients)])
        results = jobs.get(seconds + timeout + 60)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
    return merge(results)


def merge(results: list[ClientResult]) -> ClientResult:
    """One result for all clients: rates and percentiles are about the server, not one client."""
    total = ClientResult()
    for result in results:
        total.merge(result)
    return total


def drive(port: int, args: argparse.Namespace, seconds: float, total_cap: int) -> ClientResult:
    """Run ``args.clients`` clients for ``seconds``, at most ``total_cap`` respondents between them."""
    cap = max(1, math.ceil(total_cap / args.clients))
    driver = drive_processes if args.mode == "process" else drive_threads
    return driver(port, args.clients, seconds, cap, args.timeout)


# -- storage checks --------------------------------------------------------------------------


def app_markers(db_path: Path) -> list[str]:
    """The ``remark`` of every response the real app stored for the benchmark survey."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT answers FROM responses WHERE survey = ?", [SURVEY_ID]).fetchall()
    return [json.loads(answers).get("remark", "") for (answers,) in rows]


def bare_markers(db_path: Path) -> list[str]:
    """The ``remark`` of every row the bare app stored."""
    with sqlite3.connect(db_path) as conn:
        return [remark or "" for (remark,) in conn.execute("SELECT remark FROM answers")]


def integrity(db_path: Path) -> str:
    """Rows counted in a damaged file would prove nothing: SQLite's own check, "ok" when sound."""
    with sqlite3.connect(db_path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


@dataclass
class StorageCheck:
    acknowledged: int
    rows: int
    lost: int
    """Acknowledged by a 303 but not in the database: the promise broken."""
    extra: int
    """In the database but never acknowledged (e.g. a client timed out after the commit): allowed, reported."""
    integrity: str


def check_storage(target: Target, acknowledged: list[str]) -> StorageCheck:
    """Match every acknowledged answer to a row, by the unique marker it carried."""
    stored = target.stored_markers(target.db_path)
    present = set(stored)
    wanted = set(acknowledged)
    lost = sum(1 for marker in wanted if marker not in present)
    extra = len(stored) - sum(1 for marker in stored if marker in wanted)
    return StorageCheck(len(acknowledged), len(stored), lost, extra, integrity(target.db_path))


# -- one target, start to finish ---------------------------------------------------------------


@dataclass
class TargetResult:
    name: str
    measured: ClientResult
    warmup: ClientResult
    storage: StorageCheck
    log: str

    @property
    def elapsed(self) -> float:
        return max(self.measured.ended - self.measured.started, 1e-9)

    @property
    def rate(self) -> float:
        return self.measured.completed / self.elapsed


def run_target(target: Target, args: argparse.Namespace, workdir: Path) -> TargetResult:
    """Start, warm up, measure, stop, then check the database with the server gone."""
    print(f"[{target.name}] starting gunicorn ({args.workers} workers)...", file=sys.stderr, flush=True)
    server = start_gunicorn(target, args.gunicorn, args.workers, workdir)
    try:
        serving.wait_until_answering(server, FORM_PATH)  # measuring a server still booting would be noise
        warmup = drive(server.port, args, args.warmup, args.max_respondents)
        print(f"[{target.name}] measuring for {args.seconds:g} s on port {server.port}...", file=sys.stderr, flush=True)
        measured = drive(server.port, args, args.seconds, args.max_respondents)
    finally:
        serving.stop(server, STOP_GRACE)  # SIGTERM lets workers finish the request in hand
    acknowledged = warmup.markers + measured.markers
    troubled = any(phase.errors or phase.transport or phase.unexpected for phase in (measured, warmup))
    log = serving.log_tail(server.log) if troubled else ""
    return TargetResult(target.name, measured, warmup, check_storage(target, acknowledged), log)


def make_targets(workdir: Path, secret: str) -> tuple[Target, Target]:
    """The real app on a one-page survey, and the bare app, each with its own fresh database."""
    surveys = workdir / "surveys"
    surveys.mkdir()
    (surveys / f"{SURVEY_ID}.yaml").write_text(SURVEY_YAML, encoding="utf-8")
    app_db = workdir / "app" / "responses.db"
    app = Target(
        "app",
        "coresp_survey:create_app()",
        app_db,
        {"CORESP_SURVEYS": str(surveys), "CORESP_DB": str(app_db), "CORESP_SECRET_KEY": secret},
        app_markers,
    )
    bare_db = workdir / "bare" / "bare.db"
    bare_db.parent.mkdir()
    create_bare_schema(bare_db)
    bare = Target(
        "bare",
        f"{Path(__file__).stem}:create_bare_app()",
        bare_db,
        {BARE_DB_ENV: str(bare_db)},
        bare_markers,
        pythonpath=Path(__file__).resolve().parent,  # gunicorn imports this very file
    )
    return app, bare


# -- report ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: an observed value, no interpolation between two."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(value: float | None) -> float | None:
    """Milliseconds to 0.1: finer digits are noise on a shared 2-core machine."""
    return None if value is None else round(value * 1000, 1)


def figures(result: TargetResult) -> dict[str, Any]:
    """Everything printed and written to JSON for one target."""
    m = result.measured
    return {
        "respondents": m.completed,
        "seconds": round(result.elapsed, 2),
        "respondents_per_s": round(result.rate, 1),
        "post_ms": {f"p{p}": ms(percentile(m.post_seconds, p)) for p in (50, 95, 99)},
        "get_ms": {f"p{p}": ms(percentile(m.get_seconds, p)) for p in (50, 95, 99)},
        "errors": sum(m.errors.values()) + sum(result.warmup.errors.values()),
        "no_answer": sum(m.transport.values()) + sum(result.warmup.transport.values()),
        "unexpected": sum(m.unexpected.values()) + sum(result.warmup.unexpected.values()),
        "error_detail": dict(sum((p.errors + p.transport + p.unexpected for p in (m, result.warmup)), Counter())),
        "warmup_respondents": result.warmup.completed,
        "acknowledged": result.storage.acknowledged,
        "rows": result.storage.rows,
        "lost": result.storage.lost,
        "extra_rows": result.storage.extra,
        "integrity": result.storage.integrity,
    }


def fs_type(path: Path) -> str:
    """The file system under the databases: on tmpfs, fsync costs nothing and FULL proves nothing."""
    best, kind = "", "?"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            mount, fstype = line.split()[1:3]
            if str(path).startswith(mount) and len(mount) > len(best):
                best, kind = mount, fstype
    except OSError:
        pass
    return kind


def machine(workdir: Path) -> dict[str, Any]:
    """What the figures depend on, so two runs can be compared honestly."""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": affinity,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "gunicorn": metadata.version("gunicorn"),
        "platform": platform.platform(),
        "tmp_filesystem": fs_type(workdir),
    }


def print_report(app: dict[str, Any], bare: dict[str, Any], verdict: dict[str, Any]) -> None:
    """The two targets side by side, then the ratio and the verdict on the reliability target."""
    rows = [
        ("respondents / s", "respondents_per_s"),
        ("respondents (measured)", "respondents"),
        ("measured seconds", "seconds"),
        ("POST p50 ms", ("post_ms", "p50")),
        ("POST p95 ms", ("post_ms", "p95")),
        ("POST p99 ms", ("post_ms", "p99")),
        ("GET p50 ms", ("get_ms", "p50")),
        ("GET p99 ms", ("get_ms", "p99")),
        ("errors (non-2xx/3xx)", "errors"),
        ("no answer (refused/reset)", "no_answer"),
        ("unexpected 2xx/3xx", "unexpected"),
        ("acknowledged 303 (+warm-up)", "acknowledged"),
        ("rows in database", "rows"),
        ("lost", "lost"),
        ("extra rows", "extra_rows"),
        ("integrity_check", "integrity"),
    ]
    print(f"{'':30}{'app':>12}{'bare':>12}")
    for label, key in rows:
        values = [(f[key[0]][key[1]] if isinstance(key, tuple) else f[key]) for f in (app, bare)]
        print(f"{label:30}" + "".join(f"{'-' if v is None else v:>12}" for v in values))
    for name, f in (("app", app), ("bare", bare)):
        if f["error_detail"]:
            print(f"{name} error detail: {f['error_detail']}")
    ratio = verdict["ratio"]
    print(f"ratio app/bare (respondents/s): {'-' if ratio is None else f'{ratio:.2f}'}  (target >= {TARGET_RATIO})")
    print(
        f"target: ratio {'met' if verdict['ratio_met'] else 'MISSED'}, "
        f"errors {'zero' if verdict['errors_ok'] else 'NOT ZERO'}, "
        f"lost {'zero' if verdict['lost_ok'] else 'NOT ZERO'} -> {'MET' if verdict['met'] else 'NOT MET'}"
    )


def judge(app: dict[str, Any], bare: dict[str, Any]) -> dict[str, Any]:
    """The target: ratio >= 0.5, no error of any kind, nothing lost, both files sound."""
    ratio = app["respondents_per_s"] / bare["respondents_per_s"] if bare["respondents_per_s"] else None
    errors_ok = all(f["errors"] == 0 and f["no_answer"] == 0 and f["unexpected"] == 0 for f in (app, bare))
    lost_ok = all(f["lost"] == 0 and f["integrity"] == "ok" for f in (app, bare))
    ratio_met = ratio is not None and ratio >= TARGET_RATIO
    return {
        "ratio": None if ratio is None else round(ratio, 3),
        "ratio_min": TARGET_RATIO,
        "ratio_met": ratio_met,
        "errors_ok": errors_ok,
        "lost_ok": lost_ok,
        "met": ratio_met and errors_ok and lost_ok,
    }


# -- command line --------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Options with defaults matching the brief: 8 clients, 10 s per target, 2 workers."""
    parser = argparse.ArgumentParser(
        description="Load benchmark: the coresp-survey app against a bare Flask+SQLite app, same gunicorn, same clients.",
        epilog="Exit status: 0 when no errors and nothing lost (a ratio below target alone still gives 0); "
        "1 on errors or lost answers; 2 on a usage or start-up problem.",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per target (default 10)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument(
        "--mode",
        choices=("thread", "process"),
        default="thread",
        help="clients as threads of one process (default) or as processes",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for each target (default 2)")
    parser.add_argument(
        "--max-respondents", type=int, default=100_000, help="cap on respondents per target and phase (default 100000)"
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before measuring (default 1)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds before one request is given up (default 30)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--tmpdir", type=Path, help="where the temporary databases go (default: the system's)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (databases, gunicorn logs)")
    parser.add_argument("--gunicorn", type=Path, default=REPO / ".venv" / "bin" / "gunicorn", help="gunicorn to run")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.clients < 1 or args.workers < 1 or args.max_respondents < 1 or args.warmup < 0:
        parser.error("--seconds, --clients, --workers and --max-respondents must be positive, --warmup not negative")
    if not args.gunicorn.exists():
        parser.error(f"no gunicorn at {args.gunicorn} (set up the project's .venv or pass --gunicorn)")
    return args


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into SystemExit so the ``finally`` blocks stop the servers and remove the files."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Measure the app, then the bare app; report; always stop the servers and remove the files."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    workdir = Path(tempfile.mkdtemp(prefix="coresp-bench-", dir=args.tmpdir))
    try:
        info = machine(workdir)
        clients = f"{args.clients} client {'processes' if args.mode == 'process' else 'threads'}"
        print(
            f"{clients}, {args.seconds:g} s per target, gunicorn -w {args.workers}, "
            f"on {info['usable_cpus']} CPU core(s) shared by clients and servers; databases on {info['tmp_filesystem']}"
        )
        app_target, bare_target = make_targets(workdir, secret=secrets.token_hex(32))
        try:
            results = [run_target(target, args, workdir) for target in (app_target, bare_target)]
        except RuntimeError as problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        app, bare = (figures(result) for result in results)
        verdict = judge(app, bare)
        print_report(app, bare, verdict)
        for result in results:
            if result.log:
                print(f"--- {result.name} gunicorn log (tail) ---\n{result.log}", file=sys.stderr)
        if args.json:
            report = {"settings": settings(args), "machine": info, "app": app, "bare": bare, "verdict": verdict}
            args.json.write_text(json.dumps(report, indent=2) + "\n")
        return 0 if verdict["errors_ok"] and verdict["lost_ok"] else 1
    except KeyboardInterrupt:
        print("interrupted: servers stopped, temporary files removed", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The run's parameters, written with the figures so a JSON file explains itself."""
    return {
        "seconds": args.seconds,
        "clients": args.clients,
        "mode": args.mode,
        "workers": args.workers,
        "max_respondents": args.max_respondents,
        "warmup": args.warmup,
        "keep_alive": False,
        "host": HOST,
    }


if __name__ == "__main__":
    sys.exit(main())
