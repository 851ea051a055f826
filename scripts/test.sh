#!/usr/bin/env bash
# Set up, then run every test (pass "-m 'not slow'" to skip the load, crash, browser and LibreOffice suites).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# The browser suites (tests/browser/) drive Debian's Chromium with Playwright (a test extra,
# never "playwright install": it would download a browser) and use axe-core and the W3C HTML
# checker (vnu.jar, run by Java) from npm. Each is installed only when missing or out of date.
bash scripts/debian-packages.sh chromium
# LibreOffice Calc (headless) saves the project's workbooks as .ods and back (tests/test_libreoffice.py).
bash scripts/debian-packages.sh libreoffice-calc
command -v java >/dev/null || bash scripts/debian-packages.sh default-jre-headless
# LibreOffice Calc opens the exports and the published workbook (slow tests), and writes the CSV files
# of tests/answers/spreadsheet_csv/; nginx fronts the app with deploy/'s site file (tests/test_deploy.py).
bash scripts/debian-packages.sh libreoffice-calc nginx
command -v npm >/dev/null || bash scripts/debian-packages.sh npm
if [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund --loglevel=error
fi

.venv/bin/ruff check coresp_survey tests bench
.venv/bin/ruff format --check coresp_survey tests bench
.venv/bin/lint-imports --no-cache  # the flow runs one way: pyproject.toml [tool.importlinter]
.venv/bin/coresp-survey validate
exec .venv/bin/python -m pytest "$@"
