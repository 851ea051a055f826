"""Identical open answers, gathered so that a moderator decides once for all of them.

A real campaign brings thousands of open answers, many of them the same few
words ("Bruyant", "bruyant !"). Two answers to the same question are
identical when their normalised texts are equal: case folded, punctuation
dropped, spaces collapsed. Accents are kept: "pêche" and "pèche" are not the
same word. Nothing here reads a database.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from coresp_survey.workspace.moderation import OpenAnswer


def normalised(text: str) -> str:
    """The text as compared: NFC, case folded, punctuation and symbols dropped, every run of spaces one space."""
    composed = unicodedata.normalize("NFC", text).casefold()
    kept = "".join(" " if _is_separator(ch) else ch for ch in composed)
    return " ".join(kept.split())


def _is_separator(ch: str) -> bool:
    """Punctuation (P*), symbols (S*) and controls (Cc) separate words like a space does."""
    return unicodedata.category(ch)[0] in "PS" or unicodedata.category(ch) == "Cc"


@dataclass(frozen=True)
class IdenticalAnswers:
    """One row of the moderation queue: the answers to one question whose normalised texts are equal."""

    question: str
    text: str
    """The normalised text they share."""
    members: tuple[OpenAnswer, ...]
    """In the order of the list they came from; the first one stands for them all."""

    @property
    def first(self) -> OpenAnswer:
        return self.members[0]

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(member.key for member in self.members)

    @property
    def groups(self) -> dict[str | None, int]:
        """How many of them each group gave (None: no declared group), in order of first appearance."""
        counts: dict[str | None, int] = {}
        for member in self.members:
            counts[member.group] = counts.get(member.group, 0) + 1
        return counts

    @property
    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for member in self.members:
            counts[member.status] = counts.get(member.status, 0) + 1
        return counts


def identity(answer: OpenAnswer) -> tuple[str, str]:
    """What makes two answers identical: the same question and the same normalised text."""
    return answer.question, normalised(answer.text)


def gather(answers: Iterable[OpenAnswer]) -> list[IdenticalAnswers]:
    """The answers gathered into rows of identical ones, in the order each row first appears."""
    rows: dict[tuple[str, str], list[OpenAnswer]] = {}
    for answer in answers:
        rows.setdefault(identity(answer), []).append(answer)
    return [IdenticalAnswers(question, text, tuple(members)) for (question, text), members in rows.items()]


def by_frequency(rows: list[IdenticalAnswers]) -> list[IdenticalAnswers]:
    """The most frequent first; rows as frequent keep their order (the sort is stable)."""
    return sorted(rows, key=lambda row: -row.count)


def identical_to(answer: OpenAnswer, answers: Iterable[OpenAnswer]) -> IdenticalAnswers:
    """The row ``answer`` belongs to among ``answers`` (``answer`` first, even when it is not among them)."""
    wanted = identity(answer)
    others = tuple(other for other in answers if other.key != answer.key and identity(other) == wanted)
    return IdenticalAnswers(wanted[0], wanted[1], (answer, *others))
