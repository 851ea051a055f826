"""Open data that tools understand: ``datapackage.json`` valid for Frictionless, ``indicators.xlsx`` with numbers.

The package is checked by the ``frictionless`` library itself (a test extra):
every resource is read with its Table Schema and validated, row by row. The
workbook is read with openpyxl, and (slow) by LibreOffice in a French locale,
which reads the CSV's ``3.02`` as text but the workbook's cell as the number.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coresp_survey.figures.indicators import CSV_COLUMNS
from coresp_survey.publish import downloads

frictionless = pytest.importorskip("frictionless")

SCHOOL = "college-bien-etre"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict[str, Path]:
    """The data folder of each survey of a built site (the school survey with answers, tiny with small groups)."""
    from publish.test_site import make_site

    _app, built = make_site(tmp_path_factory.mktemp("published"))
    return {folder.name: folder for folder in (built.out / "data").iterdir()}


def descriptor(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def test_every_data_folder_holds_every_file_and_a_package_naming_each(data):
    for folder in data.values():
        written = downloads.FILES + downloads.ACTION_FILES
        assert sorted(path.name for path in folder.iterdir()) == sorted(written)
        described = {resource["path"] for resource in descriptor(folder)["resources"]}
        assert described == set(written) - {"README.txt", "datapackage.json", "actions.json"}  # no action here


@pytest.mark.parametrize("survey", [SCHOOL, "tiny"])
def test_frictionless_validates_the_package_row_by_row(data, survey):
    report = frictionless.validate(data[survey] / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    figures = {"indicators", "indicators-json", "indicators-xlsx", "participation", "sessions"}
    assert {task.name for task in report.tasks} == figures | {"actions"}
    assert all(task.stats["rows"] > 0 for task in report.tasks if task.name in figures)


def test_each_schema_gives_types_decimal_mark_missing_values_and_primary_key(data):
    resources = {resource["name"]: resource for resource in descriptor(data[SCHOOL])["resources"]}
    schema = resources["indicators"]["schema"]
    types = {field["name"]: field["type"] for field in schema["fields"]}
    assert list(types) == list(CSV_COLUMNS)
    assert types["n"] == "integer" and types["mean"] == types["share_good"] == "number"
    assert types["suppressed"] == "boolean" and types["group"] == "string"
    assert all(field["decimalChar"] == "." for field in schema["fields"] if field["type"] == "number")
    assert schema["missingValues"] == [""] and schema["primaryKey"] == ["survey", "round", "indicator", "group"]
    assert resources["participation"]["schema"]["primaryKey"] == ["survey", "round", "group"]
    assert resources["indicators"]["dialect"]["delimiter"] == "," and resources["indicators"]["encoding"] == "utf-8"


def test_tools_read_the_files_typed_and_all_three_forms_alike(data):
    package = frictionless.Package(data["tiny"] / "datapackage.json")
    rows = {
        name: package.get_resource(name).read_rows() for name in ("indicators", "indicators-json", "indicators-xlsx")
    }
    as_values = {name: [row.to_dict() for row in found] for name, found in rows.items()}
    assert as_values["indicators"] == as_values["indicators-json"] == as_values["indicators-xlsx"]
    suppressed = [row for row in as_values["indicators"] if row["suppressed"] is True]
    shown = [row for row in as_values["indicators"] if row["suppressed"] is False]
    assert suppressed and shown
    assert all(row["mean"] is None and row["n"] is None for row in suppressed)  # missing, not "" nor 0
    assert all(isinstance(row["n"], int) and float(row["mean"]) > 0 for row in shown)


def test_a_broken_file_is_caught_by_the_package(data, tmp_path):
    """The schemas say something: a text in a number column, or a key given twice, makes the package invalid."""
    folder = shutil.copytree(data["tiny"], tmp_path / "tiny")
    lines = (folder / "indicators.csv").read_text(encoding="utf-8").splitlines()
    wrong_mean = re.sub(r"^((?:[^,]*,){6})[^,]+", r"\g<1>trois", lines[1])
    (folder / "indicators.csv").write_text("\n".join([lines[0], wrong_mean, lines[1], *lines[2:]]) + "\n")
    report = frictionless.validate(folder / "datapackage.json")
    errors = {error.type for task in report.tasks for error in task.errors}
    assert not report.valid and {"type-error", "primary-key"} <= errors


def test_the_workbook_holds_numbers_as_numbers_and_the_rows_of_the_json(data):
    sheet = load_workbook(data[SCHOOL] / "indicators.xlsx").active
    header = [cell.value for cell in sheet[1]]
    assert header == list(CSV_COLUMNS)
    rows = json.loads((data[SCHOOL] / "indicators.json").read_text(encoding="utf-8"))
    cells = list(sheet.iter_rows(min_row=2))
    assert len(cells) == len(rows)
    for row, found in zip(rows, cells, strict=True):
        values = dict(zip(header, found, strict=True))
        assert {name: cell.value for name, cell in values.items()} == row
        if not row["suppressed"]:
            assert values["mean"].data_type == "n" and values["mean"].number_format == "0.00"
            assert values["share_good"].number_format == "0.000" and values["n"].data_type == "n"


def test_the_readme_describes_the_package_and_the_workbook(data):
    readme = (data[SCHOOL] / "README.txt").read_text(encoding="utf-8")
    assert "datapackage.json" in readme and "Frictionless Data Package" in readme
    assert "indicators.xlsx" in readme and "3,02" in readme and "primary" in readme


# -- a French-locale LibreOffice ---------------------------------------------------

FRENCH_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>fr-FR</value></prop></item>
</oor:items>
"""
"""A LibreOffice profile whose locale is French (Tools > Options > Language Settings > Locale setting)."""
CSV_IN_LOCALE = "Text - txt - csv (StarCalc):44,34,76,1,,0"
"""Comma, double quote, UTF-8, from line 1, standard cells, language 0: the locale's (a French user's default)."""


def cell_types(ods: Path, column: int) -> list[tuple[str, str]]:
    """The value type and value of each cell of one column of the first sheet of ``ods`` (header row skipped)."""
    content = zipfile.ZipFile(ods).read("content.xml").decode("utf-8")
    rows = re.findall(r"<table:table-row[^>]*>(.*?)</table:table-row>", content, flags=re.S)
    found = []
    for row in rows[1:]:
        cells = re.findall(r"<table:table-cell([^>]*?)(?:/>|>.*?</table:table-cell>)", row, flags=re.S)
        expanded = []
        for attributes in cells:
            repeat = re.search(r'table:number-columns-repeated="(\d+)"', attributes)
            expanded += [attributes] * (int(repeat.group(1)) if repeat else 1)
        attributes = expanded[column]
        kind = re.search(r'office:value-type="([a-z]+)"', attributes)
        value = re.search(r'office:value="([^"]+)"', attributes)
        found.append((kind.group(1) if kind else "", value.group(1) if value else ""))
    return found


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice Calc (Debian's libreoffice-calc) is missing")
def test_a_french_libreoffice_reads_the_workbook_numbers_as_numbers(data, tmp_path):
    import os
    import subprocess

    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(FRENCH_PROFILE, encoding="utf-8")

    def french(path: Path, out: Path, infilter: str | None = None) -> Path:
        command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless"]
        command += [f"--infilter={infilter}"] if infilter else []
        subprocess.run([*command, "--convert-to", "ods", "--outdir", str(out), str(path)], check=True,
                       capture_output=True, timeout=120, env=dict(os.environ))  # fmt: skip
        return out / f"{path.stem}.ods"

    folder = data[SCHOOL]
    mean = list(CSV_COLUMNS).index("mean")
    rows = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    means = [row["mean"] for row in rows]
    from_workbook = cell_types(french(folder / "indicators.xlsx", tmp_path / "xlsx"), mean)[: len(means)]
    assert [kind for kind, _ in from_workbook] == ["float" if m is not None else "" for m in means]
    assert [float(value) for _, value in from_workbook if value] == [m for m in means if m is not None]
    # The CSV, opened the same way (comma-separated, UTF-8, the locale's own number format): "3.02" is no number.
    from_csv = cell_types(french(folder / "indicators.csv", tmp_path / "csv", CSV_IN_LOCALE), mean)[: len(means)]
    print(f"\nmean column, French LibreOffice: workbook {sorted(set(k for k, _ in from_workbook))},"
          f" CSV {sorted(set(k for k, _ in from_csv))}")  # fmt: skip
    assert not any(kind == "float" for kind, _ in from_csv)  # text (or a date!): what the workbook is for
