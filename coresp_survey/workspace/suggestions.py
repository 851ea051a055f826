"""What the moderation queue suggests: families from the most similar answers already classified, indicators
from the families.

A moderator classifying the thousandth answer has already classified ones like
it: the families of the closest classified answers (string similarity,
rapidfuzz's ``token_set_ratio`` on the normalised texts: the shared words count) are offered first, to accept in
one key press. The indicators a criterion may be linked to are offered in the
order its families suggest: the indicators of its own families first.
Suggestions are only ever offered; nothing is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz
from rapidfuzz import process

from coresp_survey.survey.model import Indicator
from coresp_survey.survey.model import Survey
from coresp_survey.workspace.identical import normalised
from coresp_survey.workspace.moderation import OpenAnswer

NEIGHBOURS = 5
"""How many of the most similar classified answers vote for their families."""
MIN_SIMILARITY = 60
"""Below this score (0–100) an answer is not similar enough to suggest anything."""
CLOSE_TO_BEST = 10
"""Only the answers within this many points of the closest one vote: a far one does not dilute a near one."""


class FamilySuggester:
    """The classified answers of a survey, ready to be compared with any text (built once per page)."""

    def __init__(self, answers: Iterable[OpenAnswer]) -> None:
        families: dict[str, set[str]] = {}
        for answer in answers:
            if answer.families and answer.status != "rejected":
                families.setdefault(normalised(answer.text), set()).update(answer.families)
        self._texts = list(families)
        self._families = [tuple(sorted(families[text])) for text in self._texts]

    def families_for(self, text: str, order: Iterable[str] = ()) -> tuple[str, ...]:
        """The families of the most similar classified answers, the most supported first; () when none is close.

        ``order`` (the survey's families) breaks ties; an identical classified
        text is not skipped: it is the best suggestion there is.
        """
        if not self._texts:
            return ()
        found = process.extract(
            normalised(text), self._texts, scorer=fuzz.token_set_ratio, limit=NEIGHBOURS, score_cutoff=MIN_SIMILARITY
        )
        support: dict[str, float] = {}
        closest = found[0][1] if found else 0
        for _text, score, index in found:
            if score < closest - CLOSE_TO_BEST:
                continue
            for family in self._families[index]:
                support[family] = support.get(family, 0.0) + score
        if not support:
            return ()
        best = max(support.values())
        rank = {family: k for k, family in enumerate(order)}
        kept = [family for family, score in support.items() if score >= best / 2]
        return tuple(sorted(kept, key=lambda family: (-support[family], rank.get(family, len(rank)), family)))


def indicators_for(survey: Survey, families: Iterable[str]) -> tuple[Indicator, ...]:
    """Every indicator of the survey, those of ``families`` first (in the families' order), then the others."""
    wanted = list(dict.fromkeys(families))
    first = [indicator for family in wanted for indicator in survey.indicators if indicator.family == family]
    return (*first, *(indicator for indicator in survey.indicators if indicator not in first))
