# Spindle — see README.md. `make run` serves public/ on http://127.0.0.1:8080; `make test` runs every test.
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
PORT ?= 8080
FUZZ_SECONDS ?= 600
BINDIR = $(DESTDIR)$(PREFIX)/bin
UNITDIR ?= $(DESTDIR)/etc/systemd/system
CONFDIR = $(DESTDIR)/etc/spindle
DOCDIR = $(DESTDIR)$(PREFIX)/share/doc/spindle
# The binary `install-files` copies; the tests point it at the debug build to skip the release build.
BINARY ?= .build/release/spindle

.PHONY: all build release run dev test fmt lint fuzz bench clean install install-files uninstall

all: build

build:
	$(SWIFT) build

# A static Swift runtime, so the binary runs on machines without the toolchain.
release:
	$(SWIFT) build -c release --static-swift-stdlib

# The optimised build: the debug one serves about a third of the requests, and `make run` should
# show the real server. `make dev` is the quick loop (debug build, incremental).
run: release
	.build/release/spindle --root public --listen 127.0.0.1:$(PORT)

dev: build
	$(SWIFT) run spindle --root public --listen 127.0.0.1:$(PORT)

# The integration tests start the debug binary that `build` produced.
test: build
	$(SWIFT) test

fmt:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

lint:
	$(SWIFT) format lint --recursive Package.swift Sources Tests

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) Tests/Fuzz/run.sh

bench: release
	benchmarks/bench.sh

# A sub-make rather than a prerequisite, so that `make -j install` cannot copy before the build ends.
install: release
	$(MAKE) --no-print-directory install-files

install-files:
	test -x $(BINARY) || { echo "$(BINARY) is missing: run 'make release'" >&2; exit 1; }
	install -d $(BINDIR) $(UNITDIR) $(CONFDIR) $(DOCDIR) $(DESTDIR)/etc/logrotate.d
	install -m 0755 $(BINARY) $(BINDIR)/spindle
	@# The unit names the binary and the documentation by their installed paths.
	sed -e 's|/usr/local/bin/spindle|$(PREFIX)/bin/spindle|' \
	    -e 's|/usr/local/share/doc/spindle|$(PREFIX)/share/doc/spindle|' \
	    config/spindle.service > $(UNITDIR)/spindle.service
	chmod 0644 $(UNITDIR)/spindle.service
	install -m 0644 config/spindle.socket $(UNITDIR)/spindle.socket
	install -m 0644 config/spindle.logrotate $(DESTDIR)/etc/logrotate.d/spindle
	@# Never overwrite a configuration the administrator may have edited.
	test -e $(CONFDIR)/spindle.toml || install -m 0644 config/spindle.toml $(CONFDIR)/spindle.toml
	install -m 0644 README.md $(DOCDIR)/README.md

uninstall:
	rm -f $(BINDIR)/spindle $(UNITDIR)/spindle.service $(UNITDIR)/spindle.socket
	rm -f $(DESTDIR)/etc/logrotate.d/spindle $(DOCDIR)/README.md
	-rmdir $(DOCDIR) 2>/dev/null
	@echo "kept $(CONFDIR)/spindle.toml (remove it by hand if you no longer need it)"

clean:
	rm -rf .build .build-* Tests/Fuzz/corpus Tests/Fuzz/artifacts
