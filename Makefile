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

.PHONY: all build release run dev test fmt lint fuzz bench clean install install-files uninstall assets chromium haproxy

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

# The integration tests start the debug binary that `build` produced. The browser test needs chromium,
# the fleet test haproxy.
test: build chromium haproxy
	$(SWIFT) test

# A Debian package a test needs, installed when missing and possible (root, apt); bounded in time, and
# never failing the build: without it that test is skipped, loudly. $(1): the package and its command
# (also looked for in /usr/bin and /usr/sbin, which a non-root PATH may lack); $(2): the test.
define install-for-test
	@if command -v $(1) >/dev/null 2>&1 || [ -x /usr/bin/$(1) ] || [ -x /usr/sbin/$(1) ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
	    echo "*** $(1) is missing and cannot be installed here (needs root and apt-get):" \
	         "$(2) will be SKIPPED. Install it with: apt-get install $(1)" >&2; exit 0; fi; \
	echo "installing $(1) for $(2) (apt-get, at most 5 minutes)" >&2; \
	timeout 300 apt-get install -y -qq $(1) >/dev/null 2>&1 \
	|| { timeout 120 apt-get update -qq >/dev/null 2>&1 && timeout 300 apt-get install -y -qq $(1) >/dev/null 2>&1; } \
	|| echo "*** could not install $(1) (apt-get failed or timed out): $(2) will be SKIPPED" >&2
endef

# Debian's chromium for the end-to-end browser test.
chromium:
	$(call install-for-test,chromium,the browser test)

# Debian's haproxy for the fleet test (three replicas behind a load balancer, restarted one at a time).
haproxy:
	$(call install-for-test,haproxy,the fleet test)

# public/assets/site.css and app.js are served fingerprinted, with .gz and .br beside them (committed).
# After editing one (under its fingerprinted name), this renames it to its new content hash, rewrites
# the references in public/, and regenerates the variants. Needs gzip and brotli (apt-get install brotli).
assets:
	@set -e; cd public/assets; for base in site.css app.js; do \
	    stem=$${base%.*}; ext=$${base##*.}; \
	    current=$$(ls $$stem.*.$$ext 2>/dev/null | head -1); [ -n "$$current" ] || current=$$base; \
	    new=$$stem.$$(sha256sum $$current | cut -c1-8).$$ext; \
	    if [ "$$current" != "$$new" ]; then mv $$current $$new; rm -f $$current.gz $$current.br; fi; \
	    gzip -9 -n -k -f $$new; brotli -q 11 -k -f $$new; \
	    sed -i -E "s#/assets/$$stem(\.[0-9a-f]{8})?\.$$ext([\"<])#/assets/$$new\\2#g" ../*.html ../docs/*.html; \
	    echo "public/assets/$$new (+ .gz, .br)"; \
	done

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
