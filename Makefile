# credgen — see README.md. Fresh machine: `make demo`, then `make test`.
GO          ?= go
BIN         ?= bin/credgen
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS        := ./... ./testdata/fakes/... ./testdata/cmd/...
FUZZTIME    ?= 30s
CORPUS      ?= ../shared/ref/corpus
# A static, stripped binary starts about 20% faster (cgo's dynamic loader and
# the symbol table cost start-up time; see BENCHMARKS.md).
# VERSION, when given, is stamped into the binary (credgen version); without
# it the binary reports the module version and Git revision Go records.
VERSION     ?=
BUILD       := CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=auto -ldflags='-s -w$(if $(VERSION), -X main.version=$(VERSION))'
# Release binaries: one per system and architecture, into DIST.
DIST        ?= dist
DIST_TARGETS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
VET_SYSTEMS := linux darwin windows

.PHONY: all build test lint vet-cross dist bench demo corpus fuzz stress clean

all: lint test

build:
	$(BUILD) -o $(BIN) ./cmd/credgen

test:
	$(GO) test -count=1 $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

# go vet as each system sees the code: build tags keep Unix-only and
# Windows-only calls apart, and only this catches one in shared code.
vet-cross:
	@set -e; for os in $(VET_SYSTEMS); do \
	  echo "== go vet GOOS=$$os"; GOOS=$$os GOARCH=amd64 $(GO) vet $(PKGS); \
	done

# Stripped static binaries for every release target, named
# credgen-OS-ARCH[.exe], and a SHA256SUMS that `sha256sum -c` checks.
dist:
	@rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for t in $(DIST_TARGETS); do \
	  os=$${t%/*}; arch=$${t#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
	  echo "== $(DIST)/credgen-$$os-$$arch$$ext"; \
	  GOOS=$$os GOARCH=$$arch $(BUILD) -o $(DIST)/credgen-$$os-$$arch$$ext ./cmd/credgen; \
	done
	@cd $(DIST) && if command -v sha256sum >/dev/null; then sha256sum credgen-*; else shasum -a 256 credgen-*; fi > SHA256SUMS
	@cat $(DIST)/SHA256SUMS

# The editors over a folder of real-world files (netrc/, pip/, uv/), e.g.
#   make corpus CORPUS=../shared/ref/corpus
corpus:
	$(GO) test -count=1 -run TestCorpus -v ./generator/netrc ./generator/pipconf ./generator/uvtoml ./generator/pypirc -args -corpus=$(abspath $(CORPUS))

# Every fuzz target for FUZZTIME each (make fuzz FUZZTIME=5m).
fuzz:
	@set -e; \
	for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# Benchmarks (BENCHMARKS.md): the editors and the in-process write pass with
# go test -bench, then whole processes, keyring, pip and watch with
# bench/cmd/procbench (a few minutes). Installs Debian's python3-keyring and
# hyperfine when missing (hyperfine is only a cross-check). Results also go to
# bin/bench/results.{md,json}; PROCBENCH_FLAGS passes options, e.g.
#   make bench PROCBENCH_FLAGS='-sections process -runs 60'
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=500ms ./generator/... ./bench/...
	@need=; command -v hyperfine >/dev/null 2>&1 || need="$$need hyperfine"; \
	  [ -x /usr/bin/keyring ] || need="$$need python3-keyring"; \
	  if [ -n "$$need" ]; then \
	    sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	    echo "installing$$need"; \
	    $$sudo apt-get install -y -qq --no-install-recommends $$need >/dev/null 2>&1 || \
	      { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq --no-install-recommends $$need; } || true; \
	  fi; \
	  [ -x /usr/bin/keyring ] || { echo "bench: Debian's python3-keyring is needed (apt-get install python3-keyring)"; exit 1; }; \
	  command -v hyperfine >/dev/null 2>&1 || echo "bench: no hyperfine; procbench times everything itself"
	@mkdir -p bin/bench
	$(BUILD) -o bin/bench/credgen ./cmd/credgen
	$(BUILD) -o bin/bench/chainctl ./testdata/cmd/fakechainctl
	$(BUILD) -o bin/bench/readbaseline ./bench/cmd/readbaseline
	$(GO) run ./bench/cmd/procbench -json bin/bench/results.json -md bin/bench/results.md $(PROCBENCH_FLAGS)

demo: build
	./scripts/demo.sh $(BIN)

# The reliability tests at full size: 2,000 SIGKILLs, 4 x 50 parallel writers,
# the real 30 s chainctl, menda-cloud and lock timeouts (-v: the figures).
stress:
	CREDGEN_STRESS=1 $(GO) test -count=1 -v -run 'Reliability|Stress' -timeout 60m ./cmd/credgen

clean:
	rm -rf bin $(DIST)
