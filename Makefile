# Quire — build and test entry points. Everything installs what it needs first
# (see .ci/setup), so on a fresh Debian 12 machine `make run` / `make test` just work.
#
#   make run [ARGS='--flag …']  run the server on the embedded defaults
#   make test                   setup + services + gofmt/vet/generate checks + go test ./...
#   make check                  gofmt + go vet + go generate diff check only
#   make fuzz [FUZZTIME=30s]    run each fuzz target briefly (make test does)
#   make bench [BENCH=regex]    benchmarks against the test services
#   make build                  bin/quire
#   make services-start|services-stop   keep the test services up between runs;
#                               then: eval "$(.ci/services env)" && go test ./store/...

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Go lives in /usr/local/go/bin on our machines, which a non-login shell may lack.
ifeq ($(shell command -v go),)
export PATH := /usr/local/go/bin:$(PATH)
endif
# An older local Go (>= 1.21) fetches the toolchain go.mod asks for via the module proxy.
export GOTOOLCHAIN ?= auto

PKGS          ?= ./...
# Fuzz targets as package:Target:executions. Each runs a fixed number of
# inputs (about 5 s each on 2 cores), not a time: Go 1.26's fuzzer can fail
# a run with a spurious "context deadline exceeded" when a -fuzztime
# duration ends under load (go.dev/issue/75804). FUZZTIME=30s (or 50000x)
# gives every target that budget instead.
FUZZ_TARGETS  ?= ./rest:FuzzListFilters:3000 ./rest:FuzzPostDocument:15000 ./rest:FuzzFilterDates:5000 \
                 ./store:FuzzTextFilters:2000 ./store:FuzzCustomFieldQuery:20000 \
                 ./server/consume/parse:FuzzFindDate:10000 ./server/consume/parse:FuzzFilenameTitleDate:200000 \
                 ./store/search:FuzzParse:10000
FUZZTIME      ?=
GO_TEST_FLAGS ?= -count=1 -timeout 30m
BENCH         ?= .
ARGS          ?=

.PHONY: help run build test check fuzz _fuzz bench services-start services-stop _setup-run _setup-test _checks

help:
	@sed -n '1,12s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

_setup-run:
	@.ci/setup run

_setup-test:
	@.ci/setup test

run: _setup-run
	go run ./server/cmd/quire $(ARGS)

build: _setup-run
	go build -o bin/quire ./server/cmd/quire

check: _setup-run
	@$(MAKE) _checks

# gofmt, go vet, and "go generate must not change anything".
_checks:
	@failed=()
	echo "==> gofmt -l"
	unformatted=$$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -not -path './vendor/*' -print0 | xargs -0 -r gofmt -l)
	if [ -n "$$unformatted" ]; then printf 'not gofmt-ed (run gofmt -w):\n%s\n' "$$unformatted"; failed+=(gofmt); fi
	echo "==> go vet ./..."
	go vet ./... || failed+=(vet)
	echo "==> go generate ./... (must not change the tree)"
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	  snap() { git ls-files -z --cached --others --exclude-standard | xargs -0 -r sha256sum 2>/dev/null | sort -k2 || true; }
	  before=$$(snap)
	  clean_before=$$([ -z "$$(git status --porcelain 2>/dev/null)" ] && echo yes || echo no)
	  if go generate ./...; then
	    if [ "$$clean_before" = yes ]; then
	      # Clean checkout (CI): strict check against the committed tree.
	      git diff --exit-code --stat || { git diff | sed -n 1,200p; echo "go generate changed committed files: regenerate and commit them"; failed+=(generate-diff); }
	      untracked=$$(git ls-files --others --exclude-standard)
	      if [ -n "$$untracked" ]; then printf 'go generate created files that are not committed:\n%s\n' "$$untracked"; failed+=(generate-untracked); fi
	    else
	      # Dirty working tree (developer): compare with the tree as it was just before go generate.
	      changed=$$(diff <(echo "$$before") <(snap) | sed -n 's/^[<>] [0-9a-f]*  //p' | sort -u || true)
	      if [ -n "$$changed" ]; then printf 'go generate changed these files (uncommitted tree, compared with before):\n%s\n' "$$changed"; failed+=(generate-diff); fi
	    fi
	  else
	    failed+=(generate)
	  fi
	else
	  echo "(not a git checkout: running go generate without the diff check)"
	  go generate ./... || failed+=(generate)
	fi
	if [ $${#failed[@]} -gt 0 ]; then echo "checks FAILED: $${failed[*]}"; exit 1; fi
	echo "checks passed"

test: _setup-test
	@failed=()
	$(MAKE) _checks || failed+=(checks)
	trap '.ci/services stop' EXIT
	trap 'exit 130' INT TERM
	.ci/services start
	eval "$$(.ci/services env)"
	echo "==> go test $(GO_TEST_FLAGS) $(PKGS)"
	echo "    TEST_POSTGRES_DSN=$$TEST_POSTGRES_DSN"
	echo "    TEST_TYPESENSE_URL=$$TEST_TYPESENSE_URL TEST_TYPESENSE_API_KEY=$$TEST_TYPESENSE_API_KEY"
	report=$$(mktemp)
	set +e
	go test -json $(GO_TEST_FLAGS) $(PKGS) 2>&1 | .ci/gotest-report | tee "$$report"
	rc=$${PIPESTATUS[0]}
	set -e
	[ "$$rc" -eq 0 ] || failed+=("go-test(exit $$rc)")
	$(MAKE) _fuzz || failed+=(fuzz)
	.ci/services stop
	trap - EXIT
	tail -n 1 "$$report"; rm -f "$$report"
	if [ $${#failed[@]} -gt 0 ]; then echo "make test FAILED: $${failed[*]}"; exit 1; fi
	echo "make test passed"

fuzz: _setup-test
	@$(MAKE) _fuzz

# One target at a time: -fuzz takes one package and one target. New
# findings land in the package's testdata/fuzz/<Target>/ (commit them
# with the fix).
_fuzz:
	@for t in $(FUZZ_TARGETS); do
	  IFS=: read -r pkg target count <<<"$$t"
	  budget=$(or $(FUZZTIME),$${count}x)
	  echo "==> fuzz $$target in $$pkg ($$budget)"
	  go test -run '^$$' -fuzz "^$$target$$" -fuzztime "$$budget" "$$pkg"
	done

bench: _setup-test
	@trap '.ci/services stop' EXIT
	trap 'exit 130' INT TERM
	.ci/services start
	eval "$$(.ci/services env)"
	go test -run '^$$' -bench '$(BENCH)' -benchmem $(PKGS)

services-start: _setup-test
	@.ci/services start
	.ci/services env

services-stop:
	@.ci/services stop
