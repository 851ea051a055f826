"""``show_if`` conditions: a tiny expression language, parsed here, never ``eval``-ed.

A survey file may hide a question or a section unless a condition on earlier
answers holds, e.g. ``age >= 18 and 'bus' in transport``. Survey files are
untrusted, so the text goes through our own tokenizer and recursive-descent
parser; the only things a condition can read are answers (by question id) and
the respondent's ``group``.

Grammar (EBNF; whitespace is space, tab, CR or LF between tokens)::

    condition  = or_expr END ;
    or_expr    = and_expr { "or" and_expr } ;
    and_expr   = not_expr { "and" not_expr } ;
    not_expr   = "not" not_expr | primary ;
    primary    = "(" or_expr ")"
               | "answered" "(" NAME ")"
               | STRING "in" NAME
               | operand COMPARE operand ;
    operand    = NAME | STRING | NUMBER ;
    COMPARE    = "==" | "!=" | "<" | "<=" | ">" | ">=" ;
    NAME       = lower { lower | digit | "_" } ;      (* but not a keyword *)
    STRING     = "'" { char - ("'" | "\\") | "\\'" | "\\\\" } "'" ;
    NUMBER     = [ "-" ] digit { digit } [ "." digit { digit } ] ;
    lower      = "a" | ... | "z" ;
    digit      = "0" | ... | "9" ;                    (* ASCII only *)

Keywords: ``and or not in answered``. ``group`` is a NAME that means the
respondent's group rather than a question. Precedence, loosest first:
``or``, ``and``, ``not``, comparisons.

Meaning: a comparison or ``'v' in q`` involving an unanswered question is
false, whatever the operator (so ``q != 'x'`` is false too); ``not`` of that
is true. Columns in errors are 1-based character offsets in the source.

Layers: ``_tokenize`` -> ``_Parser`` -> frozen AST nodes (``Or``, ``And``,
``Not``, ``Compare``, ``Contains``, ``Answered`` over ``Name`` and
``Literal``). Each node knows how to list its names, type-check itself and
evaluate itself.
"""

from __future__ import annotations

import decimal
import difflib
import math
import operator
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar
from typing import NamedTuple

from coresp_survey.survey.model import is_answered
from coresp_survey.survey.question_types import TYPES
from coresp_survey.survey.question_types import Operand
from coresp_survey.survey.shown import clip

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Condition",
    "ConditionError",
    "NameInfo",
    "parse",
    "to_source",
]

MAX_LENGTH = 1000
"""Longest accepted source, in characters: conditions are one-liners."""
MAX_DEPTH = 32
"""Deepest nesting of parentheses and ``not``: keeps recursion far from the limit."""

GROUP = "group"
KEYWORDS = frozenset({"and", "or", "not", "in", "answered"})

_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Explicit ASCII sets: str.isdigit() and friends also accept other scripts.
_DIGITS = frozenset("0123456789")
_NAME_CHARS = _LOWER | _DIGITS | {"_"}
_SPACES = frozenset(" \t\r\n")

_COMPARISONS: dict[str, Callable[[object, object], object]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ORDERING = frozenset({"<", "<=", ">", ">="})

GROUP_OPERAND = Operand("string", "the respondent group", "choice")
"""What ``group`` is in a condition; a question's type says what its answer is (`QuestionType.operand`)."""
_MAX_SHOWN_VALUES = 12


class ConditionError(ValueError):
    """A show_if that cannot be parsed or checked.

    ``message`` is plain English for a survey author; ``column`` is the 1-based
    position in the source of the problem, or None when it has none.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ConditionError({self.message!r}, column={self.column!r})"


@dataclass(frozen=True)
class NameInfo:
    """What the caller knows about a name usable in a condition (see ``check``)."""

    kind: str
    """A question type (`model.QUESTION_TYPES`) or 'group'; any other kind is not type-checked."""
    values: frozenset | None = None
    """Allowed values when known: choice ids (single/multiple/group), scale levels."""

    @property
    def operand(self) -> Operand | None:
        """What the name is in a condition, when its kind is known."""
        if self.kind == GROUP:
            return GROUP_OPERAND
        declared = TYPES.get(self.kind) if isinstance(self.kind, str) else None
        return declared.operand if declared is not None else None


# ---------------------------------------------------------------- tokenizer


class Token(NamedTuple):
    kind: str  # 'name' | 'keyword' | 'string' | 'number' | 'op' | '(' | ')' | 'end'
    text: str  # exactly as written in the source
    value: str | int | float | None  # decoded value of a string or number
    column: int


def _tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens, the last one of kind 'end'."""
    tokens: list[Token] = []
    i, length = 0, len(source)
    while i < length:
        char, column = source[i], i + 1
        if char in _SPACES:
            i += 1
        elif char in _LOWER:
            end = i + 1
            while end < length and source[end] in _NAME_CHARS:
                end += 1
            word = source[i:end]
            tokens.append(Token("keyword" if word in KEYWORDS else "name", word, word, column))
            i = end
        elif char in _DIGITS or (char == "-" and source[i + 1 : i + 2] in _DIGITS):
            token = _read_number(source, i)
            tokens.append(token)
            i += len(token.text)
        elif char == "'":
            token = _read_string(source, i)
            tokens.append(token)
            i += len(token.text)
        elif char in "()":
            tokens.append(Token(char, char, None, column))
            i += 1
        elif source[i : i + 2] in ("==", "!=", "<=", ">="):
            tokens.append(Token("op", source[i : i + 2], None, column))
            i += 2
        elif char in "<>":
            tokens.append(Token("op", char, None, column))
            i += 1
        elif char == "=":
            raise ConditionError(f"unexpected '=' at column {column} (use '==' to compare)", column)
        elif char == "!":
            raise ConditionError(f"unexpected '!' at column {column} (use '!=' or 'not')", column)
        elif char == "-":
            raise ConditionError(f"expected a digit after '-' at column {column + 1}", column + 1)
        else:
            raise _unexpected_character(char, column)
    tokens.append(Token("end", "", None, length + 1))
    return tokens


def _read_number(source: str, start: int) -> Token:
    """Read ``-?digits(.digits)?`` at ``start``; a number glued to a letter is bad."""
    end = start + 1  # past the '-' or the first digit
    while end < len(source) and source[end] in _DIGITS:
        end += 1
    if source[end : end + 1] == ".":
        if source[end + 1 : end + 2] not in _DIGITS:  # also true at the end
            raise ConditionError(f"expected a digit after '.' at column {end + 2}", end + 2)
        end += 1
        while end < len(source) and source[end] in _DIGITS:
            end += 1
    column = start + 1
    if end < len(source) and (source[end] in _NAME_CHARS or source[end] in _UPPER or source[end] == "."):
        raise ConditionError(f"malformed number at column {column}", column)
    text = source[start:end]
    value: int | float = float(text) if "." in text else int(text)
    if not math.isfinite(value):
        raise ConditionError(f"number too large at column {column}", column)
    return Token("number", text, value, column)


def _read_string(source: str, start: int) -> Token:
    """Read a single-quoted string at ``start``: the only escapes are \\' and \\\\."""
    chars: list[str] = []
    i = start + 1
    while i < len(source):
        char = source[i]
        if char == "'":
            return Token("string", source[start : i + 1], "".join(chars), start + 1)
        if char == "\\":
            escaped = source[i + 1 : i + 2]
            if escaped == "":
                break
            if escaped not in ("'", "\\"):
                shown = f"'\\{escaped}'" if escaped.isprintable() else f"'\\' followed by {_show_char(escaped)}"
                raise ConditionError(
                    f"invalid escape {shown} in string at column {i + 1} (only \\' and \\\\ are allowed)",
                    i + 1,
                )
            chars.append(escaped)
            i += 2
        else:
            chars.append(char)
            i += 1
    raise ConditionError(f"unterminated string starting at column {start + 1}", start + 1)


def _show_char(char: str) -> str:
    """Show a character in a message: quoted when printable, as U+XXXX otherwise."""
    return f"'{char}'" if char.isprintable() and char != " " else f"U+{ord(char):04X}"


def _unexpected_character(char: str, column: int) -> ConditionError:
    hint = ""
    if char in _UPPER:
        hint = " (names are lowercase)"
    elif char == '"':
        hint = " (strings use single quotes)"
    return ConditionError(f"unexpected character {_show_char(char)} at column {column}{hint}", column)


# ---------------------------------------------------------------- AST

Lookup = Callable[[str], object]
"""Gives the current value of a name (an answer, or the group)."""


@dataclass(frozen=True)
class Name:
    """A question id, or ``group``."""

    name: str
    column: int

    def resolve(self, lookup: Lookup) -> object:
        """The answer, or None when there is none (missing, None, '', empty list)."""
        value = lookup(self.name)
        return value if is_answered(value) else None

    def to_data(self) -> list:
        return ["name", self.name]

    def names(self) -> Iterator[str]:
        yield self.name

    def info(self, known: Mapping[str, NameInfo]) -> NameInfo | None:
        info = known.get(self.name)
        return info if isinstance(info, NameInfo) else None

    def value_type(self, known: Mapping[str, NameInfo]) -> str | None:
        """'string', 'number' or 'multiple'; None if unknown (reported elsewhere)."""
        info = self.info(known)
        operand = info.operand if info is not None else None
        return operand.value if operand is not None else None

    def describe(self, known: Mapping[str, NameInfo]) -> str:
        return f"{self.name} ({_kind_label(self, known)})"

    def check(self, known: Mapping[str, NameInfo], problems: list[ConditionError]) -> None:
        info = self.info(known)
        if info is not None and info.kind in TYPES and info.operand is None:
            problems.append(ConditionError(f"'{self.name}' is a {info.kind}: it has no answer to test", self.column))
            return
        if self.name in known:
            return
        candidates = [name for name in known if isinstance(name, str)]
        close = difflib.get_close_matches(self.name, candidates, n=1)
        hint = f" (did you mean '{_clip(close[0])}'?)" if close else ""
        problems.append(ConditionError(f"unknown name '{self.name}'{hint}", self.column))


@dataclass(frozen=True)
class Literal:
    """A string or number written in the condition."""

    value: str | int | float
    column: int

    def resolve(self, lookup: Lookup) -> object:
        """The value itself: a literal, even '', is never "unanswered"."""
        return self.value

    def to_data(self) -> list:
        return ["value", self.value]

    def names(self) -> Iterator[str]:
        return iter(())

    def value_type(self, known: Mapping[str, NameInfo]) -> str | None:
        return "string" if isinstance(self.value, str) else "number"

    def describe(self, known: Mapping[str, NameInfo]) -> str:
        kind = "string" if isinstance(self.value, str) else "number"
        return f"{kind} {_show_value(self.value)}"

    def check(self, known: Mapping[str, NameInfo], problems: list[ConditionError]) -> None:
        """Literals are always well-typed."""


Operand = Name | Literal


@dataclass(frozen=True)
class Compare:
    """``left op right``: true only if both sides are answered and of the same type."""

    left: Operand
    op: str
    right: Operand
    column: int  # where the comparison starts
    op_column: int

    def evaluate(self, lookup: Lookup) -> bool:
        left, right = self.left.resolve(lookup), self.right.resolve(lookup)
        if left is None or right is None:  # an unanswered question
            return False
        if isinstance(left, str) and isinstance(right, str):
            # Strings are only ever equal or not; ordering them is a check() error.
            return self.op in ("==", "!=") and bool(_COMPARISONS[self.op](left, right))
        if _is_number(left) and _is_number(right):
            return bool(_COMPARISONS[self.op](left, right))
        return False  # mismatched or unexpected types

    def to_data(self) -> list:
        return ["compare", self.op, self.left.to_data(), self.right.to_data()]

    def names(self) -> Iterator[str]:
        yield from self.left.names()
        yield from self.right.names()

    def check(self, known: Mapping[str, NameInfo], problems: list[ConditionError]) -> None:
        self.left.check(known, problems)
        self.right.check(known, problems)
        if isinstance(self.left, Literal) and isinstance(self.right, Literal):
            problems.append(ConditionError("compares two constants", self.column))
            return
        left_type, right_type = self.left.value_type(known), self.right.value_type(known)
        if left_type is None or right_type is None:
            return
        if "multiple" in (left_type, right_type):
            problems.append(self._multiple_problem(known))
            return
        if left_type != right_type:
            left, right = self.left.describe(known), self.right.describe(known)
            message = f"cannot compare {left} with {right}"
            problems.append(ConditionError(message, self.column))
            return
        if left_type == "string" and self.op in _ORDERING:
            problems.append(ConditionError(f"cannot use '{self.op}' on strings; use == or !=", self.op_column))
        for name, literal in ((self.left, self.right), (self.right, self.left)):
            if isinstance(name, Name) and isinstance(literal, Literal):
                _check_value(name, literal, known, problems)

    def _multiple_problem(self, known: Mapping[str, NameInfo]) -> ConditionError:
        """A multiple-choice answer is a set: point the author at ``'x' in q``."""
        multiple, other = (
            (self.left, self.right) if self.left.value_type(known) == "multiple" else (self.right, self.left)
        )
        assert isinstance(multiple, Name)  # only names can be 'multiple'
        value = "'value'"
        if isinstance(other, Literal) and isinstance(other.value, str):
            value = _show_value(other.value)
        negation = "not " if self.op == "!=" else ""
        name = multiple.name
        return ConditionError(
            f"{name} is a multiple-choice question: use {negation}{value} in {name}",
            self.column,
        )


@dataclass(frozen=True)
class Contains:
    """``'value' in q``: the answer to multiple-choice question q includes value."""

    value: Literal
    name: Name
    column: int  # of the 'in'

    def evaluate(self, lookup: Lookup) -> bool:
        answer = lookup(self.name.name)
        if not isinstance(answer, (list, tuple, set, frozenset)):
            return False
        return any(isinstance(item, str) and item == self.value.value for item in answer)

    def to_data(self) -> list:
        return ["in", self.value.value, self.name.name]

    def names(self) -> Iterator[str]:
        yield self.name.name

    def check(self, known: Mapping[str, NameInfo], problems: list[ConditionError]) -> None:
        self.name.check(known, problems)
        value_type = self.name.value_type(known)
        if value_type is None:
            return
        if value_type != "multiple":
            hint = f" (use {self.name.name} == {_show_value(self.value.value)})" if value_type == "string" else ""
            kind = _kind_label(self.name, known)
            message = f"'in' needs a multiple-choice question, but {self.name.name} is {kind}{hint}"
            problems.append(ConditionError(message, self.name.column))
            return
        _check_value(self.name, self.value, known, problems)


@dataclass(frozen=True)
class Answered:
    """``answered(q)``: q has a non-empty answer."""

    name: Name
    column: int

    def evaluate(self, lookup: Lookup) -> bool:
        return self.name.resolve(lookup) is not None

    def to_data(self) -> list:
        return ["answered", self.name.name]

    def names(self) -> Iterator[str]:
        yield self.name.name

    def check(self, known: Mapping[str, NameInfo], problems: list[ConditionError]) -> None:
        self.name.check(known, problems)


@dataclass(frozen=True)
class Not:
    """``not x``."""

    operand: Node
    column: int

    def evaluate(self, lookup: Lookup) -> bool:
        return not self.operand.evaluate(lookup)

    def to_data(self) -> list:
        return ["not", self.operand.to_data()]

    def names(self) -> Iterator[str]:
        return self.operand.names()

    def check(self, known: Mapping[str, NameInfo], problems: list[ConditionError]) -> None:
        self.operand.check(known, problems)


@dataclass(frozen=True)
class _Chain:
    """Two or more operands joined by one keyword, kept flat so long chains do not nest."""

    operands: tuple[Node, ...]
    keyword: ClassVar[str]

    def to_data(self) -> list:
        return [self.keyword, *(operand.to_data() for operand in self.operands)]

    def names(self) -> Iterator[str]:
        for operand in self.operands:
            yield from operand.names()

    def check(self, known: Mapping[str, NameInfo], problems: list[ConditionError]) -> None:
        for operand in self.operands:
            operand.check(known, problems)


@dataclass(frozen=True)
class And(_Chain):
    keyword: ClassVar[str] = "and"

    def evaluate(self, lookup: Lookup) -> bool:
        return all(operand.evaluate(lookup) for operand in self.operands)


@dataclass(frozen=True)
class Or(_Chain):
    keyword: ClassVar[str] = "or"

    def evaluate(self, lookup: Lookup) -> bool:
        return any(operand.evaluate(lookup) for operand in self.operands)


Node = Or | And | Not | Compare | Contains | Answered


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_value(
    name: Name,
    literal: Literal,
    known: Mapping[str, NameInfo],
    problems: list[ConditionError],
) -> None:
    """Report a literal the question can never hold: a mistyped choice, a lost level."""
    info = name.info(known)
    operand = info.operand if info is not None else None
    if info is None or info.values is None or operand is None:
        return
    if operand.member == "choice" and isinstance(literal.value, str):
        what, plural = "choice", "choices"
    elif operand.member == "level" and _is_number(literal.value):
        what, plural = "level", "levels"
    else:
        return
    if literal.value not in info.values:
        value, allowed = _show_value(literal.value), _show_values(info.values)
        message = f"{value} is not a {what} of {name.name} ({plural}: {allowed})"
        problems.append(ConditionError(message, literal.column))


def _kind_label(name: Name, known: Mapping[str, NameInfo]) -> str:
    info = name.info(known)
    if info is None:
        return "unknown"
    return info.operand.label if info.operand is not None else info.kind


def _quote(text: str) -> str:
    """Write ``text`` as a string literal of the language."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _show_value(value: object) -> str:
    return _quote(_clip(value)) if isinstance(value, str) else _clip(repr(value))


def _clip(text: str) -> str:
    """Make untrusted text fit in a one-line message: short (`shown.clip`), control characters as code points."""
    text = clip(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else f"<U+{ord(c):04X}>" for c in text)


def _show_values(values: frozenset) -> str:
    try:
        ordered = sorted(values)
    except TypeError:  # mixed types: any stable order will do
        ordered = sorted(values, key=repr)
    shown = ", ".join(
        _clip(value) if isinstance(value, str) else _clip(repr(value)) for value in ordered[:_MAX_SHOWN_VALUES]
    )
    if len(ordered) > _MAX_SHOWN_VALUES:
        shown += f", ... ({len(ordered) - _MAX_SHOWN_VALUES} more)"
    return shown or "none"


# ---------------------------------------------------------------- parser


def _describe_token(token: Token) -> str:
    if token.kind == "end":
        return "end of condition"
    if token.kind == "name":
        return f"name '{_clip(token.text)}'"
    if token.kind in ("string", "number"):
        return f"{token.kind} {_clip(token.text)}"
    return f"'{token.text}'"


class _Parser:
    """Recursive descent over the token list, one method per grammar rule."""

    def __init__(self, tokens: list[Token]) -> None:
        self._tokens = tokens
        self._position = 0
        self._depth = 0

    def condition(self) -> Node:
        node = self._or()
        if self._peek().kind != "end":
            raise self._expected("'and', 'or' or end of condition")
        return node

    def _or(self) -> Node:
        operands = [self._and()]
        while self._at_keyword("or"):
            self._advance()
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def _and(self) -> Node:
        operands = [self._not()]
        while self._at_keyword("and"):
            self._advance()
            operands.append(self._not())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def _not(self) -> Node:
        if not self._at_keyword("not"):
            return self._primary()
        token = self._advance()
        self._enter(token)
        operand = self._not()
        self._depth -= 1
        return Not(operand, token.column)

    def _primary(self) -> Node:
        token = self._peek()
        if token.kind == "(":
            self._advance()
            self._enter(token)
            node = self._or()
            self._expect(")", "')'")
            self._depth -= 1
            return node
        if token.kind == "keyword" and token.text == "answered":
            self._advance()
            self._expect("(", "'(' after 'answered'")
            name = self._expect("name", "a question name")
            self._expect(")", "')'")
            return Answered(Name(name.text, name.column), token.column)
        if token.kind == "string" and self._lookahead().kind == "keyword" and self._lookahead().text == "in":
            self._advance()
            in_token = self._advance()
            name = self._expect("name", "a question name after 'in'")
            return Contains(
                Literal(str(token.value), token.column),
                Name(name.text, name.column),
                in_token.column,
            )
        if token.kind in ("name", "string", "number"):
            return self._comparison()
        raise self._expected("a condition")

    def _comparison(self) -> Compare:
        left = self._operand("a name, string or number")
        op = self._peek()
        if op.kind != "op":
            if op.kind == "(" and isinstance(left, Name):
                raise ConditionError(
                    f"unknown function '{left.name}' at column {left.column} (the only function is answered)",
                    left.column,
                )
            hint = " ('in' needs a string on its left: 'value' in question)" if op.text == "in" else ""
            raise self._expected("a comparison operator (== != < <= > >=)", hint)
        self._advance()
        right = self._operand(f"a name, string or number after '{op.text}'")
        return Compare(left, op.text, right, left.column, op.column)

    def _operand(self, expected: str) -> Operand:
        token = self._peek()
        if token.kind == "name":
            self._advance()
            return Name(token.text, token.column)
        if token.kind in ("string", "number"):
            self._advance()
            assert token.value is not None
            return Literal(token.value, token.column)
        raise self._expected(expected)

    # -- helpers

    def _peek(self) -> Token:
        return self._tokens[self._position]

    def _lookahead(self) -> Token:
        return self._tokens[min(self._position + 1, len(self._tokens) - 1)]

    def _advance(self) -> Token:
        token = self._tokens[self._position]
        if token.kind != "end":
            self._position += 1
        return token

    def _at_keyword(self, word: str) -> bool:
        token = self._peek()
        return token.kind == "keyword" and token.text == word

    def _expect(self, kind: str, expected: str) -> Token:
        if self._peek().kind != kind:
            raise self._expected(expected)
        return self._advance()

    def _expected(self, expected: str, hint: str = "") -> ConditionError:
        token = self._peek()
        found = _describe_token(token)
        return ConditionError(
            f"expected {expected} at column {token.column}, found {found}{hint}",
            token.column,
        )

    def _enter(self, token: Token) -> None:
        """Count one more level of '(' or 'not', refusing to go past MAX_DEPTH."""
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ConditionError(
                f"too deeply nested at column {token.column} (at most {MAX_DEPTH} levels of parentheses and 'not')",
                token.column,
            )


# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Condition:
    """A parsed show_if: the source text and its syntax tree."""

    source: str
    tree: Node
    keyword: ClassVar[str] = "show_if"
    """What problems call the condition: the key or column it was written in."""

    def names(self) -> frozenset[str]:
        """Every name referenced: question ids, and 'group' if used."""
        return frozenset(self.tree.names())

    def check(self, known: Mapping[str, NameInfo]) -> list[ConditionError]:
        """Type-check against the names usable here; every problem, in source order.

        ``known`` holds 'group' (if the survey has groups) and the questions
        asked before this point: a later question is an unknown name.
        """
        problems: list[ConditionError] = []
        self.tree.check(known, problems)
        return problems

    def to_data(self) -> list:
        """The tree as nested lists (JSON-ready), for the script that hides questions live.

        ``["or"|"and", x, y, …]``, ``["not", x]``, ``["compare", op, left, right]``,
        ``["in", value, name]``, ``["answered", name]``, ``["name", n]``, ``["value", v]``.
        """
        return self.tree.to_data()

    def evaluate(self, answers: Mapping[str, object], group: str | None) -> bool:
        """Whether the condition holds; never raises, whatever the answers hold."""

        def lookup(name: str) -> object:
            return group if name == GROUP else answers.get(name)

        return self.tree.evaluate(lookup)


def parse(source: str) -> Condition:
    """Parse a show_if expression; raise ConditionError (only) if it is invalid."""
    if not isinstance(source, str):
        raise ConditionError(f"a condition must be text, not {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise ConditionError(
            f"condition too long ({len(source)} characters, at most {MAX_LENGTH})",
            MAX_LENGTH + 1,
        )
    if not source.strip():
        raise ConditionError("empty condition")
    return Condition(source, _Parser(_tokenize(source)).condition())


def to_source(condition: Condition) -> str:
    """``condition`` written in show_if's syntax, whatever it was written in: parsed back, it is the same tree.

    A chain inside a chain keeps its parentheses (``a and (b and c)`` is not ``a and b and c`` to the tree).
    """
    return _written(condition.tree, top=True)


def _written(node: Node, top: bool = False) -> str:
    if isinstance(node, Or | And):
        text = f" {node.keyword} ".join(_written(operand) for operand in node.operands)
        return text if top else f"({text})"
    if isinstance(node, Not):
        return f"not {_written(node.operand)}"
    if isinstance(node, Answered):
        return f"answered({node.name.name})"
    if isinstance(node, Contains):
        return f"{_quote(str(node.value.value))} in {node.name.name}"
    return f"{_written_operand(node.left)} {node.op} {_written_operand(node.right)}"


def _written_operand(operand: Operand) -> str:
    if isinstance(operand, Name):
        return operand.name
    if isinstance(operand.value, str):
        return _quote(operand.value)
    if isinstance(operand.value, int):
        return str(operand.value)
    text = format(decimal.Decimal(repr(operand.value)), "f")
    return text if "." in text else text + ".0"
