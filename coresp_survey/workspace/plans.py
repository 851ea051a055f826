"""An action plan as the coordination group writes it: actions, their commitments and progress notes; no SQL.

After measuring, the coordination group and the groups agree on actions aimed
at indicators; each party (one of the survey's groups, or a named institution
or association) says what it commits to do; the next round shows whether the
indicators moved (`figures.effects`). Every text is given in each of the
survey's languages. `action_checks` is the one place that says what a valid
action is; `actions` stores them, `action_files` reads and writes their files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from coresp_survey.survey.model import Text

STATUSES = ("planned", "under_way", "done", "dropped")
"""Where an action stands (PRODUCT.md, "Action plans")."""
ACTION_ID = re.compile(r"[a-z][a-z0-9_-]*")
"""An action's id: also the name of its page on the site."""
MAX_ID_LENGTH = 64


@dataclass(frozen=True)
class Commitment:
    """What one party commits to do: ``group`` (one of the survey's) or a named ``party``, never both."""

    does: Text
    group: str | None = None
    party: Text | None = None


@dataclass(frozen=True)
class ProgressNote:
    """A dated note on how the action is going."""

    day: date
    text: Text
    id: str = field(default="", compare=False)
    """The note's key once stored ("" before): what the workspace names to remove it."""


@dataclass(frozen=True)
class Action:
    survey: str
    id: str
    title: Text
    description: Text
    indicators: tuple[str, ...]
    """The ids of the survey's indicators the action aims at, in the order given."""
    starts: date
    status: str = "planned"
    commitments: tuple[Commitment, ...] = ()
    ends: date | None = None
    baseline: str | None = None
    """The round whose measure the action answers to; None: the latest round collected before ``starts``."""
    updates: tuple[ProgressNote, ...] = ()
    """Progress notes, oldest first."""

    def aims_at(self, indicator_id: str) -> bool:
        return indicator_id in self.indicators


def status_rank(action: Action) -> tuple:
    """The order lists show actions in: under way, then planned, done and dropped; within each, by start."""
    order = {"under_way": 0, "planned": 1, "done": 2, "dropped": 3}
    return order.get(action.status, len(order)), action.starts, action.id
