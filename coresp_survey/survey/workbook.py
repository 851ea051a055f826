"""Workbook files (.xlsx, .ods) to sheets of cell values, measured before they are read.

python-calamine reads both formats well and fast, but it holds a sheet as one
dense grid from its first value to its last, and a grid too large to allocate
aborts the whole process (no exception to catch): one value typed in cell
XFD1048576 would take the web app down. So the file is measured first, from
its own XML, against limits no survey comes near, and refused in one line
beyond them; so are files that are no workbook, old .xls files and workbooks
protected by a password.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.etree.ElementTree import iterparse

import python_calamine

from coresp_survey.survey.located import Cell
from coresp_survey.survey.located import column_letters

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""What the zip archive may unpack to: a survey workbook unpacks to a few megabytes at most."""
MAX_MEMBERS = 2_000
MAX_SHEETS = 50
MAX_ROWS = 20_000
MAX_COLUMNS = 200
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""Excel 97-2003 files, and Office files encrypted with a password (an OLE2 box around the real file)."""
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

_SPREADSHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIPS_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_RELATIONSHIPS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


class WorkbookError(ValueError):
    """A file that cannot be read as a workbook, said in one line for its author."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Sheet:
    """One sheet's values from A1, row by row; an empty cell is ``""``."""

    name: str
    index: int
    """Its place among the workbook's sheets, from 0."""
    rows: list[list[Any]]

    def cell(self, row: int, column: int) -> Cell:
        """The `Cell` at 1-based ``row`` and ``column``."""
        return Cell(self.index, row, column, self.name)


def read_workbook(data: bytes) -> list[Sheet]:
    """The sheets of an .xlsx or .ods file (told apart by their content); raise WorkbookError if it cannot be read."""
    try:
        return _checked(data)
    except WorkbookError:
        raise
    except Exception as error:  # a damaged archive fails in more ways than zipfile names (zlib.error, RuntimeError…)
        raise WorkbookError(f"the workbook is damaged ({_reason(error)})") from None


def _checked(data: bytes) -> list[Sheet]:
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookError(
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: a survey workbook is far smaller"
            " (pictures or other sheets pasted into it?)"
        )
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise WorkbookError("the workbook is protected by a password: save a copy without one")
        raise WorkbookError("this is an Excel 97-2003 file (.xls) or another old format: save it as .xlsx or .ods")
    archive = _archive(data)
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        _measure_xlsx(archive)
    elif "content.xml" in names and _member(archive, "mimetype", 200).strip() == ODS_MIMETYPE:
        if b"encryption-data" in _member(archive, "META-INF/manifest.xml", 1024 * 1024):
            raise WorkbookError("the workbook is protected by a password: save a copy without one")
        _measure_ods(archive)
    elif "word/document.xml" in names or "content.xml" in names:
        raise WorkbookError("this is a text document, not a workbook: a survey is written in a spreadsheet")
    else:
        raise WorkbookError("the file is not a workbook (.xlsx or .ods): it may be damaged or have another format")
    return _read(data)


def _archive(data: bytes) -> zipfile.ZipFile:
    """The zip archive every .xlsx and .ods file is, checked for what it unpacks to."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        hint = " (it looks like text: a CSV file renamed?)" if _looks_like_text(data) else ""
        raise WorkbookError(f"the file is not a workbook (.xlsx or .ods){hint}") from None
    if len(members) > MAX_MEMBERS or sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise WorkbookError(
            f"the workbook unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB: a survey workbook is far"
            " smaller"
        )
    return archive


def _looks_like_text(data: bytes) -> bool:
    head = data[:512]
    if head.startswith(b"PK"):
        return False  # a zip archive, damaged
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(head.strip()) and b"\x00" not in head


def _member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, at most ``limit`` of them ("" when absent)."""
    try:
        with archive.open(name) as stream:
            return stream.read(limit)
    except KeyError:
        return b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise WorkbookError(f"the workbook is damaged ({_reason(error)})") from None


# -- measuring ---------------------------------------------------------------------


def _measure_xlsx(archive: zipfile.ZipFile) -> None:
    """Refuse a sheet whose last value lies beyond MAX_ROWS or MAX_COLUMNS (calamine would allocate it all)."""
    sheets = _xlsx_sheets(archive)
    if len(sheets) > MAX_SHEETS:
        raise WorkbookError(f"the workbook has {len(sheets)} sheets: a survey needs at most six")
    for name, member in sheets:
        if member not in archive.namelist():
            continue  # calamine says what is missing
        row = column = last_row = last_column = 0
        for event, element in _parse(archive, member):
            tag = element.tag
            if event == "start" and tag == _SPREADSHEET_NS + "row":
                row = _whole(element.get("r"), row + 1)
                column = 0
            elif event == "end" and tag == _SPREADSHEET_NS + "c":
                column = _column(element.get("r"), column + 1)
                if len(element) or element.get("t") == "inlineStr":  # a value, an inline string or a formula
                    last_row, last_column = max(last_row, row), max(last_column, column)
                    _check_extent(name, last_row, column)
                element.clear()
            elif event == "end" and tag == _SPREADSHEET_NS + "row":
                element.clear()
        _check_extent(name, last_row, last_column)


def _xlsx_sheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, member) of each worksheet, from xl/workbook.xml and its relationships."""
    targets = {}
    for _event, element in _parse(archive, "xl/_rels/workbook.xml.rels", events=("end",)):
        if element.tag == _PACKAGE_RELATIONSHIPS_NS + "Relationship":
            target = element.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[element.get("Id")] = re.sub(r"[^/]+/\.\./", "", target)
    sheets = []
    for _event, element in _parse(archive, "xl/workbook.xml", events=("end",)):
        if element.tag == _SPREADSHEET_NS + "sheet":
            sheets.append((element.get("name", "?"), targets.get(element.get(_RELATIONSHIPS_NS + "id"), "")))
    return sheets


def _measure_ods(archive: zipfile.ZipFile) -> None:
    """The same measure for an .ods file, whose rows and cells may each stand for many (``…-repeated``)."""
    sheets = 0
    name, row, last_row, last_column = "?", 0, 0, 0
    for event, element in _parse(archive, "content.xml"):
        tag = element.tag
        if event == "start" and tag == _TABLE_NS + "table":
            sheets += 1
            if sheets > MAX_SHEETS:
                raise WorkbookError(f"the workbook has more than {MAX_SHEETS} sheets: a survey needs at most six")
            name, row, last_row, last_column = element.get(_TABLE_NS + "name", "?"), 0, 0, 0
        elif event == "end" and tag == _TABLE_NS + "table-row":
            repeated = _whole(element.get(_TABLE_NS + "number-rows-repeated"), 1)
            column, row_last_column = 0, 0
            for cell in element:
                column += _whole(cell.get(_TABLE_NS + "number-columns-repeated"), 1)
                if cell.get(_OFFICE_NS + "value-type") is not None or len(cell):
                    row_last_column = column
            if row_last_column:
                last_row, last_column = row + repeated, max(last_column, row_last_column)
                _check_extent(name, last_row, last_column)
            row += repeated
            element.clear()
        elif event == "end" and tag == _TABLE_NS + "table":
            element.clear()


def _parse(archive: zipfile.ZipFile, member: str, events: tuple[str, ...] = ("start", "end")):
    """Stream ``member``'s XML elements; a member that is no XML is a damaged workbook."""
    try:
        with archive.open(member) as stream:
            yield from iterparse(stream, events=events)
    except KeyError:
        return
    except (ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise WorkbookError(f"the workbook is damaged ({_reason(error)})") from None


def _check_extent(sheet: str, rows: int, columns: int) -> None:
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        where = f"{column_letters(max(columns, 1))}{max(rows, 1)}"
        raise WorkbookError(
            f"sheet '{sheet}' holds a value as far as cell {where}: a survey workbook has at most {MAX_ROWS:,} rows"
            f" and {MAX_COLUMNS} columns a sheet; delete the cells far below or to the right"
        )


def _whole(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() and len(text) < 10 else default


def _column(reference: str | None, default: int) -> int:
    match = _CELL_REFERENCE.fullmatch(reference or "")
    if not match:
        return default
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - ord("A") + 1
    return column


# -- reading -------------------------------------------------------------------------


def _read(data: bytes) -> list[Sheet]:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue  # a chart sheet holds no cells
            grid = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            sheets.append(Sheet(meta.name, index, [[_value(value) for value in row] for row in grid]))
        return sheets
    except python_calamine.PasswordError:
        raise WorkbookError("the workbook is protected by a password: save a copy without one") from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as error:  # calamine's own errors, and a Rust panic (a BaseException)
        raise WorkbookError(f"the workbook cannot be read ({_reason(error)})") from None


def _value(value: Any) -> Any:
    """A cell's value as the survey reads it: whole numbers as int (spreadsheets keep every number as a float)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, datetime) and value == datetime(value.year, value.month, value.day):
        return value.date()
    return value


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())[:120]
    return text or type(error).__name__
