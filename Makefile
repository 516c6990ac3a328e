# The project's entry points. Run "make help" for the list.
GO      ?= go
EVENTCTL = $(GO) run ./tools/eventctl

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

.PHONY: generate
generate: ## regenerate Go code from avro/, examples/orders/avro/ and the generator's test corpus, whose generated schemas first (idempotent)
	$(EVENTCTL) generate -manifest avro/manifest.json
	$(EVENTCTL) generate -manifest examples/orders/avro/manifest.json
	$(GO) run ./codegen/internal/corpusgen
	$(EVENTCTL) generate -manifest codegen/testdata/corpus/manifest.json
	$(EVENTCTL) generate -manifest tools/bench/schemas/manifest.json

.PHONY: check-generated
check-generated: ## fail when the checked-in generated code is stale
	$(EVENTCTL) generate -manifest avro/manifest.json -check
	$(EVENTCTL) generate -manifest examples/orders/avro/manifest.json -check
	$(GO) run ./codegen/internal/corpusgen -check
	$(EVENTCTL) generate -manifest codegen/testdata/corpus/manifest.json -check
	$(EVENTCTL) generate -manifest tools/bench/schemas/manifest.json -check

.PHONY: vet
vet: ## go vet and gofmt
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

.PHONY: unit
unit: ## all Go tests; integration tests start their own broker and registry (tools/devstack)
	$(GO) test -count=1 ./...

# The same tests under the race detector. Tests that bound allocations check
# the bound in the plain run only (internal/race), since the detector
# allocates too.
.PHONY: race
race: ## all Go tests with the race detector
	$(GO) test -race -count=1 ./...

# golangci-lint, pinned in tools/lint's own module (built once into
# tools/lint/bin; go build relinks only when the pin changes). The checks
# and why some are off: .golangci.yml.
LINT = tools/lint/bin/golangci-lint

.PHONY: lint
lint: ## golangci-lint (govet, staticcheck, unused, errorlint, gocritic, revive, ...) over the module and tools/bench
	cd tools/lint && $(GO) build -o bin/golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint
	$(LINT) run ./...
	cd tools/bench && ../../$(LINT) run --config ../../.golangci.yml ./...

.PHONY: test
test: check-generated vet lint unit race bench-smoke ## everything CI runs

# Schema compatibility as the Confluent Schema Registry would judge it: each
# schema of the manifest, at its manifest level, against its versions in the
# git history of the main branch (up to the merge base of HEAD with main, or
# origin/main); and, when SCHEMA_REGISTRY_URL is set (or make dev-up's
# .devstack/env names a registry, which eventctl then reads), against the versions
# registered under its subject at the level the registry applies, with the
# registry's own verdict asked too (credentials: SCHEMA_REGISTRY_USERNAME and
# _PASSWORD, or _TOKEN). Extra flags: make compat COMPAT_FLAGS='--against
# origin/main --format github'.
COMPAT_FLAGS ?=
COMPAT_REGISTRY = $(if $(or $(SCHEMA_REGISTRY_URL),$(wildcard $(DEVSTACK_STATE)/env)),--registry-from-env --registry-verdict)

.PHONY: compat
compat: ## check avro/ schemas against git history (and the registry when SCHEMA_REGISTRY_URL is set or make dev-up's stack runs)
	$(EVENTCTL) compat check --manifest avro/manifest.json $(COMPAT_REGISTRY) $(COMPAT_FLAGS)

# Registers every schema of the manifest under its subject and sets each
# subject's compatibility level to the manifest's; idempotent, and refuses
# (changing nothing) when a schema is incompatible. The registry is
# SCHEMA_REGISTRY_URL, else the one make dev-up's .devstack/env names, else
# http://localhost:8081. Extra
# flags: make register REGISTER_FLAGS='--dry-run' or '--format json'.
REGISTER_FLAGS ?=

.PHONY: register
register: ## register avro/ schemas and set their subjects' levels (SCHEMA_REGISTRY_URL, else .devstack/env's, else localhost:8081)
	$(EVENTCTL) register --manifest avro/manifest.json $(REGISTER_FLAGS)

# Local development stack (tools/devstack, a Go 1.26 module of its own): kfake
# as the Kafka broker and axonops-schema-registry, both on 127.0.0.1. The
# binaries go to tools/devstack/bin/; go build relinks only what changed.
# Extra flags: make dev DEVSTACK_FLAGS='-kafka-port 0 -data .devstack/data'
DEVSTACK_DIR    = tools/devstack
DEVSTACK        = $(DEVSTACK_DIR)/bin/devstack
DEVSTACK_STATE  = .devstack
DEVSTACK_FLAGS ?=
DEVSTACK_BUILD  = cd $(DEVSTACK_DIR) && $(GO) build -o bin/ . github.com/axonops/axonops-schema-registry/cmd/schema-registry

.PHONY: dev
dev: ## run Kafka (127.0.0.1:9092) and the schema registry (:8081) in the foreground; Ctrl-C stops both
	$(DEVSTACK_BUILD)
	$(DEVSTACK) run -manifest avro/manifest.json $(DEVSTACK_FLAGS)

.PHONY: dev-up
dev-up: ## start the dev stack in the background; pid, log and env file in .devstack/
	$(DEVSTACK_BUILD)
	$(DEVSTACK) up -state $(DEVSTACK_STATE) -manifest avro/manifest.json $(DEVSTACK_FLAGS)

.PHONY: dev-down
dev-down: ## stop the background dev stack
	@if [ -x $(DEVSTACK) ]; then $(DEVSTACK) down -state $(DEVSTACK_STATE); else echo "devstack is not built, so none is running"; fi

# Benchmarks side by side with the alternatives (tools/bench/, a Go module of its
# own; the latest results are in BENCHMARKS.md). The test binary is built
# once and run BENCH_COUNT rounds, each round running every benchmark once,
# so that a burst of load on the shared machine hits every implementation
# alike (benchratio pairs the runs of a round): BENCH_TIME per encode/decode
# benchmark, BENCH_MSGS messages per asynchronous publish or consume run
# (the no-op handler's too), BENCH_SYNC_MSGS per synchronous publish run,
# BENCH_AB_MSGS per client in the alternating-batches publish comparison,
# BENCH_SLOW_MSGS per slow-handler consume run (Concurrency 1 handles a
# tenth of them), and for the consumer's memory a backlog of
# BENCH_BACKLOG_MSGS sampled for BENCH_BACKLOG_TIME; BENCH_MSGS again per
# client for the client's CPU per message (PublishCPU), the SDK against
# itself before OpenTelemetry (PreOTel) and the price of a real OpenTelemetry
# SDK (OTel). BENCH_ROUND rotates the order of the publish and consume
# benchmarks' implementations from round to round. The raw output goes to
# tools/bench/out/bench.txt, then benchstat (installed in tools/bench/bin/)
# and the ratio table print it.
BENCH_COUNT        ?= 10
BENCH_TIME         ?= 200ms
BENCH_MSGS         ?= 200000
BENCH_SYNC_MSGS    ?= 20000
BENCH_AB_MSGS      ?= 400000
BENCH_SLOW_MSGS    ?= 5000
BENCH_BACKLOG_MSGS ?= 1000000
BENCH_BACKLOG_TIME ?= 15s
BENCHSTAT_VERSION = v0.0.0-20260908200009-22c9c6c9d4da
BENCH_RUN         = bin/bench.test -test.run=^$$ -test.benchmem -test.timeout=60m

# BenchmarkPreOTel's other client: the bench package built against the SDK
# of BENCH_PREOTEL_COMMIT, the parent of the first OpenTelemetry commit on
# main (599a65a), with the changes of BENCH_PREOTEL_FIXES applied: 636b232,
# the consumer's wait before pausing for backpressure, without which that
# consumer stalls on every resume and its rate is no baseline; it touches
# sdk/consumer's flow control, not telemetry. The
# commit's tree (git archive) goes to tools/bench/out/preotel/sdk, a copy of
# the package to .../bench (its generated benchevents from that commit, made
# by that codegen for that SDK), whose go.mod then points the SDK there; built
# with the tag preotel (the files that need today's SDK say !preotel) into
# tools/bench/bin/bench-preotel.test.
BENCH_PREOTEL_COMMIT ?= 3f224f882d90f8903d5cf69bd86f21eec13737d3
BENCH_PREOTEL_FIXES  ?= 636b23233141c71d11b8bae45f343184f7db6178
BENCH_PREOTEL_DIR     = tools/bench/out/preotel
BENCH_PREOTEL_BIN     = $(CURDIR)/tools/bench/bin/bench-preotel.test

.PHONY: bench-preotel
bench-preotel: ## build tools/bench/bin/bench-preotel.test, the benchmarks against the SDK before OpenTelemetry (BENCH_PREOTEL_COMMIT)
	rm -rf $(BENCH_PREOTEL_DIR)
	mkdir -p $(BENCH_PREOTEL_DIR)/sdk $(BENCH_PREOTEL_DIR)/bench
	git archive $(BENCH_PREOTEL_COMMIT) | tar -x -C $(BENCH_PREOTEL_DIR)/sdk
	for c in $(BENCH_PREOTEL_FIXES); do git diff $$c~1 $$c | patch -s -p1 -d $(BENCH_PREOTEL_DIR)/sdk || exit 1; done
	cp tools/bench/*.go tools/bench/go.mod tools/bench/go.sum $(BENCH_PREOTEL_DIR)/bench/
	cp -r $(BENCH_PREOTEL_DIR)/sdk/tools/bench/benchevents $(BENCH_PREOTEL_DIR)/bench/
	cd $(BENCH_PREOTEL_DIR)/bench && $(GO) mod edit -replace github.com/lunchbot/eventkit=../sdk && \
	  $(GO) vet -tags preotel . && $(GO) test -c -tags preotel -o $(BENCH_PREOTEL_BIN) .

.PHONY: bench
bench: bench-preotel ## benchmarks vs hamba/avro, goavro, confluent avrov2, franz-go sr, raw librdkafka (BENCH_COUNT=10 BENCH_TIME=200ms BENCH_MSGS=200000 BENCH_AB_MSGS=400000 BENCH_SLOW_MSGS=5000 BENCH_BACKLOG_MSGS=1000000)
	cd tools/bench && GOBIN=$(CURDIR)/tools/bench/bin $(GO) install golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION)
	cd tools/bench && $(GO) test -c -o bin/bench.test .
	mkdir -p tools/bench/out
	cd tools/bench && bash -o pipefail -c 'for i in $$(seq $(BENCH_COUNT)); do \
	  echo "# round $$i of $(BENCH_COUNT), load $$(cut -d" " -f1-3 /proc/loadavg)" >&2; \
	  export BENCH_ROUND=$$i; \
	  $(BENCH_RUN) -test.bench="^Benchmark(Encode|Decode)$$" -test.benchtime=$(BENCH_TIME) && \
	  $(BENCH_RUN) -test.bench="^Benchmark(Publish|Consume)$$" -test.benchtime=$(BENCH_MSGS)x && \
	  $(BENCH_RUN) -test.bench="^BenchmarkConsumeNoop$$" -test.benchtime=$(BENCH_MSGS)x && \
	  $(BENCH_RUN) -test.bench="^BenchmarkConsumeSlow$$" -test.benchtime=$(BENCH_SLOW_MSGS)x && \
	  BENCH_BACKLOG_MSGS=$(BENCH_BACKLOG_MSGS) BENCH_BACKLOG_TIME=$(BENCH_BACKLOG_TIME) \
	    $(BENCH_RUN) -test.bench="^BenchmarkConsumeBacklog$$" -test.benchtime=1x && \
	  $(BENCH_RUN) -test.bench="^BenchmarkPublishSync$$" -test.benchtime=$(BENCH_SYNC_MSGS)x && \
	  $(BENCH_RUN) -test.bench="^BenchmarkPublishAB$$" -test.benchtime=$(BENCH_AB_MSGS)x && \
	  $(BENCH_RUN) -test.bench="^BenchmarkPublishCPU$$" -test.benchtime=$(BENCH_MSGS)x && \
	  BENCH_PREOTEL_BIN=$(BENCH_PREOTEL_BIN) $(BENCH_RUN) -test.bench="^BenchmarkPreOTel$$" -test.benchtime=$(BENCH_MSGS)x && \
	  $(BENCH_RUN) -test.bench="^BenchmarkOTel$$" -test.benchtime=$(BENCH_MSGS)x || exit 1; \
	done | tee out/bench.txt'
	tools/bench/bin/benchstat tools/bench/out/bench.txt
	cd tools/bench && $(GO) run ./cmd/benchratio out/bench.txt

# The whole thing end to end, from a clean clone: builds eventctl, the
# example services (bin/) and devstack (tools/devstack/bin/), starts the dev
# stack (127.0.0.1:9092 and :8081, or free ports when those are taken),
# registers the schemas, publishes with examples/deadline-publisher,
# consumes with examples/notifications-worker and recommendations-worker
# (each event printed as a JSON line), then stops everything, also on
# Ctrl-C. Extra flags (bin/demo -h): make demo DEMO_FLAGS='-v -cafes 7,8'.
DEMO_FLAGS ?=

.PHONY: bench-smoke
bench-smoke: bench-preotel ## vet the bench module and run each benchmark once (no figures; keeps the benchmarks compiling and correct)
	cd tools/bench && $(GO) vet ./... && BENCH_PREOTEL_BIN=$(BENCH_PREOTEL_BIN) $(GO) test -count=1 -run=. -bench=. -benchtime=1x ./...

.PHONY: demo
demo: ## build, start the stack, register, publish, consume (events printed as JSON), stop
	$(GO) build -o bin/demo ./tools/demo
	bin/demo -go $(GO) $(DEMO_FLAGS)
