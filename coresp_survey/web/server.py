"""Gunicorn, started from our own command line with the app factory.

What the settings promise (see README, "Running it for real"):

- No client address is ever written. There is no access log, and gunicorn's
  error log (which names the client of a malformed request, "Invalid request
  from ip=…") goes through `PrivateLogger`, which blanks every IP address in
  every message, the server's own included (the command says where it
  listens).
- Threaded workers (``gthread``): a connection that sends nothing or half a
  request holds one thread, not a whole worker, so a few idle or slow clients
  cannot block the server. Many slow clients still can: a buffering reverse
  proxy in front is still needed (README). The app keeps one database
  connection per thread (`database.get_db`).
- No control socket: gunicorn 27 opens one per user by default
  (``~/.gunicorn/gunicorn.ctl``), and two instances of the same user would
  take it from each other.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from werkzeug.middleware.shared_data import SharedDataMiddleware

SITE_PATH = "/site"
"""Where `demo` serves the published site beside the forms."""
WORKER_CLASS = "gthread"
THREADS = 16
"""Threads per worker. A connection that sends nothing holds one for gunicorn's data timeout (5 s), one that
sends half a request until its client goes: 16 keep a dozen such connections from delaying anyone, even
when (as measured) one worker accepts them all."""
HIDDEN_ADDRESS = "[address hidden]"
IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
IPV6_CANDIDATE = re.compile(r"[0-9A-Fa-f]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")
"""A run of hex digits, colons and dots with at least two colons; only valid IPv6 addresses are hidden."""
APP_LOGGER = "coresp_survey"


def hide_addresses(text: str) -> str:
    """``text`` with every IPv4 or IPv6 address replaced by `HIDDEN_ADDRESS`."""
    text = IPV6_CANDIDATE.sub(lambda match: _hidden_if_ipv6(match.group()), text)
    return IPV4.sub(HIDDEN_ADDRESS, text)


def _hidden_if_ipv6(candidate: str) -> str:
    try:
        ipaddress.IPv6Address(candidate.split("%")[0])
    except ValueError:
        return candidate  # a time such as 12:30:05, or anything else that is not an address
    return HIDDEN_ADDRESS


class AddressFilter(logging.Filter):
    """Rewrites each record, message and traceback alike, so no handler can write an address."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = hide_addresses(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = hide_addresses(record.exc_text)
        if record.stack_info:
            record.stack_info = hide_addresses(record.stack_info)
        return True


class PrivateLogger(Logger):
    """Gunicorn's logger with `AddressFilter` on every handler; the app's own log goes through them too."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            if not any(isinstance(existing, AddressFilter) for existing in handler.filters):
                handler.addFilter(AddressFilter())
        app_log = logging.getLogger(APP_LOGGER)
        app_log.handlers = list(self.error_log.handlers)  # Flask then adds no handler of its own
        app_log.propagate = False

    def access(self, resp, req, environ, request_time) -> None:
        """Never an access log, whatever the configuration says: it would record addresses and browsers."""


class Server(BaseApplication):
    def __init__(self, options: dict, published: Path | None = None) -> None:
        self.options = options
        self.published = published
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from coresp_survey import create_app

        app = create_app()
        if self.published is not None:
            app.wsgi_app = SharedDataMiddleware(app.wsgi_app, {SITE_PATH: str(self.published)}, cache=False)
        return app


def options(host: str, port: int, workers: int) -> dict:
    """Gunicorn's settings for `serve` and `demo` (bench/load.py starts both its targets with the same)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": WORKER_CLASS,
        "threads": THREADS,
        "accesslog": None,
        "errorlog": "-",
        "logger_class": PrivateLogger,
        "control_socket_disable": True,
        "timeout": 60,
        "graceful_timeout": 10,
        "limit_request_line": 8190,
    }


def run(host: str, port: int, workers: int, published: Path | None = None) -> None:
    """Serve until stopped; with ``published``, also that site folder under `SITE_PATH` (for the demo)."""
    Server(options(host, port, workers), published).run()
