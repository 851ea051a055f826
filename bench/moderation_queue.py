#!/usr/bin/env python3
"""Moderation benchmark: the decisions a moderator needs to clear the demo's queue, one per answer, then one per row.

It fills a fresh database as ``coresp-survey demo`` does (the bundled surveys,
their made-up answers, the demo's first decisions), then counts, per survey,
the open answers still pending (before issue 13: one decision each) and the
rows of identical answers holding at least one of them (now: one decision per
row applies to all its answers, `workspace.identical`). It also counts the rows
whose families a suggestion offers (`workspace.suggestions`): those rows need
one key press, not a choice of families. Nothing is timed.
Run ``.venv/bin/python bench/moderation_queue.py --help``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from coresp_survey import demo
from coresp_survey.answers import database
from coresp_survey.answers.responses import iter_responses
from coresp_survey.survey.catalog import load_catalog
from coresp_survey.workspace import identical
from coresp_survey.workspace.decisions import decisions
from coresp_survey.workspace.moderation import open_answers
from coresp_survey.workspace.suggestions import FamilySuggester

ROOT = Path(__file__).resolve().parent.parent
AT = "2026-10-01T09:00:00+00:00"


def measure(surveys_dir: Path, folder: Path) -> list[dict]:
    surveys = load_catalog(surveys_dir)
    db = database.prepare(folder / "demo.db")
    try:
        for filled in demo.fill_empty_surveys(db, surveys):
            demo.moderate_demo(db, surveys[filled.survey], AT)
        lines = []
        for survey in surveys.values():
            answers = open_answers(survey, iter_responses(db, survey.id), decisions(db, survey.id))
            if not answers:
                continue
            pending = [answer for answer in answers if answer.status == "pending"]
            rows = identical.gather(pending)
            suggester = FamilySuggester(answers)
            order = [family.id for family in survey.families]
            suggested = sum(1 for row in rows if suggester.families_for(row.first.text, order))
            lines.append({
                "survey": survey.id, "open_answers": len(answers), "before": len(pending), "after": len(rows),
                "suggested": suggested,
            })  # fmt: skip
        return lines
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--surveys", type=Path, default=ROOT / "surveys", help="Survey folder (the bundled one).")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        lines = measure(args.surveys, Path(tmp))
    print(f"{'survey':<24} {'open answers':>12} {'before':>8} {'after':>8} {'suggested':>10}")
    for line in lines:
        print(
            f"{line['survey']:<24} {line['open_answers']:>12,} {line['before']:>8,} {line['after']:>8,}"
            f" {line['suggested']:>10,}"
        )
    before, after = sum(line["before"] for line in lines), sum(line["after"] for line in lines)
    print(f"{'all':<24} {sum(line['open_answers'] for line in lines):>12,} {before:>8,} {after:>8,}")
    print(f"decisions to clear the queue: {before:,} before (one per answer), {after:,} after (one per identical row)")
    if args.json:
        args.json.write_text(json.dumps(lines, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
