#!/usr/bin/env python3
"""Crash proof: SIGKILL the whole server at random moments; nothing acknowledged is lost.

The real app runs as in production (``coresp-survey serve --workers 2``) on a
SQLite file, driven over HTTP by concurrent respondents answering a two-page
survey. Each respondent carries unique markers: ``d-…`` typed on the first page
(a draft, acknowledged by the 303 to the second page) and ``r-…`` on the last
(a response, acknowledged by the 303 to the thanks page). At random moments the
whole gunicorn process group gets SIGKILL, and the server is started again on
the same file. Clients behave like browsers whose user presses "send" again: a
request that got no answer is sent again, same cookie, same token.

Checked after every kill, on a copy of the files exactly as the kill left them
(database and WAL), and again at the end on the database itself:

- every acknowledged response is stored exactly once (a retried submit never
  stores a second one), and ``PRAGMA integrity_check`` is ``ok``;
- every acknowledged first page is kept (as a draft, or in the response);
- after the last restart, respondents who stopped after the first page resume
  with the same cookie: the first page shows what they typed, the page offers
  to continue, and their response, finished now, carries the answers given
  before the crashes.

Run ``.venv/bin/python bench/crash.py --help``; see bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import secrets
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urlsplit

import serving  # bench/serving.py, beside this file
from load import CSRF_INPUT
from load import HOST
from load import Reply
from load import fetch

REPO = Path(__file__).resolve().parent.parent
SURVEY_ID = "crash"
FIRST_PATH = f"/en/{SURVEY_ID}/"
SECOND_PATH = f"/en/{SURVEY_ID}/page/second/"
THANKS_PATH = f"/en/{SURVEY_ID}/thanks/"
ALREADY_SENT = "have already been sent from this device"
"""What a resent final page says when the first send was stored (the kill came after the commit)."""
RESUME_LINK = f'<a href="{SECOND_PATH}">'
ABANDON_SHARE = 0.25
"""Respondents who stop after the first page: their drafts are checked after the last restart."""

SURVEY_YAML = """\
# Written by bench/crash.py: two pages, so that drafts are written and read back.
id: crash
languages: [en, fr]
title: {en: "Crash proof", fr: "Preuve de panne"}
sections:
  - id: first
    title: {en: "First page", fr: "Première page"}
    questions:
      - id: mood
        type: scale
        scale: spiral5
        required: true
        label: {en: "How do you feel here?", fr: "Comment vous sentez-vous ici ?"}
      - id: note
        type: text
        label: {en: "A word?", fr: "Un mot ?"}
  - id: second
    title: {en: "Last page", fr: "Dernière page"}
    questions:
      - id: remark
        type: text
        label: {en: "Any remark?", fr: "Une remarque ?"}
"""


# -- what the clients were told ---------------------------------------------------------------


@dataclass
class Ledger:
    """Every acknowledgement the clients received, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    responses: dict[str, str] = field(default_factory=dict)
    """Response marker → how it was acknowledged: "303", "303 after resend", "already sent"."""
    drafts: dict[str, str] = field(default_factory=dict)
    """Draft marker → the mood sent with it, for every first page acknowledged by its 303."""
    abandoned: dict[str, dict[str, str]] = field(default_factory=dict)
    """Draft marker → cookie jar of a respondent who stopped after the first page."""
    errors: Counter = field(default_factory=Counter)
    """HTTP answers outside 2xx/3xx: never allowed, even around a kill."""
    unexpected: Counter = field(default_factory=Counter)
    """2xx/3xx answers other than the expected ones."""
    no_answer: Counter = field(default_factory=Counter)
    """Requests that got no HTTP answer (refused, reset): expected while the server is dead."""
    resent: int = 0
    started: int = 0

    def note(self, kind: str, key: str, value: Any) -> None:
        with self.lock:
            getattr(self, kind)[key] = value

    def count(self, kind: str, what: str) -> None:
        with self.lock:
            getattr(self, kind)[what] += 1

    def acknowledged(self) -> tuple[set[str], set[str]]:
        """The response and draft markers acknowledged so far (a consistent copy)."""
        with self.lock:
            return set(self.responses), set(self.drafts)


class GaveUp(Exception):
    """A request still unanswered when the run ended: the respondent is dropped, unacknowledged."""


@dataclass
class Browser:
    """One respondent's browser: its cookie jar, and a user who sends again what got no answer."""

    port: int
    ledger: Ledger
    give_up: threading.Event
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 10.0
    patience: float = 60.0
    """Seconds of sending again before giving up, whatever happens: the run stays bounded."""

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[Reply, bool]:
        """The first HTTP answer to this request, and whether it had to be sent more than once."""
        body = None if data is None else urlencode(data, doseq=True)
        attempts = 0
        deadline = time.monotonic() + self.patience
        while True:
            attempts += 1
            cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            try:
                reply = fetch(self.port, method, path, body=body, cookie=cookie, timeout=self.timeout)
            except (OSError, http.client.HTTPException) as exc:
                self.ledger.count("no_answer", type(exc).__name__)
                if self.give_up.is_set() or time.monotonic() > deadline:
                    raise GaveUp from exc
                time.sleep(0.05)
                continue
            self.keep_cookies(reply)
            if attempts > 1:
                with self.ledger.lock:
                    self.ledger.resent += 1
            if not 200 <= reply.status < 400:
                self.ledger.count("errors", f"{method} {path} {reply.status}")
            return reply, attempts > 1

    def keep_cookies(self, reply: Reply) -> None:
        for header in reply.cookies:
            name, _, value = header.split(";", 1)[0].strip().partition("=")
            self.cookies[name] = value


def csrf_token(reply: Reply) -> str | None:
    match = CSRF_INPUT.search(reply.body.decode("utf-8", "replace"))
    return match.group(1) if match else None


def answer_first_page(browser: Browser, rng: random.Random, ident: str) -> str | None:
    """GET and send the first page; the CSRF token when its 303 to the second page came back."""
    ledger = browser.ledger
    form, _ = browser.request("GET", FIRST_PATH)
    token = csrf_token(form)
    if form.status != 200 or token is None:
        ledger.count("unexpected", f"GET first {form.status}")
        return None
    mood = rng.choice("12345")
    sent, _ = browser.request("POST", FIRST_PATH, {"csrf_token": token, "_nav": "next", "mood": mood, "note": ident})
    if sent.status != 303 or urlsplit(sent.location or "").path != SECOND_PATH:
        ledger.count("unexpected", f"POST first {sent.status}")
        return None
    ledger.note("drafts", ident, mood)
    return token


def answer_last_page(browser: Browser, token: str, ident: str, how: str = "303") -> bool:
    """GET and send the last page; True once the response is acknowledged."""
    ledger = browser.ledger
    page, _ = browser.request("GET", SECOND_PATH)
    if page.status != 200:
        ledger.count("unexpected", f"GET second {page.status}")
        return False
    marker = "r-" + ident[2:]
    sent, resent = browser.request("POST", SECOND_PATH, {"csrf_token": token, "_nav": "next", "remark": marker})
    if sent.status == 303 and urlsplit(sent.location or "").path == THANKS_PATH:
        ledger.note("responses", marker, f"{how} after resend" if resent else how)
        return True
    if resent and sent.status == 200 and ALREADY_SENT in sent.body.decode("utf-8", "replace"):
        ledger.note("responses", marker, "already sent")  # the first send was stored, then the server died
        return True
    ledger.count("unexpected", f"POST second {sent.status}")
    return False


def respondent(port: int, rng: random.Random, ledger: Ledger, give_up: threading.Event) -> None:
    """One person with a fresh browser: the first page, then the last, or stop in between."""
    browser = Browser(port, ledger, give_up)
    ident = "d-" + secrets.token_hex(8)
    with ledger.lock:
        ledger.started += 1
    token = answer_first_page(browser, rng, ident)
    if token is None:
        return
    if rng.random() < ABANDON_SHARE:
        ledger.note("abandoned", ident, dict(browser.cookies))
        return
    answer_last_page(browser, token, ident)


def client(port: int, seed: int, ledger: Ledger, stop: threading.Event, give_up: threading.Event) -> None:
    """Respondents one after the other until told to stop; the one in hand is finished first."""
    rng = random.Random(seed)
    while not stop.is_set():
        try:
            respondent(port, rng, ledger, give_up)
        except GaveUp:
            return


# -- the server -----------------------------------------------------------------------------------


def start_server(workdir: Path, port: int, workers: int, log: Path) -> serving.Server:
    """``coresp-survey serve`` as in production, in its own process group so one signal kills it all.

    No secret key is given: the app makes one beside the database once, and a
    restarted server must keep accepting the cookies of the one before.
    """
    command = [
        str(REPO / ".venv" / "bin" / "coresp-survey"),
        "--surveys", str(workdir / "surveys"),
        "--db", str(workdir / "db" / "responses.db"),
        "serve", "--host", HOST, "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    return serving.start(command, port, log, env=serving.environment(), cwd=workdir, name="the server")


def wait_until_ready(server: serving.Server) -> float:
    """Seconds until the first page answers 200 (both workers may not be up yet: clients retry)."""
    return serving.wait_until_answering(server, FIRST_PATH, interval=0.05)


# -- checks -----------------------------------------------------------------------------------


@dataclass
class Stored:
    """What one database file holds, read with SQLite's own recovery of its WAL."""

    integrity: str
    responses: Counter
    """Response marker → rows holding it (1 expected)."""
    draft_notes: set[str]
    """Draft markers in open drafts."""
    response_notes: dict[str, dict]
    """Draft marker → the answers of the response that carries it."""


def read_database(path: Path) -> Stored:
    conn = sqlite3.connect(path)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        responses: Counter = Counter()
        response_notes = {}
        for (text,) in conn.execute("SELECT answers FROM responses WHERE survey = ?", [SURVEY_ID]):
            answers = json.loads(text)
            responses[answers.get("remark", "")] += 1
            response_notes[answers.get("note", "")] = answers
        draft_notes = set()
        for (text,) in conn.execute("SELECT answers FROM drafts WHERE survey = ?", [SURVEY_ID]):
            draft_notes.update(json.loads(text).get("note", []))
    finally:
        conn.close()
    return Stored(integrity, responses, draft_notes, response_notes)


def snapshot(db_path: Path, into: Path) -> Path:
    """Copy the database and its WAL as the kill left them; the copy is read, the original untouched."""
    into.mkdir()
    for suffix in ("", "-wal"):
        source = Path(f"{db_path}{suffix}")
        if source.exists():
            shutil.copyfile(source, into / f"{db_path.name}{suffix}")
    return into / db_path.name


def judge(stored: Stored, responses: set[str], drafts: set[str]) -> dict[str, Any]:
    """Acknowledged responses stored once, acknowledged first pages kept, the file sound."""
    return {
        "integrity": stored.integrity,
        "acknowledged": len(responses),
        "stored": sum(stored.responses.values()),
        "lost": sum(1 for marker in responses if stored.responses[marker] == 0),
        "duplicated": sum(1 for count in stored.responses.values() if count > 1),
        "unacknowledged_stored": sum(1 for marker in stored.responses if marker not in responses),
        "drafts_acknowledged": len(drafts),
        "drafts_lost": sum(1 for d in drafts if d not in stored.draft_notes and d not in stored.response_notes),
    }


def resume_abandoned(port: int, ledger: Ledger, limit: int) -> dict[str, int]:
    """Respondents who stopped after the first page come back with their cookie and finish."""
    give_up = threading.Event()
    figures = Counter()
    for ident, cookies in list(ledger.abandoned.items())[:limit]:
        figures["tried"] += 1
        try:
            figures[resume_one(Browser(port, ledger, give_up, dict(cookies), patience=10), ident)] += 1
        except GaveUp:
            figures["no_answer"] += 1
    return dict(figures)


def resume_one(browser: Browser, ident: str) -> str:
    """The first page must show what was typed before the crashes and offer to go on; then finish."""
    first, _ = browser.request("GET", FIRST_PATH)
    text = first.body.decode("utf-8", "replace")
    if first.status != 200 or f'value="{ident}"' not in text or RESUME_LINK not in text:
        return "not_shown"
    return "finished" if answer_last_page(browser, csrf_token(first) or "", ident, how="resumed") else "not_finished"


def check_resumed(stored: Stored, ledger: Ledger) -> int:
    """Resumed responses whose first-page answers, given before the crashes, are not the ones stored."""
    wrong = 0
    for marker, how in ledger.responses.items():
        if how.startswith("resumed"):
            ident = "d-" + marker[2:]
            answers = stored.response_notes.get(ident, {})
            wrong += answers.get("remark") != marker or str(answers.get("mood")) != ledger.drafts[ident]
    return wrong


# -- the run ------------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Clients run throughout; the server is killed ``args.kills`` times and restarted on the same file."""
    rng = random.Random(args.seed)
    (workdir / "surveys").mkdir()
    (workdir / "surveys" / f"{SURVEY_ID}.yaml").write_text(SURVEY_YAML, encoding="utf-8")
    db_path = workdir / "db" / "responses.db"
    port, log = serving.free_port(), workdir / "server.log"
    ledger, stop, give_up = Ledger(), threading.Event(), threading.Event()
    server = start_server(workdir, port, args.workers, log)
    startups = [wait_until_ready(server)]
    threads = [
        threading.Thread(target=client, args=(port, rng.randrange(2**32), ledger, stop, give_up), daemon=True)
        for _ in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    after_kill = []
    try:
        for number in range(1, args.kills + 1):
            time.sleep(rng.uniform(args.min_gap, args.max_gap))
            serving.kill(server)  # master and every worker at once; none left to touch the file
            responses, drafts = ledger.acknowledged()  # all sent before the kill, so committed before it
            copy = snapshot(db_path, workdir / f"after-kill-{number}")
            after_kill.append(judge(read_database(copy), responses, drafts))
            server = start_server(workdir, port, args.workers, log)
            startups.append(wait_until_ready(server))
        time.sleep(args.max_gap)
        stop.set()  # no new respondent; those in hand finish (the server is up)
        for thread in threads:
            thread.join(args.timeout)
        give_up.set()
        resumed = resume_abandoned(port, ledger, args.resume_limit)
    finally:
        stop.set()
        give_up.set()
        serving.stop(server)  # graceful, so the final check reads a closed file
    final_responses, final_drafts = ledger.acknowledged()
    stored = read_database(db_path)
    final = judge(stored, final_responses, final_drafts)
    return {
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "kills": args.kills,
        "respondents_started": ledger.started,
        "acknowledged_by": dict(Counter(ledger.responses.values())),
        "final": final,
        "after_kill": after_kill,
        "resumed": {**resumed, "wrong_answers": check_resumed(stored, ledger)},
        "abandoned": len(ledger.abandoned),
        "resent_requests": ledger.resent,
        "no_answer": dict(ledger.no_answer),
        "errors": dict(ledger.errors),
        "unexpected": dict(ledger.unexpected),
        "startup_seconds": [round(s, 2) for s in startups],
        "server_log": serving.log_tail(log) if ledger.errors or ledger.unexpected else "",
    }


def verdict(report: dict[str, Any]) -> list[str]:
    """Every broken promise, in words; empty when the proof holds."""
    broken = []
    for name, figures in [("final", report["final"])] + [
        (f"after kill {n}", f) for n, f in enumerate(report["after_kill"], 1)
    ]:
        if figures["integrity"] != "ok":
            broken.append(f"{name}: integrity_check says {figures['integrity']!r}")
        for key in ("lost", "duplicated", "drafts_lost"):
            if figures[key]:
                broken.append(f"{name}: {figures[key]} {key.replace('_', ' ')}")
    if report["errors"]:
        broken.append(f"HTTP errors: {report['errors']}")
    if report["unexpected"]:
        broken.append(f"unexpected answers: {report['unexpected']}")
    resumed = report["resumed"]
    if resumed["wrong_answers"] or resumed.get("finished", 0) != resumed.get("tried", 0):
        broken.append(f"resuming after the crashes failed: {resumed}")
    return broken


def print_report(report: dict[str, Any]) -> None:
    final = report["final"]
    print(f"kills (SIGKILL to the whole process group): {report['kills']}")
    print(f"respondents started: {report['respondents_started']}, requests sent again: {report['resent_requests']}")
    print(f"responses acknowledged: {final['acknowledged']} {report['acknowledged_by']}")
    print(f"responses stored: {final['stored']} (of which never acknowledged: {final['unacknowledged_stored']})")
    print(f"lost: {final['lost']}, stored twice: {final['duplicated']}")
    print(f"first pages acknowledged: {final['drafts_acknowledged']}, lost: {final['drafts_lost']}")
    print(f"respondents resuming after the last restart: {report['resumed']}")
    for number, figures in enumerate(report["after_kill"], 1):
        print(
            f"after kill {number}: {figures['acknowledged']} acknowledged, {figures['lost']} lost, "
            f"{figures['drafts_lost']} of {figures['drafts_acknowledged']} first pages lost, "
            f"integrity {figures['integrity']}"
        )
    print(f"integrity_check at the end: {final['integrity']}")
    print(f"no answer while the server was down: {report['no_answer']}")
    print(f"server start-up seconds: {report['startup_seconds']}")
    if report["server_log"]:
        print(f"--- server log (tail) ---\n{report['server_log']}", file=sys.stderr)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Crash proof: kill the real app with SIGKILL at random moments, check nothing acknowledged is lost.",
        epilog="Exit status: 0 when every promise held; 1 when one broke; 2 on a start-up problem.",
    )
    parser.add_argument("--kills", type=int, default=3, help="how many times the server is killed (default 3)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent respondents (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--min-gap", type=float, default=1.0, help="least seconds of traffic before a kill")
    parser.add_argument("--max-gap", type=float, default=3.0, help="most seconds of traffic before a kill")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random moments and answers")
    parser.add_argument(
        "--resume-limit", type=int, default=1000, help="abandoned respondents brought back at the end (default 1000)"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a client may take to finish at the end")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, server log)")
    args = parser.parse_args(argv)
    if args.kills < 1 or args.clients < 1 or args.workers < 1 or not 0 < args.min_gap <= args.max_gap:
        parser.error("--kills, --clients and --workers must be positive, and 0 < --min-gap <= --max-gap")
    if args.seed is None:
        args.seed = random.randrange(2**32)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="coresp-crash-"))
    try:
        print(f"seed {args.seed}, {args.clients} clients, {args.workers} workers, {args.kills} kills", flush=True)
        try:
            report = run(args, workdir)
        except RuntimeError as problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        print_report(report)
        broken = verdict(report)
        report["broken"] = broken
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n")
        for line in broken:
            print(f"BROKEN: {line}")
        print("every promise held" if not broken else f"{len(broken)} promise(s) broken")
        return 1 if broken else 0
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
