#!/usr/bin/env bash
# Set up, then run every test (pass "-m 'not slow'" to skip the load, crash and browser suites).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check coresp_survey tests bench
.venv/bin/ruff format --check coresp_survey tests bench
.venv/bin/coresp-survey validate
exec .venv/bin/python -m pytest "$@"
