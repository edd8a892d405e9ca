#!/usr/bin/env bash
# The README's screenshot of the page: starts `sentiment serve` with the real default models (sentiment-en must be
# built: `sentiment setup`), runs the browser test, saves a PNG. SERVE_ARGS=--demo for the demo models instead.
#   scripts/e2e/screenshot.sh [docs/images/server-page.png]
set -euo pipefail
cd "$(dirname "$0")/../.."
SERVE_ARGS="${SERVE_ARGS-}" exec scripts/e2e/run.sh --screenshot "${1:-docs/images/server-page.png}"
