"""The published data files of one survey: ``indicators.csv|json``, ``participation.csv``, ``actions.csv|json``
and their README.

Names, columns and formats are PRODUCT.md's ("The published site"); outside
scripts read them. Numbers are written with a fixed number of decimals in the
CSV (``3.50``, not ``3.5``) so every row of a column looks alike; the JSON holds
the same values as numbers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from coresp_survey.answers.exporting import inert
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
from coresp_survey.survey.model import Survey

FILES = ("indicators.csv", "indicators.json", "participation.csv", "README.txt")
ACTION_FILES = ("actions.csv", "actions.json")
"""Written by `write_action_downloads`, beside `FILES`."""
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


def write_downloads(survey: Survey, figures: Figures, folder: Path) -> None:
    """Write every file of `FILES` into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = cell_rows(figures.cells)
    _write_csv(folder / "indicators.csv", CSV_COLUMNS, rows)
    (folder / "indicators.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _write_csv(folder / "participation.csv", PARTICIPATION_COLUMNS, participation_rows(figures.participation))
    (folder / "README.txt").write_text(readme(survey), encoding="utf-8")


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

indicators.csv / indicators.json
  One row per round x indicator x group; the group "all" is every respondent
  of the round. indicators.json holds the same rows as a JSON array of objects
  (numbers as numbers, suppressed as true/false, empty values as null).

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

Small groups are never published
  A cell with fewer than {min_size} respondents has suppressed = true and n, mean,
  score and the shares empty. In each round x indicator, the hidden groups,
  with the respondents who belong to no group, hold together at least
  {min_size} answers or none: while they hold fewer, the group with the next
  smallest n is hidden too, so "all" minus the visible groups never gives
  fewer than {min_size} answers. A group with n = 0 is hidden but holds none.

Text cells that a spreadsheet would read as a formula (starting with =, +, -, @)
are prefixed with an apostrophe.
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
