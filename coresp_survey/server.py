"""Gunicorn, started from our own command line with the app factory."""

from __future__ import annotations

from pathlib import Path

from gunicorn.app.base import BaseApplication
from werkzeug.middleware.shared_data import SharedDataMiddleware

SITE_PATH = "/site"
"""Where `demo` serves the published site beside the forms."""


class Server(BaseApplication):
    def __init__(self, options: dict, published: Path | None = None) -> None:
        self.options = options
        self.published = published
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        app = create_app()
        if self.published is not None:
            app.wsgi_app = SharedDataMiddleware(app.wsgi_app, {SITE_PATH: str(self.published)}, cache=False)
        return app


def run(host: str, port: int, workers: int, published: Path | None = None) -> None:
    """Serve until stopped; with ``published``, also that site folder under `SITE_PATH` (for the demo).

    No access log: it would record addresses and browsers.
    """
    Server({
        "bind": f"{host}:{port}",
        "workers": workers,
        "accesslog": None,
        "errorlog": "-",
        "timeout": 60,
        "graceful_timeout": 10,
        "limit_request_line": 8190,
    }, published).run()  # fmt: skip
