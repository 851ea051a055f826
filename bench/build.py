#!/usr/bin/env python3
"""Build benchmark: how long ``build`` takes next to the time reading the database takes, in one run.

For each size (10,000 and 100,000 responses by default) it makes a 30-indicator
survey with four groups and two rounds, fills a fresh SQLite file, then times:

- **floor**: reading every response of the survey from the database
  (``responses.iter_responses``, rows decoded), the least any build must do;
- **build**: the whole site without PDF (figures, every page in both
  languages, data files, atomic swap), as ``coresp-survey build --no-pdf``;
- **pdf**: the PDF reports alone (both languages, laid out in parallel on the
  machine's cores), and **with pdf**: the whole build with them, as
  ``coresp-survey build`` (the median of ``--pdf-repeat`` builds).

Each figure is the median of ``--repeat`` runs. Targets (issue 3): build within
5 times the floor, and linear: ten times the responses, at most eleven times
the time. Run ``.venv/bin/python bench/build.py --help``; see bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from coresp_survey import create_app
from coresp_survey.answers import database
from coresp_survey.answers.responses import import_responses
from coresp_survey.answers.responses import iter_responses
from coresp_survey.publish import site as publish

INDICATORS = 30
GROUPS = {"eleves": (600, 0.55), "enseignants": (60, 0.1), "personnels": (30, 0.05), "parents": (900, 0.3)}
"""Group id: (size, share of the respondents)."""
ROUNDS = ("2025", "2026")
FAMILIES = "ABCDEFGH"


def survey_yaml() -> str:
    """A survey like the bundled school one, with `INDICATORS` spiral5 questions over six pages."""
    groups = "\n".join(
        f"  - {{id: {gid}, label: {{fr: '{gid}', en: '{gid}'}}, size: {size}}}" for gid, (size, _) in GROUPS.items()
    )
    sections = []
    for page in range(6):
        questions = "\n".join(
            f"      - {{id: q{k:02d}, type: scale, scale: spiral5, label: {{fr: 'Question {k}', en: 'Question {k}'}}}}"
            for k in range(page * 5 + 1, page * 5 + 6)
        )
        sections.append(
            f"  - id: p{page}\n    title: {{fr: 'Page {page}', en: 'Page {page}'}}\n    questions:\n{questions}"
        )
    indicators = "\n".join(
        f"  - {{id: i{k:02d}, question: q{k:02d}, family: {FAMILIES[k % 8]},"
        f" label: {{fr: 'Indicateur {k}', en: 'Indicator {k}'}}}}"
        for k in range(1, INDICATORS + 1)
    )
    return (
        f"id: bench\nround: '{ROUNDS[-1]}'\nlanguages: [fr, en]\ntitle: {{fr: 'Banc', en: 'Bench'}}\n"
        f"groups:\n{groups}\nsections:\n" + "\n".join(sections) + f"\nindicators:\n{indicators}\n"
    )


def fill(db_path: Path, responses: int, seed: int) -> None:
    """Store ``responses`` made-up answers over `ROUNDS`; about one answer in twenty left blank."""
    rng = random.Random(seed)
    group_ids = list(GROUPS)
    weights = [share for _, share in GROUPS.values()]
    rows = []
    for n in range(responses):
        answers = {f"q{k:02d}": rng.randint(1, 5) for k in range(1, INDICATORS + 1) if rng.random() > 0.05}
        rows.append((ROUNDS[n % len(ROUNDS)], rng.choices(group_ids, weights)[0], answers))
    db = database.prepare(db_path)
    import_responses(db, survey="bench", lang="fr", rows=rows)
    db.close()


def floor_seconds(db_path: Path) -> float:
    db = database.connect(db_path)
    started = time.perf_counter()
    count = sum(1 for _ in iter_responses(db, "bench"))
    seconds = time.perf_counter() - started
    db.close()
    if count == 0:
        raise SystemExit("the benchmark database is empty")
    return seconds


def measure(folder: Path, responses: int, repeat: int, with_pdf: bool, pdf_repeat: int = 1) -> dict:
    surveys = folder / "surveys"
    surveys.mkdir()
    (surveys / "bench.yaml").write_text(survey_yaml(), encoding="utf-8")
    db_path = folder / "responses.db"
    print(f"  filling {responses:,} responses…", file=sys.stderr)
    fill(db_path, responses, seed=responses)
    app = create_app(
        {"SURVEYS_DIR": surveys, "DATABASE": db_path, "SECRET_KEY": "bench-secret-key-at-least-32-characters"}
    )
    floors, builds = [], []
    for _ in range(repeat):  # alternate, so both see the same machine load
        floors.append(floor_seconds(db_path))
        builds.append(
            publish.build_site(
                app.extensions["surveys"], app.config["DATABASE"], folder / "site", with_pdf=False
            ).seconds
        )
    result = {
        "responses": responses,
        "floor_s": statistics.median(floors),
        "build_s": statistics.median(builds),
        "pages": publish.build_site(
            app.extensions["surveys"], app.config["DATABASE"], folder / "site", with_pdf=False
        ).pages,
    }
    result["ratio"] = result["build_s"] / result["floor_s"]
    if with_pdf:
        with_reports = [
            publish.build_site(app.extensions["surveys"], app.config["DATABASE"], folder / "site", with_pdf=True)
            for _ in range(pdf_repeat)
        ]
        result["pdf_s"] = statistics.median(built.pdf_seconds for built in with_reports)
        result["build_pdf_s"] = statistics.median(built.seconds for built in with_reports)
        result["reports"] = with_reports[0].reports
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="Response counts, comma-separated.")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per figure (the median is shown).")
    parser.add_argument("--no-pdf", action="store_true", help="Skip timing the PDF reports.")
    parser.add_argument("--pdf-repeat", type=int, default=1, help="Builds with PDF per size (the median is shown).")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="coresp-build-bench-") as tmp:
            print(f"{size:,} responses:", file=sys.stderr)
            results.append(measure(Path(tmp), size, args.repeat, not args.no_pdf, args.pdf_repeat))
    print(
        f"{'responses':>10} {'floor s':>9} {'build s':>9} {'build/floor':>12} {'pages':>6} {'pdf s':>7}"
        f" {'with pdf s':>11}"
    )
    for r in results:
        pdf = f"{r['pdf_s']:7.2f} {r['build_pdf_s']:11.2f}" if "pdf_s" in r else f"{'-':>7} {'-':>11}"
        print(f"{r['responses']:>10,} {r['floor_s']:9.3f} {r['build_s']:9.3f} {r['ratio']:12.2f} {r['pages']:6} {pdf}")
    verdicts = [f"build within 5x the floor: {'yes' if all(r['ratio'] <= 5 for r in results) else 'NO'}"]
    for small, large in zip(results, results[1:], strict=False):
        growth = large["build_s"] / small["build_s"]
        times = large["responses"] / small["responses"]
        limit = times * 1.1
        verdicts.append(
            f"{times:g}x the responses -> {growth:.2f}x the build time (limit {limit:g}x): "
            f"{'linear' if growth <= limit else 'NOT linear'}"
        )
    print("\n".join(verdicts))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
