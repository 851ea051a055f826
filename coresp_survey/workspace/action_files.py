"""Files of actions (``actions SURVEY --import FILE.yaml`` / ``--export``): YAML in, with every problem's line, and out.

The shape is PRODUCT.md's ("Action plans"): a list of mappings with the keys
of `action_checks.ACTION_KEYS`. A file is read with the located loader, so a
problem names its line (``FILE:LINE: message``), and checked by
`action_checks`, as the workspace's form is: a file is stored whole or not at
all. What `dump_actions` writes, `read_actions` reads back as the same actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from coresp_survey.survey.located import YamlError
from coresp_survey.survey.located import load_located_list
from coresp_survey.workspace.action_checks import Context
from coresp_survey.workspace.action_checks import Problem
from coresp_survey.workspace.action_checks import check_actions
from coresp_survey.workspace.plans import Action


def read_actions(text: str, context: Context) -> tuple[list[Action], list[Problem]]:
    """The actions of a file's ``text``, or none and every problem (each at its line)."""
    try:
        items = load_located_list(text, "actions")
    except YamlError as error:
        return [], [Problem(error.line, error.message)]
    actions, problems = check_actions(items, context)
    return actions, sorted(problems, key=lambda problem: problem.where)


def dump_actions(actions: Iterable[Action]) -> str:
    """The YAML file of ``actions``: the shape `read_actions` reads, optional keys left out when empty."""
    document = [_action_document(action) for action in actions]
    if not document:
        return "[]\n"
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)


class _Dumper(yaml.SafeDumper):
    """Texts of several lines as YAML blocks (``|``), as a person would write them; PyYAML quotes them when it must."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _text)


def _action_document(action: Action) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": action.id,
        "title": dict(action.title),
        "description": dict(action.description),
        "indicators": list(action.indicators),
    }
    if action.commitments:
        document["commitments"] = [
            {**({"group": c.group} if c.group else {"party": dict(c.party or {})}), "does": dict(c.does)}
            for c in action.commitments
        ]
    if action.baseline is not None:
        document["baseline"] = action.baseline
    document["starts"] = action.starts
    if action.ends is not None:
        document["ends"] = action.ends
    document["status"] = action.status
    if action.updates:
        document["updates"] = [{"date": note.day, "text": dict(note.text)} for note in action.updates]
    return document
