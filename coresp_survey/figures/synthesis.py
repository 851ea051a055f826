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
from coresp_survey.workspace.identical import normalised
from coresp_survey.workspace.moderation import OpenAnswer

Key = tuple[str, str]
"""(response id, question): one criterion, as moderation names it."""


@dataclass(frozen=True)
class Quote:
    text: str
    lang: str
    group: str | None
    question: str
    families: tuple[str, ...]
    indicators: tuple[str, ...] = ()
    """The indicators a moderator linked the criterion to."""


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
    linked: dict[tuple[str, str, str], int] = field(default_factory=dict)
    """(indicator, family, group) → approved criteria linked to the indicator; absent for hidden groups. Family
    ``*`` with ``all``: every approved criterion linked to it, each once."""

    def linked_count(self, indicator: str, family: str, group: str) -> int | None:
        """None when the group is hidden."""
        if group in self.hidden:
            return None
        return self.linked.get((indicator, family, group), 0)

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
    links: dict[Key, tuple[str, ...]] | None = None,
    same: dict[Key, Key] | None = None,
    session_participants: dict[str, int] | None = None,
) -> Synthesis:
    """``respondents`` counts every response per group (None: no declared group), all rounds together;
    ``session_participants`` the participants of the group sessions per group, who count with them.

    ``links``: the indicators each criterion is linked to; ``same``: the
    criterion each marked one is published as (its words, when it is approved).
    """
    links = links or {}
    answers = list(answers)
    texts = _texts_as_marked(answers, same or {})
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
    linked: Counter[tuple[str, str, str]] = Counter()
    quotes = []
    for answer in answers:
        if answer.status != "approved":
            continue
        group = answer.group if answer.group in sizes else None
        indicators = links.get((answer.response_id, answer.question), ())
        for family in answer.families or ("",):
            counts[(family, ALL)] += 1
            if group is not None:
                counts[(family, group)] += 1
            for indicator in indicators:
                linked[(indicator, family, ALL)] += 1
                if group is not None:
                    linked[(indicator, family, group)] += 1
        counts[("*", ALL)] += 1
        for indicator in indicators:
            linked[(indicator, "*", ALL)] += 1
        if group in quoted:
            text, lang = texts.get((answer.response_id, answer.question), (answer.published_text, answer.lang))
            quotes.append(Quote(text, lang, group, answer.question, answer.families, indicators))
    shown_counts = {key: n for key, n in counts.items() if key[1] not in hidden}
    return Synthesis(
        groups=(ALL, *declared),
        hidden=frozenset(hidden),
        counts=shown_counts,
        quotes=tuple(quotes),
        respondents={ALL: everyone, **sizes},
        linked={key: n for key, n in linked.items() if key[2] not in hidden},
        session_participants={group: held[group] for group in declared if held.get(group)},
    )


def _texts_as_marked(answers: list[OpenAnswer], same: dict[Key, Key]) -> dict[Key, tuple[str, str]]:
    """Marked criterion → the published text and language of the approved criterion it is marked as the same as."""
    approved = {(a.response_id, a.question): a for a in answers if a.status == "approved"}
    return {
        key: (approved[target].published_text, approved[target].lang)
        for key, target in same.items()
        if key in approved and target in approved
    }


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


# -- criteria as the method shows them: by kind, identical ones once ----------------------

KINDS = ("well_being", "ill_being", "can_do", "other")
"""What an open question asks: what makes for well-being, for ill-being, what people can do; or something else."""
KIND_WORDS = (
    ("ill_being", ("mal", "insecur", "unsafe", "unhapp"), ("ill", "bad")),
    ("can_do", ("agir", "faire", "propos", "idee", "idea", "improve", "amelior", "action"), ("do", "can")),
    ("well_being", ("bien", "well", "happ"), ("good",)),
)
"""Per kind, the starts and the whole words of a question id that say it, checked in this order: ``mal_etre`` is
ill-being, ``agir_soi`` what people can do, ``bien_etre`` well-being."""


def question_kind(question_id: str) -> str:
    """Which of `KINDS` an open question asks, read from the words of its id (``bien_etre``, ``mal_etre``,
    ``agir_autres``): the survey file needs no key for it."""
    words = question_id.lower().replace("-", "_").split("_")
    for kind, starts, whole in KIND_WORDS:
        if any(word in whole or word.startswith(starts) for word in words):
            return kind
    return "other"


@dataclass(frozen=True)
class Criterion:
    """Identical approved criteria, shown once: the words, who said them and how many times."""

    text: str
    lang: str
    kind: str
    families: tuple[str, ...]
    said_by: tuple[tuple[str | None, int], ...]
    """(group, times), in order of first appearance; None: respondents of no declared group."""
    indicators: tuple[str, ...]

    @property
    def times(self) -> int:
        return sum(n for _group, n in self.said_by)


def distinct_criteria(quotes: Iterable[Quote]) -> tuple[Criterion, ...]:
    """The quotes with identical ones (same kind, language and normalised words) gathered into one criterion.

    Only quotes are gathered, so a hidden group, never quoted, is never named
    nor counted here. A gathered criterion has the families and indicators of
    all its quotes, and the wording most of them use (the first one's on a tie).
    """
    gathered: dict[tuple[str, str, str], list[Quote]] = {}
    for quote in quotes:
        gathered.setdefault((question_kind(quote.question), quote.lang, normalised(quote.text)), []).append(quote)
    criteria = []
    for (kind, lang, _words), same in gathered.items():
        said: dict[str | None, int] = {}
        for quote in same:
            said[quote.group] = said.get(quote.group, 0) + 1
        criteria.append(
            Criterion(
                text=Counter(quote.text for quote in same).most_common(1)[0][0],
                lang=lang,
                kind=kind,
                families=tuple(sorted({f for quote in same for f in quote.families})),
                said_by=tuple(said.items()),
                indicators=tuple(sorted({i for quote in same for i in quote.indicators})),
            )
        )
    return tuple(criteria)


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
