"""The schema of both files: their migrations, in the order they were written.

A migration's name is recorded in every database it ran on
(``_sqlite_migrations``): never rename one, never change what a migration that
has landed does; a change of schema is a new migration at the end, with its
own fixture (tests/fixtures/README.md). `coresp_survey.answers.database` runs
them (`database.prepare`).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("coresp_survey")
"""The responses database's schema."""
code_migrations = Migrations("coresp_survey_codes")
"""The codes file's schema."""


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE drafts (
            key TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open',
            group_id TEXT,
            code_hash TEXT,
            answers TEXT NOT NULL DEFAULT '{}',
            updated TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            round TEXT NOT NULL,
            group_id TEXT,
            lang TEXT NOT NULL,
            submitted TEXT NOT NULL,
            source TEXT NOT NULL,
            answers TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX responses_by_survey ON responses (survey, round, group_id);
        CREATE TABLE codes (
            hash TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            group_id TEXT,
            issued TEXT NOT NULL,
            used INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE INDEX codes_by_survey ON codes (survey, group_id);
        """
    )


@migrations()
def m002_workspace(db: Database) -> None:
    """The coordination group's work: moderation of open answers, its log, login failures, site builds.

    A moderation row is keyed by the response's random id and the question: it
    says nothing about who answered. Decisions keep their time (the
    coordination group's work, not the respondents').
    """
    db.executescript(
        """
        CREATE TABLE moderation (
            response_id TEXT NOT NULL,
            question TEXT NOT NULL,
            survey TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            redacted TEXT,
            families TEXT NOT NULL DEFAULT '[]',
            decided TEXT NOT NULL,
            PRIMARY KEY (response_id, question)
        ) WITHOUT ROWID;
        CREATE INDEX moderation_by_survey ON moderation (survey, status);
        CREATE TABLE decisions (
            id TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            response_id TEXT NOT NULL,
            question TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX decisions_by_answer ON decisions (response_id, question, at);
        CREATE TABLE login_failures (
            id TEXT PRIMARY KEY,
            at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE builds (
            id TEXT PRIMARY KEY,
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL,
            message TEXT NOT NULL DEFAULT ''
        ) WITHOUT ROWID;
        """
    )


@migrations()
def m003_codes_apart(db: Database) -> None:
    """Move the invitation codes out of the responses database (they sat beside the drafts' answers).

    Codes are copied into the codes file, used flags kept. Each open draft that
    held an unused code's hash now holds ``code_ok`` instead, and the code is
    marked used (a code is now spent when the first page accepts it). Two open
    drafts holding the same code: the one saved last wins, then the smaller
    key; the others keep their answers and are asked for a code again, as is a
    draft whose code another browser has used since. Then the codes table and
    the hashes go. Re-running after a crash between the codes file's commit and
    this one gives the same result: the winners are read from this database,
    which is unchanged until this transaction commits.
    """
    winners = _drafts_keeping_their_code(db)
    _copy_codes(db, spent=set(winners.values()))
    db.execute("ALTER TABLE drafts ADD COLUMN code_ok INTEGER NOT NULL DEFAULT 0")
    db.conn.executemany("UPDATE drafts SET code_ok = 1 WHERE key = ?", [(key,) for key in winners])
    db.execute("DROP TABLE codes")
    db.execute("ALTER TABLE drafts DROP COLUMN code_hash")


def _drafts_keeping_their_code(db: Database) -> dict[str, str]:
    """draft key → code hash: per unused code, the open draft that keeps it (saved last, then smaller key)."""
    rows = db.execute(
        """
        SELECT d.key, d.code_hash FROM drafts AS d JOIN codes AS c ON c.hash = d.code_hash AND c.survey = d.survey
        WHERE d.state = 'open' AND c.used = 0
        ORDER BY d.code_hash, d.updated DESC, d.key
        """
    ).fetchall()
    winners: dict[str, str] = {}
    kept: set[str] = set()
    for key, code_hash in rows:
        if code_hash not in kept:
            winners[key] = code_hash
            kept.add(code_hash)
    return winners


def _copy_codes(db: Database, spent: set[str]) -> None:
    """Every code of the responses database into the codes file (its own commit), used or ``spent`` marked used.

    The codes file is prepared before this database (`database.prepare`).
    """
    from coresp_survey.answers import database  # here, not above: database imports this module to run it

    landed = db.execute("SELECT hash, survey, group_id, issued, used FROM codes").fetchall()
    codes = database.connect_codes(database.main_file(db))
    try:
        with database.write(codes):
            codes.conn.executemany(
                """
                INSERT INTO codes (hash, survey, group_id, issued, used) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (hash) DO UPDATE SET used = max(used, excluded.used)
                """,
                [(h, survey, group, issued, int(used or h in spent)) for h, survey, group, issued, used in landed],
            )
    finally:
        codes.close()


@migrations(transactional=False)
def m004_scrub_codes(db: Database) -> None:
    """Leave no old page image of a code's hash: rewrite the file (VACUUM), then empty its WAL.

    Dropped rows and columns stay readable in free pages and in the WAL's old
    frames until the file is rewritten and the WAL reset (RELIABILITY.md).
    Runs outside a transaction; two workers may both run it, to the same end.
    """
    from coresp_survey.answers import database  # here, not above: database imports this module to run it

    db.execute("VACUUM")
    database.empty_wal(db)


@migrations()
def m005_survey_versions(db: Database) -> None:
    """The survey file as it was when each round's answers were collected.

    Several versions per survey × round (a file corrected mid-round); the
    highest ``version`` is the round's definition. ``source`` holds the file's
    bytes in its ``format`` ("yaml" for now), ``saved`` only the day.
    """
    db.executescript(
        """
        CREATE TABLE survey_versions (
            survey TEXT NOT NULL,
            round TEXT NOT NULL,
            version INTEGER NOT NULL,
            format TEXT NOT NULL,
            source BLOB NOT NULL,
            digest TEXT NOT NULL,
            saved TEXT NOT NULL,
            PRIMARY KEY (survey, round, version)
        ) WITHOUT ROWID;
        """
    )


@migrations()
def m006_accounts(db: Database) -> None:
    """Named accounts of the workspace, login throttling per account, and who made each decision and build.

    ``accounts``: a login, its role, the surveys it may see (a JSON list; an
    admin sees all), its Argon2 password hash (NULL for the built-in ``admin``,
    whose password is ``CORESP_ADMIN_PASSWORD`` and is never stored) and
    ``session``, a random value every login's cookie must match: replacing it
    ends that account's sessions on every worker. ``login_throttle`` counts the
    failures per login tried, known or not, under a hash of the login (a
    password typed into the login field is never kept in clear).
    ``login_failures`` stays the count of recent failures of every login (the
    global ceiling). Decisions and builds made before this migration name no
    login (NULL): the shared password named nobody.
    """
    db.executescript(
        """
        CREATE TABLE accounts (
            login TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            surveys TEXT NOT NULL DEFAULT '[]',
            password_hash TEXT,
            session TEXT NOT NULL,
            created TEXT NOT NULL,
            changed TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE login_throttle (
            login_key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failure REAL NOT NULL,
            retry_at REAL NOT NULL
        ) WITHOUT ROWID;
        ALTER TABLE moderation ADD COLUMN decided_by TEXT;
        ALTER TABLE decisions ADD COLUMN login TEXT;
        ALTER TABLE builds ADD COLUMN login TEXT;
        ALTER TABLE builds ADD COLUMN surveys TEXT;
        """
    )


@migrations()
def m007_action_plans(db: Database) -> None:
    """The survey's action plans: actions, the indicators they aim at, commitments, progress notes, and a log.

    Texts are JSON objects with one text per language. ``baseline`` NULL means
    "the latest round collected before ``starts``" (`figures.effects`). Every
    change to an action is logged with its time and, once logins are named,
    its author (``author`` NULL: the workspace's shared password); the log
    outlives a deleted action. Nothing here is about respondents.
    """
    db.executescript(
        """
        CREATE TABLE actions (
            survey TEXT NOT NULL,
            id TEXT NOT NULL,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            starts TEXT NOT NULL,
            ends TEXT,
            status TEXT NOT NULL,
            baseline TEXT,
            PRIMARY KEY (survey, id)
        ) WITHOUT ROWID;
        CREATE TABLE action_indicators (
            survey TEXT NOT NULL,
            action TEXT NOT NULL,
            indicator TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (survey, action, indicator)
        ) WITHOUT ROWID;
        CREATE TABLE action_commitments (
            survey TEXT NOT NULL,
            action TEXT NOT NULL,
            position INTEGER NOT NULL,
            group_id TEXT,
            party TEXT,
            does TEXT NOT NULL,
            PRIMARY KEY (survey, action, position)
        ) WITHOUT ROWID;
        CREATE TABLE action_updates (
            id TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            action TEXT NOT NULL,
            day TEXT NOT NULL,
            position INTEGER NOT NULL,
            text TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX action_updates_by_action ON action_updates (survey, action, day, position);
        CREATE TABLE action_changes (
            id TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            action TEXT NOT NULL,
            at TEXT NOT NULL,
            author TEXT,
            change TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        ) WITHOUT ROWID;
        CREATE INDEX action_changes_by_action ON action_changes (survey, action, at);
        """
    )


@migrations()
def m008_group_sessions(db: Database) -> None:
    """Group sessions recorded by the coordination group, and the criteria their participants wrote.

    A session names its group, day and number of participants, never a
    person; ``label`` is the coordinators' own name for it ("3B, morning"),
    ``recorded_by`` the login that recorded it. Each criterion has a random id
    (``s-`` and a token) which is its key in ``moderation`` (``response_id``),
    the open question it answers and the language it was written in;
    ``position`` keeps the order it was typed in. ``session_log`` keeps who
    recorded, changed or deleted each session, and when (the coordination
    group's work, as the decisions' log does; NULL: the command line).
    """
    db.executescript(
        """
        CREATE TABLE group_sessions (
            id TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            "group" TEXT NOT NULL,
            label TEXT NOT NULL DEFAULT '',
            date TEXT NOT NULL,
            participants INTEGER NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            recorded_by TEXT,
            recorded TEXT NOT NULL,
            changed TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX group_sessions_by_survey ON group_sessions (survey, date);
        CREATE TABLE session_criteria (
            id TEXT PRIMARY KEY,
            session TEXT NOT NULL REFERENCES group_sessions (id),
            question TEXT NOT NULL,
            lang TEXT NOT NULL,
            text TEXT NOT NULL,
            position INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX session_criteria_by_session ON session_criteria (session, position);
        CREATE TABLE session_log (
            id TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            session TEXT NOT NULL,
            action TEXT NOT NULL,
            login TEXT,
            at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX session_log_by_session ON session_log (session, at);
        """
    )


@migrations()
def m009_criteria_links(db: Database) -> None:
    """Criteria linked to the survey's indicators, and criteria a moderator marked as the same.

    ``criteria_links``: one row per criterion (``response_id`` and
    ``question``, as in ``moderation``: a session's criterion uses its own id)
    and indicator it is linked to, with when and by whom. ``criteria_same``:
    a criterion published as another one (``same_response_id``,
    ``same_question``), worded differently but meaning the same; the marks
    point to one criterion, never along a chain. Both say nothing about who
    answered.
    """
    db.executescript(
        """
        CREATE TABLE criteria_links (
            response_id TEXT NOT NULL,
            question TEXT NOT NULL,
            indicator TEXT NOT NULL,
            survey TEXT NOT NULL,
            linked TEXT NOT NULL,
            linked_by TEXT,
            PRIMARY KEY (response_id, question, indicator)
        ) WITHOUT ROWID;
        CREATE INDEX criteria_links_by_survey ON criteria_links (survey, indicator);
        CREATE TABLE criteria_same (
            response_id TEXT NOT NULL,
            question TEXT NOT NULL,
            survey TEXT NOT NULL,
            same_response_id TEXT NOT NULL,
            same_question TEXT NOT NULL,
            marked TEXT NOT NULL,
            marked_by TEXT,
            PRIMARY KEY (response_id, question)
        ) WITHOUT ROWID;
        CREATE INDEX criteria_same_by_survey ON criteria_same (survey);
        """
    )


@code_migrations()
def c001_codes(db: Database) -> None:
    """One row per invitation code: its hash, survey, group, day issued and whether it was used; nothing else."""
    db.executescript(
        """
        CREATE TABLE codes (
            hash TEXT PRIMARY KEY,
            survey TEXT NOT NULL,
            group_id TEXT,
            issued TEXT NOT NULL,
            used INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE INDEX codes_by_survey ON codes (survey, group_id);
        """
    )
