// Package layout holds the tests that keep the repository's package rules:
// every package outside cmd/ binds at most one external dependency family,
// each family is bound by one package (test-support packages aside), and
// imports flow one way, from cmd to pipeline to its sub-packages to schema.
// docs/architecture.md explains the rules; the package has no code.
package layout
