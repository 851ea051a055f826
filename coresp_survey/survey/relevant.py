"""XLSForm's ``relevant`` syntax, read into the project's conditions and written back from them.

A workbook writes a condition as XLSForm does, in a small part of XPath::

    ${age} >= 18 and selected(${transport}, 'bus') and not(${group} = 'parents')

It is parsed here into the very syntax tree a ``show_if`` becomes
(`coresp_survey.survey.conditions`), so the loader checks it the same way
(unknown names, later questions, types, values) and the walk evaluates it the
same way; only the text differs, and columns in problems point into the
cell's text. Grammar (whitespace between tokens is free)::

    condition  = or_expr END ;
    or_expr    = and_expr { "or" and_expr } ;
    and_expr   = unary { "and" unary } ;
    unary      = "not" "(" or_expr ")" | primary ;
    primary    = "(" or_expr ")"
               | "selected" "(" REF "," STRING ")"
               | operand COMPARE operand ;
    operand    = REF | STRING | NUMBER ;
    COMPARE    = "=" | "!=" | "<" | "<=" | ">" | ">=" ;
    REF        = "${" name "}" ;                      (* ${group}: the respondent's group *)
    STRING     = "'" { char - "'" } "'" | '"' { char - '"' } '"' ;
    NUMBER     = [ "-" ] digit { digit } [ "." digit { digit } ] ;

Meaning, as `show_if`'s (PRODUCT.md): ``${q} != ''`` is ``answered(q)`` and
``${q} = ''`` its negation; ``selected(${q}, 'x')`` is ``'x' in q`` for a
``select_multiple`` and ``q == 'x'`` for a ``select_one``; a comparison with
an unanswered question is false, ``!=`` included. XPath compares a choice and
a number as numbers, so ``${scale} = '4'`` is the level 4 and ``${q} = 1`` the
choice named ``1``: ``kinds`` (each question's type, from the survey sheet)
says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar
from typing import NamedTuple

from coresp_survey.survey import conditions
from coresp_survey.survey.conditions import And
from coresp_survey.survey.conditions import Answered
from coresp_survey.survey.conditions import Compare
from coresp_survey.survey.conditions import Condition
from coresp_survey.survey.conditions import ConditionError
from coresp_survey.survey.conditions import Contains
from coresp_survey.survey.conditions import Literal
from coresp_survey.survey.conditions import Name
from coresp_survey.survey.conditions import Not
from coresp_survey.survey.conditions import Or
from coresp_survey.survey.shown import clip

CHOICE = "choice"
"""A single choice's or the group's answer: a choice name, so a number compared with it is the choice of that name."""
_DIGITS = frozenset("0123456789")
_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_WORD_CHARS = _WORD_START | _DIGITS | {"-", ".", ":"}
_SPACES = frozenset(" \t\r\n\u00a0")
_COMPARISONS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_WRITTEN = {project: xlsform for xlsform, project in _COMPARISONS.items()}


@dataclass(frozen=True)
class Relevant(Condition):
    """A condition written in XLSForm's syntax: ``source`` is the cell's text, the tree the project's."""

    keyword: ClassVar[str] = "relevant"


class _Token(NamedTuple):
    kind: str  # 'ref' | 'string' | 'number' | 'op' | 'word' | '(' | ')' | ',' | 'end'
    text: str
    value: str | int | float | None
    column: int


def parse(source: str, kinds: Mapping[str, str] | None = None) -> Relevant:
    """Parse a ``relevant`` cell; raise ConditionError (only), with the column in the cell's text."""
    if not isinstance(source, str):
        raise ConditionError(f"a condition must be text, not {type(source).__name__}")
    if len(source) > conditions.MAX_LENGTH:
        raise ConditionError(f"condition too long ({len(source)} characters, at most {conditions.MAX_LENGTH})")
    if not source.strip():
        raise ConditionError("empty condition")
    return Relevant(source, _Parser(_tokenize(source), kinds or {}).condition())


# ---------------------------------------------------------------- tokenizer


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, length = 0, len(source)
    while i < length:
        char, column = source[i], i + 1
        if char in _SPACES:
            i += 1
        elif source.startswith("${", i):
            end = source.find("}", i)
            if end < 0:
                raise ConditionError(f"'${{' at column {column} is not closed by '}}'", column)
            name = source[i + 2 : end].strip()
            if not name:
                raise ConditionError(f"empty ${{}} at column {column}: write the question's name inside", column)
            tokens.append(_Token("ref", source[i : end + 1], name, column))
            i = end + 1
        elif char in "'\"":
            end = source.find(char, i + 1)
            if end < 0:
                raise ConditionError(f"unterminated string starting at column {column}", column)
            tokens.append(_Token("string", source[i : end + 1], source[i + 1 : end], column))
            i = end + 1
        elif char in _DIGITS or (char == "-" and source[i + 1 : i + 2] in _DIGITS):
            end = i + 1
            while end < length and source[end] in _DIGITS:
                end += 1
            if source[end : end + 1] == "." and source[end + 1 : end + 2] in _DIGITS:
                end += 1
                while end < length and source[end] in _DIGITS:
                    end += 1
            text = source[i:end]
            tokens.append(_Token("number", text, float(text) if "." in text else int(text), column))
            i = end
        elif source[i : i + 2] in ("!=", "<=", ">="):
            tokens.append(_Token("op", source[i : i + 2], None, column))
            i += 2
        elif char in "=<>":
            if source[i : i + 2] == "==":
                raise ConditionError(f"'==' at column {column}: XLSForm compares with a single '='", column)
            tokens.append(_Token("op", char, None, column))
            i += 1
        elif char in "(),":
            tokens.append(_Token(char, char, None, column))
            i += 1
        elif char in _WORD_START:
            end = i + 1
            while end < length and source[end] in _WORD_CHARS:
                end += 1
            tokens.append(_Token("word", source[i:end], source[i:end], column))
            i = end
        else:
            shown = f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}"
            raise ConditionError(f"unexpected character {shown} at column {column}", column)
    tokens.append(_Token("end", "", None, length + 1))
    return tokens


# ---------------------------------------------------------------- parser


class _Parser:
    """Recursive descent over the tokens, one method per grammar rule, building `conditions` nodes."""

    def __init__(self, tokens: list[_Token], kinds: Mapping[str, str]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0
        self.kinds = kinds

    def condition(self) -> conditions.Node:
        node = self.or_expr()
        if self.peek().kind != "end":
            raise self.expected("'and', 'or' or the end of the condition")
        return node

    def or_expr(self) -> conditions.Node:
        operands = [self.and_expr()]
        while self.at_word("or"):
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> conditions.Node:
        operands = [self.unary()]
        while self.at_word("and"):
            self.advance()
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def unary(self) -> conditions.Node:
        if not self.at_word("not"):
            return self.primary()
        token = self.advance()
        self.expect("(", "'(' after not: XLSForm writes not(…)")
        node = self.nested(token)
        return Not(node, token.column)

    def nested(self, token: _Token) -> conditions.Node:
        self.depth += 1
        if self.depth > conditions.MAX_DEPTH:
            raise ConditionError(
                f"too deeply nested at column {token.column} (at most {conditions.MAX_DEPTH} levels)", token.column
            )
        node = self.or_expr()
        self.expect(")", "')'")
        self.depth -= 1
        return node

    def primary(self) -> conditions.Node:
        token = self.peek()
        if token.kind == "(":
            self.advance()
            return self.nested(token)
        if token.kind == "word" and token.text == "selected":
            return self.selected()
        if token.kind == "word":
            raise self.unknown_word(token)
        if token.kind in ("ref", "string", "number"):
            return self.comparison()
        raise self.expected("a condition")

    def selected(self) -> conditions.Node:
        token = self.advance()
        self.expect("(", "'(' after selected")
        ref = self.expect("ref", "a question as ${name}")
        self.expect(",", "',' between the question and the choice")
        value = self.expect("string", "a choice in quotes, e.g. 'bus'")
        self.expect(")", "')'")
        name = Name(str(ref.value), ref.column)
        kind = self.value_of(name.name)
        if kind == CHOICE:
            return Compare(name, "==", Literal(str(value.value), value.column), token.column, token.column)
        if kind == "number":
            literal = Literal(_as_number(str(value.value)), value.column)
            return Compare(name, "==", literal, token.column, token.column)
        return Contains(Literal(str(value.value), value.column), name, token.column)

    def comparison(self) -> conditions.Node:
        left = self.advance()
        op = self.peek()
        if op.kind != "op":
            raise self.expected("a comparison (= != < <= > >=)")
        self.advance()
        right = self.peek()
        if right.kind not in ("ref", "string", "number"):
            raise self.expected(f"a question, a text or a number after '{op.text}'")
        self.advance()
        for ref, other in ((left, right), (right, left)):
            if ref.kind == "ref" and other.kind == "string" and other.value == "":
                return self.answered(ref, op, left.column)
        left_operand, right_operand = self.operand(left, right), self.operand(right, left)
        return Compare(left_operand, _COMPARISONS[op.text], right_operand, left.column, op.column)

    def answered(self, ref: _Token, op: _Token, column: int) -> conditions.Node:
        """``${q} != ''`` is answered(q), ``${q} = ''`` not answered(q); '' cannot be ordered."""
        if op.text not in ("=", "!="):
            raise ConditionError(
                f"'{op.text}' with '' at column {op.column}: compare with '' only by = or != (answered or not)",
                op.column,
            )
        answered = Answered(Name(str(ref.value), ref.column), column)
        return answered if op.text == "!=" else Not(answered, column)

    def operand(self, token: _Token, other: _Token) -> conditions.Operand:
        """A name or a literal; a literal compared with a question takes the type of the question's values."""
        if token.kind == "ref":
            return Name(str(token.value), token.column)
        kind = self.value_of(str(other.value)) if other.kind == "ref" else None
        value = token.value
        if kind == CHOICE and token.kind == "number" and isinstance(value, int):
            return Literal(str(value), token.column)
        if kind == "number" and token.kind == "string":
            return Literal(_as_number(str(value)), token.column)
        assert value is not None
        return Literal(value, token.column)

    def unknown_word(self, token: _Token) -> ConditionError:
        if token.text.casefold() in ("and", "or", "not", "selected"):
            return ConditionError(
                f"'{token.text}' at column {token.column}: write it {token.text.lower()}", token.column
            )
        if self.lookahead().kind == "(":
            return ConditionError(
                f"the function {token.text}() at column {token.column} is not supported"
                " (supported: selected(), not(), and, or, comparisons)",
                token.column,
            )
        return ConditionError(
            f"'{token.text}' at column {token.column}: write a question as ${{{token.text}}} and a text in quotes",
            token.column,
        )

    def value_of(self, name: str) -> str | None:
        """What the name's answer is: a single choice or the group (CHOICE), 'number', 'multiple', 'string', None."""
        if name not in self.kinds:
            return None
        operand = conditions.NameInfo(self.kinds[name]).operand
        if operand is None:
            return None
        return CHOICE if (operand.value, operand.member) == ("string", "choice") else operand.value

    # -- helpers

    def peek(self) -> _Token:
        return self.tokens[self.position]

    def lookahead(self) -> _Token:
        return self.tokens[min(self.position + 1, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.tokens[self.position]
        if token.kind != "end":
            self.position += 1
        return token

    def at_word(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.text == word

    def expect(self, kind: str, expected: str) -> _Token:
        if self.peek().kind != kind:
            raise self.expected(expected)
        return self.advance()

    def expected(self, expected: str) -> ConditionError:
        token = self.peek()
        found = "the end of the condition" if token.kind == "end" else f"'{clip(token.text)}'"
        if token.kind == "ref":
            found = f"the question {token.text}"
        return ConditionError(f"expected {expected} at column {token.column}, found {found}", token.column)


def _as_number(text: str) -> str | int | float:
    """A quoted number as XPath reads it beside a number (any other text stays text, for the checker to refuse)."""
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        number = float(stripped)
    except ValueError:
        return text
    return number if number == number and abs(number) != float("inf") else text


# ---------------------------------------------------------------- writing


class NotWritable(ValueError):
    """A condition XLSForm's syntax cannot hold as it is: a text with both kinds of quotes, a comparison with ''."""


def to_relevant(condition: Condition) -> str:
    """``condition`` written in XLSForm's syntax: parsed back (with the questions' kinds), it is the same tree."""
    return _write(condition.tree, top=True)


def _write(node: conditions.Node, top: bool = False) -> str:
    if isinstance(node, Or | And):
        keyword = " or " if isinstance(node, Or) else " and "
        text = keyword.join(_write(operand) for operand in node.operands)
        return text if top else f"({text})"  # a chain inside a chain stays a group of its own
    if isinstance(node, Not):
        return f"not({_write(node.operand, top=True)})"
    if isinstance(node, Answered):
        return f"${{{node.name.name}}} != ''"
    if isinstance(node, Contains):
        return f"selected(${{{node.name.name}}}, {_string(str(node.value.value))})"
    if isinstance(node, Compare):
        if any(isinstance(side, Literal) and side.value == "" for side in (node.left, node.right)):
            raise NotWritable("a comparison with '' means 'not answered' in XLSForm: write answered(…) instead")
        return f"{_operand(node.left)} {_WRITTEN[node.op]} {_operand(node.right)}"
    raise NotWritable(f"cannot write {type(node).__name__}")


def _operand(operand: conditions.Operand) -> str:
    if isinstance(operand, Name):
        return f"${{{operand.name}}}"
    if isinstance(operand.value, str):
        return _string(operand.value)
    return number_text(operand.value)


def _string(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise NotWritable(f"the text {text!r} holds both ' and \", which XLSForm cannot write in a condition")


def number_text(value: int | float) -> str:
    """A number as both condition languages read it back: digits, never an exponent (1e-05 is 0.00001)."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"
