# SentimentKit — the two commands of the README:
#   make demo   set up everything on a fresh machine, then run the main job
#   make test   set up everything, then run the whole test suite (release build: numeric code)
.PHONY: demo test setup build bench clean doctest

SWIFT ?= swift
# Optimisation flags for our own builds only (Package.swift carries no unsafeFlags, so others can depend on us).
ARCH := $(shell uname -m)
ifeq ($(ARCH),x86_64)
  # Swift 6.3 rejects "x86-64-v3" ("unknown target CPU"); "haswell" is the same AVX2+FMA level and gives the
  # SIMD kernels ~15-20% (measured). Only when the CPU has both features. `make TARGET_CPU=native ...` builds for
  # this very CPU (AVX-512 here: GELU/exp kernels 2-3x faster again) but the binary may not run elsewhere.
  TARGET_CPU ?= haswell
  ifeq ($(shell grep -m1 -o -w avx2 /proc/cpuinfo 2>/dev/null)$(shell grep -m1 -o -w fma /proc/cpuinfo 2>/dev/null),avx2fma)
    OPT_FLAGS := -Xswiftc -target-cpu -Xswiftc $(TARGET_CPU)
  endif
endif
RELEASE := -c release $(OPT_FLAGS)
BIN = $(shell $(SWIFT) build $(RELEASE) --show-bin-path)/sentiment

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build $(RELEASE) --product sentiment

demo: build
	@scripts/demo.sh "$(BIN)"

# Tests build once with -enable-testing; the CLI from that same build fetches the artifacts the tests read, the
# browser test drives the web page of `sentiment serve --demo` in headless Chromium (installed when missing), and
# the doc examples (every shell block of README.md and docs/ marked `doctest`) run against that CLI.
# (--show-bin-path depends only on the configuration, so BIN is that build's folder too.)
TEST_FLAGS := $(RELEASE) -Xswiftc -enable-testing

test: setup
	$(SWIFT) build $(TEST_FLAGS)
	"$(BIN)" fetch --all
	$(SWIFT) test $(TEST_FLAGS)
	SENTIMENT_BIN="$(BIN)" scripts/e2e/run.sh
	python3 scripts/doctest.py --bin "$(dir $(BIN))"

doctest:
	python3 scripts/doctest.py --bin "$(dir $(BIN))"

bench: build
	"$(BIN)" bench gemm

clean:
	rm -rf .build
