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
