"""Files the commands write for people (``export --out``, ``codes --pdf``…): never an app's file, never half-written.

Two promises (PRODUCT.md, "Privacy and data promises"):

- No command writes over the database or another file the app owns. A path is
  refused when, once symlinks are resolved, it is the database or one of the
  files SQLite keeps beside it, the invitation codes' file, the secret key, a
  file in the surveys folder or in the published site (or the site's build
  lock and staging folders); a hard link to one of them is recognised by
  ``os.path.samefile``. Writing the export over ``responses.db-shm``, which
  every open connection maps in memory, would even crash the server.
- A failed write leaves the previous file whole: the output is written to a
  temporary file in the same folder, flushed to disk, then renamed over the
  target (``os.replace`` is atomic within a file system). Files that hold
  answers or codes are created readable by their owner only.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from coresp_survey import config

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
"""What SQLite keeps beside a database file: the WAL, its shared-memory index, the rollback journal."""


class OutputRefused(Exception):
    """The path is one of the app's own files; the message says which and what to do, in one line."""


@dataclass(frozen=True)
class AppFiles:
    """Where the app keeps what it owns, as the configuration names it."""

    database: Path
    surveys: Path
    site: Path

    @classmethod
    def from_settings(cls, settings: Mapping) -> AppFiles:
        """From `config.from_environment()` (or a Flask app's config)."""
        return cls(Path(settings["DATABASE"]), Path(settings["SURVEYS_DIR"]), Path(settings["SITE_DIR"]))

    def named_files(self) -> list[tuple[Path, str]]:
        """Each file the app owns by name, with what to call it in a refusal."""
        codes = config.codes_database(self.database)
        named = [(self.database, "the database")]
        named += [(Path(f"{self.database}{side}"), f"the database's {side[1:]} file") for side in SQLITE_SIDE_FILES]
        named += [(codes, "the invitation codes' database")]
        named += [(Path(f"{codes}{side}"), f"the codes database's {side[1:]} file") for side in SQLITE_SIDE_FILES]
        named.append((self.database.parent / config.SECRET_FILE, "the secret key"))
        return named


def check(path: Path, owned: AppFiles) -> Path:
    """The file to write for ``path`` (symlinks resolved); raise OutputRefused if it is one of the app's."""
    target = path.resolve()
    what = _owned_as(target, owned)
    if what is None and target.exists():
        what = _same_file_as(target, owned)
    if what is not None:
        raise OutputRefused(f"{path} is {what}: refusing to write over it; choose another file (nothing was written)")
    if target.is_dir():
        raise OutputRefused(f"{path} is a folder; choose a file name (nothing was written)")
    return target


def _owned_as(target: Path, owned: AppFiles) -> str | None:
    """What ``target`` (resolved) is by its name and place, or None."""
    for path, what in owned.named_files():
        if target == path.resolve():
            return what
    surveys, site = owned.surveys.resolve(), owned.site.resolve()
    if target == surveys or surveys in target.parents:
        return "in the surveys folder"
    if target == site or site in target.parents:
        return "in the published site's folder"
    if target.parent == site.parent and target.name.startswith(f".{site.name}."):
        return "a file the site's build keeps beside it"
    return None


def _same_file_as(target: Path, owned: AppFiles) -> str | None:
    """What ``target`` is when it is another name (a hard link) of one of the app's files, or None."""
    candidates = owned.named_files()
    if owned.surveys.is_dir():
        candidates += [(path, "a survey file") for path in owned.surveys.iterdir() if path.is_file()]
    for path, what in candidates:
        with suppress(OSError):
            if os.path.samefile(target, path):
                return what
    return None


@contextmanager
def replacing(target: Path, *, private: bool) -> Iterator[Path]:
    """Yield a temporary file beside ``target`` to write; it replaces ``target`` only if the block succeeds.

    ``private``: the file holds answers or codes, so it is readable by its
    owner only (0600); otherwise it gets the usual mode the umask allows.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)  # mode 0600
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        if not private:
            temporary.chmod(0o666 & ~_umask())
        _flush_to_disk(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _flush_to_disk(target.parent)


def _flush_to_disk(path: Path) -> None:
    """fsync a file's content, or a folder's entries (the rename), so a power cut leaves old or new, whole."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _umask() -> int:
    """The process's umask (reading it means setting it: commands are single-threaded)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask
