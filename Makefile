# SentimentKit — the two commands of the README:
#   make demo   set up everything on a fresh machine, then run the main job
#   make test   lint, set up everything, then run the whole test suite (release build: numeric code)
#   make lint   swift format's rules (.swift-format); any finding fails (`make format` fixes what it can)
.PHONY: demo test setup build bench clean lint format

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

# Tests build once with -enable-testing; the CLI from that same build fetches the artifacts the tests read, and the
# browser test drives the web page of `sentiment serve --demo` in headless Chromium (installed when missing).
# (--show-bin-path depends only on the configuration, so BIN is that build's folder too.)
TEST_FLAGS := $(RELEASE) -Xswiftc -enable-testing

test: lint setup
	$(SWIFT) build $(TEST_FLAGS)
	"$(BIN)" fetch --all
	$(SWIFT) test $(TEST_FLAGS)
	SENTIMENT_BIN="$(BIN)" scripts/e2e/run.sh

# swift format ships with the toolchain. Its rules only: the layout pass (--debug-disable-pretty-print turns it off) would
# re-wrap thousands of our lines (paren-aligned continuations, aligned comments); CONTRIBUTING.md has the details.
SWIFT_FORMAT_FLAGS := --parallel --recursive --debug-disable-pretty-print
SWIFT_FILES := Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict $(SWIFT_FORMAT_FLAGS) $(SWIFT_FILES)

format:
	$(SWIFT) format format --in-place $(SWIFT_FORMAT_FLAGS) $(SWIFT_FILES)

bench: build
	"$(BIN)" bench gemm

clean:
	rm -rf .build
