"""The ``coresp-survey`` command: a thin click layer over the modules.

What a command produces goes to standard output; messages go to standard error.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path

import click

from coresp_survey import config
from coresp_survey import i18n
from coresp_survey import outputs
from coresp_survey.answers import database
from coresp_survey.answers import definitions
from coresp_survey.answers import exporting
from coresp_survey.answers import importing
from coresp_survey.answers import responses
from coresp_survey.answers.codes import CodesRefused
from coresp_survey.answers.codes import GroupNeeded
from coresp_survey.answers.codes import check_request
from coresp_survey.answers.codes import issue_codes
from coresp_survey.i18n import CatalogMissing
from coresp_survey.i18n import check_catalogs
from coresp_survey.survey import as_xlsform
from coresp_survey.survey import as_yaml
from coresp_survey.survey import relevant
from coresp_survey.survey import xlsform
from coresp_survey.survey.catalog import check_files
from coresp_survey.survey.catalog import load_catalog
from coresp_survey.survey.loader import ROUND
from coresp_survey.survey.loader import YAML_FORMAT
from coresp_survey.survey.loader import SurveyInvalid
from coresp_survey.survey.loader import read_survey
from coresp_survey.survey.model import Survey
from coresp_survey.workspace import accounts
from coresp_survey.workspace import logins
from coresp_survey.workspace import passwords
from coresp_survey.workspace import session_import
from coresp_survey.workspace import sessions

CONVERT_FORMATS = (YAML_FORMAT, "xlsx")


def say(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--surveys",
    type=click.Path(path_type=Path),
    envvar="CORESP_SURVEYS",
    help="Folder of survey files (CORESP_SURVEYS, default ./surveys).",
)
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    envvar="CORESP_DB",
    help="SQLite database file (CORESP_DB, default ./instance/responses.db).",
)
@click.option(
    "--secret-key",
    envvar="CORESP_SECRET_KEY",
    help="Key signing sessions, at least 32 characters (CORESP_SECRET_KEY; default: made once and kept beside the"
    " database).",
)
@click.option(
    "--admin-password",
    envvar="CORESP_ADMIN_PASSWORD",
    help="Password of the workspace's built-in account 'admin', for a first login (CORESP_ADMIN_PASSWORD).",
)
@click.version_option(package_name="coresp-survey")
def main(surveys: Path | None, db: Path | None, secret_key: str | None, admin_password: str | None) -> None:
    """Bilingual questionnaires from files, answers stored, indicators published."""
    for name, value in [
        ("CORESP_SURVEYS", surveys),
        ("CORESP_DB", db),
        ("CORESP_SECRET_KEY", secret_key),
        ("CORESP_ADMIN_PASSWORD", admin_password),
    ]:
        if value:
            os.environ[name] = str(value)  # gunicorn workers and create_app read the same settings


def check_secret_key() -> None:
    """A ``CORESP_SECRET_KEY`` too short is one line, before any server starts (`create_app` refuses it too)."""
    key = os.environ.get("CORESP_SECRET_KEY")
    if key:
        try:
            config.check_secret_key(key)
        except config.SecretKeyTooShort as short:
            raise click.ClickException(str(short)) from None


def surveys_folder() -> Path:
    return config.from_environment()["SURVEYS_DIR"]


def database_path() -> Path:
    return config.from_environment()["DATABASE"]


def load_surveys() -> dict[str, Survey]:
    try:
        return load_catalog(surveys_folder())
    except SurveyInvalid as invalid:
        for problem in invalid.problems:
            click.echo(str(problem))
        raise click.ClickException(
            f"{len(invalid.problems)} problem(s) in the survey files; nothing was done"
        ) from None


def output_file(path: Path) -> Path:
    """Where to write ``path`` (symlinks resolved), refused in one line if it is one of the app's own files."""
    try:
        return outputs.check(path, outputs.AppFiles.from_settings(config.from_environment()))
    except outputs.OutputRefused as refused:
        raise click.ClickException(str(refused)) from None


@contextmanager
def writing(target: Path, shown: Path) -> Iterator[Path]:
    """A temporary file that replaces ``target`` once written (0600: outputs hold answers or codes).

    A failed write (a full disk) is one line, and the previous file is whole.
    """
    try:
        with outputs.replacing(target, private=True) as temporary:
            yield temporary
    except OSError as error:
        raise click.ClickException(
            f"could not write {shown}: {error.strerror or error}; a previous {shown.name}, if any, is unchanged"
        ) from None


def warn_about_stored_answers(surveys: Iterable[Survey], *, whole_catalog: bool = True) -> None:
    """Say which stored answers no longer fit their round's survey file (`definitions.mismatches`), and, when
    ``surveys`` are the whole catalog, which belong to a survey no file defines any more.

    Reads a copy of the database, and creates nothing: ``validate`` runs on
    authors' machines that may have none (or a file that is no database).
    """
    surveys = list(surveys)
    try:
        db = database.read_only(database_path())
    except database.Unreadable:
        return
    try:
        lines = definitions.survey_warnings(db, surveys)
        if whole_catalog:
            lines += definitions.unknown_survey_warnings(db, [survey.id for survey in surveys])
    finally:
        db.close()
    for line in lines:
        say(line)


def find_survey(survey_id: str) -> Survey:
    surveys = load_surveys()
    if survey_id not in surveys:
        known = ", ".join(sorted(surveys)) or "none"
        raise click.ClickException(f"no survey '{survey_id}' in {surveys_folder()} (known: {known})")
    return surveys[survey_id]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check survey files (default: every file of the surveys folder).

    Prints one line per problem as PATH:LINE: message (a workbook's as
    PATH:SHEET!CELL: message); exits 1 if there is any. Survey files are
    *.yaml, and XLSForm workbooks *.xlsx and *.ods.
    """
    surveys, problems = check_files(list(paths) or [surveys_folder()])  # a missing path is one more problem
    for problem in problems:
        click.echo(str(problem))
    warn_about_stored_answers(surveys, whole_catalog=not paths and not problems)
    if problems:
        say(f"{len(problems)} problem(s) found.")
        sys.exit(1)
    say(f"{len(surveys)} survey(s) valid: {', '.join(s.id for s in surveys) or 'none'}.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Gunicorn worker processes (threaded)."
)
def serve(host: str, port: int, workers: int) -> None:
    """Run the web app under gunicorn, ready to sit behind a reverse proxy."""
    check_secret_key()
    warn_about_stored_answers(load_surveys().values())
    from coresp_survey.web.server import THREADS
    from coresp_survey.web.server import run

    say(f"Serving on http://{host}:{port}/ with {workers} worker(s) of {THREADS} threads; database {database_path()}")
    run(host, port, workers)


@main.command()
@click.argument("survey_id")
@click.option("--group", "group_id", help="The group the codes belong to (one of the survey's groups).")
@click.option("--count", default=1, show_default=True, type=click.IntRange(1, 100_000), help="How many codes to make.")
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write printable invitation slips to this PDF file (8 per A4 page); needs --url.",
)
@click.option("--url", "base_url", help="The forms' public address (https://…), printed on the slips.")
def codes(survey_id: str, group_id: str | None, count: int, pdf_path: Path | None, base_url: str | None) -> None:
    """Make invitation codes for an access: code survey; prints CSV (code,group).

    With --pdf FILE --url https://…, also writes one slip per code to hand out:
    the survey's title and an invitation in each of its languages, the address
    to type (URL/<lang>/<survey>/), the code and the group. Codes are stored
    hashed, in their own file beside the database, so slips can only be
    printed now: without --url nothing is made.
    """
    survey = find_survey(survey_id)
    try:
        check_request(survey, group_id)  # before any file is written
    except GroupNeeded as needed:
        raise click.ClickException(f"--group is needed: one of {', '.join(needed.groups)}") from None
    except CodesRefused as refused:
        raise click.ClickException(str(refused)) from None
    if pdf_path is not None:
        from coresp_survey.publish import slips

        output_file(pdf_path)  # before any code is made: slips can only be printed now
        try:
            check_catalogs()
        except CatalogMissing as missing:
            raise click.ClickException(str(missing)) from None
        if not base_url:
            raise click.UsageError("--pdf needs --url, the forms' public address printed on the slips")
        try:
            slips.base_address(base_url)
        except slips.BadAddress as bad:
            raise click.BadParameter(str(bad), param_hint="--url") from None
    elif base_url:
        say("--url is only used with --pdf; no slips are written.")
    made = make_codes(survey, group_id, count)
    exporting.write_csv([["code", "group"], *([code, group_id or ""] for code in made)], sys.stdout)
    say(f"{len(made)} code(s) made for {survey.id}{' / ' + group_id if group_id else ''}.")
    if pdf_path is not None:
        write_slips(survey, group_id, made, base_url, pdf_path)


def make_codes(survey: Survey, group_id: str | None, count: int) -> list[str]:
    """Make codes in the codes file, once both files are prepared (a landed database migrated first)."""
    database.prepare(database_path()).close()
    codes = database.connect_codes(database_path())
    try:
        return issue_codes(codes, survey=survey, group=group_id, count=count)
    finally:
        codes.close()


def write_slips(survey: Survey, group_id: str | None, made: list[str], base_url: str, pdf_path: Path) -> None:
    from coresp_survey.publish import slips
    from coresp_survey.publish.renderer import shared

    try:
        with outputs.replacing(output_file(pdf_path), private=True) as temporary:
            pages = slips.write_slips(shared(), survey, survey.group(group_id), made, base_url, temporary)
    except OSError as error:
        raise click.ClickException(
            f"the codes were made and printed above, but {pdf_path} could not be written: {error.strerror or error}"
        ) from None
    say(f"{len(made)} slip(s) on {pages} page(s) written to {pdf_path}.")


def round_option(_context: click.Context, _option: click.Parameter, value: str | None) -> str | None:
    """``--round``: a round name as survey files write it."""
    if value is not None and not ROUND.fullmatch(value):
        raise click.BadParameter('a round is a short name such as "2026" (letters, digits, space . _ -)')
    return value


@main.command("import")
@click.argument("survey_id")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--round",
    "new_round",
    callback=round_option,
    help="Accept this round, even if the survey has none of that name yet; rows with an empty round get it.",
)
def import_(survey_id: str, csv_file: Path, new_round: str | None) -> None:
    """Store paper questionnaires typed into a CSV: all rows, or none if any row is wrong.

    The CSV as spreadsheets save it: comma or semicolon separated, UTF-8 (with
    or without a byte-order mark: "CSV UTF-8"). One column per question id
    (multiple choices joined by ';'), <id>_other for "Other" texts, and group;
    optionally round (default: the survey's current round) and submitted (the day answered, YYYY-MM-DD, as
    export writes it; default: today). A row's round must be the current one, a round already stored, or
    the one given with --round; it is checked with the survey file of its round.
    """
    survey = find_survey(survey_id)
    data = csv_file.read_bytes()
    db = database.prepare(database_path())  # import writes: the database is created and migrated first
    definitions.save_current(db, [survey])  # the rows of its current round answer this very file
    known = definitions.load_definitions(db, survey)
    try:
        rows = importing.read_csv(known, data, definitions.COMMAND_LINE_LANGUAGE, new_round)
    except importing.ImportRefused as refused:
        for problem in refused.problems:
            click.echo(f"{csv_file}: {problem}", err=True)
        raise click.ClickException(f"{len(refused.problems)} problem(s); nothing was stored") from None
    new_rounds = sorted({row.round for row in rows} - set(known.saved) - known.answered)
    stored = responses.import_responses(
        db,
        survey=survey.id,
        lang=survey.default_language,
        rows=[(r.round, r.group, r.answers, r.submitted) for r in rows],
        versions=definitions.round_versions(survey, new_rounds),  # a new round was checked with the current file
    )
    say(f"{stored} response(s) stored for {survey.id}.")


@main.command()
@click.argument("survey_id")
@click.option(
    "--import",
    "csv_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV of group sessions' criteria: columns group,session,date,question,lang,text (optional participants).",
)
def criteria(survey_id: str, csv_file: Path) -> None:
    """Store the criteria of group sessions typed into a spreadsheet: all rows, or none if any row is wrong.

    One criterion a row. Rows with the same group, session (its name, may be
    empty) and date (YYYY-MM-DD) are one session; its participants are the
    optional participants column (the same on each of its rows), otherwise its
    number of rows. question is an open question's id, lang one of the
    survey's languages. Comma or semicolon separated, UTF-8. The criteria then
    wait for moderation in the workspace, like online answers.
    """
    survey = find_survey(survey_id)
    words = i18n.language(definitions.COMMAND_LINE_LANGUAGE)
    try:
        found = session_import.read_sessions(survey, csv_file.read_bytes(), words, date.today())
    except session_import.SessionsRefused as refused:
        for problem in refused.problems:
            where = f"{csv_file}:{problem.line}" if problem.line is not None else f"{csv_file}"
            click.echo(f"{where}: {problem.message}", err=True)
        raise click.ClickException(f"{len(refused.problems)} problem(s); nothing was stored") from None
    db = database.prepare(database_path())
    try:
        sessions.record_sessions(db, found, by=None, at=now())
    finally:
        db.close()
    count = sum(len(session["criteria"]) for session in found)
    say(f"{len(found)} session(s), {count} criteria stored for {survey.id}; they wait for moderation.")


@main.command()
@click.argument("survey_id")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: CSV to standard output)."
)
def export(survey_id: str, file_format: str, out: Path | None) -> None:
    """Write every response, one row each, formula-safe, with no code or device detail."""
    survey = find_survey(survey_id)
    if file_format == "xlsx" and out is None:
        raise click.ClickException("--format xlsx needs --out FILE")
    target = output_file(out) if out is not None else None
    try:
        db = database.read_only(database_path())  # export creates, migrates and prunes nothing
    except database.Unreadable as unreadable:
        raise click.ClickException(str(unreadable)) from None
    table = exporting.rows(survey, responses.iter_responses(db, survey.id), responses.answer_keys(db, survey.id))
    if target is None:
        count = exporting.write_csv(table, sys.stdout)
    else:
        with writing(target, out) as temporary:
            if file_format == "xlsx":
                count = exporting.write_xlsx(table, temporary, survey.id)
            else:
                with temporary.open("w", encoding="utf-8", newline="") as stream:
                    count = exporting.write_csv(table, stream)
    say(f"{count} response(s) exported{' to ' + str(out) if out else ''}.")


def converted_format(survey: Survey, out: Path | None) -> str:
    """What ``convert`` writes without --to: the form --out's name says, else the survey's other form."""
    suffix = out.suffix.lower() if out is not None else ""
    if suffix in (".yaml", ".yml"):
        return YAML_FORMAT
    if suffix == ".xlsx":
        return "xlsx"
    return YAML_FORMAT if survey.source is not None and survey.source.format in xlsform.FORMATS else "xlsx"


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--to",
    "target_format",
    type=click.Choice(CONVERT_FORMATS),
    help="The form to write (default: that of --out's name, else the other form: a workbook becomes YAML).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: YAML to standard output; a workbook needs a file).",
)
def convert(file: Path, target_format: str | None, out: Path | None) -> None:
    """Turn a survey file into the other form: a YAML file into an XLSForm workbook, a workbook into YAML.

    The workbook has one column per language side by side (label::Français (fr),
    label::English (en)…), the survey's languages first, then the others empty,
    for a translator to fill: an empty cell a text needs is coloured. Converted
    and converted back, a survey is the same survey. Only a valid file is
    converted: its problems are printed as validate prints them.
    """
    survey, problems = read_survey(file)
    for problem in problems:
        click.echo(str(problem))
    if survey is None:
        raise click.ClickException(f"{len(problems)} problem(s) in {file}; nothing was converted")
    if target_format is None:
        target_format = converted_format(survey, out)
    if target_format == "xlsx" and out is None:
        raise click.ClickException("--to xlsx needs --out FILE.xlsx")
    try:
        text = as_yaml.survey_yaml(survey) if target_format == YAML_FORMAT else None
        if out is None:
            click.echo(text, nl=False)
            return
        target = output_file(out)
        try:
            with outputs.replacing(target, private=False) as temporary:
                if text is not None:
                    temporary.write_text(text, encoding="utf-8")
                else:
                    as_xlsform.write_workbook(survey, temporary)
        except OSError as error:
            raise click.ClickException(
                f"could not write {out}: {error.strerror or error}; a previous {out.name}, if any, is unchanged"
            ) from None
    except relevant.NotWritable as error:
        raise click.ClickException(f"{file} cannot be written as {target_format}: {error}") from None
    say(f"{survey.id}: {file} written as {'YAML' if text is not None else 'an XLSForm workbook'} to {out}.")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Copy the database and the invitation codes' file, consistently, even while the app is answering.

    FILE gets the responses database and FILE's -codes sibling the codes' file
    (backup.db and backup-codes.db), as the app names its own: restore both
    under the app's names, or point CORESP_DB at FILE. Each copy is checked
    (integrity, rows) before the command says it is done; both are readable by
    their owner only.
    """
    from coresp_survey.answers import backup as backups

    source = database_path()
    if not source.exists():
        raise click.ClickException(f"no database at {source}; nothing to back up (set CORESP_DB or --db)")
    codes_source = config.codes_database(source)
    codes_file = config.codes_database(file)
    targets = [(output_file(file), file)]  # both refused before anything is written if either is the app's own
    if codes_source.exists():
        targets.append((output_file(codes_file), codes_file))
    elif codes_file.exists():
        raise click.ClickException(
            f"{source} has no invitation codes' file beside it, but {codes_file} exists: it would not belong to"
            " this backup; remove it or choose another FILE (nothing was written)"
        )
    sources = [source, codes_source][: len(targets)]  # the responses first: see answers/backup.py
    try:
        with ExitStack() as files:
            temporaries = [files.enter_context(writing(target, shown)) for target, shown in targets]
            copies = [
                backups.back_up(copied, temporary) for copied, temporary in zip(sources, temporaries, strict=True)
            ]
    except backups.BackupFailed as failed:
        raise click.ClickException(f"{failed}; no backup was written") from None
    except (database.Unreadable, sqlite3.OperationalError) as error:
        raise click.ClickException(f"{error}; no backup was written") from None
    for copy, (_target, shown) in zip(copies, targets, strict=True):
        rows = ", ".join(f"{table} {count:,}" for table, count in copy.counts.items() if not table.startswith("_"))
        say(f"{copy.source} copied to {shown} and checked (integrity ok; rows: {rows or 'none'}).")
    if not codes_source.exists():
        say(f"No invitation codes' file beside {source}: only {file} was written.")


@main.command()
@click.argument("survey_id")
@click.option(
    "--import",
    "import_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Store the actions of this YAML file: all of them, or none if any is wrong.",
)
@click.option("--export", "export_", is_flag=True, help="Write the survey's actions as YAML to standard output.")
def actions(survey_id: str, import_file: Path | None, export_: bool) -> None:
    """Import or export a survey's action plan (YAML): its actions, what they aim at, who commits to what.

    The file is a list of actions, each with id, title, description (a text
    per language), indicators, commitments ({group: ID} or {party: {fr, en}},
    with does: {fr, en}), baseline (a round; by default the latest round
    collected before starts), starts, ends, status (planned, under_way, done,
    dropped) and updates ({date, text}). --import checks every action as the
    workspace does and stores all of them, or none, printing FILE:LINE:
    message for each problem; an action already stored under the same id is
    replaced, the others are kept. --export writes the same shape.
    """
    if (import_file is None) == (not export_):
        raise click.UsageError("give either --import FILE.yaml or --export")
    survey = find_survey(survey_id)
    if export_:
        export_actions(survey)
    else:
        import_actions(survey, import_file)


def export_actions(survey: Survey) -> None:
    from coresp_survey.workspace import action_files
    from coresp_survey.workspace.actions import survey_actions

    try:
        db = database.read_only(database_path())  # an export creates, migrates and prunes nothing
    except database.Unreadable as unreadable:
        raise click.ClickException(str(unreadable)) from None
    try:
        found = survey_actions(db, survey.id)
    finally:
        db.close()
    click.echo(action_files.dump_actions(found), nl=False)
    say(f"{len(found)} action(s) of {survey.id} exported.")


def import_actions(survey: Survey, path: Path) -> None:
    from coresp_survey.workspace import action_files
    from coresp_survey.workspace.action_checks import Context
    from coresp_survey.workspace.actions import store_actions

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text; save it as UTF-8") from None
    db = database.prepare(database_path())  # an import writes: the database is created and migrated first
    try:
        rounds = tuple(definitions.load_definitions(db, survey).rounds)
        context = Context(survey, rounds, definitions.command_line_language())
        found, problems = action_files.read_actions(text, context)
        if problems:
            for problem in problems:
                click.echo(f"{path}:{problem.where}: {problem.message}", err=True)
            raise click.ClickException(f"{len(problems)} problem(s); nothing was stored")
        stored = store_actions(
            db, survey.id, found, at=datetime.now(UTC).isoformat(timespec="microseconds"), author=None
        )
    finally:
        db.close()
    say(
        f"{len(found)} action(s) of {survey.id} read: {stored.created} new, {stored.changed} changed,"
        f" {stored.unchanged} unchanged."
    )


@main.command()
@click.option(
    "--out", default="site", show_default=True, type=click.Path(file_okay=False, path_type=Path), help="Site folder."
)
@click.option(
    "--base-url", help="The site's public address (https://…): adds sitemap.xml and absolute canonical links."
)
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Also write the PDF report of each survey.")
def build(out: Path, base_url: str | None, pdf: bool) -> None:
    """Publish the indicator pages, data files and PDF reports as a static site.

    The new site replaces the old one only once it is complete.
    """
    built = build_site_with_progress(out, base_url, pdf)
    say(
        f"Site built in {out}/ in {built.seconds:.1f} s: {built.pages} pages, {built.reports} PDF report(s)"
        f"{f' ({built.pdf_seconds:.1f} s)' if built.reports else ''}, surveys {', '.join(built.surveys) or 'none'}."
    )
    say(f"Open {(built.out / 'index.html').as_uri()}")


def build_site_with_progress(out: Path, base_url: str | None, pdf: bool):
    """Build with a progress bar on a terminal; quiet in CI and when standard error is a file.

    The site is built from the survey files and the database directly: no web
    app is made, so nothing of the app's start-up (pruning old drafts) happens.
    """
    from coresp_survey.publish import site as publish

    if base_url and not base_url.startswith(("https://", "http://")):
        raise click.BadParameter("must start with https:// or http://", param_hint="--base-url")
    surveys = load_surveys()  # problems in the survey files are printed as PATH:LINE lines, not a traceback
    steps = publish.build_steps(surveys, pdf)
    show_bar = sys.stderr.isatty() and not os.environ.get("CI")
    try:
        if not show_bar:
            built = publish.build_site(surveys, database_path(), out, base_url, with_pdf=pdf)
        else:
            with click.progressbar(length=steps, label="Building the site", file=sys.stderr) as bar:
                built = publish.build_site(
                    surveys, database_path(), out, base_url, with_pdf=pdf, progress=lambda _step: bar.update(1)
                )
    except (publish.SiteError, CatalogMissing) as error:
        raise click.ClickException(str(error)) from None
    for line in built.warnings:
        say(line)
    return built


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--out", default="site", show_default=True, type=click.Path(file_okay=False, path_type=Path), help="Site folder."
)
def demo(host: str, port: int, out: Path) -> None:
    """Fill the demo database (instance/demo.db), build the site, and serve the forms and the site.

    Public surveys without responses are first filled with made-up answers for
    two rounds, so the indicator pages have something to show; a second run
    adds nothing. Surveys that need an invitation code get a few codes.
    """
    from coresp_survey import demo as demo_data
    from coresp_survey.web.server import SITE_PATH

    check_secret_key()
    os.environ.setdefault("CORESP_DB", str(Path("instance/demo.db").resolve()))
    surveys = load_surveys()
    db = database.prepare(database_path())  # the demo writes: the database is created and migrated first
    say(f"Demo database: {database_path()}")
    for filled in demo_data.fill_empty_surveys(db, surveys):
        say(f"Filled {filled.survey} with {filled.count:,} synthetic responses (rounds {', '.join(filled.rounds)})")
        approved = demo_data.moderate_demo(db, surveys[filled.survey], datetime.now(UTC).isoformat())
        say(f"  approved and classified {approved} of its open answers (the others wait in the workspace)")
        planned = demo_data.plan_demo_actions(db, surveys[filled.survey], datetime.now(UTC).isoformat())
        if planned:
            say(
                f"  stored its action plan: {planned} actions decided after round {filled.rounds[0]}, measured again since"
            )
        held, approved = demo_data.record_demo_sessions(db, surveys[filled.survey], datetime.now(UTC).isoformat())
        if held:
            say(f"  recorded {held} group sessions, {approved} of their criteria approved and classified")
    codes_made = []
    for survey in surveys.values():
        if survey.access == "code":
            for group in survey.groups or [None]:
                made = make_codes(survey, group.id if group else None, 3)
                codes_made.append((survey, group, made))
    db.close()
    built = build_site_with_progress(out, None, True)
    say(f"Site built in {built.out} ({built.pages} pages, {built.reports} PDF reports) in {built.seconds:.1f} s")
    for survey, group, made in codes_made:
        say(f"Invitation codes for {survey.id}{' / ' + group.id if group else ''}: {', '.join(made)}")
        say(f"  try: http://{host}:{port}/{survey.default_language}/{survey.id}/?code={made[0]}")
    from coresp_survey.web.server import run

    say(f"Forms:          http://{host}:{port}/")
    say(f"Published site: http://{host}:{port}{SITE_PATH}/index.html")
    say("Press Ctrl+C to stop.")
    run(host, port, 2, built.out)


# -- the workspace's accounts --------------------------------------------------------


@main.group()
def users() -> None:
    """The workspace's accounts: each login has a role and, but for admins, the surveys it may see.

    Roles: admin (every survey, everything), coordinator (for its surveys:
    participation, moderation, building the site), moderator (moderation of
    its surveys only). The built-in account 'admin' has CORESP_ADMIN_PASSWORD
    as its password, for a first login.
    """


@users.command("add")
@click.argument("login")
@click.option("--role", required=True, type=click.Choice(accounts.ROLES), help="What the account may do.")
@click.option(
    "--survey",
    "survey_ids",
    multiple=True,
    metavar="ID",
    help="A survey the account may see (repeat for several); needed for a coordinator or a moderator.",
)
def users_add(login: str, role: str, survey_ids: tuple[str, ...]) -> None:
    """Add an account; its password is read from standard input (one line), or asked twice on a terminal."""
    surveys = load_surveys()
    try:
        named = accounts.check_account(login, role, survey_ids, surveys)
    except accounts.AccountRefused as refused:
        raise click.ClickException(str(refused)) from None
    db = database.prepare(database_path())  # users writes: the database is created and migrated first
    try:
        if accounts.get_account(db, login) is not None:
            raise click.ClickException(f"there is already an account {login!r} (users password changes its password)")
        hashed = passwords.hash_password(read_new_password(login))
        try:
            accounts.add_account(db, login=login, role=role, surveys=named, password_hash=hashed, at=now())
        except accounts.AccountRefused as refused:
            raise click.ClickException(str(refused)) from None
    finally:
        db.close()
    say(f"Account {login} added: {role}, {', '.join(named) or 'every survey'}.")


@users.command("list")
def users_list() -> None:
    """Print each account's login, role and surveys (never a password or its hash)."""
    try:
        db = database.read_only(database_path())  # list creates, migrates and changes nothing
    except database.Unreadable as unreadable:
        raise click.ClickException(str(unreadable)) from None
    try:
        found = accounts.list_accounts(db)
    finally:
        db.close()
    click.echo("login\trole\tsurveys")
    builtin = "set" if os.environ.get("CORESP_ADMIN_PASSWORD") else "not set"
    click.echo(f"{accounts.BUILTIN}\tadmin\tevery survey (built-in: CORESP_ADMIN_PASSWORD, {builtin} here)")
    for account in found:
        click.echo(f"{account.login}\t{account.role}\t{','.join(account.surveys) or 'every survey'}")
    say(f"{len(found)} account(s) besides the built-in admin.")


@users.command("remove")
@click.argument("login")
def users_remove(login: str) -> None:
    """Remove an account: its sessions end at once; the decisions it made keep its login."""
    refuse_builtin(login)
    db = database.prepare(database_path())
    try:
        if not accounts.remove_account(db, login):
            raise click.ClickException(f"no account {login!r} (users list shows them)")
    finally:
        db.close()
    say(f"Account {login} removed; its sessions have ended.")


@users.command("password")
@click.argument("login")
def users_password(login: str) -> None:
    """Give an account a new password (standard input, or asked twice on a terminal): its sessions end at once."""
    refuse_builtin(login)
    db = database.prepare(database_path())
    try:
        if accounts.get_account(db, login) is None:
            raise click.ClickException(f"no account {login!r} (users list shows them)")
        hashed = passwords.hash_password(read_new_password(login))
        accounts.set_password(db, login, hashed, now())
        logins.forget_failures(db, login)
    finally:
        db.close()
    say(f"New password for {login}; its sessions have ended.")


def refuse_builtin(login: str) -> None:
    if login == accounts.BUILTIN:
        raise click.ClickException(
            "'admin' is the built-in account: its password is CORESP_ADMIN_PASSWORD (unset it to close that account)"
        )


def read_new_password(login: str) -> str:
    """The new password: one line of standard input, or typed twice, hidden, on a terminal; refused if weak."""
    if sys.stdin.isatty():
        password = click.prompt(
            f"Password for {login} (at least {passwords.MIN_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
            err=True,
        )
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        passwords.check_new_password(password, login)
    except passwords.PasswordRefused as refused:
        raise click.ClickException(f"{refused}; nothing was changed") from None
    return password


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
