"""The published synthesis of the criteria: what each group said well-being means, once moderated.

Only approved answers count. Per family and group, the number of approved
criteria classified in it; and the approved quotes (the redacted text when
there is one), each labelled with its group and kept in the language it was
written in. Groups with fewer respondents than ``min_group_size`` publish no
count and no quote, and the hidden groups (with the respondents of no declared
group) must hold together at least ``min_group_size`` respondents or none, the
next smallest groups being hidden with them until they do: the rule of the
indicators (`suppression.suppressed_groups`), so that no hidden count can be
recovered from the total. A hidden group is never quoted either, whatever its
size: each quote is one approved criterion, so counting a group's quotes on
the page would give back its hidden counts.

All rounds are pooled: criteria are usually gathered once, at the start of the
method, and then measured round after round.

Criteria also come from group sessions (`OpenAnswer.source` "session"): their
participants count as respondents of the session's group for every rule above
(a group whose only contributors are a session of 4 people is a group of 4),
while the published participation keeps them apart (`session_rows`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

from coresp_survey.figures.indicators import ALL
from coresp_survey.figures.suppression import suppressed_groups
from coresp_survey.survey.model import Survey
from coresp_survey.workspace.moderation import OpenAnswer


@dataclass(frozen=True)
class Quote:
    text: str
    lang: str
    group: str | None
    question: str
    families: tuple[str, ...]


@dataclass(frozen=True)
class Synthesis:
    groups: tuple[str, ...]
    """``all`` then the survey's groups, in order."""
    hidden: frozenset[str]
    """Groups whose counts are not published, nor their quotes (`suppression.suppressed_groups`, on respondents)."""
    counts: dict[tuple[str, str], int]
    """(family, group) → approved criteria; absent for hidden groups. Unclassified criteria use family ''."""
    quotes: tuple[Quote, ...]
    respondents: dict[str, int]
    """Respondents per group over every round (``all`` included), sessions' participants with them: what decides
    suppression."""
    session_participants: dict[str, int] = field(default_factory=dict)
    """Participants of the group sessions per group (published apart from the responses, like participation)."""

    def count(self, family: str, group: str) -> int | None:
        """None when the group is hidden."""
        if group in self.hidden:
            return None
        return self.counts.get((family, group), 0)

    @property
    def approved(self) -> int:
        return self.counts.get(("*", ALL), 0)


def synthesis(
    survey: Survey,
    respondents: dict[str | None, int],
    answers: Iterable[OpenAnswer],
    session_participants: dict[str, int] | None = None,
) -> Synthesis:
    """``respondents`` counts every response per group (None: no declared group), all rounds together;
    ``session_participants`` the participants of the group sessions per group, who count with them."""
    declared = [group.id for group in survey.groups]
    held = session_participants or {}
    sizes = {group: respondents.get(group, 0) + held.get(group, 0) for group in declared}
    rest = sum(n for group, n in respondents.items() if group not in sizes)
    rest += sum(n for group, n in held.items() if group not in sizes)  # a group since removed from the file
    everyone = sum(sizes.values()) + rest
    hidden = suppressed_groups(survey.min_group_size, sizes, rest)
    if everyone < survey.min_group_size:
        hidden.add(ALL)
    quoted = _quoted_groups(survey.min_group_size, sizes, rest, hidden)
    counts: Counter[tuple[str, str]] = Counter()
    quotes = []
    for answer in answers:
        if answer.status != "approved":
            continue
        group = answer.group if answer.group in sizes else None
        for family in answer.families or ("",):
            counts[(family, ALL)] += 1
            if group is not None:
                counts[(family, group)] += 1
        counts[("*", ALL)] += 1
        if group in quoted:
            quotes.append(Quote(answer.published_text, answer.lang, group, answer.question, answer.families))
    shown_counts = {key: n for key, n in counts.items() if key[1] not in hidden}
    return Synthesis(
        groups=(ALL, *declared),
        hidden=frozenset(hidden),
        counts=shown_counts,
        quotes=tuple(quotes),
        respondents={ALL: everyone, **sizes},
        session_participants={group: held[group] for group in declared if held.get(group)},
    )


def _quoted_groups(min_size: int, sizes: dict[str, int], rest: int, hidden: set[str]) -> set[str | None]:
    """Whose approved criteria may be quoted: the visible groups, and None (no declared group) when that is safe.

    Quotes of respondents without a declared group carry no group label, but
    counting them splits ``all`` minus the visible groups into them and the
    hidden groups: they are quoted only when they are at least ``min_size``
    and the hidden groups alone hold none or at least ``min_size`` respondents.
    In a survey without groups they are everyone, quoted when ``all`` is shown.
    """
    if ALL in hidden:
        return set()
    quoted: set[str | None] = {group for group in sizes if group not in hidden}
    in_hidden_groups = sum(sizes[group] for group in hidden if group in sizes)
    if rest >= min_size and not 0 < in_hidden_groups < min_size:
        quoted.add(None)
    return quoted


SESSIONS_COLUMNS = ("survey", "group", "sessions", "participants")
"""The columns of ``sessions.csv``: who took part in a group session, apart from ``participation.csv``."""


def session_rows(survey: Survey, held: dict[str, tuple[int, int]]) -> list[dict]:
    """``all`` (0 and 0 without sessions) then each group with a session: how many sessions and participants.

    ``held``: group → (sessions, participants). Published like participation
    (a count of people, never what they said); their criteria follow the
    small-group rules of `synthesis`.
    """
    rows = [
        {"survey": survey.id, "group": group.id, "sessions": held[group.id][0], "participants": held[group.id][1]}
        for group in survey.groups
        if group.id in held
    ]
    everyone = {"survey": survey.id, "group": ALL, "sessions": sum(r["sessions"] for r in rows),
                "participants": sum(r["participants"] for r in rows)}  # fmt: skip
    return [everyone, *rows]
