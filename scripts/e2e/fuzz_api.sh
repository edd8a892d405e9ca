#!/usr/bin/env bash
# Property-based fuzzing of the JSON API against its own /openapi.json (schemathesis), on loopback:
# no response may be a 5xx or break the documented schema.  scripts/e2e/fuzz_api.sh [max examples, default 100]
# Known and accepted: fill-mask's schema allows "[MASK]" or "<mask>", while each model takes only its own token.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${PORT:-18083}"
[ -x .venv/bin/schemathesis ] || { python3 -m venv .venv && .venv/bin/pip install -q schemathesis; }
BIN="${SENTIMENT_BIN:-$(swift build -c release --show-bin-path)/sentiment}"
[ -x "$BIN" ] || swift build -c release --product sentiment
"$BIN" serve --demo --port "$PORT" --log-level error &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
sleep 2
ST="$PWD/.venv/bin/schemathesis"
cd "$(mktemp -d)"  # schemathesis keeps a .schemathesis/ folder where it runs
"$ST" run "http://127.0.0.1:$PORT/openapi.json" --url "http://127.0.0.1:$PORT" \
  --max-examples "${1:-100}" --checks all
