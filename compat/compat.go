// Package compat checks Avro schema compatibility exactly as the Confluent
// Schema Registry does.
//
// ReaderWriter applies the schema-resolution rules of the Avro specification
// the way Apache Avro Java's SchemaCompatibility (1.11) applies them, which is
// what the Confluent Schema Registry runs: numeric promotion (int to long,
// float or double; long to float or double; float to double), string and
// bytes read as each other, unions on either side, enum symbols and enum
// defaults, fields added or removed with and without defaults, field aliases
// and named-type aliases, fixed sizes, named types compared by unqualified
// name, array items, map values and recursive types. Logical types do not
// matter. Unlike Java it reports every incompatibility once, each with a
// location and a sentence that says what breaks and how to fix it.
//
// Check applies a compatibility level to a new schema and the previous
// versions of its subject, as the registry's CompatibilityChecker does:
// BACKWARD (the new schema reads data written with the latest previous one),
// FORWARD (the latest previous one reads data written with the new one),
// FULL (both), their *_TRANSITIVE forms (the same against every previous
// version) and NONE (nothing is checked). Where the registry stops at the
// first incompatible version of a transitive check, Check goes on and reports
// them all; the verdict is the same.
package compat

import (
	"errors"
	"fmt"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// ErrUnknownLevel is matched by the error Check returns for a compatibility
// level it does not know.
var ErrUnknownLevel = errors.New("unknown compatibility level")

// Direction says which schema reads and which writes in one comparison.
type Direction string

// The two directions a level checks.
const (
	// NewReadsOld: consumers on the new schema read events written with a
	// previous one (what BACKWARD checks).
	NewReadsOld Direction = "new-reads-old"
	// OldReadsNew: consumers still on a previous schema read events written
	// with the new one (what FORWARD checks).
	OldReadsNew Direction = "old-reads-new"
)

// Problem is an incompatibility found by Check.
type Problem struct {
	Incompatibility
	// Version is the index, in the previous versions given to Check, of the
	// version the new schema was compared with.
	Version int `json:"version"`
	// Direction says which of the two read the other's data.
	Direction Direction `json:"direction"`
}

// Comparison is one reader/writer comparison Check made.
type Comparison struct {
	// Version is the index of the previous version compared.
	Version int `json:"version"`
	// Direction says which of the two was the reader.
	Direction Direction `json:"direction"`
	// Compatible is true when the comparison found no problem.
	Compatible bool `json:"compatible"`
}

// Result is the verdict of Check.
type Result struct {
	// Compatible is true when the registry would accept the new schema.
	Compatible bool `json:"compatible"`
	// Problems are every incompatibility found, newest previous version
	// first (the order the registry checks in), and for FULL levels the
	// old-reads-new problems of a version before its new-reads-old ones.
	Problems []Problem `json:"problems"`
	// Comparisons lists the comparisons made, in the same order. It is
	// empty for NONE and when there is no previous version.
	Comparisons []Comparison `json:"comparisons"`
}

// Check reports whether next may follow previous (oldest first) under level,
// as the Confluent Schema Registry decides when next is registered to a
// subject holding previous. With no previous version, everything is
// compatible.
func Check(level contract.Compatibility, previous []*schema.Parsed, next *schema.Parsed) (Result, error) {
	var backward, forward, transitive bool
	switch level {
	case contract.None:
	case contract.Backward:
		backward = true
	case contract.Forward:
		forward = true
	case contract.Full:
		backward, forward = true, true
	case contract.BackwardTransitive:
		backward, transitive = true, true
	case contract.ForwardTransitive:
		forward, transitive = true, true
	case contract.FullTransitive:
		backward, forward, transitive = true, true, true
	default:
		return Result{}, fmt.Errorf("%w %q (want one of %v)", ErrUnknownLevel, string(level), contract.Levels)
	}
	if next == nil {
		return Result{}, errors.New("compat: no new schema")
	}
	for i, p := range previous {
		if p == nil {
			return Result{}, fmt.Errorf("compat: previous version %d is nil", i)
		}
	}
	res := Result{Compatible: true, Problems: []Problem{}, Comparisons: []Comparison{}}
	oldest := len(previous) - 1
	if transitive {
		oldest = 0
	}
	for v := len(previous) - 1; v >= 0 && v >= oldest && (backward || forward); v-- {
		old := previous[v]
		// The registry's mutual-read strategy checks old-reads-new first.
		if forward {
			res.add(v, OldReadsNew, readerWriter(old.Root, next.Root, oldReadsNewRoles))
		}
		if backward {
			res.add(v, NewReadsOld, readerWriter(next.Root, old.Root, newReadsOldRoles))
		}
	}
	return res, nil
}

func (r *Result) add(version int, d Direction, found []Incompatibility) {
	r.Comparisons = append(r.Comparisons, Comparison{Version: version, Direction: d, Compatible: len(found) == 0})
	for _, in := range found {
		r.Problems = append(r.Problems, Problem{Incompatibility: in, Version: version, Direction: d})
		r.Compatible = false
	}
}

// roles names the reader and the writer in messages, says what an
// incompatibility breaks, and how to fix a field that only the reader has.
type roles struct {
	reader, writer   string
	effect           string
	missingFieldHint string
}

var (
	genericRoles = roles{
		reader:           "the reader schema",
		writer:           "the writer schema",
		effect:           "data written with the writer schema cannot be read with the reader schema",
		missingFieldHint: "Give the reader's field a default, or add it to the writer.",
	}
	newReadsOldRoles = roles{
		reader:           "the new schema",
		writer:           "the old schema",
		effect:           "consumers on the new schema could not read events written with the old schema",
		missingFieldHint: `Give the new field a default (for an optional value: a union with "null" first and "default": null).`,
	}
	oldReadsNewRoles = roles{
		reader:           "the old schema",
		writer:           "the new schema",
		effect:           "consumers still on the old schema could not read events written with the new schema",
		missingFieldHint: "Keep the field in the new schema: a field can only be removed when it has a default in every schema consumers still use.",
	}
)
