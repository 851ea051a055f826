#!/usr/bin/env bash
# Set up, then run the demo: the bundled surveys served on a demo SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/coresp-survey demo "$@"
