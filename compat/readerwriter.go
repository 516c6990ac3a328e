package compat

import (
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// Kind names a kind of incompatibility. The first six are Apache Avro's
// SchemaCompatibility.SchemaIncompatibilityType values, spelled as Avro and
// the Confluent Schema Registry spell them.
type Kind string

// The kinds of incompatibility.
const (
	// NameMismatch: a named type (record, enum, fixed) of the reader has
	// neither the writer's unqualified name nor the writer's full name among
	// its aliases.
	NameMismatch Kind = "NAME_MISMATCH"
	// FixedSizeMismatch: two fixed types differ in size.
	FixedSizeMismatch Kind = "FIXED_SIZE_MISMATCH"
	// MissingEnumSymbols: the writer's enum has symbols the reader's lacks,
	// and the reader's enum has no default symbol.
	MissingEnumSymbols Kind = "MISSING_ENUM_SYMBOLS"
	// ReaderFieldMissingDefaultValue: a reader field has no counterpart in
	// the writer (by name or alias) and no default.
	ReaderFieldMissingDefaultValue Kind = "READER_FIELD_MISSING_DEFAULT_VALUE"
	// TypeMismatch: the writer's type cannot be read as the reader's, not
	// even by promotion.
	TypeMismatch Kind = "TYPE_MISMATCH"
	// MissingUnionBranch: a value the writer can write (a branch of its
	// union, or its only type) matches no branch of the reader's union.
	MissingUnionBranch Kind = "MISSING_UNION_BRANCH"
	// AmbiguousField: a reader field's name and aliases match more than one
	// writer field. Apache Avro Java throws an exception for such a pair and
	// the Confluent Schema Registry, catching it, reports the schemas
	// incompatible; this kind stands for that outcome.
	AmbiguousField Kind = "READER_FIELD_MATCHES_MULTIPLE_WRITER_FIELDS"
)

// Incompatibility is one reason why a reader schema cannot read all the
// data a writer schema can write.
type Incompatibility struct {
	// Kind says what is wrong.
	Kind Kind `json:"kind"`
	// Location is a JSON pointer to where it was found, built as Apache Avro
	// Java builds it: "/" for the top-level schema, "fields/N" (N the index
	// of the field in the reader's record) and then "type" for a field's
	// type, "items" and "values" for array items and map values, "name",
	// "size" and "symbols" for those attributes of a named type, and the
	// index of the branch for unions (the writer's branch when both sides
	// are unions or only the writer is one, the reader's branch while a
	// reader union is searched). Where Java restarts the pointer at "/"
	// inside a union, this one keeps the full path, so Java's location is
	// always a suffix of this one.
	Location string `json:"location"`
	// Message explains the problem to a person: what differs, what it
	// breaks, and what to do about it.
	Message string `json:"message"`
	// AvroMessage is the message Apache Avro Java gives for the same
	// incompatibility ("reader type: LONG not compatible with writer type:
	// STRING", "expected: lunchbot.Foo", "[C, D]", a field name...), which the
	// Confluent Schema Registry shows as "additionalInfo".
	AvroMessage string `json:"avro_message"`
	// Causes, for a MissingUnionBranch, are the problems of the reader
	// branch that came closest to reading the writer's type (same kind, and
	// the same name for a named type), when there is one.
	Causes []Incompatibility `json:"causes,omitempty"`
}

// ReaderWriter returns every reason why data written with writer cannot be
// read with reader, following the schema-resolution rules of the Avro
// specification exactly as Apache Avro Java's SchemaCompatibility applies
// them (and so as the Confluent Schema Registry does). An empty result means
// the pair is compatible.
//
// Each call starts afresh: nothing is remembered between calls.
func ReaderWriter(reader, writer *schema.Schema) []Incompatibility {
	return readerWriter(reader, writer, genericRoles)
}

func readerWriter(reader, writer *schema.Schema, r roles) []Incompatibility {
	if reader == nil || writer == nil {
		return nil
	}
	c := &checker{memo: map[pair]*outcome{}, roles: r}
	return dedupe(c.get("", segment{}, reader, writer))
}

// pair is a reader/writer pair of schema nodes, compared by identity as Java
// compares them.
type pair struct{ r, w *schema.Schema }

// outcome is a memoized result; done is false while the pair is being
// computed (a recursive type reached itself).
type outcome struct {
	done  bool
	probs []Incompatibility
}

type segKind int

const (
	segNone segKind = iota
	segField
	segItems
	segValues
	segBranch
)

// segment is one step of the human-readable path ("field address.street").
type segment struct {
	kind segKind
	name string
	// writerUnion is set on the branch of a writer union read by a reader
	// that is not a union.
	writerUnion *schema.Schema
}

type checker struct {
	memo  map[pair]*outcome
	loc   []string  // JSON pointer tokens below the root
	where []segment // the same path, for people
	roles roles
}

func (c *checker) push(token string, seg segment) {
	c.loc = append(c.loc, token)
	c.where = append(c.where, seg)
}

func (c *checker) pop() {
	c.loc = c.loc[:len(c.loc)-1]
	c.where = c.where[:len(c.where)-1]
}

// pointer renders the current location, with extra tokens appended.
func (c *checker) pointer(extra ...string) string {
	var b strings.Builder
	n := 0
	for _, t := range append(c.loc[:len(c.loc):len(c.loc)], extra...) {
		if t == "" {
			continue
		}
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
		n++
	}
	if n == 0 {
		return "/"
	}
	return b.String()
}

// get is Java's getCompatibility: memoized by node identity, a pair met
// again while it is being computed counts as compatible (so recursive types
// terminate), and a pair met again afterwards yields the problems found the
// first time.
func (c *checker) get(token string, seg segment, r, w *schema.Schema) []Incompatibility {
	if token != "" || seg.kind != segNone {
		c.push(token, seg)
		defer c.pop()
	}
	key := pair{r, w}
	if o, ok := c.memo[key]; ok {
		if !o.done {
			return nil
		}
		return o.probs
	}
	o := &outcome{}
	c.memo[key] = o
	o.probs = c.calculate(r, w)
	o.done = true
	return o.probs
}

// calculate compares a pair the first time get meets it: by kind, the
// same kinds attribute by attribute, unions branch by branch, other kinds by
// promotion.
func (c *checker) calculate(r, w *schema.Schema) []Incompatibility {
	if r.Kind == w.Kind {
		switch r.Kind {
		case schema.Array:
			return c.get("items", segment{kind: segItems}, r.Items, w.Items)
		case schema.Map:
			return c.get("values", segment{kind: segValues}, r.Values, w.Values)
		case schema.Fixed:
			return append(c.checkNames(r, w), c.checkFixedSize(r, w)...)
		case schema.Enum:
			return append(c.checkNames(r, w), c.checkEnumSymbols(r, w)...)
		case schema.Record:
			return append(c.checkNames(r, w), c.checkFields(r, w)...)
		case schema.Union:
			return c.unionReadsUnion(r, w)
		}
		return nil // the same primitive type
	}
	switch {
	case w.Kind == schema.Union:
		return c.readsWriterUnion(r, w)
	case r.Kind == schema.Union:
		return c.readerUnionReads(r, w)
	case promotes(w.Kind, r.Kind):
		return nil
	}
	return []Incompatibility{c.typeMismatch(r, w)}
}

// dedupe drops repeated problems: Java reports a memoized pair's problems
// again, with their first location, each time the pair recurs.
func dedupe(in []Incompatibility) []Incompatibility {
	if len(in) == 0 {
		return nil
	}
	type key struct {
		k        Kind
		loc, msg string
	}
	seen := map[key]bool{}
	out := make([]Incompatibility, 0, len(in))
	for _, p := range in {
		k := key{p.Kind, p.Location, p.AvroMessage}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}
