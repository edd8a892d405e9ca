#!/usr/bin/env bash
# The README's screenshot of the page: starts `sentiment serve --demo`, runs the browser test, saves a PNG.
#   scripts/e2e/screenshot.sh [docs/images/server-page.png]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec scripts/e2e/run.sh --screenshot "${1:-docs/images/server-page.png}"
