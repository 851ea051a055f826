#!/usr/bin/env python3
"""Validating a survey written as a workbook next to the same survey written in YAML, in one run.

It makes a bilingual survey of ``--questions`` questions (300 by default: every
kind of question, choices, help texts, conditions on earlier answers, groups
and a scale indicator every few questions), writes it as YAML and, with
``coresp-survey convert``'s own writer, as an .xlsx workbook (and as .ods
when LibreOffice is installed, saved by LibreOffice itself), then times what
``validate`` does with each file (`catalog.check_files`: read, check, the
survey model). Each figure is the median of ``--repeat`` runs.

Target (issue 11): the workbook within 3 times the YAML time. Run
``.venv/bin/python bench/xlsform.py --help``; see bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from coresp_survey.survey import as_xlsform
from coresp_survey.survey.catalog import check_files
from coresp_survey.survey.loader import load_survey

TARGET = 3.0
KINDS = ("scale", "single", "multiple", "text", "number", "long_text")


def survey_data(count: int) -> dict:
    """A bilingual survey of ``count`` questions, ten a page."""
    sections, asked = [], []
    for number in range(count):
        kind = KINDS[number % len(KINDS)]
        question = {
            "id": f"q{number:03d}",
            "type": kind,
            "label": {"fr": f"Question {number} : que pensez-vous de ceci ?", "en": f"Question {number}: what do you think?"},
        }  # fmt: skip
        if number % 4 == 0:
            question["help"] = {"fr": f"Aide pour la question {number}.", "en": f"Help for question {number}."}
        if kind == "scale":
            question["scale"] = "spiral5"
        if kind in ("single", "multiple"):
            question["choices"] = [
                {"value": f"c{k}", "label": {"fr": f"Choix {k}", "en": f"Choice {k}"}} for k in range(1, 6)
            ]
            question["other"] = kind == "multiple"
        if kind == "number":
            question.update(min=0, max=120, integer=True)
        previous = asked[-1] if asked else None
        if previous is not None and number % 3 == 0:
            question["show_if"] = {
                "scale": f"{previous['id']} >= 3",
                "single": f"{previous['id']} == 'c1' or group == 'parents'",
                "multiple": f"'c2' in {previous['id']}",
                "number": f"{previous['id']} > 18",
            }.get(previous["type"], f"answered({previous['id']})")
        if number % 10 == 0:
            sections.append({"id": f"page{number // 10}", "title": {"fr": f"Page {number // 10}",
                             "en": f"Page {number // 10}"}, "questions": []})  # fmt: skip
        sections[-1]["questions"].append(question)
        asked.append(question)
    groups = [{"id": g, "label": {"fr": g.title(), "en": g.title()}, "size": 100} for g in ("eleves", "parents")]
    indicators = [
        {"id": f"i{q['id']}", "question": q["id"], "family": "ABCDEFGH"[n % 8],
         "label": {"fr": f"Indicateur {n}", "en": f"Indicator {n}"}}
        for n, q in enumerate(q for q in asked if q["type"] == "scale")
    ]  # fmt: skip
    return {
        "id": "bench-xlsform", "round": "2026", "languages": ["fr", "en"],
        "title": {"fr": "Enquête de mesure", "en": "Benchmark survey"},
        "groups": groups, "sections": sections, "indicators": indicators,
    }  # fmt: skip


def median_seconds(path: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        surveys, problems = check_files([path])
        times.append(time.perf_counter() - start)
        assert surveys and not problems, [str(p) for p in problems]
    return statistics.median(times)


def libreoffice_ods(source: Path, folder: Path) -> Path | None:
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "ods", "--outdir", str(folder),
         str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return folder / f"{source.stem}.ods"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=300, help="questions in the survey (default 300)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per file; the median is kept (default 7)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-xlsform-") as tmp:
        folder = Path(tmp)
        source = folder / "survey.yaml"
        source.write_text(yaml.safe_dump(survey_data(args.questions), allow_unicode=True, sort_keys=False))
        workbook = folder / "survey.xlsx"
        as_xlsform.write_workbook(load_survey(source), workbook)
        files = {"yaml": source, "xlsx": workbook}
        ods = libreoffice_ods(workbook, folder)
        if ods is not None:
            files["ods"] = ods
        print(f"validating a {args.questions}-question bilingual survey, median of {args.repeat} runs", file=sys.stderr)
        figures = {name: median_seconds(path, args.repeat) for name, path in files.items()}
        sizes = {name: path.stat().st_size for name, path in files.items()}
    print(f"{'file':6} {'bytes':>9} {'seconds':>9} {'× YAML':>7}")
    for name, seconds in figures.items():
        print(f"{name:6} {sizes[name]:>9,} {seconds:>9.3f} {seconds / figures['yaml']:>7.2f}")
    ratio = figures["xlsx"] / figures["yaml"]
    print(
        f"target: the workbook within {TARGET:.0f}× the YAML time: {'met' if ratio <= TARGET else 'NOT met'} ({ratio:.2f}×)"
    )
    if args.json:
        args.json.write_text(json.dumps({"seconds": figures, "bytes": sizes, "ratio": ratio}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
