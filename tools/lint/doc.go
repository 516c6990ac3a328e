// Package lint pins the project's linter, golangci-lint, as a tool of this
// module of its own (so that its dependencies stay out of the SDK's
// go.mod): "make lint" builds it into tools/lint/bin and runs it with the
// repository's .golangci.yml.
package lint
