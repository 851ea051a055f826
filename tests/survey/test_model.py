"""The survey model's own rules: what counts as an answer."""

from __future__ import annotations

import pytest
from wtforms.validators import StopValidation

from coresp_survey.answers import forms
from coresp_survey.survey import conditions
from coresp_survey.survey.fields import required
from coresp_survey.survey.model import is_answered

NO_ANSWER = [None, "", [], (), set(), frozenset(), {}]
ANSWERS = [0, 0.0, False, "0", " ", ["bus"], ("bus",), {"bus"}, {"a": 1}]


class Field:
    """What the ``required`` check reads of a WTForms field."""

    def __init__(self, data: object) -> None:
        self.data = data
        self.errors: list[str] = []


def required_stops(value: object) -> bool:
    try:
        required("Please answer this question.")(None, Field(value))
    except StopValidation:
        return True
    return False


@pytest.mark.parametrize(
    ("value", "answered"), [(v, False) for v in NO_ANSWER] + [(v, True) for v in ANSWERS], ids=repr
)
def test_forms_and_conditions_agree_on_what_is_answered(value, answered):
    """Forms took an empty set, frozenset or mapping for an answer; ``answered(q)`` did not. One rule now."""
    assert is_answered(value) is answered
    assert conditions.parse("answered(q)").evaluate({"q": value}, None) is answered
    assert required_stops(value) is not answered
    assert forms.is_answered is is_answered
