"""Survey documents whose every key and value knows where it was written.

PyYAML's ``safe_load`` forgets where things were and silently keeps the last of
two equal keys. Survey authors need ``PATH:LINE: message``, so we compose the
node tree ourselves and keep each line beside the value. A workbook's front
(`coresp_survey.survey.xlsform`) builds the same tree with a `Cell` where YAML
has a line, and the loader's checks read either without knowing which.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import yaml


@dataclass(frozen=True, order=True)
class Cell:
    """A cell of a workbook, named as spreadsheets name it: ``survey!C12``.

    Cells order as an author reads the workbook: sheet by sheet (in the
    workbook's order), then row by row, then left to right.
    """

    sheet_index: int
    row: int
    """1-based, as the spreadsheet shows it."""
    column: int
    """1-based: 1 is column A."""
    sheet: str = field(compare=False)

    def __str__(self) -> str:
        sheet = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in self.sheet)
        if not SHEET_NAME.fullmatch(sheet):
            sheet = "'" + sheet.replace("'", "''") + "'"
        return f"{sheet}!{column_letters(self.column)}{self.row}"


@dataclass(frozen=True, order=True)
class WholeFile:
    """A problem with the file itself (not a workbook, protected by a password): no line, no cell."""

    def __str__(self) -> str:
        return ""


WHOLE_FILE = WholeFile()
Location = int | Cell | WholeFile
"""Where something was written: a line of a YAML file, a cell of a workbook, or the whole file."""
SHEET_NAME = re.compile(r"[^\W\d][\w.]*")
"""A sheet name that needs no quotes before ``!``."""


def column_letters(column: int) -> str:
    """1 → A, 26 → Z, 27 → AA, as spreadsheets name columns."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def described(location: Location) -> str:
    """A location inside a sentence: "line 12", "survey!C12" or "the file"."""
    if isinstance(location, Cell):
        return str(location)
    if isinstance(location, WholeFile):
        return "the file"
    return f"line {location}"


def order(location: Location) -> tuple:
    """A key that sorts the locations of one file in reading order."""
    if isinstance(location, Cell):
        return (1, location.sheet_index, location.row, location.column)
    if isinstance(location, WholeFile):
        return (0, 0)
    return (1, location)


class YamlError(ValueError):
    """A document that is not valid YAML (or not a mapping at its top)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class LocatedDict(dict):
    """A mapping whose keys remember their line (``key_lines``) and the mapping its own.

    "Line" is a `Location`: a line in YAML, a `Cell` in a workbook.
    """

    line: Location
    key_lines: dict[Any, Location]
    duplicate_keys: list[tuple[Any, Location, Location]]
    """Each key written again: (key, line of the repeat, line of its first occurrence)."""

    def line_of(self, key: Any) -> Location:
        """The line of ``key`` when present, else the mapping's own line."""
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    """A sequence whose items remember their line (``item_lines``)."""

    line: Location
    item_lines: list[Location]

    def line_of(self, index: int) -> Location:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


MAX_VALUES = 100_000
"""Aliases can make a small file expand exponentially ("billion laughs"): stop there."""
MAX_DEPTH = 50
"""A survey nests about ten levels; PyYAML recurses, and slows down quadratically, with depth."""
MERGE_TAG = "tag:yaml.org,2002:merge"
LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _Lines:
    """Line numbers as editors count them.

    PyYAML also breaks lines at U+0085, U+2028 and U+2029, which a label pasted
    from a web page may hold: every later line number would be off.
    """

    def __init__(self, text: str) -> None:
        self.starts = [0] + [match.end() for match in LINE_BREAK.finditer(text)]
        self.length = len(text)

    def at(self, mark: yaml.Mark) -> int:
        return bisect_right(self.starts, mark.index)

    def count(self) -> int:
        """How many lines there are: a final line break does not open another."""
        return len(self.starts) - (self.starts[-1] == self.length)


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing to read deeper than MAX_DEPTH levels."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.lines = _Lines(text)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                line = self.lines.at(self.peek_event().start_mark)
                raise YamlError(f"the document is nested more than {MAX_DEPTH} levels deep", line)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Builder:
    def __init__(self, loader: _Loader) -> None:
        self.constructor = loader
        self.lines = loader.lines
        self.count = 0
        self.open: set[int] = set()  # the nodes being built: meeting one again means an alias loops

    def line(self, node: yaml.Node) -> int:
        return self.lines.at(node.start_mark)

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise YamlError(f"the document holds more than {MAX_VALUES:,} values", self.line(node))
        if id(node) in self.open:
            raise YamlError("an alias (*name) is used inside its own anchor (&name)", self.line(node))
        self.open.add(id(node))
        try:
            return _build(node, self)
        finally:
            self.open.discard(id(node))


def _build(node: yaml.Node, builder: _Builder) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = LocatedDict()
        result.line = builder.line(node)
        result.key_lines = {}
        result.duplicate_keys = []
        for key_node, value_node in node.value:
            key_line = builder.line(key_node)
            if key_node.tag == MERGE_TAG:
                raise YamlError("merge keys (<<) are not supported: write the keys out", key_line)
            key = builder.build(key_node)
            if isinstance(key, (dict, list)):
                raise YamlError("a key must be a plain value, not a mapping or a list", key_line)
            if key in result:
                result.duplicate_keys.append((key, key_line, result.key_lines[key]))
            result[key] = builder.build(value_node)
            result.key_lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        result = LocatedList()
        result.line = builder.line(node)
        result.item_lines = []
        for item in node.value:
            result.append(builder.build(item))
            result.item_lines.append(builder.line(item))
        return result
    try:
        return builder.constructor.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as error:
        raise YamlError(f"cannot read this value: {error.problem}", builder.line(node)) from None
    except yaml.YAMLError as error:
        raise YamlError(f"cannot read this value: {error}", builder.line(node)) from None
    except (ValueError, OverflowError, TypeError):
        # e.g. the date 2026-02-30: keep the text, so that the loader names the key among all other problems
        return node.value


def load_located(text: str) -> LocatedDict:
    """Parse ``text`` into LocatedDict/LocatedList; raise YamlError with a line that exists in ``text``."""
    try:
        return _load(text)
    except YamlError as error:
        error.line = max(1, min(error.line, _Lines(text).count()))
        raise


def load_located_list(text: str, what: str) -> LocatedList:
    """A document that is a list of ``what`` (a file of actions), each item with its line; `YamlError` otherwise."""
    try:
        document, line = _document(text)
        if document is None:
            raise YamlError(f"the file is empty: it should be a list of {what} (lines starting with '- ')", 1)
        if not isinstance(document, LocatedList):
            raise YamlError(f"the file should be a list of {what} (lines starting with '- ')", line)
        return document
    except YamlError as error:
        error.line = max(1, min(error.line, _Lines(text).count()))
        raise


def _load(text: str) -> LocatedDict:
    document, line = _document(text)
    if document is None:  # nothing but comments, "---" alone, or "~"
        raise YamlError("the file is empty: a survey needs at least id, languages, title and sections", 1)
    if not isinstance(document, LocatedDict):
        raise YamlError("a survey file must be a mapping of keys (id:, title:, sections: …)", line)
    return document


def _document(text: str) -> tuple[Any, int]:
    """The document of ``text`` (None when it holds nothing), and the line where it starts."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:  # a control character: checked before parsing
        line = text.count("\n", 0, error.position) + 1
        raise YamlError(f"YAML syntax error: {_reader_problem(error)}", line) from None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        line = _syntax_line(error, text, loader.lines)
        raise YamlError(f"YAML syntax error: {_syntax_problem(error, line, loader.lines)}", line) from None
    except yaml.YAMLError as error:
        raise YamlError(f"YAML syntax error: {error}", 1) from None
    except RecursionError:
        raise YamlError("YAML syntax error: nesting too deep", 1) from None
    finally:
        loader.dispose()
    builder = _Builder(loader)
    try:
        document = None if node is None else builder.build(node)
    except RecursionError:
        raise YamlError("the document is nested too deeply", builder.line(node)) from None
    return document, builder.line(node) if node is not None else 1


def _syntax_problem(error: yaml.MarkedYAMLError, line: int, lines: _Lines) -> str:
    """PyYAML's problem, with what it was reading ("while scanning a quoted scalar") and where that began."""
    if not (error.problem and error.context):
        return error.problem or error.context or "invalid YAML"
    start = lines.at(error.context_mark) if error.context_mark else line
    return f"{error.problem} ({error.context}{f' at line {start}' if start != line else ''})"


def _syntax_line(error: yaml.MarkedYAMLError, text: str, lines: _Lines) -> int:
    """Where the mistake is; for a quote or bracket left open, where it opens rather than the end of the file."""
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return 1
    at_end = not text[mark.index :].strip()
    return lines.at(error.context_mark if at_end and error.context_mark else mark)


def _reader_problem(error: yaml.reader.ReaderError) -> str:
    character = error.character
    shown = f"U+{character:04X}" if isinstance(character, int) else repr(character)
    return f"the character {shown} is not allowed in a YAML file"
