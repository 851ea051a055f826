"""A survey written as a YAML survey file, as PRODUCT.md shows one (``coresp-survey convert --to yaml``).

What is written is read back by the loader as the same survey: the same
questions, choices, conditions, groups and indicators. Comments and the
author's layout are not kept (a workbook has neither).
"""

from __future__ import annotations

from typing import Any

import yaml

from coresp_survey.survey import conditions
from coresp_survey.survey.builtins import SCALES
from coresp_survey.survey.builtins import SPIRAL_FAMILIES
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import Survey
from coresp_survey.survey.model import Text

SHORT_TEXT = 90
"""Translations that fit on one line together, in characters."""


class _Flow(dict):
    """A mapping written on one line: a text's translations, a choice."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a label used twice is written twice, never as &id001 / *id001


_Dumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)
)


def survey_yaml(survey: Survey) -> str:
    """The YAML text of ``survey``."""
    return yaml.dump(
        survey_data(survey), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False
    )


def survey_data(survey: Survey) -> dict[str, Any]:
    """``survey`` as the plain data of a YAML survey file, keys in PRODUCT.md's order."""
    data: dict[str, Any] = {"id": survey.id, "round": survey.round, "languages": list(survey.languages)}
    data["title"] = _text(survey.title, survey)
    for key in ("intro", "thanks"):
        if getattr(survey, key) is not None:
            data[key] = _text(getattr(survey, key), survey)
    for key in ("opens", "closes"):
        if getattr(survey, key) is not None:
            data[key] = getattr(survey, key)
    if survey.access != "public":
        data["access"] = survey.access
    if survey.kiosk:
        data["kiosk"] = True
    if survey.groups:
        data["groups"] = [_group(group, survey) for group in survey.groups]
    if survey.min_group_size != 5:
        data["publish"] = {"min_group_size": survey.min_group_size}
    if survey.families != SPIRAL_FAMILIES:
        data["families"] = [_Flow(id=f.id, label=_text(f.label, survey)) for f in survey.families]
    used = {q.scale for q in survey.questions if q.scale and q.scale not in SCALES}
    if used:
        data["scales"] = {
            name: [_Flow(value=c.value, label=_text(c.label, survey)) for c in survey.scales[name].levels]
            for name in sorted(used)
        }
    data["sections"] = [_section(section, survey) for section in survey.sections]
    if survey.indicators:
        data["indicators"] = [
            {"id": i.id, "question": i.question, "family": i.family, "label": _text(i.label, survey),
             "good_from": i.good_from}
            for i in survey.indicators
        ]  # fmt: skip
    return data


def _text(text: Text, survey: Survey) -> dict[str, str]:
    """One line for short texts (``{fr: …, en: …}``), one line per language for long ones."""
    pairs = [(lang, text[lang]) for lang in survey.languages]
    return _Flow(pairs) if sum(len(value) for _, value in pairs) <= SHORT_TEXT else dict(pairs)


def _group(group: Any, survey: Survey) -> _Flow:
    data = _Flow(id=group.id, label=_text(group.label, survey))
    if group.size is not None:
        data["size"] = group.size
    return data


def _section(section: Any, survey: Survey) -> dict[str, Any]:
    data: dict[str, Any] = {"id": section.id, "title": _text(section.title, survey)}
    if section.show_if is not None:
        data["show_if"] = _condition(section.show_if)
    data["questions"] = [_question(question, survey) for question in section.questions]
    return data


def _condition(condition: conditions.Condition) -> str:
    """The author's own text when it was written as show_if, else the same condition in show_if's syntax."""
    return condition.source if type(condition) is conditions.Condition else conditions.to_source(condition)


def _question(question: Question, survey: Survey) -> dict[str, Any]:
    data: dict[str, Any] = {"id": question.id, "type": question.type, "label": _text(question.label, survey)}
    if question.help is not None:
        data["help"] = _text(question.help, survey)
    if question.required:
        data["required"] = True
    if question.show_if is not None:
        data["show_if"] = _condition(question.show_if)
    for key in question.kind.keys:  # the type's own keys (`question_types`), each when it says something
        value = getattr(question, key)
        if key == "choices" and question.scale is None:
            data["choices"] = [_Flow(value=c.value, label=_text(c.label, survey)) for c in question.choices]
        elif key in ("scale", "min", "max") and value is not None:
            data[key] = value
        elif key in ("other", "integer") and value:
            data[key] = True
        elif key == "max_length" and value != question.kind.default_max_length:
            data[key] = value
    return data
