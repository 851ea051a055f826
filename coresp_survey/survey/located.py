"""YAML documents read with the line of every key and value.

PyYAML's ``safe_load`` forgets where things were and silently keeps the last of
two equal keys. Survey authors need ``PATH:LINE: message``, so we compose the
node tree ourselves and keep each line beside the value.
"""

from __future__ import annotations

from typing import Any

import yaml


class YamlError(ValueError):
    """A document that is not valid YAML (or not a mapping at its top)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class LocatedDict(dict):
    """A mapping whose keys remember their line (``key_lines``) and the mapping its own."""

    line: int
    key_lines: dict[Any, int]
    duplicate_keys: list[tuple[Any, int]]

    def line_of(self, key: Any) -> int:
        """The line of ``key`` when present, else the mapping's own line."""
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    """A sequence whose items remember their line (``item_lines``)."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


MAX_VALUES = 100_000
"""Aliases can make a small file expand exponentially ("billion laughs"): stop there."""


class _Builder:
    def __init__(self, constructor: yaml.constructor.SafeConstructor) -> None:
        self.constructor = constructor
        self.count = 0

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise YamlError(f"the document holds more than {MAX_VALUES:,} values", _line(node))
        return _build(node, self)


def _build(node: yaml.Node, builder: _Builder) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = LocatedDict()
        result.line = _line(node)
        result.key_lines = {}
        result.duplicate_keys = []
        for key_node, value_node in node.value:
            key = builder.build(key_node)
            if isinstance(key, (dict, list)):
                raise YamlError("a key must be a plain value, not a mapping or a list", _line(key_node))
            if key in result:
                result.duplicate_keys.append((key, _line(key_node)))
            result[key] = builder.build(value_node)
            result.key_lines[key] = _line(key_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        result = LocatedList()
        result.line = _line(node)
        result.item_lines = []
        for item in node.value:
            result.append(builder.build(item))
            result.item_lines.append(_line(item))
        return result
    try:
        return builder.constructor.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as error:
        raise YamlError(f"cannot read this value: {error.problem}", _line(node)) from None
    except (yaml.YAMLError, ValueError, OverflowError, TypeError) as error:
        raise YamlError(f"cannot read this value: {error}", _line(node)) from None


def load_located(text: str) -> LocatedDict:
    """Parse ``text`` into LocatedDict/LocatedList; raise YamlError with a line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or error.context or "invalid YAML"
        raise YamlError(f"YAML syntax error: {problem}", line) from None
    except yaml.YAMLError as error:
        raise YamlError(f"YAML syntax error: {error}", 1) from None
    except RecursionError:
        raise YamlError("YAML syntax error: nesting too deep", 1) from None
    finally:
        loader.dispose()
    if node is None:
        raise YamlError("the file is empty: a survey needs at least id, languages, title and sections", 1)
    try:
        document = _Builder(loader).build(node)
    except RecursionError:
        raise YamlError("the document is nested too deeply", _line(node)) from None
    if not isinstance(document, LocatedDict):
        raise YamlError("a survey file must be a mapping of keys (id:, title:, sections: …)", _line(node))
    return document
