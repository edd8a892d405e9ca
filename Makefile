# SentimentKit — the two commands of the README:
#   make demo   set up everything on a fresh machine, then run the main job
#   make test   lint, set up everything, then run the whole test suite (release build: numeric code)
#   make lint   swift format's rules (.swift-format); any finding fails (`make format` fixes what it can)
#   make docs   the API reference (DocC), see docs/api.md
.PHONY: demo test setup build bench docs docs-check doctest clean lint format

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

test: lint setup
	$(SWIFT) build $(TEST_FLAGS)
	"$(BIN)" fetch --all
	$(SWIFT) test $(TEST_FLAGS)
	SENTIMENT_BIN="$(BIN)" scripts/e2e/run.sh
	python3 scripts/doctest.py --bin "$(dir $(BIN))"

doctest:
	python3 scripts/doctest.py --bin "$(dir $(BIN))"

# swift format ships with the toolchain. Its rules only: the layout pass (--debug-disable-pretty-print turns it off) would
# re-wrap thousands of our lines (paren-aligned continuations, aligned comments); CONTRIBUTING.md has the details.
SWIFT_FORMAT_FLAGS := --parallel --recursive --debug-disable-pretty-print
SWIFT_FILES := Sources Tests Snippets Package.swift

lint:
	$(SWIFT) format lint --strict $(SWIFT_FORMAT_FLAGS) $(SWIFT_FILES)

format:
	$(SWIFT) format format --in-place $(SWIFT_FORMAT_FLAGS) $(SWIFT_FILES)

bench: build
	"$(BIN)" bench gemm

# The API reference (docs/api.md): one DocC archive combining the umbrella's catalog (Sources/SentimentKit/
# SentimentKit.docc) with a page per layer module and the server, from the doc comments. The plugin makes its own
# debug build: SwiftPM hands swift-symbolgraph-extract every -Xswiftc flag and it rejects -target-cpu and
# -enable-testing, so the release build cannot serve. The umbrella's pages link into the layers (its dependencies)
# by symbol, which docc checks; docc cannot resolve a link to the server (not a dependency), so the test below checks
# that plain link's page. Not part of `make test`: 9-11 min here from a clean .build (docs/api.md).
DOCS_DIR ?= .build/docs
DOC_TARGETS := SentimentKit SentimentCore SentimentTensor SentimentData SentimentTokenizers SentimentModels \
	SentimentTraining SentimentBaselines SentimentEvaluation SentimentPipelines SentimentServer

docs: setup
	$(SWIFT) package --allow-writing-to-directory "$(DOCS_DIR)" generate-documentation \
		--enable-experimental-combined-documentation $(addprefix --target ,$(DOC_TARGETS)) --output-path "$(DOCS_DIR)"
	@test -f "$(DOCS_DIR)/data/documentation/sentimentserver/sentimentserver.json" \
		|| { echo "docs: no page for SentimentServer, which SentimentKit's overview links to"; exit 1; }
	@echo "API reference in $(DOCS_DIR): serve it (python3 -m http.server -d $(DOCS_DIR)), open /documentation/sentimentkit"

# CI's check of the API reference (.ci/run): the same build without SentimentServer, whose debug build of
# Hummingbird and NIO is about half of `make docs`' time; docc still checks every symbol link of the catalog.
docs-check: setup
	$(SWIFT) package --allow-writing-to-directory .build/docs-check generate-documentation \
		--enable-experimental-combined-documentation $(addprefix --target ,$(filter-out SentimentServer,$(DOC_TARGETS))) \
		--output-path .build/docs-check

clean:
	rm -rf .build
