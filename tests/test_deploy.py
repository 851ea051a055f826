"""Deployment as people do it: Debian's nginx, with ``deploy/nginx-coresp-survey.conf``, in front of ``serve``.

The site file is used as shipped, but for what a test must change: loopback
ports, a self-signed certificate made here, the test's folders. Checked
through real HTTPS: the session cookie is Secure, HTTP is sent to HTTPS, the
published site and the app's pages are compressed, hashed assets are cached
for a year and pages revalidated, slow clients wait in nginx while
respondents get through, and no log holds a client's address.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from helpers import CSRF
from helpers import ROOT
from serving import free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="Debian's nginx is missing (scripts/test.sh installs it)"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is missing"),
]

SITE_CONF = ROOT / "deploy" / "nginx-coresp-survey.conf"
COMMAND = Path(sys.executable).with_name("coresp-survey")
SLOW_CLIENTS = 40
"""More than the threads of the one gunicorn worker (16): held there, they would leave no thread to anyone."""


@dataclass
class Front:
    https: int
    http: int
    context: ssl.SSLContext
    logs: Path

    def request(self, method: str, path: str, headers: dict | None = None, body: str | None = None):
        connection = http.client.HTTPSConnection("127.0.0.1", self.https, context=self.context, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made now."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def site_conf(app_port: int, https: int, http_port: int, cert: Path, key: Path, site: Path, logs: Path) -> str:
    """The shipped site file, with this test's ports, certificate, site folder and log folder."""
    text = SITE_CONF.read_text(encoding="utf-8")
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "/etc/letsencrypt/live/survey.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/survey.example.org/privkey.pem": str(key),
        "/var/www/coresp-survey/site/": f"{site}/",
        "/var/log/nginx/": f"{logs}/",
    }
    for old, new in replacements.items():
        assert old in text, f"{SITE_CONF.name} no longer has {old!r}: update this test"
        text = text.replace(old, new)
    return text


def main_conf(folder: Path, logs: Path, site_file: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf gives a site, in the test's folder; its own logs at "info", to catch leaks."""
    user = "user root;" if os.geteuid() == 0 else ""  # the workers must read the test's private folders
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {logs}/main-error.log info;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {logs}/main-access.log;
{temp}
    include {site_file};
}}
"""


@contextmanager
def nginx(folder: Path, site_text: str, logs: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    site_file = folder / "coresp-survey.conf"
    site_file.write_text(site_text, encoding="utf-8")
    conf = folder / "nginx.conf"
    conf.write_text(main_conf(folder, logs, site_file), encoding="utf-8")
    checked = subprocess.run(["nginx", "-t", "-c", str(conf)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    output = folder / "nginx.out"
    with output.open("w") as sink:
        process = subprocess.Popen(["nginx", "-c", str(conf)], stdout=sink, stderr=sink, stdin=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful stop
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listens on {port}")


@pytest.fixture(scope="module")
def front(tmp_path_factory) -> Iterator[Front]:
    from web.test_server import serving

    folder = tmp_path_factory.mktemp("deploy")
    logs = folder / "logs"
    logs.mkdir()
    cert, key = certificate(folder)
    with serving(folder / "app", "--workers", "1") as app:
        built = subprocess.run(
            [str(COMMAND), "--surveys", str(folder / "app" / "surveys"), "--db", str(folder / "app" / "responses.db"),
             "build", "--out", str(folder / "site"), "--no-pdf"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert built.returncode == 0, built.stderr
        https, http_port = free_port(), free_port()
        text = site_conf(app.port, https, http_port, cert, key, folder / "site", logs)
        with nginx(folder / "nginx", text, logs):
            wait_for(https)
            context = ssl.create_default_context(cafile=str(cert))
            yield Front(https, http_port, context, logs)
            front_logs = {path.name: path.read_text(errors="replace") for path in logs.iterdir()}
        app_log = app.log.read_text(errors="replace")
    # After everything (slow clients, a broken handshake): no log of nginx nor of the app names a client.
    app_log = "\n".join(line for line in app_log.splitlines() if not line.startswith("Serving on "))  # its own
    for name, text in {**front_logs, "serve.log": app_log}.items():
        assert "127.0.0.1" not in text, f"{name} names a client address:\n{text[-3000:]}"
    assert front_logs.get("main-access.log", "") == ""  # the site turns the access log off


def answer_mini(front: Front) -> tuple[int, str, list[str]]:
    """A whole response to the test survey over HTTPS, as a browser sends it (cookie, Referer); the last status."""
    cookies: dict[str, str] = {}
    set_cookies: list[str] = []
    base = f"https://127.0.0.1:{front.https}"

    def send(method: str, path: str, data: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Referer": base + path}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response, body = front.request(method, path, headers, urlencode(data) if data else None)
        for header in response.headers.get_all("Set-Cookie") or []:
            set_cookies.append(header)
            name, _, value = header.split(";", 1)[0].partition("=")
            cookies[name.strip()] = value
        return response, body.decode()

    status, location = 0, ""
    for path, answers in [("/en/mini/", {"group": "parents", "mood": "4", "age": "40"}), ("/en/mini/page/last/", {})]:
        _, page = send("GET", path)
        response, _ = send("POST", path, {"csrf_token": CSRF.search(page).group(1), "_nav": "next", **answers})
        status, location = response.status, response.headers.get("Location") or ""
    return status, location, set_cookies


def test_over_https_the_session_cookie_is_secure_and_a_response_goes_through(front):
    status, location, cookies = answer_mini(front)
    assert (status, location) == (303, "/en/mini/thanks/")
    assert cookies and all("Secure" in cookie and "HttpOnly" in cookie for cookie in cookies)


def test_plain_http_is_sent_to_https(front):
    connection = http.client.HTTPConnection("127.0.0.1", front.http, timeout=30)
    connection.request("GET", "/fr/", headers={"Host": f"127.0.0.1:{front.http}"})
    response = connection.getresponse()
    assert response.status == 301 and response.headers["Location"].startswith("https://")
    connection.close()


def test_the_published_site_and_the_app_are_compressed(front):
    for path in ("/site/fr/index.html", "/fr/"):
        response, body = front.request("GET", path, {"Accept-Encoding": "gzip"})
        assert response.status == 200, path
        assert response.headers["Content-Encoding"] == "gzip", path
        assert b"<html" in gzip.decompress(body), path


def test_hashed_assets_are_cached_for_a_year_and_pages_revalidated(front):
    response, body = front.request("GET", "/site/fr/index.html")
    assert response.headers["Cache-Control"] == "no-cache" and response.headers["ETag"]
    stylesheet = re.search(rb'href="\.\./(assets/site\.[0-9a-f]{12}\.css)"', body).group(1).decode()
    response, _ = front.request("GET", f"/site/{stylesheet}", {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip" and response.headers["Content-Type"].startswith("text/css")
    for path in ("/site/fr/index.html", f"/site/{stylesheet}", "/fr/"):  # nginx's add_header is not inherited
        assert front.request("GET", path)[0].headers["Strict-Transport-Security"] == "max-age=31536000", path


def test_slow_clients_wait_in_nginx_while_respondents_get_through(front):
    """Forty clients sending half a request, to more than the worker's 16 threads: a respondent still answers."""
    slow = []
    for k in range(SLOW_CLIENTS):
        client = front.context.wrap_socket(
            socket.create_connection(("127.0.0.1", front.https), timeout=30), server_hostname="127.0.0.1"
        )
        head = (f"POST /en/mini/ HTTP/1.1\r\nHost: 127.0.0.1:{front.https}\r\nContent-Length: 1000\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n\r\ngroup=paren")  # fmt: skip
        client.sendall(head.encode() if k % 2 else head.split("\r\n", 2)[0].encode())  # half a body, or half a head
        slow.append(client)
    try:
        for _ in range(3):
            assert answer_mini(front)[:2] == (303, "/en/mini/thanks/")
        still_waiting = 0
        for client in slow:
            client.setblocking(False)
            try:
                still_waiting += client.recv(1) != b""
            except (BlockingIOError, ssl.SSLWantReadError):
                still_waiting += 1  # nothing sent back: nginx still holds it
        assert still_waiting == SLOW_CLIENTS
    finally:
        for client in slow:
            client.close()


def test_a_broken_handshake_is_not_logged_with_its_address(front):
    with socket.create_connection(("127.0.0.1", front.https), timeout=10) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # plain HTTP to the TLS port
        client.recv(1024)
    # The logs are read when the module's servers stop (the front fixture).
