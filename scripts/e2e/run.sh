#!/usr/bin/env bash
# End-to-end test of the web page in headless Chromium against a real `sentiment serve` on loopback.
#   scripts/e2e/run.sh                 # demo models (no downloads), port 18080
#   scripts/e2e/run.sh --screenshot docs/images/server-page.png
#   SERVE_ARGS="" EXPECT_LABEL=positive scripts/e2e/run.sh   # the real default models (sentiment-en built)
# Installs what is missing: Debian's chromium (apt-get), websocket-client in .venv (pip).
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${PORT:-18080}"
SERVE_ARGS="${SERVE_ARGS---demo}"

if ! command -v chromium >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import websocket" 2>/dev/null; then
  python3 -m venv .venv && .venv/bin/pip install -q -r scripts/e2e/requirements.txt
fi

# SENTIMENT_BIN=path skips the build (e.g. a binary from `make build`).
BIN="${SENTIMENT_BIN:-}"
if [ -z "$BIN" ]; then
  swift build -c release --product sentiment
  BIN="$(swift build -c release --show-bin-path)/sentiment"
fi

# shellcheck disable=SC2086
"$BIN" serve --port "$PORT" $SERVE_ARGS --log-level warning &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do  # up to 60 s for models to load
  python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)" \
    "http://127.0.0.1:$PORT/readyz" 2>/dev/null && break
  kill -0 $SERVER 2>/dev/null || { echo "server exited"; exit 1; }
  sleep 0.2
done

.venv/bin/python scripts/e2e/page_test.py --url "http://127.0.0.1:$PORT" --expect-label "${EXPECT_LABEL:-positive}" "$@"
