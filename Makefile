# Convene: `make run` serves the demo on the embedded database; `make test` runs everything.
# Go 1.27.3 clears the standard-library advisories of the machines' default 1.26.8; the go
# command fetches it when asked by name (the default GOTOOLCHAIN=local never switches).
export GOTOOLCHAIN := go1.27.3
SHELL         := /bin/bash
GO            ?= go
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOVULNCHECK   := golang.org/x/vuln/cmd/govulncheck@v1.9.0
VULNDB        := v0.0.0-20261105234957-e22db6528018
TEST_TIMEOUT  ?= 25m
VERSION       ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
PKGS          := ./...
# One set of build flags for run and build, so one never recompiles what the other built.
BUILD_FLAGS   := -trimpath -ldflags "-s -w -X main.version=$(VERSION)"

.PHONY: run build test test-sqlite test-go test-race test-plain lint fmt-check vet staticcheck vuln measure prerequisites clean

## run: build the binary (showing each package as it compiles: the first build on a fresh
## machine takes minutes), then serve the demo on the embedded database. Ctrl-C stops it.
run:
	@echo "Building Convene (the first build downloads modules and compiles for a few minutes)..."
	@CGO_ENABLED=0 $(GO) build -v $(BUILD_FLAGS) -o bin/convene ./cmd/convene
	@exec ./bin/convene serve --demo

build:
	CGO_ENABLED=0 $(GO) build $(BUILD_FLAGS) -o bin/convene ./cmd/convene

## test: format, vet, staticcheck and govulncheck, then every test with -race on PostgreSQL,
## SQLite and Chromium.
# The linters run beside the tests: on two cores the passes leave the CPU idle at times (a
# browser waiting, a test waiting on the database), and a lint finding still fails the run.
test: prerequisites
	@$(MAKE) --no-print-directory -j4 --output-sync=target lint vuln test-race test-plain

prerequisites:
	@.ci/ensure-postgres
	@.ci/ensure-chromium
	@.ci/ensure-axe
	@.ci/ensure-xmllint

# The race detector runs where goroutines meet: the packages whose code runs concurrently
# (batched writes and limits, registration batches and races, the mail worker, logins and token
# batches, the site's background work, live rooms) and the web layer's tests of concurrency
# (registration races over HTTP, live sockets, caches shared by instances, metrics). The limits
# table is checked in the plain pass: the limiter's concurrency is app/store's (TestHit).
# Everything else runs once, in a plain pass: handlers answering one request at a time, forms,
# schedules, calendars, the command line, the browser journeys. -race multiplies CPU five to
# ten times, and on two cores the suite is CPU-bound.
RACE_PKGS := ./app/store/... ./app/registration ./app/mail ./app/accounts ./app/site ./realtime
RACE_WEB  := TestRegistrationRace|TestLiveCounts|TestLiveQuestions|TestPageCacheAcrossInstances|TestLoginCacheAcrossInstances|TestMetrics
# Each pass prints the slowest ten of its tests at its end (cmd/convene-testreport).
REPORT    := $(GO) run ./cmd/convene-testreport -slowest 10

# Packages three at a time and six tests each: the tests wait on PostgreSQL and on fsync a good
# part of the time, so more of them than cores keeps both cores busy. Each test has a database
# of its own, and pools of three connections keep well under PostgreSQL's 100.
test-go: test-race test-plain

test-race:
	set -o pipefail; $(GO) test -race -json -count=1 -p 3 -parallel 6 -timeout $(TEST_TIMEOUT) $(RACE_PKGS) | $(REPORT)
	set -o pipefail; $(GO) test -race -json -count=1 -parallel 6 -timeout $(TEST_TIMEOUT) -run '$(RACE_WEB)' ./app/web | $(REPORT)

# The web tests of the race pass are not run again here (-skip takes the same pattern as its -run,
# and no test outside ./app/web has a name it matches: TestPassesRunEveryTest).
test-plain:
	set -o pipefail; $(GO) test -json -count=1 -p 3 -parallel 6 -timeout $(TEST_TIMEOUT) -skip '$(RACE_WEB)' \
		$$($(GO) list $(PKGS) | grep -v -x -F "$$($(GO) list $(RACE_PKGS))") | $(REPORT)

## test-sqlite: a quick run that explicitly skips PostgreSQL and the browser.
test-sqlite:
	CONVENE_TEST_SKIP_POSTGRES=1 CONVENE_TEST_SKIP_BROWSER=1 CONVENE_TEST_SKIP_XMLLINT=1 $(GO) test -count=1 -timeout $(TEST_TIMEOUT) $(PKGS)

lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) run $(STATICCHECK) $(PKGS)

## vuln: govulncheck against a database built locally from golang.org/x/vulndb.
vuln:
	@.ci/vulndb $(VULNDB) .cache/vulndb
	$(GO) run $(GOVULNCHECK) -db file://$(CURDIR)/.cache/vulndb ./...

## measure: binary size, start-up time to /readyz and idle memory of the built binary.
measure:
	@.ci/measure

clean:
	rm -rf bin convene-data
