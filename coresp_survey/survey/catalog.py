"""The surveys folder: every survey file in it, checked together."""

from __future__ import annotations

from pathlib import Path

from coresp_survey.survey import xlsform
from coresp_survey.survey.loader import WORKBOOK_SUFFIXES
from coresp_survey.survey.loader import Problem
from coresp_survey.survey.loader import SurveyInvalid
from coresp_survey.survey.loader import read_survey
from coresp_survey.survey.loader import survey_format
from coresp_survey.survey.located import WHOLE_FILE
from coresp_survey.survey.located import Location
from coresp_survey.survey.located import YamlError
from coresp_survey.survey.located import load_located
from coresp_survey.survey.model import Survey

SURVEY_SUFFIXES = (".yaml", ".yml", *WORKBOOK_SUFFIXES)
"""Survey files in YAML, and XLSForm workbooks (.xlsx, .ods: any case, as Windows names them)."""
IGNORED_PREFIXES = (".", "~$")
"""Hidden files (macOS's ``._x.yaml`` resource forks, editors' ``.#x``, LibreOffice's ``.~lock.x#``) and
Office's lock files (``~$x.xlsx``): never surveys, and often not even text."""


def survey_files(paths: list[Path]) -> list[Path]:
    """Expand folders into their survey files (`is_survey_file`), sorted; keep files as given, each once.

    A file named twice (``validate surveys surveys/a.yaml``) must not clash with itself.
    """
    files: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if is_survey_file(p))
        else:
            found = [path]
        for file in found:
            files.setdefault(file.resolve(), file)
    return list(files.values())


def is_survey_file(path: Path) -> bool:
    """A file of a surveys folder that is read as a survey (one named on the command line always is)."""
    suffix = path.suffix if path.suffix in (".yaml", ".yml") else path.suffix.lower()
    return suffix in SURVEY_SUFFIXES and not path.name.startswith(IGNORED_PREFIXES) and path.is_file()


def check_files(paths: list[Path]) -> tuple[list[Survey], list[Problem]]:
    """Read every file; return the valid surveys and all problems (duplicate ids included)."""
    surveys: list[Survey] = []
    problems: list[Problem] = []
    first_file: dict[str, Path] = {}
    for path in survey_files(paths):
        survey, found = read_survey(path)
        problems.extend(found)
        if survey is None:
            continue
        if survey.id in first_file:
            message = f"survey id '{survey.id}' is already used by {first_file[survey.id]}"
            problems.append(Problem(str(path), _id_line(path), message))
            continue
        first_file[survey.id] = path
        surveys.append(survey)
    return surveys, problems


def _id_line(path: Path) -> Location:
    """Where the id is written in a file just read without a problem (the survey keeps no lines of its own):
    the line of ``id:``, or a workbook's form_id cell."""
    try:
        if survey_format(path) in xlsform.FORMATS:
            document = xlsform.read_document(path.read_bytes()).document
            return document.line_of("id") if document is not None else WHOLE_FILE
        return load_located(path.read_text(encoding="utf-8")).line_of("id")
    except (OSError, UnicodeDecodeError, YamlError):
        return 1 if survey_format(path) not in xlsform.FORMATS else WHOLE_FILE


def load_catalog(folder: Path) -> dict[str, Survey]:
    """All surveys of ``folder`` by id; raise SurveyInvalid if any file has a problem."""
    if not folder.is_dir():
        raise SurveyInvalid([Problem(str(folder), 1, "the surveys folder does not exist")])
    surveys, problems = check_files([folder])
    if problems:
        raise SurveyInvalid(problems)
    return {survey.id: survey for survey in surveys}
