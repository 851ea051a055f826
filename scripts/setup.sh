#!/usr/bin/env bash
# Set everything up: a virtual environment in .venv/ with the project and its test tools,
# and the compiled message catalogs. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
.venv/bin/pybabel compile --statistics -d translations 2>&1 | sed 's/^/  /' >&2
