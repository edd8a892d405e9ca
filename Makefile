# SentimentKit — the two commands of the README:
#   make demo   set up everything on a fresh machine, then run the main job
#   make test   set up everything, then run the whole test suite (release build: numeric code)
.PHONY: demo test setup build bench clean

SWIFT ?= swift
# Optimisation flags for our own builds only (Package.swift carries no unsafeFlags, so others can depend on us).
ARCH := $(shell uname -m)
ifeq ($(ARCH),x86_64)
  ifneq ($(shell grep -m1 -o -w avx2 /proc/cpuinfo 2>/dev/null),)
    OPT_FLAGS := -Xswiftc -target-cpu -Xswiftc x86-64-v3
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

test: build
	"$(BIN)" fetch --all
	$(SWIFT) test $(RELEASE) -Xswiftc -enable-testing

bench: build
	"$(BIN)" bench gemm

clean:
	rm -rf .build
