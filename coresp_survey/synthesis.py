"""The published synthesis of the criteria: what each group said well-being means, once moderated.

Only approved answers count. Per family and group, the number of approved
criteria classified in it; and the approved quotes (the redacted text when
there is one), each labelled with its group and kept in the language it was
written in. Groups with fewer respondents than ``min_group_size`` publish no
count and no quote, and when only one group is hidden the next smallest one's
counts are hidden too (the same rule as the indicators), so that no hidden
count can be recovered from the total.

All rounds are pooled: criteria are usually gathered once, at the start of the
method, and then measured round after round.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .indicators import ALL
from .indicators import suppressed_groups
from .moderation import OpenAnswer
from .survey.model import Survey


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
    """Groups whose counts are not published."""
    counts: dict[tuple[str, str], int]
    """(family, group) → approved criteria; absent for hidden groups. Unclassified criteria use family ''."""
    quotes: tuple[Quote, ...]
    respondents: dict[str, int]
    """Respondents per group over every round (``all`` included): what decides suppression."""

    def count(self, family: str, group: str) -> int | None:
        """None when the group is hidden."""
        if group in self.hidden:
            return None
        return self.counts.get((family, group), 0)

    @property
    def approved(self) -> int:
        return self.counts.get(("*", ALL), 0)


def synthesis(survey: Survey, respondents: dict[str | None, int], answers: Iterable[OpenAnswer]) -> Synthesis:
    """``respondents`` counts every response per group (None: no declared group), all rounds together."""
    declared = [group.id for group in survey.groups]
    sizes = {group: respondents.get(group, 0) for group in declared}
    rest = sum(n for group, n in respondents.items() if group not in sizes)
    everyone = sum(sizes.values()) + rest
    hidden = set(suppressed_groups(survey.min_group_size, sizes, rest))
    if everyone < survey.min_group_size:
        hidden.add(ALL)
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
        small = group is not None and sizes[group] < survey.min_group_size
        if not small and ALL not in hidden:
            quotes.append(Quote(answer.published_text, answer.lang, group, answer.question, answer.families))
    shown_counts = {key: n for key, n in counts.items() if key[1] not in hidden}
    return Synthesis(
        groups=(ALL, *declared),
        hidden=frozenset(hidden),
        counts=shown_counts,
        quotes=tuple(quotes),
        respondents={ALL: everyone, **sizes},
    )
