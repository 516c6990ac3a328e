// Package race tells whether the binary runs with the race detector, which
// allocates on its own: tests that bound a path's allocations check the
// bound only without it ("make test" runs every test both ways).
package race
