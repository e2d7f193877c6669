# Spindle — see README.md. `make run` serves public/ on http://127.0.0.1:8080; `make test` runs every test.
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
PORT ?= 8080
FUZZ_SECONDS ?= 600

.PHONY: all build release run test fmt lint fuzz bench clean install uninstall

all: build

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --static-swift-stdlib

run: build
	$(SWIFT) run spindle --root public --listen 127.0.0.1:$(PORT)

test: build
	$(SWIFT) test

fmt:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

clean:
	rm -rf .build .build-* Fuzz/corpus Fuzz/artifacts
