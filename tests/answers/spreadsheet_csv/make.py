#!/usr/bin/env python3
"""Write the CSV files of this folder as spreadsheets write them: LibreOffice Calc itself, and Excel's shape.

One workbook of paper questionnaires for ``tests/surveys/mini.yaml`` (accents,
a non-breaking space, a cell holding both separators, a line break inside a
cell, a multiple answer ``bus;other``, formula-like text kept as text), saved
by LibreOffice headless as CSV the way a French user saves it (semicolons,
UTF-8), as an English user does (commas, UTF-8), and in Latin-1 (what "Text
CSV" gives when the character set is left at the machine's), plus the file
Excel's "CSV UTF-8" writes in a French locale: a byte-order mark, semicolons,
CRLF line endings (Excel is not on this machine: `excel_like` writes its
documented shape). Run with the project's environment:

    .venv/bin/python tests/answers/spreadsheet_csv/make.py

`tests/answers/test_csv_files.py` imports the committed files; its slow test
runs this conversion again with the machine's LibreOffice and checks that it
gives the same bytes.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ["group", "mood", "why", "age", "transport", "transport_other", "bus_line", "favourite", "favourite_other",
          "remark"]  # fmt: skip
ROWS = [
    ["students", 2, "Trop de bruit; le matin, surtout", 12, "bus;other", "trottinette", "14", "maths", None, None],
    ["parents", 5, None, 41, None, None, None, "other", "Musique", "Élèves « heureux »,\nsur deux lignes"],
    ["students", 1, "=1+1 n’est pas une formule", 13, "walk", None, None, "art", None, "-5 °C le matin"],
]
"""The rows as typed into the workbook; what `EXPECTED` says they import as."""
EXPECTED = [
    {"mood": 2, "why": "Trop de bruit; le matin, surtout", "age": 12, "transport": ["bus", "other"],
     "transport_other": "trottinette", "bus_line": "14", "favourite": "maths"},
    {"mood": 5, "age": 41, "favourite": "other", "favourite_other": "Musique",
     "remark": "Élèves « heureux »,\nsur deux lignes"},
    {"mood": 1, "why": "=1+1 n’est pas une formule", "age": 13, "transport": ["walk"], "favourite": "art",
     "remark": "-5 °C le matin"},
]  # fmt: skip
FILTERS = {
    "libreoffice-semicolon-utf8.csv": "59,34,76",  # separator ';', text in '"', character set UTF-8
    "libreoffice-comma-utf8.csv": "44,34,76",
    "libreoffice-semicolon-latin1.csv": "59,34,12",  # ISO-8859-1
}
"""LibreOffice's CSV filter options: separator, text delimiter and character set, as numbers."""


def workbook(path: Path) -> None:
    """The paper questionnaires typed into a sheet: text as text cells (``=1+1…`` too), numbers as numbers."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "paper"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would make "=1+1…" a formula
    book.save(path)


def convert(workbook_path: Path, options: str, out: Path) -> Path:
    """``soffice --headless --convert-to csv`` with a private profile (runs in parallel never share one)."""
    with tempfile.TemporaryDirectory(prefix="coresp-soffice-") as profile, tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to",
             f"csv:Text - txt - csv (StarCalc):{options}", "--outdir", folder, str(workbook_path)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        out.write_bytes((Path(folder) / f"{workbook_path.stem}.csv").read_bytes())
    return out


def excel_like() -> bytes:
    """Excel's "CSV UTF-8 (Comma delimited)" in a French locale: BOM, ';', CRLF, quotes only where needed."""
    import csv
    import io

    stream = io.StringIO(newline="")
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in ROWS:
        writer.writerow(["" if value is None else value for value in row])
    return b"\xef\xbb\xbf" + stream.getvalue().encode("utf-8")  # a line break inside a cell stays a lone LF


def make(folder: Path) -> list[Path]:
    """Write every file into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        book = Path(scratch) / "paper.xlsx"
        workbook(book)
        made = [convert(book, options, folder / name) for name, options in FILTERS.items()]
    excel = folder / "excel-semicolon-bom-crlf.csv"
    excel.write_bytes(excel_like())
    return [*made, excel]


if __name__ == "__main__":
    for path in make(HERE):
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path, file=sys.stderr)
