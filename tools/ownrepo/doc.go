// Package ownrepo holds the test that follows the README's section "A
// service in its own repository" word for word: in a fresh module next to
// a copy of this repository it runs the section's shell blocks in order,
// writing each Go file the section shows where the section names it, so
// that the instructions a new user copies cannot rot.
package ownrepo
