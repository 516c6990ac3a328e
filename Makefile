# The project's entry points. Run "make help" for the list.
GO      ?= go
EVENTCTL = $(GO) run ./tools/eventctl

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

.PHONY: generate
generate: ## regenerate Go code from avro/ (idempotent)
	$(EVENTCTL) generate -manifest avro/manifest.json

.PHONY: check-generated
check-generated: ## fail when the checked-in generated code is stale
	$(EVENTCTL) generate -manifest avro/manifest.json -check

.PHONY: vet
vet: ## go vet and gofmt
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

.PHONY: unit
unit: ## unit tests (no servers)
	$(GO) test -count=1 ./...

.PHONY: test
test: check-generated vet unit ## everything CI runs
