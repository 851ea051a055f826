#!/usr/bin/env bash
# Set everything up: a virtual environment in .venv/ with the project and its test tools,
# the compiled message catalogs, and the Debian libraries the PDF report needs. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# WeasyPrint (PDF reports) draws text with Pango and needs at least one font.
bash scripts/debian-packages.sh libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
.venv/bin/pybabel compile --statistics -d coresp_survey/translations 2>&1 | sed 's/^/  /' >&2
