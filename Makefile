# credgen — see README.md. Fresh machine: `make demo`, then `make test`.
GO          ?= go
BIN         ?= bin/credgen
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS        := ./... ./testdata/fakes/... ./testdata/cmd/...
FUZZTIME    ?= 30s
CORPUS      ?= ../shared/ref/corpus

.PHONY: all build test lint bench demo corpus fuzz stress clean

all: lint test

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/credgen

test:
	$(GO) test -count=1 $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

# The editors over a folder of real-world files (netrc/, pip/, uv/), e.g.
#   make corpus CORPUS=../shared/ref/corpus
corpus:
	$(GO) test -count=1 -run TestCorpus -v ./generator/netrc ./generator/pipconf ./generator/uvtoml -args -corpus=$(abspath $(CORPUS))

# Every fuzz target for FUZZTIME each (make fuzz FUZZTIME=5m).
fuzz:
	@set -e; \
	for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./generator/...

demo: build
	./scripts/demo.sh $(BIN)

stress:
	CREDGEN_STRESS=1 $(GO) test -count=1 -run 'Stress|Crash|Concurrent' -timeout 60m ./cmd/credgen

clean:
	rm -rf bin
