"""The method's built-in scales and families, named once for the whole project."""

from __future__ import annotations

from coresp_survey.survey.model import Choice
from coresp_survey.survey.model import Family
from coresp_survey.survey.model import Scale
from coresp_survey.survey.model import Text


def _scale(scale_id: str, labels: list[tuple[str, str]]) -> Scale:
    return Scale(
        scale_id,
        tuple(Choice(value, Text(fr=fr, en=en)) for value, (fr, en) in enumerate(labels, start=1)),
    )


SCALES: dict[str, Scale] = {
    "spiral5": _scale(
        "spiral5",
        [
            ("Très insatisfaisante", "Very unsatisfactory"),
            ("Insatisfaisante", "Unsatisfactory"),
            ("Moyenne", "Average"),
            ("Bonne", "Good"),
            ("Idéale", "Ideal"),
        ],
    ),
    "agree5": _scale(
        "agree5",
        [
            ("Pas du tout d'accord", "Strongly disagree"),
            ("Plutôt pas d'accord", "Disagree"),
            ("Ni d'accord ni pas d'accord", "Neither agree nor disagree"),
            ("Plutôt d'accord", "Agree"),
            ("Tout à fait d'accord", "Strongly agree"),
        ],
    ),
}

SPIRAL_FAMILIES: tuple[Family, ...] = tuple(
    Family(family_id, Text(fr=fr, en=en))
    for family_id, fr, en in [
        ("A", "Accès aux moyens de vie", "Access to essential resources"),
        ("B", "Cadre de vie", "Living environment"),
        ("C", "Relations avec et entre les institutions", "Relations with and between institutions"),
        ("D", "Relations personnelles", "Personal relations"),
        ("E", "Équilibres sociétaux", "Social balance"),
        ("F", "Équilibres personnels", "Personal balance"),
        ("G", "Sentiments de bien-être / mal-être", "Feelings of well-being / ill-being"),
        ("H", "Attitudes et initiatives", "Attitudes and initiatives"),
    ]
)
