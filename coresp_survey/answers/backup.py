"""``backup``: a consistent copy of both database files, safe to take while the app is answering, checked before done.

A backup ``FILE`` is two files named as the app names its own: ``FILE`` holds
the responses database and ``config.codes_database(FILE)`` (``FILE``'s
``-codes`` sibling: ``backup.db`` → ``backup-codes.db``) the invitation codes'
file. So a backup is restored by copying both back under the app's names, or
served as it is by pointing ``CORESP_DB`` at ``FILE``.

Each file is copied by SQLite's online backup from one snapshot: writes that
come meanwhile wait for nothing and are simply not in the copy. The
responses come first, then the codes: a code that a copied draft accepted was
spent before that draft was saved, so it is spent in the copied codes too (a
code spent after the responses' snapshot is spent in the copy without its
draft, as when a server dies between the two: its respondent asks for a new
one). Never the other way, which could restore a started code as unused.

Each copy is one self-contained file (rollback journal, whatever the
source's mode), checked before the command says it is done: SQLite's
``integrity_check``, and every table holding exactly the rows counted in the
snapshot that was copied.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from coresp_survey.answers import database


class BackupFailed(Exception):
    """A copy did not check out; the message says which and why (nothing is left in place of the backup)."""


@dataclass(frozen=True)
class Copied:
    """One file copied and checked: where from, and the rows of each of its tables."""

    source: Path
    counts: dict[str, int]


def back_up(source: Path, target: Path) -> Copied:
    """Copy the database file ``source`` into ``target`` (a new or empty file) and check the copy.

    ``target`` ends as a database in rollback-journal mode, with no file
    beside it; `BackupFailed` if SQLite finds it damaged or a table's rows
    differ from those counted in the copied snapshot.
    """
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        counts = database.copy_into(source, copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # the source's WAL mode would come with its pages
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        copied = database.table_counts(copy)
    finally:
        copy.close()
    if problems != ["ok"]:
        raise BackupFailed(f"the copy of {source} is damaged: {'; '.join(problems[:3])}")
    if copied != counts:
        differ = sorted(name for name in counts.keys() | copied.keys() if counts.get(name) != copied.get(name))
        raise BackupFailed(
            f"the copy of {source} does not hold the rows it was copied with (tables {', '.join(differ)})"
        )
    return Copied(source, counts)
