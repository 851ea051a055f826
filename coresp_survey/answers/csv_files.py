"""CSV files as spreadsheets write them, read once for every CSV the project takes in (``import``, and later ones).

French Excel and LibreOffice save with semicolons, Excel adds a byte-order mark
and CRLF line endings, an old Mac writes lone CRs: all are read alike, the
separator being told by the header line. What cannot be read without guessing
is refused, naming the line and what to do in the spreadsheet: a file in
another encoding (Latin-1, Windows-1252: accents would be garbled), a quote
left open (the rest of the file would become one cell), text after a closing
quote, a row with fewer or more cells than the header. Messages are in the
language asked for (`i18n.Language`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from dataclasses import field

from coresp_survey.i18n import Language

SEPARATORS = (",", ";")
"""Comma (the standard, English spreadsheets) and semicolon (French ones, where the comma is the decimal mark)."""
MAX_ROWS = 100_000
LINE_BREAK = re.compile(rb"\r\n|\r|\n")


class CsvRefused(Exception):
    """The file as a whole cannot be read; ``problems`` says why and what to do, each naming its line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Row:
    """One row of the file: the line it starts on, and its cells by column name (``None`` for the empty row)."""

    line: int
    cells: dict[str, str]


@dataclass
class Table:
    """What was read: the header's column names, the rows, and the rows that could not be read (with their line).

    ``problems`` come after every row that was read: a caller checks those
    rows too, and names every problem at once.
    """

    header: list[str]
    separator: str
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read(data: bytes, language: Language, max_rows: int = MAX_ROWS) -> Table:
    """The table in ``data`` (a whole file); raise `CsvRefused` if the file cannot be read at all."""
    text = decode(data, language)
    separator = separator_of(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    table: Table | None = None
    start = 1
    try:
        for cells in reader:
            if table is None:
                table = Table(header=_named([name.strip() for name in cells]), separator=separator)
                table.problems += _header_problems(table.header, language)
            elif any(cell.strip() for cell in cells):  # blank rows, and rows of empty cells, are skipped
                problem = _length_problem(cells, table, language)
                if problem:
                    table.problems.append(language.gettext("line %(line)s: %(problem)s", line=start, problem=problem))
                else:
                    table.rows.append(Row(start, dict(zip(table.header, cells, strict=False))))
                if len(table.rows) > max_rows:
                    raise CsvRefused(
                        [language.gettext("the file has more than %(count)s rows; split it", count=f"{max_rows:,}")]
                    )
            start = reader.line_num + 1
    except csv.Error as error:
        table = table or Table(header=[], separator=separator)
        table.problems.append(
            language.gettext("line %(line)s: %(problem)s", line=start, problem=_unreadable(error, language))
        )
    return table or Table(header=[], separator=separator)


def decode(data: bytes, language: Language) -> str:
    """The text of a UTF-8 file, with or without a byte-order mark; `CsvRefused` naming the first line that is not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = len(LINE_BREAK.split(data[: error.start]))
        raise CsvRefused(
            [language.gettext("line %(line)s: %(problem)s", line=line, problem=not_utf8(language))]
        ) from None


def not_utf8(language: Language) -> str:
    """What to say about a file saved in another encoding, with the menu words of LibreOffice and Excel."""
    return language.gettext(
        "the file is not UTF-8 text (it was saved in another encoding, such as Latin-1 or Windows-1252, and its"
        " accents would be garbled). Save it again as CSV UTF-8: in LibreOffice Calc, File > Save As…, file type"
        " “Text CSV (.csv)”, tick “Edit filter settings”, then Character set “Unicode (UTF-8)”; in Excel,"
        " File > Save As, file type “CSV UTF-8 (Comma delimited) (*.csv)”"
    )


def separator_of(text: str) -> str:
    """The separator the header line uses most, outside quotes: a semicolon for French spreadsheets, else a comma."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    return max(SEPARATORS, key=lambda separator: counts[separator])  # a tie (a single column): the comma


def _header_problems(header: list[str], language: Language) -> list[str]:
    """A column with no name between named ones."""
    return [
        language.gettext("line 1: column %(number)s of the header has no name", number=number)
        for number, name in enumerate(header, start=1)
        if not name
    ]


def _named(header: list[str]) -> list[str]:
    """The header without the empty names at its end: a spreadsheet's used range can reach past the data."""
    end = len(header)
    while end and not header[end - 1]:
        end -= 1
    return header[:end]


def _length_problem(cells: list[str], table: Table, language: Language) -> str | None:
    """A row with fewer cells than the header, or with text past its last named column; None if it fits."""
    columns = len(table.header)
    if len(cells) < columns:
        return language.ngettext(
            "%(cells)s cell where the header has %(columns)s columns; add the missing cells (empty ones too),"
            " so that each value stays under its column",
            "%(cells)s cells where the header has %(columns)s columns; add the missing cells (empty ones too),"
            " so that each value stays under its column",
            len(cells),
            cells=len(cells),
            columns=columns,
        )
    if any(cell.strip() for cell in cells[columns:]):
        return language.gettext(
            "more cells than columns in the header (%(cells)s cells, %(columns)s columns): a cell that holds a"
            " “%(separator)s” must be in quotes, or a value was typed in a column with no name",
            cells=len(cells),
            columns=columns,
            separator=table.separator,
        )
    return None


def _unreadable(error: csv.Error, language: Language) -> str:
    """What is wrong with a row the CSV reader gave up on, and what to do, for a person with a spreadsheet."""
    how = language.gettext('write "" for a quote inside a cell')
    if "unexpected end of data" in str(error):
        return language.gettext(
            "a quote opens a cell in this row and is never closed, so the rest of the file would be one cell:"
            " close it (%(how)s)",
            how=how,
        )
    if "expected after" in str(error):
        return language.gettext(
            "text follows the closing quote of a cell: put the whole cell in quotes (%(how)s)", how=how
        )
    return language.gettext(
        "this row cannot be read as CSV (%(error)s); save the file again as CSV from the spreadsheet", error=str(error)
    )
