"""The published data files of one survey: ``indicators.csv|json|xlsx``, ``participation.csv``,
``actions.csv|json``, their README and ``datapackage.json``.

Names, columns and formats are PRODUCT.md's ("The published site"); outside
scripts read them. Numbers are written with a fixed number of decimals in the
CSV (``3.50``, not ``3.5``) so every row of a column looks alike; the JSON holds
the same values as numbers, and so does the workbook: a spreadsheet in a French
locale reads the CSV's ``3.02`` as text, but a number cell as a number, shown
``3,02``. ``datapackage.json`` describes every file for tools (`datapackage`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coresp_survey.answers.exporting import inert
from coresp_survey.answers.exporting import text_cell
from coresp_survey.figures.effects import ACTION_COLUMNS
from coresp_survey.figures.effects import CHANGE_DECIMALS
from coresp_survey.figures.indicators import CSV_COLUMNS
from coresp_survey.figures.indicators import MEAN_DECIMALS
from coresp_survey.figures.indicators import PARTICIPATION_COLUMNS
from coresp_survey.figures.indicators import SCORE_DECIMALS
from coresp_survey.figures.indicators import SHARE_DECIMALS
from coresp_survey.figures.indicators import Figures
from coresp_survey.figures.indicators import cell_rows
from coresp_survey.figures.indicators import participation_rows
from coresp_survey.figures.synthesis import SESSIONS_COLUMNS
from coresp_survey.figures.synthesis import session_rows as session_rows_of
from coresp_survey.publish import datapackage
from coresp_survey.survey.model import Survey

FILES = ("indicators.csv", "indicators.json", "indicators.xlsx", "participation.csv", "sessions.csv", "README.txt",
         "datapackage.json")  # fmt: skip
NUMBER_FORMATS = {"mean": "0.00", "score": "0.0", "share_good": "0.000", "share_good_low": "0.000",
                  "share_good_high": "0.000"}  # fmt: skip
"""How the workbook shows each number (as many decimals as the CSV); the cell holds the number itself."""
ACTION_FILES = ("actions.csv", "actions.json")
"""Written beside `FILES` (`write_action_downloads`), headers alone or an empty list when there is no action."""
DECIMALS = {
    "mean": MEAN_DECIMALS,
    "score": SCORE_DECIMALS,
    "share_good": SHARE_DECIMALS,
    "share_good_low": SHARE_DECIMALS,
    "share_good_high": SHARE_DECIMALS,
    "share_good_before": SHARE_DECIMALS,
    "share_good_after": SHARE_DECIMALS,
    "change": CHANGE_DECIMALS,
    "change_low": CHANGE_DECIMALS,
    "change_high": CHANGE_DECIMALS,
}


def write_downloads(
    survey: Survey,
    figures: Figures,
    folder: Path,
    action_rows: Sequence[dict[str, Any]] = (),
    session_rows: list[dict] | None = None,
) -> None:
    """Write every file of `FILES` and `ACTION_FILES` into ``folder`` (created if needed); ``action_rows``: the
    rows of the action plan's effects (`effects.effect_rows`); ``session_rows``: `synthesis.session_rows`."""
    folder.mkdir(parents=True, exist_ok=True)
    write_action_downloads(list(action_rows), folder)
    rows = cell_rows(figures.cells)
    _write_csv(folder / "indicators.csv", CSV_COLUMNS, rows)
    (folder / "indicators.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _write_csv(folder / "participation.csv", PARTICIPATION_COLUMNS, participation_rows(figures.participation))
    _write_csv(
        folder / "sessions.csv",
        SESSIONS_COLUMNS,
        session_rows if session_rows is not None else session_rows_of(survey, {}),
    )
    write_xlsx(folder / "indicators.xlsx", CSV_COLUMNS, rows)
    (folder / "README.txt").write_text(readme(survey), encoding="utf-8")
    described = datapackage.descriptor(survey, actions_json=bool(action_rows))
    descriptor = json.dumps(described, ensure_ascii=False, indent=1)
    (folder / "datapackage.json").write_text(descriptor + "\n", encoding="utf-8")


def write_xlsx(path: Path, columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> None:
    """The rows as one sheet: numbers as number cells (with the CSV's decimals), booleans, text as text cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    columns = list(columns)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="indicators")
    sheet.freeze_panes = "A2"
    sheet.append([text_cell(sheet, name) for name in columns])
    for row in rows:
        cells = []
        for name in columns:
            value = row[name]
            if isinstance(value, str):
                cells.append(text_cell(sheet, value))
            elif isinstance(value, float):
                cells.append(made := WriteOnlyCell(sheet, value=value))
                made.number_format = NUMBER_FORMATS.get(name, "General")
            else:
                cells.append(value)  # an integer, a boolean, or None (an empty cell)
        sheet.append(cells)
    workbook.save(path)


def write_action_downloads(rows: list[dict[str, Any]], folder: Path) -> None:
    """``actions.csv`` and ``actions.json``: one row per action × indicator (`effects.effect_rows`), headers alone
    when the survey has no action yet."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "actions.csv", ACTION_COLUMNS, rows)
    (folder / "actions.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _write_csv(path: Path, columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_value(name, row[name]) for name in columns])


def csv_value(column: str, value: Any) -> str | int:
    """One CSV cell: empty for None, ``true``/``false``, fixed decimals; text made inert for spreadsheets."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.{DECIMALS.get(column, 3)}f}"
    if isinstance(value, str):
        return inert(value)
    return value


def readme(survey: Survey) -> str:
    """A plain-text guide to the files, in English (the language of the column names)."""
    return (README + ACTIONS_README).format(survey=survey.id, min_size=survey.min_group_size)


README = """\
Published figures of the survey "{survey}"
==========================================

indicators.csv / indicators.json / indicators.xlsx
  One row per round x indicator x group; the group "all" is every respondent
  of the round. indicators.json holds the same rows as a JSON array of objects
  (numbers as numbers, suppressed as true/false, empty values as null), and
  indicators.xlsx as a workbook for spreadsheets: its numbers are number cells,
  so a spreadsheet in any language reads them (a French one shows 3,02 for the
  CSV's 3.02, which it would read as text), suppressed is TRUE/FALSE and empty
  values are empty cells.

  survey           the survey's id
  round            the measurement round the answers belong to
  indicator        the indicator's id
  family           the family of criteria (A to H for the SPIRAL families)
  group            the group of respondents, or "all"
  n                respondents who answered the indicator's question
  mean             the mean level given (2 decimals)
  score            (mean - lowest level) / (highest - lowest) x 100 (1 decimal)
  share_good       share of answers at or above the indicator's "good" level (3 decimals)
  share_good_low   lower bound of its Wilson 95% interval
  share_good_high  upper bound of its Wilson 95% interval
  suppressed       true when the cell is not published (see below)

participation.csv
  survey, round, group, responses: how many people answered, per round and group.

sessions.csv
  survey, group, sessions, participants: how many group sessions were held and
  how many people took part in them, per group ("all": every session), over
  every round. They wrote criteria of well-being (published, once moderated, on
  the criteria pages) and answered no indicator: they are not in
  participation.csv nor in any n. For the criteria, a session's participants
  count as respondents of its group, so the rule below hides a group whose
  respondents and session participants are together fewer than {min_size}.

datapackage.json
  The files above described for tools, as a Frictionless Data Package
  (https://specs.frictionlessdata.io/): each file with its Table Schema, that
  is each column's type (string, integer, number, boolean), the decimal mark
  (a point), the missing values (an empty cell; null in JSON) and the primary
  key (survey, round, indicator, group; for participation: survey, round,
  group). Check the files with "frictionless validate datapackage.json", or
  read them typed, e.g. in Python with frictionless or in R with frictionless.

  The CSV files are UTF-8 without a byte-order mark, separated by commas,
  with a point as the decimal mark, as programs expect: to open the figures
  in a spreadsheet, use indicators.xlsx.

Small groups are never published
  A cell with fewer than {min_size} respondents has suppressed = true and n, mean,
  score and the shares empty. In each round x indicator, the hidden groups,
  with the respondents who belong to no group, hold together at least
  {min_size} answers or none: while they hold fewer, the group with the next
  smallest n is hidden too, so "all" minus the visible groups never gives
  fewer than {min_size} answers. A group with n = 0 is hidden but holds none.

Text cells of the CSV files that a spreadsheet would read as a formula
(starting with =, +, -, @) are prefixed with an apostrophe; in the workbook
they are text cells that hold exactly the text.
"""

ACTIONS_README = """
actions.csv / actions.json
  The action plan: what the coordination group and the groups decided to do
  about the indicators, and how each indicator moved since. One row per
  action x indicator it aims at; actions.json holds the same rows as a JSON
  array of objects (numbers as numbers, empty values as null).

  survey             the survey's id
  action             the action's id (its page: <lang>/<survey>/actions/<action>.html)
  status             planned, under_way, done or dropped
  starts             the day the action started (or is planned to), YYYY-MM-DD
  ends               the day it ended (or is planned to), empty if not set
  indicator          the id of an indicator the action aims at
  round_before       the round the action answers to: the one the coordination
                     group named, else the latest round collected before starts
  round_after        the latest round after round_before (in the order the site
                     shows rounds) whose answers were not all collected before starts
  share_good_before  share of good answers of everyone ("all") in round_before (3 decimals)
  share_good_after   the same in round_after
  change             share_good_after - share_good_before, at full precision then
                     rounded (3 decimals)
  change_low         lower bound of its 95% interval (Newcombe's hybrid score method)
  change_high        upper bound; the change is clear only when the interval excludes 0

  A share is empty when its round is missing or its cell is not published
  (fewer than {min_size} answers: see above); the change is empty when either is.
  A change says whether the indicator moved, not why: other causes may have
  played, and the people who answered are not the same from one round to the next.
"""
