"""Group sessions typed into a spreadsheet: one criterion a row, rows grouped into sessions, all stored or none.

Columns ``group,session,date,question,lang,text`` (PRODUCT.md), and an
optional ``participants``. ``session`` is the coordinators' name for the
session (it may be empty); rows with the same group, session and date are one
session. Its participants are the ``participants`` cell where one is given
(the same on every row of the session that gives it), otherwise the number of
its rows (one criterion per participant, as the cards usually are). The file
is read as spreadsheets write it (`answers.csv_files`: comma or semicolon,
UTF-8 with or without BOM) and each row checked by the form's own checks
(`session_checks`); problems name their line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from coresp_survey.answers import csv_files
from coresp_survey.i18n import Language
from coresp_survey.survey.model import Survey
from coresp_survey.workspace import session_checks
from coresp_survey.workspace.session_checks import TypedCriterion

COLUMNS = ("group", "session", "date", "question", "lang", "text")
OPTIONAL = ("participants",)
LINE_PROBLEM = re.compile(r"line (\d+): (.*)", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    line: int | None
    """The file's line (1 is the header); None for the file as a whole."""
    message: str


class SessionsRefused(Exception):
    """Nothing can be imported; ``problems`` names each bad row."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.message for p in problems))
        self.problems = problems


def read_sessions(survey: Survey, data: bytes, words: Language, today: date) -> list[dict]:
    """The sessions of the file as `sessions.record_sessions` takes them; `SessionsRefused` naming every problem."""
    try:
        table = csv_files.read(data, words)
    except csv_files.CsvRefused as refused:
        raise SessionsRefused([_located(problem) for problem in refused.problems]) from None
    problems = [_located(problem) for problem in table.problems]
    missing = [column for column in COLUMNS if column not in table.header]
    unknown = [column for column in table.header if column not in COLUMNS + OPTIONAL]
    if missing or unknown:
        problems.insert(0, Problem(1, _header_problem(missing, unknown, words)))
        raise SessionsRefused(problems)
    found: dict[tuple[str, str, str], dict] = {}
    for row in table.rows:
        cells = {name: value.strip() for name, value in row.cells.items()}
        row_problems = _row_problems(survey, cells, row.cells.get("text", ""), words, today)
        problems.extend(Problem(row.line, message) for message in row_problems)
        if row_problems:
            continue
        day, _problem = session_checks.check_date(cells["date"], words, today)
        session = found.setdefault(
            (cells["group"], cells["session"], day),
            {"survey": survey.id, "group": cells["group"], "label": cells["session"], "date": day,
             "criteria": [], "given": {}, "first_line": row.line},
        )  # fmt: skip
        session["criteria"].append((cells["question"], cells["lang"], row.cells["text"].strip()))
        if cells.get("participants"):
            session["given"][row.line] = int(cells["participants"])
    for session in found.values():
        given = sorted(set(session["given"].values()))
        if len(given) > 1:
            lines = ", ".join(str(line) for line in session["given"])
            problems.append(
                Problem(
                    session.pop("first_line"),
                    words.gettext(
                        "the rows of this session (lines %(lines)s) give different numbers of participants"
                        " (%(numbers)s): give the same on each, or leave all but one empty",
                        lines=lines,
                        numbers=", ".join(str(n) for n in given),
                    ),
                )
            )
        session.pop("first_line", None)
        session["participants"] = given[0] if given else len(session["criteria"])
        del session["given"]
    if problems:
        raise SessionsRefused(sorted(problems, key=lambda p: p.line or 0))
    if not found:
        raise SessionsRefused([Problem(None, words.gettext("the file has no criteria"))])
    return list(found.values())


def _row_problems(survey: Survey, cells: dict[str, str], text: str, words: Language, today: date) -> list[str]:
    """Every problem of one row, by the checks of the workspace's form."""
    problems = []
    if problem := session_checks.check_group(survey, cells["group"], words):
        problems.append(problem)
    _day, problem = session_checks.check_date(cells["date"], words, today)
    if problem:
        problems.append(problem)
    if problem := session_checks.check_free_text(cells["session"], session_checks.MAX_LABEL, words):
        problems.append(problem)
    if cells.get("participants"):
        _number, problem = session_checks.check_participants(cells["participants"], words)
        if problem:
            problems.append(problem)
    criterion = TypedCriterion(question=cells["question"], lang=cells["lang"], text=text, line=0)
    if problem := session_checks.check_criterion(survey, criterion, words):
        problems.append(problem)
    return problems


def _header_problem(missing: list[str], unknown: list[str], words: Language) -> str:
    parts = []
    if missing:
        parts.append(words.gettext("the header lacks the columns %(columns)s", columns=", ".join(missing)))
    if unknown:
        parts.append(words.gettext("the header has unknown columns %(columns)s", columns=", ".join(unknown)))
    expected = ",".join(COLUMNS)
    return words.gettext(
        "%(problems)s; the columns are %(expected)s, and optionally participants",
        problems="; ".join(parts),
        expected=expected,
    )


def _located(problem: str) -> Problem:
    """A problem of `csv_files` ("line N: …") with its line apart."""
    match = LINE_PROBLEM.fullmatch(problem)
    return Problem(int(match.group(1)), match.group(2)) if match else Problem(None, problem)
