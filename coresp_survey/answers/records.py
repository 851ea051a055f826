"""What the responses database holds, as plain values: no SQL here, so the figures can use them and stay pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Draft:
    """Answers given so far by one respondent, kept between pages and visits."""

    key: str
    survey: str
    state: str
    group: str | None
    code_ok: bool
    """An invitation code was accepted for this draft (which code is known nowhere)."""
    answers: dict[str, Any]

    @property
    def submitted(self) -> bool:
        return self.state == "submitted"


@dataclass(frozen=True)
class Response:
    """One stored response: keyed by a random id, dated by its day only."""

    id: str
    survey: str
    round: str
    group: str | None
    lang: str
    submitted: str
    source: str
    """"web" or "import"."""
    answers: dict[str, Any]


@dataclass(frozen=True)
class SurveyVersion:
    """One saved version of a survey file for a round; the highest ``version`` of a round is its definition."""

    survey: str
    round: str
    version: int
    format: str
    source: bytes
    digest: str
    saved: str


@dataclass(frozen=True)
class SessionCriterion:
    """One criterion written in a group session: its random id is its key in moderation."""

    id: str
    session: str
    question: str
    """The open question of the survey it answers."""
    lang: str
    """The language it was written in: it is published in it."""
    text: str
    position: int


@dataclass(frozen=True)
class GroupSession:
    """A meeting of one group where each participant wrote criteria: who took part is a number, never a name."""

    id: str
    survey: str
    group: str
    label: str
    date: str
    participants: int
    note: str
    """The facilitator's note: for the coordination group, never published."""
    recorded_by: str | None
    recorded: str
    changed: str
    criteria: tuple[SessionCriterion, ...] = ()
