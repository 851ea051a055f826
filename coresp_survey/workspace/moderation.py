"""The open answers of a survey as the coordination group reads them: one item per answer, with its decision.

An open answer is the text given to a ``text`` or ``long_text`` question. The
method calls them criteria: what well-being or ill-being means to a group.
Each is pending until approved or rejected; an approved answer may carry a
redacted text (what is published instead of the original) and one or more
families. Nothing here reads or writes a database: `decisions` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass

from coresp_survey.answers.records import GroupSession
from coresp_survey.answers.records import Response
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import Survey

STATUSES = ("pending", "approved", "rejected")
"""Where an open answer can stand; an answer without a decision is pending."""
SOURCES = ("online", "session")
"""Where an open answer comes from: a response (online or imported questionnaires), or a recorded group session."""


@dataclass(frozen=True)
class Decision:
    """Where one open answer stands in moderation; an answer without a row is pending."""

    response_id: str
    question: str
    status: str
    redacted: str | None
    """The text that may be published instead of the original; None publishes the original."""
    families: tuple[str, ...]
    decided: str
    decided_by: str | None = None
    """The login of the last decision; None before named accounts."""


@dataclass(frozen=True)
class OpenAnswer:
    response_id: str
    question: str
    round: str
    group: str | None
    lang: str
    """The language the respondent answered in: the text is published in it."""
    text: str
    status: str
    redacted: str | None
    families: tuple[str, ...]
    decided: str | None
    decided_by: str | None = None
    source: str = "online"
    """"online" (a response's answer) or "session" (a criterion of a group session, ``response_id`` its id)."""
    session: str | None = None
    """The group session's id, for a session criterion."""
    session_date: str | None = None

    @property
    def key(self) -> str:
        """One string naming the answer in forms: response ids are URL-safe base64, questions identifiers."""
        return f"{self.response_id}.{self.question}"

    @property
    def published_text(self) -> str:
        return self.redacted if self.redacted is not None else self.text


@dataclass(frozen=True)
class Filters:
    """What the moderation list shows; None means any."""

    question: str | None = None
    group: str | None = None
    status: str | None = None
    round: str | None = None
    source: str | None = None

    def keep(self, answer: OpenAnswer) -> bool:
        return (
            (self.source is None or answer.source == self.source)
            and (self.question is None or answer.question == self.question)
            and (self.group is None or answer.group == self.group)
            and (self.status is None or answer.status == self.status)
            and (self.round is None or answer.round == self.round)
        )


def open_questions(survey: Survey) -> tuple[Question, ...]:
    return tuple(question for question in survey.questions if question.is_open)


def open_answers(
    survey: Survey, responses: Iterable[Response], decisions: dict[tuple[str, str], Decision]
) -> list[OpenAnswer]:
    """Every non-blank open answer of the survey, in the order of the responses then of the questions."""
    questions = [question.id for question in open_questions(survey)]
    answers = []
    for response in responses:
        for question in questions:
            text = response.answers.get(question)
            if not isinstance(text, str) or not text.strip():
                continue
            decision = decisions.get((response.id, question))
            answers.append(
                OpenAnswer(
                    response_id=response.id,
                    question=question,
                    round=response.round,
                    group=response.group,
                    lang=response.lang,
                    text=text,
                    status=decision.status if decision else "pending",
                    redacted=decision.redacted if decision else None,
                    families=decision.families if decision else (),
                    decided=decision.decided if decision else None,
                    decided_by=decision.decided_by if decision else None,
                )
            )
    return answers


def session_answers(
    sessions: Iterable[GroupSession], decisions: dict[tuple[str, str], Decision], survey: Survey | None = None
) -> list[OpenAnswer]:
    """The criteria of group sessions as open answers (source "session"): moderated exactly as online ones.

    A session belongs to no round (criteria are pooled over rounds): ``round`` is empty. With ``survey``, only
    the criteria of its current open questions, as `open_answers` reads the responses (the others stay stored).
    """
    questions = {question.id for question in open_questions(survey)} if survey is not None else None
    answers = []
    for session in sessions:
        for criterion in session.criteria:
            if questions is not None and criterion.question not in questions:
                continue
            decision = decisions.get((criterion.id, criterion.question))
            answers.append(
                OpenAnswer(
                    response_id=criterion.id,
                    question=criterion.question,
                    round="",
                    group=session.group,
                    lang=criterion.lang,
                    text=criterion.text,
                    status=decision.status if decision else "pending",
                    redacted=decision.redacted if decision else None,
                    families=decision.families if decision else (),
                    decided=decision.decided if decision else None,
                    decided_by=decision.decided_by if decision else None,
                    source="session",
                    session=session.id,
                    session_date=session.date,
                )
            )
    return answers


def split_key(key: str) -> tuple[str, str] | None:
    """The (response id, question) a form names, or None if it is not a well-formed key."""
    response_id, dot, question = key.rpartition(".")
    if not dot or not response_id or not question:
        return None
    return response_id, question


def status_counts(answers: Iterable[OpenAnswer]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for answer in answers:
        counts[answer.status] = counts.get(answer.status, 0) + 1
    return counts


def collect_approved(
    survey: Survey,
    responses: Iterable[Response],
    decisions: dict[tuple[str, str], Decision],
    sink: list[OpenAnswer],
) -> Iterator[Response]:
    """Pass the responses through unchanged, adding their approved open answers to ``sink`` on the way.

    The site build reads the responses once: the figures consume this stream
    while the approved answers are picked out of it.
    """
    approved = {key for key, decision in decisions.items() if decision.status == "approved"}
    wanted = {response_id for response_id, _question in approved}
    for response in responses:
        if response.id in wanted:
            sink.extend(
                answer
                for answer in open_answers(survey, [response], decisions)
                if (answer.response_id, answer.question) in approved
            )
        yield response
