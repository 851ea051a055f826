"""Gunicorn, started from our own command line with the app factory."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class Server(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app()


def run(host: str, port: int, workers: int) -> None:
    """Serve until stopped. No access log: it would record addresses and browsers."""
    Server({
        "bind": f"{host}:{port}",
        "workers": workers,
        "accesslog": None,
        "errorlog": "-",
        "timeout": 60,
        "graceful_timeout": 10,
        "limit_request_line": 8190,
    }).run()  # fmt: skip
