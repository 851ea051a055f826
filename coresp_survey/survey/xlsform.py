"""XLSForm workbooks (.xlsx, .ods) to the located tree the loader checks, every value at its cell.

This is the spreadsheet front of the loader (PRODUCT.md, "Survey files as
spreadsheets"). It knows XLSForm's vocabulary — sheets, columns such as
``label::Français (fr)``, types such as ``select_one yesno or_other``,
``relevant``, ``constraint``, yes/no cells — and builds the very mappings and
lists a YAML survey file gives (`located.LocatedDict`, `located.LocatedList`),
each value located at its `Cell` instead of a line. The loader's checks (ids,
translations, choices, scales, conditions, indicators) then run unchanged.

What only a workbook can get wrong is this front's own problem, at its cell:
an unknown sheet, column or type (with the closest known one), an XLSForm
feature the project does not have (never dropped silently), a ``relevant`` or
a ``constraint`` it cannot read. A row refused here is left out of the tree,
and its name is `WorkbookDocument.reported`, so that a condition using it is
not reported a second time.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from functools import cache
from typing import Any

from babel import Locale
from babel import UnknownLocaleError

from coresp_survey.survey import relevant
from coresp_survey.survey.builtins import SCALES
from coresp_survey.survey.conditions import ConditionError
from coresp_survey.survey.located import WHOLE_FILE
from coresp_survey.survey.located import Cell
from coresp_survey.survey.located import LocatedDict
from coresp_survey.survey.located import LocatedList
from coresp_survey.survey.located import Location
from coresp_survey.survey.model import SUPPORTED_LANGUAGES
from coresp_survey.survey.question_types import TYPES
from coresp_survey.survey.shown import CLIP
from coresp_survey.survey.shown import clip
from coresp_survey.survey.workbook import Sheet
from coresp_survey.survey.workbook import WorkbookError
from coresp_survey.survey.workbook import read_workbook

FORMATS = ("xlsx", "ods")
"""The `Source` formats of survey workbooks."""

SHEETS = ("survey", "choices", "settings", "groups", "indicators", "families")
UNSUPPORTED_SHEETS = {"external_choices": "no choice files", "entities": "no entities", "osm": "no map questions"}
"""XLSForm sheets the project has no counterpart for: a problem when they hold anything."""

TRANSLATABLE = {
    "survey": ("label", "hint"),
    "choices": ("label",),
    "settings": ("form_title", "intro", "thanks"),
    "groups": ("label",),
    "indicators": ("label",),
    "families": ("label",),
}
COLUMNS = {
    "survey": ("type", "name", "required", "relevant", "constraint", "appearance", "max_length", "min_choices",
               "max_choices"),
    "choices": ("list_name", "name"),
    "settings": ("form_id", "default_language", "round", "access", "kiosk", "opens", "closes", "min_group_size",
                 "version", "style"),
    "groups": ("name", "size"),
    "indicators": ("name", "question", "family", "good_from"),
    "families": ("name",),
}  # fmt: skip
"""Each sheet's columns besides its translated ones (TRANSLATABLE)."""
ALIASES = {"list name": "list_name", "id_string": "form_id", "relevance": "relevant", "caption": "label"}
UNSUPPORTED_COLUMNS = {
    "constraint_message": "the form says itself which numbers it accepts",
    "required_message": "the form says itself that an answer is needed",
    "default": "no default answers", "calculation": "no calculations", "read_only": "no read-only questions",
    "choice_filter": "no choice filters", "repeat_count": "no repeats", "parameters": "no question parameters",
    "trigger": "no triggers", "guidance_hint": "no guidance hints", "image": "no media", "big-image": "no media",
    "audio": "no media", "video": "no media", "media": "no media", "body": "no custom form attributes",
    "bind": "no custom form attributes", "instance": "no custom form attributes", "save_to": "no entities",
    "instance_name": "no names for submissions", "public_key": "no encrypted submissions",
    "submission_url": "answers are kept by this server", "auto_send": "no sending settings",
    "auto_delete": "no sending settings", "allow_choice_duplicates": "no duplicate choices",
    "namespaces": "no custom namespaces", "clean_text_values": "no text cleaning", "omit_instanceid": "no instance ids",
}  # fmt: skip
"""Columns XLSForm knows and the project does not: a problem in a cell that holds anything."""
IGNORED_PREFIX = "$"
"""KoboToolbox's own bookkeeping columns ($kuid, $autoname, $autovalue…): they change nothing in the form."""

SUPPORTED_TYPES = (
    *dict.fromkeys(kind.xlsform_word for kind in TYPES.values() if kind.xlsform_word),
    "integer",  # a number question: `NumberType.xlsform` picks the word
    "decimal",
    "begin group",
    "end group",
)
DEVICE = "the project records nothing about the respondent or their device"
UNSUPPORTED_TYPES = {
    "begin repeat": "no repeats", "end repeat": "no repeats", "calculate": "no calculations",
    "hidden": "no hidden values", "date": "no date questions", "time": "no time questions",
    "datetime": "no date questions", "geopoint": "no locations", "geotrace": "no locations", "geoshape": "no locations",
    "start-geopoint": "no locations", "image": "no media", "audio": "no media", "video": "no media",
    "background-audio": "no media", "file": "no files", "barcode": "no barcodes", "acknowledge": "no acknowledgements",
    "range": "no ranges: use integer with a constraint", "rank": "no ranking", "select_one_from_file": "no choice files",
    "select_multiple_from_file": "no choice files", "select_one_external": "no choice files",
    "xml-external": "no external data", "csv-external": "no external data", "trigger": "no triggers",
    "start": DEVICE, "end": DEVICE, "today": DEVICE, "deviceid": DEVICE, "subscriberid": DEVICE, "simserial": DEVICE,
    "phonenumber": DEVICE, "username": DEVICE, "email": DEVICE, "audit": DEVICE,
}  # fmt: skip
TYPE_ALIASES = {"begin_group": "begin group", "end_group": "end group", "begin_repeat": "begin repeat",
                "end_repeat": "end repeat", "select1": "select_one", "datetime": "datetime"}  # fmt: skip
LIKERT = "likert"
MULTILINE = "multiline"
FIELD_LIST = "field-list"
NOTE_TYPE = "note"

YES = frozenset({"yes", "true", "true()", "1", "oui", "vrai"})
NO = frozenset({"no", "false", "false()", "0", "", "non", "faux"})
LANGUAGE_WITH_CODE = re.compile(r"(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)\)")
LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
BOUND = re.compile(
    r"\s*(?:\.\s*(?P<op>>=|<=|>|<)\s*(?P<right>-?\d+(?:\.\d+)?)|(?P<left>-?\d+(?:\.\d+)?)\s*(?P<rop>>=|<=|>|<)\s*\.)\s*"
)
UNNAMED = "unnamed_row_"
"""The id given, in the tree only, to a row without a name (reported here): its other cells are still checked."""


@dataclass
class WorkbookDocument:
    """What the front read: the tree for the loader (None when there is nothing to check) and its own problems."""

    document: LocatedDict | None
    problems: list[tuple[Location, str]]
    reported: frozenset[str] = frozenset()
    """Names of the rows refused here (an unsupported type…): a condition using one is not reported again."""


def read_document(data: bytes, file_format: str = "xlsx") -> WorkbookDocument:
    """Read an XLSForm workbook into a located tree; never raises for anything the file holds."""
    try:
        sheets = read_workbook(data)
    except WorkbookError as error:
        return WorkbookDocument(None, [(WHOLE_FILE, error.message)])
    front = _Front(sheets)
    document = front.document()
    return WorkbookDocument(document, front.problems, frozenset(front.reported))


# -- languages --------------------------------------------------------------------------


def language_header(code: str) -> str:
    """How a column names a language, as KoboToolbox does: "Français (fr)", "English (en)"."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, TypeError, UnknownLocaleError):  # a code an author typed: shown as it is
        name = code
    return f"{name[:1].upper()}{name[1:]} ({code})"


@cache
def _language_names() -> dict[str, str]:
    """Every supported language's name, in every supported language, casefolded → its code."""
    names = {}
    for code in SUPPORTED_LANGUAGES:
        locale = Locale.parse(code)
        for other in SUPPORTED_LANGUAGES:
            names[(locale.get_display_name(other) or code).casefold()] = code
        names[locale.english_name.casefold()] = code
    return names


def language_code(written: str) -> str | None:
    """The language a column names: "Français (fr)" → fr, "fr" → fr, "French" → fr; None if it cannot be told."""
    text = written.strip()
    match = LANGUAGE_WITH_CODE.fullmatch(text)
    if match:
        return match["code"].lower().replace("_", "-")
    if text.casefold() in _language_names():
        return _language_names()[text.casefold()]
    if LANGUAGE_CODE.fullmatch(text):
        return text.lower().replace("_", "-")
    return None


# -- cell values ----------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as the text it shows (a number typed in a label cell is that number's digits)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return relevant.number_text(value) if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _identifier(value: Any) -> Any:
    """A name cell: text, trimmed (a whole number typed as a name stays a number, which the loader accepts)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _text(value)


def _whole(value: Any) -> Any:
    """A count cell: a whole number when it is one (typed as text too), else what it holds, for the loader to refuse."""
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,15}\s*", value):
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _yes_no(value: Any) -> bool | None:
    """A yes/no cell (yes, true, TRUE, 1; no, false, 0, empty), or None when it is neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = _text(value).strip().casefold()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


# -- sheets as tables -----------------------------------------------------------------------


@dataclass
class _Column:
    index: int
    """0-based, in the sheet's grid."""
    header: str
    base: str
    """The column's name, case folded, before any ``::`` (``label``, ``list_name``…)."""
    written_language: str | None
    """What follows ``::`` as written, or None."""
    cell: Cell
    language: str | None = None
    """For a translated column, the language it holds, once known."""


@dataclass
class _Table:
    """One sheet: its header row's columns and the rows below that hold anything."""

    sheet: Sheet
    kind: str
    columns: list[_Column] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    """0-based indices of the rows below the header that hold a value."""
    header_row: int = 0
    extra_columns: int = 0
    """Columns added past the last one, for the translations a sheet lacks (`_Front.virtual_column`)."""

    def value(self, row: int, column: _Column) -> Any:
        values = self.sheet.rows[row]
        return values[column.index] if column.index < len(values) else ""

    def cell(self, row: int, column: _Column | int) -> Cell:
        index = column if isinstance(column, int) else column.index
        return self.sheet.cell(row + 1, index + 1)

    def first(self, base: str) -> _Column | None:
        return next((c for c in self.columns if c.base == base and c.language is None), None)

    def translated(self, base: str) -> list[_Column]:
        return [c for c in self.columns if c.base == base and c.language is not None]

    def has_value(self, column: _Column) -> bool:
        return any(not _is_empty(self.value(row, column)) for row in self.rows)


def _located_dict(where: Location) -> LocatedDict:
    data = LocatedDict()
    data.line = where
    data.key_lines = {}
    data.duplicate_keys = []
    return data


def _located_list(where: Location, items: Iterable[tuple[Any, Location]] = ()) -> LocatedList:
    data = LocatedList()
    data.line = where
    data.item_lines = []
    for item, item_where in items:
        data.append(item)
        data.item_lines.append(item_where)
    return data


def _put(data: LocatedDict, key: str, value: Any, where: Location) -> None:
    data[key] = value
    data.key_lines[key] = where


def _closest(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _short(value: Any, limit: int = CLIP) -> str:
    """A cell quoted in a message: the text it shows, on one line, cut short (`shown.clip`)."""
    return clip(" ".join(_text(value).split()), limit)


# -- the front ----------------------------------------------------------------------------------


@dataclass
class _Type:
    """A survey row's ``type`` cell, read."""

    word: str
    """``select_one``, ``text``, ``begin group``…"""
    list_name: str | None = None
    other: bool = False


class _Front:
    """Reads the sheets of one workbook; each method reads one part and puts it in the tree."""

    def __init__(self, sheets: list[Sheet]) -> None:
        self.sheets = sheets
        self.problems: list[tuple[Location, str]] = []
        self.reported: set[str] = set()
        self.tables: dict[str, _Table] = {}
        self.languages: list[str] = []
        self.default_language: str | None = None
        self.lists: dict[str, list[int]] = {}
        """Each choice list's rows (choices sheet), in order."""
        self.choice_items: dict[str, LocatedList] = {}
        self.kinds: dict[str, str] = {}
        """Each question's kind for conditions (`relevant.parse`), by name."""
        self.likert_users: dict[str, int] = {}
        """How many likert questions use each list."""
        self.scales_used: dict[str, Cell] = {}
        """Lists used as named scales, with the first cell naming each."""
        self.virtual: dict[tuple[str, str, str], int] = {}
        """(sheet, column, language) of the translations a sheet has no column for → the column they are shown in."""
        self.language_cells: list[tuple[str, Cell]] = []

    def problem(self, where: Location, message: str) -> None:
        self.problems.append((where, message))

    # -- the workbook

    def document(self) -> LocatedDict | None:
        self.read_tables()
        survey = self.tables.get("survey")
        if survey is None:
            names = ", ".join(sheet.name for sheet in self.sheets) or "none"
            self.problem(WHOLE_FILE, f"the workbook has no sheet named survey (its sheets: {_short(names, 80)})")
            return None
        settings_row = self.read_settings_row()
        self.read_languages(survey, settings_row)
        if not self.languages:
            return None  # every text would be in no language: that one problem first
        for table in self.tables.values():
            self.resolve_languages(table)
        settings = self.tables.get("settings")
        root = _located_dict(settings.sheet.cell(1, 1) if settings else survey.sheet.cell(1, 1))
        cells = dict(self.language_cells)
        languages = _located_list(cells[self.languages[0]], ((code, cells[code]) for code in self.languages))
        _put(root, "languages", languages, languages.line)
        if settings is not None and settings_row is not None:
            self.read_settings(settings, settings_row, root)
        self.read_lists()
        self.read_groups(root)
        self.read_families(root)
        self.read_survey_sheet(survey, root)
        self.read_scales(root)
        self.read_indicators(root)
        return root

    def read_tables(self) -> None:
        for sheet in self.sheets:
            kind = sheet.name.strip().casefold()
            if kind in SHEETS:
                if kind in self.tables:
                    first = self.tables[kind].sheet.name
                    self.problem(sheet.cell(1, 1), f"a second sheet named {kind} (the first is '{first}'): keep one")
                else:
                    self.tables[kind] = self.read_table(sheet, kind)
                continue
            if not any(not _is_empty(value) for row in sheet.rows for value in row):
                continue  # an empty sheet changes nothing (LibreOffice adds one to every new workbook)
            if kind in UNSUPPORTED_SHEETS:
                self.problem(sheet.cell(1, 1), f"the sheet {sheet.name} is not supported ({UNSUPPORTED_SHEETS[kind]})")
            elif close := difflib.get_close_matches(kind, SHEETS + tuple(UNSUPPORTED_SHEETS), n=1):
                self.problem(sheet.cell(1, 1), f"unknown sheet '{_short(sheet.name)}' (did you mean '{close[0]}'?)")
            # any other sheet (notes for translators, a list of codes) is the author's own and is not read

    def read_table(self, sheet: Sheet, kind: str) -> _Table:
        """The header row (the first row holding anything), its columns, and the rows below holding anything."""
        table = _Table(sheet, kind)
        rows = [index for index, row in enumerate(sheet.rows) if any(not _is_empty(v) for v in row)]
        if not rows:
            return table
        table.header_row, table.rows = rows[0], rows[1:]
        seen: dict[tuple[str, str | None], Cell] = {}
        for index, value in enumerate(sheet.rows[table.header_row]):
            if _is_empty(value):
                filled = next((row for row in table.rows if not _is_empty(sheet.rows[row][index])), None)
                if filled is not None:
                    self.problem(
                        table.cell(table.header_row, index),
                        f"this column has no header, yet {table.cell(filled, index)} holds a value",
                    )
                continue
            column = self.read_header(table, index, _text(value))
            if column is None:
                continue
            key = (column.base, column.written_language and column.written_language.casefold())
            if key in seen:
                self.problem(column.cell, f"the column '{_short(column.header)}' appears twice (first at {seen[key]})")
                continue
            seen[key] = column.cell
            table.columns.append(column)
        return table

    def read_header(self, table: _Table, index: int, header: str) -> _Column | None:
        """A header cell: a known column, or a problem (an unknown or unsupported column that holds anything)."""
        text = header.strip()
        base, _sep, language = text.partition("::")
        if not _sep and ":" in text and text.split(":", 1)[0].strip().casefold() in TRANSLATABLE[table.kind]:
            base, _sep, language = text.partition(":")  # pyxform's older "label:English"
        base = " ".join(base.casefold().split())
        base = ALIASES.get(base, base).replace(" ", "_")
        column = _Column(index, text, base, language.strip() if _sep else None, table.cell(table.header_row, index))
        known = COLUMNS[table.kind] + TRANSLATABLE[table.kind]
        if base in known:
            if column.written_language is not None and base not in TRANSLATABLE[table.kind]:
                self.problem(column.cell, f"the column {base} takes no language: call it {base}")
                return None
            return column
        if base.startswith(IGNORED_PREFIX):
            return None
        if not table.has_value(column):
            return None  # a column with nothing in it changes nothing
        if base in UNSUPPORTED_COLUMNS:
            self.problem(self.first_value(table, column), f"{base} is not supported ({UNSUPPORTED_COLUMNS[base]})")
        else:
            self.problem(column.cell, f"unknown column '{_short(text)}' in {table.kind}{_closest(base, known)}")
        return None

    def first_value(self, table: _Table, column: _Column) -> Cell:
        """The first cell of ``column`` holding anything: where an unsupported column is reported, once."""
        return next(table.cell(row, column) for row in table.rows if not _is_empty(table.value(row, column)))

    # -- languages

    def read_languages(self, survey: _Table, settings_row: int | None) -> None:
        """The survey's languages: its label columns that hold a text, the default language first."""
        settings = self.tables.get("settings")
        default_column = settings.first("default_language") if settings else None
        if settings is not None and settings_row is not None and default_column is not None:
            written = _text(settings.value(settings_row, default_column)).strip()
            if written:
                self.default_language = language_code(written)
                if self.default_language is None:
                    self.problem(
                        settings.cell(settings_row, default_column),
                        f"cannot tell the language '{_short(written)}': write it as in the columns, e.g. Français (fr)",
                    )
        labels = [c for c in survey.columns if c.base == "label" and survey.has_value(c)]
        for column in labels:
            code = self.column_language(column)
            first = next((where for c, where in self.language_cells if c == code), None)
            if first is not None:
                self.problem(column.cell, f"a second label column in {code} (the first is at {first}): keep one")
            elif code is not None:
                self.language_cells.append((code, column.cell))
        codes = [code for code, _ in self.language_cells]
        if self.default_language in codes:
            codes.remove(self.default_language)
            codes.insert(0, self.default_language)
        elif self.default_language and codes and settings is not None and default_column is not None:
            self.problem(
                settings.cell(settings_row, default_column),
                f"default_language is {self.default_language}, but the survey sheet has no label column"
                f" in it (label::{language_header(self.default_language)})",
            )
        if not labels:
            self.problem(
                survey.sheet.cell(survey.header_row + 1, len(survey.columns) + 1),
                "the survey sheet has no label column holding a text: one per language,"
                " e.g. label::Français (fr) and label::English (en)",
            )
        self.languages = codes

    def column_language(self, column: _Column) -> str | None:
        """The language of a translated column; a column without one is in the default language."""
        if not column.written_language:
            if self.default_language:
                return self.default_language
            self.problem(
                column.cell,
                f"the column {column.base} names no language: call it {column.base}::Français (fr),"
                f" {column.base}::English (en)…, or set default_language in settings",
            )
            return None
        code = language_code(column.written_language)
        if code is None:
            self.problem(
                column.cell,
                f"cannot tell the language of '{_short(column.header)}': write it as {column.base}::Name (code),"
                f" e.g. {column.base}::English (en)",
            )
        return code

    def resolve_languages(self, table: _Table) -> None:
        """Give each translated column its language; one that is no language of the survey's is a problem."""
        kept = []
        for column in table.columns:
            if column.base not in TRANSLATABLE[table.kind]:
                kept.append(column)
                continue
            if table.kind == "survey" and column.base == "label" and not table.has_value(column):
                continue  # an empty label column is a language not written yet (a translator's column)
            is_survey_label = table.kind == "survey" and column.base == "label"
            code = (
                next((c for c, where in self.language_cells if where == column.cell), None)
                if is_survey_label
                else self.quiet_language(column)
            )
            if code is None:
                continue
            if code not in self.languages:
                if table.has_value(column) and not is_survey_label:
                    self.problem(
                        column.cell,
                        f"'{_short(column.header)}': {code} is not one of the survey's languages (those of the survey"
                        f" sheet's label columns: {', '.join(self.languages) or 'none'})",
                    )
                continue
            if any(c.base == column.base and c.language == code for c in kept):
                self.problem(column.cell, f"a second {column.base} column in {code}: keep one")
                continue
            column.language = code
            kept.append(column)
        table.columns = kept

    def quiet_language(self, column: _Column) -> str | None:
        """`column_language` for columns other than the survey's labels (a plain column without a default: the only
        language, when the survey has one)."""
        if not column.written_language and not self.default_language and len(self.languages) == 1:
            return self.languages[0]
        return self.column_language(column)

    def text(self, table: _Table, row: int, base: str, required: bool) -> LocatedDict | None:
        """A translated text of one row: one cell per survey language; a language without a column gets a cell
        past the sheet's last column (`virtual_column`), so that its problem names the cell to fill."""
        columns = {c.language: c for c in table.translated(base)}
        if not columns and not required:
            return None
        values = {lang: table.value(row, columns[lang]) if lang in columns else "" for lang in self.languages}
        if not required and all(_is_empty(v) for v in values.values()):
            return None
        cells = {
            lang: table.cell(row, columns[lang]) if lang in columns else self.virtual_column(table, base, lang, row)
            for lang in self.languages
        }
        where = cells[self.languages[0]] if self.languages else table.cell(row, 0)
        text = _located_dict(where)
        for lang in self.languages:
            _put(text, lang, _text(values[lang]), cells[lang])
        return text

    def virtual_column(self, table: _Table, base: str, lang: str, row: int) -> Cell:
        key = (table.kind, base, lang)
        if key not in self.virtual:
            index = len(table.sheet.rows[table.header_row]) + len([k for k in self.virtual if k[0] == table.kind])
            self.virtual[key] = index
            header = table.cell(table.header_row, index)
            self.problem(
                header,
                f"no column {base}::{language_header(lang)}: each text needs one column per language"
                f" ({', '.join(self.languages)})",
            )
        return table.cell(row, self.virtual[key])

    # -- settings

    def read_settings_row(self) -> int | None:
        settings = self.tables.get("settings")
        if settings is None or not settings.rows:
            return None
        for extra in settings.rows[1:]:
            self.problem(
                settings.cell(extra, 0), "settings has one row of values, under its headers: this one is extra"
            )
        return settings.rows[0]

    def read_settings(self, settings: _Table, row: int, root: LocatedDict) -> None:
        def cell_of(base: str) -> tuple[Any, Cell] | None:
            column = settings.first(base)
            if column is None or _is_empty(settings.value(row, column)):
                return None
            return settings.value(row, column), settings.cell(row, column)

        if found := cell_of("form_id"):
            _put(root, "id", _identifier(found[0]), found[1])
        title = self.text(settings, row, "form_title", required=bool(settings.translated("form_title")))
        if title is not None:
            _put(root, "title", title, title.line)
        for key in ("intro", "thanks"):
            text = self.text(settings, row, key, required=False)
            if text is not None:
                _put(root, key, text, text.line)
        if found := cell_of("round"):
            _put(root, "round", _text(found[0]).strip(), found[1])
        if found := cell_of("access"):
            _put(root, "access", _text(found[0]).strip().casefold(), found[1])
        if found := cell_of("kiosk"):
            kiosk = _yes_no(found[0])
            if kiosk is None:
                self.problem(found[1], f"kiosk must be yes or no, not '{_short(found[0])}'")
            else:
                _put(root, "kiosk", kiosk, found[1])
        for key in ("opens", "closes"):
            if found := cell_of(key):
                value = found[0]
                _put(root, key, value if isinstance(value, date) else _text(value).strip(), found[1])
        if found := cell_of("min_group_size"):
            publish = _located_dict(found[1])
            _put(publish, "min_group_size", _whole(found[0]), found[1])
            _put(root, "publish", publish, found[1])
        if (found := cell_of("style")) and _text(found[0]).strip().casefold() not in ("pages", ""):
            self.problem(found[1], f"the style '{_short(found[0])}' is not supported: each group is a page of its own")

    # -- choices

    def read_lists(self) -> None:
        choices = self.tables.get("choices")
        if choices is None:
            return
        list_column, name_column = choices.first("list_name"), choices.first("name")
        for base, column in (("list_name", list_column), ("name", name_column)):
            if column is None and choices.rows:
                self.problem(choices.sheet.cell(choices.header_row + 1, 1), f"the choices sheet needs a {base} column")
        if list_column is None or name_column is None:
            return
        for row in choices.rows:
            list_name = _text(choices.value(row, list_column)).strip()
            if not list_name:
                self.problem(choices.cell(row, list_column), "this choice has no list_name")
                continue
            self.lists.setdefault(list_name, []).append(row)

    def choice_list(self, list_name: str, levels: bool) -> LocatedList:
        """The choices of ``list_name`` as the loader reads them: {value, label}, each at its cells (made once)."""
        key = f"{'levels' if levels else 'choices'}:{list_name}"
        if key in self.choice_items:
            return self.choice_items[key]
        choices = self.tables["choices"]
        name_column = choices.first("name")
        assert name_column is not None
        rows = self.lists[list_name]
        items = []
        for row in rows:
            value, where = choices.value(row, name_column), choices.cell(row, name_column)
            item = _located_dict(where)
            if _is_empty(value):
                self.problem(where, f"this choice of the list {_short(list_name)} has no name")
                value = row + 1 if levels else f"{UNNAMED}{row + 1}"
            _put(item, "value", _level(value) if levels else _choice_value(value), where)
            label = self.text(choices, row, "label", required=True)
            if label is not None:
                _put(item, "label", label, label.line)
            items.append((item, where))
        self.choice_items[key] = _located_list(choices.cell(rows[0], name_column), items)
        return self.choice_items[key]

    def is_level_list(self, list_name: str) -> bool:
        choices = self.tables["choices"]
        name_column = choices.first("name")
        return name_column is not None and all(
            isinstance(_level(choices.value(row, name_column)), int) for row in self.lists[list_name]
        )

    # -- groups, families, indicators

    def rows_of(self, kind: str, make: Any) -> LocatedList | None:
        table = self.tables.get(kind)
        if table is None or not table.rows:
            return None
        items = []
        for row in table.rows:
            item = _located_dict(table.cell(row, 0))
            make(table, row, item)
            items.append((item, item.line))
        return _located_list(table.sheet.cell(1, 1), items)

    def put_cell(self, table: _Table, row: int, base: str, item: LocatedDict, key: str, convert: Any) -> None:
        column = table.first(base)
        if column is not None and not _is_empty(table.value(row, column)):
            _put(item, key, convert(table.value(row, column)), table.cell(row, column))

    def read_groups(self, root: LocatedDict) -> None:
        def make(table: _Table, row: int, item: LocatedDict) -> None:
            self.named(table, row, item, "group")
            self.put_text(table, row, item)
            self.put_cell(table, row, "size", item, "size", _whole)

        if (groups := self.rows_of("groups", make)) is not None:
            _put(root, "groups", groups, groups.line)

    def read_families(self, root: LocatedDict) -> None:
        def make(table: _Table, row: int, item: LocatedDict) -> None:
            self.named(table, row, item, "family")
            self.put_text(table, row, item)

        if (families := self.rows_of("families", make)) is not None:
            _put(root, "families", families, families.line)

    def read_indicators(self, root: LocatedDict) -> None:
        def make(table: _Table, row: int, item: LocatedDict) -> None:
            self.named(table, row, item, "indicator")
            self.put_cell(table, row, "question", item, "question", _identifier)
            self.put_cell(table, row, "family", item, "family", _identifier)
            self.put_text(table, row, item)
            self.put_cell(table, row, "good_from", item, "good_from", _whole)

        if (indicators := self.rows_of("indicators", make)) is not None:
            _put(root, "indicators", indicators, indicators.line)

    def named(self, table: _Table, row: int, item: LocatedDict, what: str) -> None:
        column = table.first("name")
        if column is None or _is_empty(table.value(row, column)):
            where = table.cell(row, column) if column is not None else table.cell(row, 0)
            self.problem(where, f"this {what} has no name (its id)")
            _put(item, "id", f"{UNNAMED}{row + 1}", where)
        else:
            _put(item, "id", _identifier(table.value(row, column)), table.cell(row, column))

    def put_text(self, table: _Table, row: int, item: LocatedDict) -> None:
        label = self.text(table, row, "label", required=True)
        if label is not None:
            _put(item, "label", label, label.line)

    # -- the survey sheet

    def read_survey_sheet(self, survey: _Table, root: LocatedDict) -> None:
        type_column, name_column = survey.first("type"), survey.first("name")
        for base, column in (("type", type_column), ("name", name_column)):
            if column is None:
                self.problem(survey.sheet.cell(survey.header_row + 1, 1), f"the survey sheet needs a {base} column")
        if type_column is None or name_column is None:
            return
        rows = [(row, self.read_type(survey, row, type_column)) for row in survey.rows]
        self.read_kinds(survey, rows)
        sections = _located_list(survey.sheet.cell(survey.header_row + 1, 1))
        current: LocatedDict | None = None
        loose: LocatedDict | None = None  # the page of the rows outside any group
        nested = 0
        group_names = {
            _text(survey.value(row, name_column)).strip() for row, read in rows if read and read.word == "begin group"
        }
        pages = 0
        for row, read in rows:
            if read is None:
                continue
            where = survey.cell(row, type_column)
            if read.word == "begin group":
                if current is not None:
                    self.problem(where, "a group inside a group is not supported: a group is one page of the form")
                    nested += 1
                    continue
                current = self.section(survey, row, where)
                sections.append(current)
                sections.item_lines.append(where)
                loose = None
            elif read.word == "end group":
                self.nothing_but_type(survey, row, type_column, name_column)
                if nested:
                    nested -= 1
                elif current is None:
                    self.problem(where, "end group without a begin group above it")
                else:
                    current = None
            else:
                question = self.question(survey, row, read)
                if question is None:
                    continue
                page = current
                if page is None:
                    if loose is None:
                        pages += 1
                        loose = self.loose_page(survey, row, where, pages, group_names, root)
                        sections.append(loose)
                        sections.item_lines.append(where)
                    page = loose
                page["questions"].append(question)
                page["questions"].item_lines.append(question.line)
        if current is not None:
            self.problem(current.line, "this group has no end group below it")
        _put(root, "sections", sections, sections.line)

    def read_kinds(self, survey: _Table, rows: list[tuple[int, _Type | None]]) -> None:
        """Before any row is read: each question's kind (relevant compares by it) and each list's likert users."""
        self.kinds = {"group": "group"}
        for row, read in rows:
            name = self.row_name(survey, row)
            kind = self.kind_of(survey, row, read)
            if kind and name:
                self.kinds.setdefault(name, kind)
            if kind == "scale" and read is not None and read.list_name:
                self.likert_users[read.list_name] = self.likert_users.get(read.list_name, 0) + 1

    def read_type(self, survey: _Table, row: int, column: _Column) -> _Type | None:
        """The row's type; None, after saying why, when the row cannot be read as a question or a group."""
        value, where = survey.value(row, column), survey.cell(row, column)
        name = self.row_name(survey, row)
        if _is_empty(value):
            self.problem(where, "this row has no type")
            self.reported.add(name)
            return None
        words = _text(value).split()
        head = words[0].casefold()
        two = " ".join(word.casefold() for word in words[:2])
        if two in ("begin group", "end group", "begin repeat", "end repeat"):
            head, words = two, [two, *words[2:]]
        head = TYPE_ALIASES.get(head, head)
        if head in UNSUPPORTED_TYPES:
            self.problem(where, f"the type {head} is not supported ({UNSUPPORTED_TYPES[head]})")
            self.reported.add(name)
            return None
        if head not in SUPPORTED_TYPES:
            known = SUPPORTED_TYPES + tuple(UNSUPPORTED_TYPES)
            self.problem(where, f"unknown type '{_short(value)}'{_closest(head, known)}")
            self.reported.add(name)
            return None
        rest = words[1:]
        if head in ("select_one", "select_multiple"):
            if not rest:
                self.problem(where, f"{head} needs the name of its list of choices: {head} LIST")
                self.reported.add(name)
                return None
            read = _Type(head, rest[0], other=rest[1:2] == ["or_other"])
            rest = rest[2:] if read.other else rest[1:]
        else:
            read = _Type(head)
        if rest:
            self.problem(where, f"unexpected '{_short(' '.join(rest))}' after {head} in the type")
            self.reported.add(name)
            return None
        return read

    def row_name(self, survey: _Table, row: int) -> str:
        column = survey.first("name")
        return _text(survey.value(row, column)).strip() if column is not None else ""

    def appearance(self, survey: _Table, row: int) -> tuple[list[str], Cell | None]:
        column = survey.first("appearance")
        if column is None or _is_empty(survey.value(row, column)):
            return [], None
        return _text(survey.value(row, column)).casefold().split(), survey.cell(row, column)

    def kind_of(self, survey: _Table, row: int, read: _Type | None) -> str | None:
        """The question's kind for conditions (`relevant.parse`), from its type and appearance."""
        if read is None:
            return None
        words, _where = self.appearance(survey, row)
        if read.word == "select_one":
            return "scale" if LIKERT in words else "single"
        return {"select_multiple": "multiple", "text": "long_text" if MULTILINE in words else "text",
                "integer": "number", "decimal": "number"}.get(read.word)  # fmt: skip

    def section(self, survey: _Table, row: int, where: Cell) -> LocatedDict:
        section = _located_dict(where)
        name_column = survey.first("name")
        assert name_column is not None
        name, name_cell = survey.value(row, name_column), survey.cell(row, name_column)
        if _is_empty(name):
            self.problem(name_cell, "this group has no name (its id, shown in the page's address)")
            name = f"{UNNAMED}{row + 1}"
        _put(section, "id", _identifier(name), name_cell)
        title = self.text(survey, row, "label", required=True)
        if title is not None:
            _put(section, "title", title, title.line)
        self.condition(survey, row, section)
        words, appearance_cell = self.appearance(survey, row)
        for word in words:
            if word != FIELD_LIST:
                self.problem(appearance_cell, f"the appearance {word} is not supported on a group (a group is a page)")
        self.not_for(survey, row, ("hint", "required", "constraint", "max_length", "min_choices", "max_choices"),
                     "a group")  # fmt: skip
        _put(section, "questions", _located_list(where), where)
        return section

    def loose_page(
        self, survey: _Table, row: int, where: Cell, number: int, taken: set[str], root: LocatedDict
    ) -> LocatedDict:
        """A page for rows outside any group, titled with the form's title."""
        page = _located_dict(where)
        page_id = "page" if number == 1 else f"page_{number}"
        while page_id in taken:
            page_id += "_"
        taken.add(page_id)
        _put(page, "id", page_id, where)
        if "title" in root:
            _put(page, "title", root["title"], root.line_of("title"))
        _put(page, "questions", _located_list(where), where)
        return page

    def question(self, survey: _Table, row: int, read: _Type) -> LocatedDict | None:
        type_column, name_column = survey.first("type"), survey.first("name")
        assert type_column is not None and name_column is not None
        where = survey.cell(row, type_column)
        question = _located_dict(where)
        name, name_cell = survey.value(row, name_column), survey.cell(row, name_column)
        if _is_empty(name):
            self.problem(name_cell, "this question has no name (its id)")
            name = f"{UNNAMED}{row + 1}"
        name = _identifier(name)
        _put(question, "id", name, name_cell)
        details = self.details(survey, row, read, question, where)
        if details is None:
            self.reported.add(str(name))
            return None
        label = self.text(survey, row, "label", required=True)
        if label is not None:
            _put(question, "label", label, label.line)
        hint = self.text(survey, row, "hint", required=False)
        if hint is not None:
            _put(question, "help", hint, hint.line)
        required = survey.first("required")
        if required is not None and not _is_empty(survey.value(row, required)):
            value, cell = survey.value(row, required), survey.cell(row, required)
            answer = _yes_no(value)
            if answer is None:
                self.problem(cell, f"required must be yes or no (a condition is not supported), not '{_short(value)}'")
            elif read.word == NOTE_TYPE:
                self.problem(cell, "a note takes no answer: required does not apply")
            else:
                _put(question, "required", answer, cell)
        self.condition(survey, row, question)
        return question

    def details(self, survey: _Table, row: int, read: _Type, question: LocatedDict, where: Cell) -> LocatedDict | None:
        """The type and what goes with it; None (said why) when the row cannot be a question."""
        words, appearance_cell = self.appearance(survey, row)
        accepted: tuple[str, ...] = ()
        if read.word in ("select_one", "select_multiple"):
            list_name = read.list_name or ""
            likert = read.word == "select_one" and LIKERT in words
            accepted = (LIKERT,) if read.word == "select_one" else ()
            if likert and read.other:
                self.problem(where, "a likert scale takes no or_other")
                return None
            if likert:
                if not self.scale_details(survey, row, list_name, question, where, appearance_cell):
                    return None
            elif list_name not in self.lists:
                hint = f" ({list_name} is a built-in scale: add appearance likert)" if list_name in SCALES else ""
                close = "" if hint else _closest(list_name, self.lists)
                self.problem(where, f"no list '{_short(list_name)}' in the choices sheet{hint or close}")
                return None
            else:
                _put(question, "type", "single" if read.word == "select_one" else "multiple", where)
                _put(question, "choices", self.choice_list(list_name, levels=False), where)
                if read.other:
                    _put(question, "other", True, where)
            if read.word == "select_multiple":
                self.put_count(survey, row, "min_choices", question, "min")
                self.put_count(survey, row, "max_choices", question, "max")
            else:
                self.not_for(survey, row, ("min_choices", "max_choices"), "a select_one question")
            self.not_for(survey, row, ("constraint", "max_length"), f"a {read.word} question")
        elif read.word == "text":
            accepted = (MULTILINE,)
            _put(question, "type", "long_text" if MULTILINE in words else "text", where)
            self.put_count(survey, row, "max_length", question, "max_length")
            self.not_for(survey, row, ("constraint", "min_choices", "max_choices"), "a text question")
        elif read.word in ("integer", "decimal"):
            _put(question, "type", "number", where)
            if read.word == "integer":
                _put(question, "integer", True, where)
            self.constraint(survey, row, question, integer=read.word == "integer")
            self.not_for(survey, row, ("max_length", "min_choices", "max_choices"), f"an {read.word} question")
        else:  # a note, once the model has one
            _put(question, "type", NOTE_TYPE, where)
            self.not_for(survey, row, ("hint", "constraint", "max_length", "min_choices", "max_choices"), "a note")
        for word in words:
            if word not in accepted:
                self.problem(appearance_cell, f"the appearance {word} is not supported on {read.word}")
        return question

    def scale_details(
        self, survey: _Table, row: int, list_name: str, question: LocatedDict, where: Cell, appearance: Cell | None
    ) -> bool:
        """A likert select_one: a built-in scale, or a list whose names are whole numbers (the scale's levels)."""
        _put(question, "type", "scale", where)
        if list_name not in self.lists:
            if list_name in SCALES:
                _put(question, "scale", list_name, where)
                return True
            self.problem(where, f"no list '{_short(list_name)}' in the choices sheet{_closest(list_name, self.lists)}")
            return False
        if not self.is_level_list(list_name):
            self.problem(
                appearance or where,
                f"likert makes a scale: the names of the list {_short(list_name)} must be whole numbers"
                " (the levels, e.g. 1 to 5), or use spiral5 or agree5",
            )
            return False
        if (
            self.likert_users.get(list_name) == 1
            and list_name == self.row_name(survey, row)
            and list_name not in SCALES
        ):
            _put(question, "choices", self.choice_list(list_name, levels=True), where)
        else:
            self.scales_used[list_name] = where
            _put(question, "scale", list_name, where)
        return True

    def nothing_but_type(self, survey: _Table, row: int, *kept: _Column) -> None:
        """An end group row holds its type (and maybe its group's name): anything else would be lost."""
        for column in survey.columns:
            if column not in kept and not _is_empty(survey.value(row, column)):
                self.problem(
                    survey.cell(row, column), f"end group takes nothing but its type: {column.header} is lost here"
                )

    def put_count(self, survey: _Table, row: int, base: str, question: LocatedDict, key: str) -> None:
        column = survey.first(base)
        if column is not None and not _is_empty(survey.value(row, column)):
            _put(question, key, _whole(survey.value(row, column)), survey.cell(row, column))

    def not_for(self, survey: _Table, row: int, bases: tuple[str, ...], what: str) -> None:
        """Columns that do not apply to this row's type: a filled one is a problem, not silently dropped."""
        for base in bases:
            columns = [survey.first(base)] if base != "hint" else survey.translated("hint")
            for column in columns:
                if column is not None and not _is_empty(survey.value(row, column)):
                    self.problem(survey.cell(row, column), f"{base} does not apply to {what}")

    def constraint(self, survey: _Table, row: int, question: LocatedDict, integer: bool) -> None:
        """A number's range, as ``. >= 0 and . <= 50`` (for an integer, ``. > 0`` is ``. >= 1``)."""
        column = survey.first("constraint")
        if column is None or _is_empty(survey.value(row, column)):
            return
        text, cell = _text(survey.value(row, column)), survey.cell(row, column)
        bounds = _bounds(text, integer)
        if isinstance(bounds, str):
            self.problem(cell, f"constraint: {bounds}")
            return
        for key, value in bounds.items():
            _put(question, key, value, cell)

    def condition(self, survey: _Table, row: int, data: LocatedDict) -> None:
        column = survey.first("relevant")
        if column is None or _is_empty(survey.value(row, column)):
            return
        text, cell = _text(survey.value(row, column)), survey.cell(row, column)
        try:
            _put(data, "show_if", relevant.parse(text, self.kinds), cell)
        except ConditionError as error:
            self.problem(cell, f"relevant: {error.message}")

    def read_scales(self, root: LocatedDict) -> None:
        """The lists used as scales become the survey's named scales (as ``scales:`` in YAML)."""
        if not self.scales_used:
            return
        scales = _located_dict(next(iter(self.scales_used.values())))
        for list_name in self.scales_used:
            levels = self.choice_list(list_name, levels=True)
            _put(scales, list_name, levels, levels.line)
        _put(root, "scales", scales, scales.line)


def _choice_value(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else _identifier(value)


def _level(value: Any) -> Any:
    """A scale level: a whole number, typed as a number or as its digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,15}\s*", value):
        return int(value)
    return _identifier(value)


def _bounds(text: str, integer: bool) -> dict[str, int | float] | str:
    """``min``/``max`` from a range constraint, or what is wrong with it."""
    parts = re.split(r"\s+and\s+", text.strip())
    found: dict[str, int | float] = {}
    for part in parts:
        match = BOUND.fullmatch(part)
        if not match:
            return (
                f"'{_short(text)}' is not a range: write . >= 0, . <= 50 or both joined by and"
                " (other constraints are not supported)"
            )
        if match["op"]:
            op, number = match["op"], match["right"]
        else:
            op, number = {">=": "<=", "<=": ">=", ">": "<", "<": ">"}[match["rop"]], match["left"]
        if len(number) > 20:
            return f"the number {_short(number, 24)} is too long for a bound"
        value: int | float = float(number) if "." in number else int(number)
        if op in (">", "<"):
            if not integer or not isinstance(value, int):
                return f"'{op}' is not supported on decimals: write {'>=' if op == '>' else '<='}"
            value, op = (value + 1, ">=") if op == ">" else (value - 1, "<=")
        key = "min" if op == ">=" else "max"
        if key in found:
            return f"'{_short(text)}' gives two {'lower' if key == 'min' else 'upper'} bounds"
        found[key] = value
    return found
