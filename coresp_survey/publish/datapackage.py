"""``datapackage.json``: the published data files of one survey described for tools (a Frictionless Data Package).

Each file is a resource with its Table Schema: every column's type, the
decimal mark (``.``), what a missing value looks like (an empty cell in CSV,
``null`` in JSON, an empty cell in XLSX) and the primary key. With it, a tool
(``frictionless validate``, a data portal, pandas through ``frictionless``)
reads ``3.02`` as a number whatever its locale, and ``true`` as a boolean,
instead of guessing. Columns are PRODUCT.md's; their descriptions are the
README's.
"""

from __future__ import annotations

from typing import Any

from coresp_survey.figures.effects import ACTION_COLUMNS
from coresp_survey.figures.indicators import CSV_COLUMNS
from coresp_survey.figures.indicators import PARTICIPATION_COLUMNS
from coresp_survey.figures.synthesis import SESSIONS_COLUMNS
from coresp_survey.survey.model import Survey
from coresp_survey.workspace.plans import STATUSES

PROFILE = "tabular-data-package"
MISSING = [""]
"""Missing values as the CSV writes them (an empty cell); JSON's ``null`` and an empty XLSX cell are missing anyway."""
DECIMAL = "."

SHARE = {"minimum": 0, "maximum": 1}
COUNT = {"minimum": 0}
INDICATOR_FIELDS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "survey": ("string", "The survey's id.", {}),
    "round": ("string", "The measurement round the answers belong to.", {}),
    "indicator": ("string", "The indicator's id.", {}),
    "family": ("string", "The family of criteria (A to H for the SPIRAL families).", {}),
    "group": ("string", 'The group of respondents, or "all" for every respondent of the round.', {}),
    "n": ("integer", "Respondents who answered the indicator's question; empty when suppressed.", COUNT),
    "mean": ("number", "The mean level given (2 decimals); empty when suppressed.", {}),
    "score": (
        "number",
        "(mean - lowest level) / (highest - lowest) x 100 (1 decimal).",
        {"minimum": 0, "maximum": 100},
    ),
    "share_good": ("number", "Share of answers at or above the indicator's good level (3 decimals).", SHARE),
    "share_good_low": ("number", "Lower bound of the Wilson 95% interval of share_good.", SHARE),
    "share_good_high": ("number", "Upper bound of the Wilson 95% interval of share_good.", SHARE),
    "suppressed": ("boolean", "true when the cell has too few respondents to be published.", {"required": True}),
}
PARTICIPATION_FIELDS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "survey": ("string", "The survey's id.", {}),
    "round": ("string", "The measurement round.", {}),
    "group": ("string", 'The group of respondents, or "all".', {}),
    "responses": ("integer", "How many people answered in that round and group.", {"required": True, **COUNT}),
}
CHANGE = {"minimum": -1, "maximum": 1}
ACTION_FIELDS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "survey": ("string", "The survey's id.", {}),
    "action": ("string", "The action's id.", {}),
    "status": ("string", "The action's status: " + ", ".join(STATUSES) + ".", {"enum": list(STATUSES)}),
    "starts": ("date", "The day the action started (or starts).", {"required": True}),
    "ends": ("date", "The day it ended; empty when it has not.", {}),
    "indicator": ("string", "An indicator the action aims at.", {}),
    "round_before": ("string", "The round the action answers to (its baseline); empty when there is none.", {}),
    "round_after": ("string", "The latest round collected since the action started; empty when none yet.", {}),
    "share_good_before": ("number", "Everyone's share of good answers in round_before; empty when unknown.", SHARE),
    "share_good_after": ("number", "Everyone's share of good answers in round_after; empty when unknown.", SHARE),
    "change": ("number", "share_good_after - share_good_before; empty when either is.", CHANGE),
    "change_low": ("number", "Lower bound of Newcombe's 95% interval of the change.", CHANGE),
    "change_high": ("number", "Upper bound of Newcombe's 95% interval of the change.", CHANGE),
}
SESSIONS_FIELDS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "survey": ("string", "The survey's id.", {}),
    "group": ("string", 'The group whose members took part, or "all" for every session.', {}),
    "sessions": ("integer", "How many group sessions were held, over every round.", {"required": True, **COUNT}),
    "participants": (
        "integer",
        "How many people took part in them (they wrote criteria and answered no indicator).",
        {"required": True, **COUNT},
    ),
}
SESSIONS_KEY = ["survey", "group"]
INDICATOR_KEY = ["survey", "round", "indicator", "group"]
ACTION_KEY = ["survey", "action", "indicator"]
PARTICIPATION_KEY = ["survey", "round", "group"]


def descriptor(survey: Survey, *, actions_json: bool = True) -> dict[str, Any]:
    """The Data Package of ``survey``'s data folder: one resource per data file, each with its Table Schema.

    ``actions_json`` False: ``actions.json`` is an empty list (no action yet),
    which holds no table for a tool to read (Frictionless refuses it), so it is
    described once the plan has rows; ``actions.csv`` always is (its header).
    """
    indicators = table_schema(INDICATOR_FIELDS, CSV_COLUMNS, INDICATOR_KEY)
    participation = table_schema(PARTICIPATION_FIELDS, PARTICIPATION_COLUMNS, PARTICIPATION_KEY)
    actions = table_schema(ACTION_FIELDS, ACTION_COLUMNS, ACTION_KEY)
    language = survey.default_language
    return {
        "profile": PROFILE,
        "name": survey.id,
        "title": survey.title[language],
        "description": (
            f"Published figures of the survey {survey.id}: one row per round x indicator x group, participation, and the"
            " action plan's effects."
            f" Cells of fewer than {survey.min_group_size} respondents are suppressed. See README.txt."
        ),
        "resources": [
            _csv("indicators", "indicators.csv", indicators),
            _json("indicators-json", "indicators.json", indicators, "The rows of indicators.csv"),
            {
                "name": "indicators-xlsx",
                "path": "indicators.xlsx",
                "profile": "tabular-data-resource",
                "format": "xlsx",
                "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "description": "The rows of indicators.csv as a workbook, numbers as numbers, for spreadsheets.",
                "schema": indicators,
            },
            _csv("participation", "participation.csv", participation),
            _csv("actions", "actions.csv", actions),
            _csv("sessions", "sessions.csv", table_schema(SESSIONS_FIELDS, SESSIONS_COLUMNS, SESSIONS_KEY)),
        ]
        + ([_json("actions-json", "actions.json", actions, "The rows of actions.csv")] if actions_json else []),
    }


def _json(name: str, path: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "json",
        "mediatype": "application/json",
        "encoding": "utf-8",
        "description": f"{description} as a JSON array of objects (numbers as numbers).",
        "schema": schema,
    }


def _csv(name: str, path: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": '"', "header": True, "lineTerminator": "\n"},
        "schema": schema,
    }


def table_schema(
    fields: dict[str, tuple[str, str, dict[str, Any]]], columns: tuple[str, ...], key: list[str]
) -> dict[str, Any]:
    """A Table Schema with ``columns`` in order; the key's columns are required."""
    described = []
    for name in columns:
        kind, description, constraints = fields[name]
        field: dict[str, Any] = {"name": name, "type": kind, "description": description}
        if kind == "number":
            field["decimalChar"] = DECIMAL
        if kind == "boolean":
            field.update(trueValues=["true"], falseValues=["false"])
        constraints = {**constraints, **({"required": True} if name in key else {})}
        if constraints:
            field["constraints"] = constraints
        described.append(field)
    return {"fields": described, "missingValues": MISSING, "primaryKey": key}
