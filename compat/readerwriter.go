package compat

import (
	"fmt"
	"sort"
	"strconv"
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
			// Every branch of the writer's union must be readable.
			var out []Incompatibility
			for i, wb := range w.Branches {
				c.push(strconv.Itoa(i), segment{kind: segBranch, name: strconv.Itoa(i)})
				if probs := c.get("", segment{}, r, wb); len(probs) > 0 {
					out = append(out, c.missingBranch(r, wb, i, c.pointer(), closest(c, r, wb)))
				}
				c.pop()
			}
			return out
		}
		return nil // the same primitive type
	}
	if w.Kind == schema.Union {
		// The reader must read every branch of the writer's union.
		var out []Incompatibility
		for i, wb := range w.Branches {
			out = append(out, c.get(strconv.Itoa(i), segment{kind: segBranch, name: strconv.Itoa(i), writerUnion: w}, r, wb)...)
		}
		return out
	}
	switch r.Kind {
	case schema.Long:
		if w.Kind == schema.Int {
			return nil
		}
	case schema.Float:
		if w.Kind == schema.Int || w.Kind == schema.Long {
			return nil
		}
	case schema.Double:
		if w.Kind == schema.Int || w.Kind == schema.Long || w.Kind == schema.Float {
			return nil
		}
	case schema.Bytes:
		if w.Kind == schema.String {
			return nil
		}
	case schema.String:
		if w.Kind == schema.Bytes {
			return nil
		}
	case schema.Union:
		// Some branch of the reader's union must read the writer's type.
		for i, rb := range r.Branches {
			if len(c.get(strconv.Itoa(i), segment{kind: segBranch, name: strconv.Itoa(i)}, rb, w)) == 0 {
				return nil
			}
		}
		return []Incompatibility{c.missingBranch(r, w, -1, c.pointer(), closest(c, r, w))}
	}
	return []Incompatibility{c.typeMismatch(r, w)}
}

// closest returns the problems of the reader union's branch that comes
// closest to reading w: one of the same kind, with a matching name for a
// named type. Its result is already memoized by the union search.
func closest(c *checker, r, w *schema.Schema) []Incompatibility {
	if r.Kind != schema.Union {
		return nil
	}
	for _, rb := range r.Branches {
		if rb.Kind != w.Kind || (rb.Kind.IsNamed() && !nameEquals(rb, w)) {
			continue
		}
		if o, ok := c.memo[pair{rb, w}]; ok && o.done {
			return append([]Incompatibility(nil), dedupe(o.probs)...)
		}
	}
	return nil
}

// nameEquals is Java's schemaNameEquals: the same unqualified name, or the
// writer's full name among the reader's aliases.
func nameEquals(r, w *schema.Schema) bool {
	if schema.ShortName(r.Name) == schema.ShortName(w.Name) {
		return true
	}
	for _, a := range r.Aliases {
		if a == w.Name {
			return true
		}
	}
	return false
}

func (c *checker) checkNames(r, w *schema.Schema) []Incompatibility {
	if nameEquals(r, w) {
		return nil
	}
	return []Incompatibility{{
		Kind:        NameMismatch,
		Location:    c.pointer("name"),
		AvroMessage: "expected: " + w.Name,
		Message: fmt.Sprintf("%s: %s names this %s %s, but %s names it %s; named types match by unqualified name or by an alias of the reader's type: %s. %s",
			c.subject(), c.roles.reader, r.Kind, r.Name, c.roles.writer, w.Name, c.roles.effect,
			fmt.Sprintf("To rename it, keep %q among the aliases of the type in %s.", w.Name, c.roles.reader)),
	}}
}

func (c *checker) checkFixedSize(r, w *schema.Schema) []Incompatibility {
	if r.Size == w.Size {
		return nil
	}
	return []Incompatibility{{
		Kind:        FixedSizeMismatch,
		Location:    c.pointer("size"),
		AvroMessage: fmt.Sprintf("expected: %d, found: %d", w.Size, r.Size),
		Message: fmt.Sprintf("%s: fixed %s holds %d bytes in %s but %d bytes in %s, and a fixed size cannot change: %s. Add a new field of the new size instead.",
			c.subject(), r.Name, r.Size, c.roles.reader, w.Size, c.roles.writer, c.roles.effect),
	}}
}

func (c *checker) checkEnumSymbols(r, w *schema.Schema) []Incompatibility {
	have := map[string]bool{}
	for _, s := range r.Symbols {
		have[s] = true
	}
	var missing []string
	seen := map[string]bool{}
	for _, s := range w.Symbols {
		if !have[s] && !seen[s] {
			seen[s] = true
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if r.Default != "" && have[r.Default] {
		return nil // unknown symbols read as the reader's default
	}
	sort.Strings(missing) // Java reports a TreeSet
	return []Incompatibility{{
		Kind:        MissingEnumSymbols,
		Location:    c.pointer("symbols"),
		AvroMessage: "[" + strings.Join(missing, ", ") + "]",
		Message: fmt.Sprintf("%s: enum %s in %s lacks %s %s that %s can write, and has no default symbol: %s. Keep the %s, or give the enum in %s a \"default\" symbol that unknown symbols are read as.",
			c.subject(), r.Name, c.roles.reader, plural(len(missing), "symbol", "symbols"), strings.Join(missing, ", "),
			c.roles.writer, c.roles.effect, plural(len(missing), "symbol", "symbols"), c.roles.reader),
	}}
}

// lookupWriterField is Java's lookupWriterField: the writer field named like
// the reader field or like one of its aliases; more than one is an error.
func lookupWriterField(w *schema.Schema, rf *schema.Field) (found *schema.Field, matches []string) {
	byName := func(name string) *schema.Field {
		for _, f := range w.Fields {
			if f.Name == name {
				return f
			}
		}
		return nil
	}
	if f := byName(rf.Name); f != nil {
		found = f
		matches = append(matches, f.Name)
	}
	seen := map[string]bool{}
	for _, a := range rf.Aliases {
		if seen[a] { // Java keeps aliases in a set
			continue
		}
		seen[a] = true
		if f := byName(a); f != nil {
			found = f
			matches = append(matches, f.Name)
		}
	}
	return found, matches
}

func (c *checker) checkFields(r, w *schema.Schema) []Incompatibility {
	var out []Incompatibility
	c.push("fields", segment{})
	defer c.pop()
	for i, rf := range r.Fields {
		c.push(strconv.Itoa(i), segment{kind: segField, name: rf.Name})
		wf, matches := lookupWriterField(w, rf)
		switch {
		case len(matches) > 1:
			out = append(out, Incompatibility{
				Kind:     AmbiguousField,
				Location: c.pointer(),
				AvroMessage: fmt.Sprintf("Reader record field %s matches multiple fields in writer record schema %s",
					rf.Name, w.Name),
				Message: fmt.Sprintf("%s: in %s, the field's name and aliases match %d fields of %s (%s); Apache Avro cannot tell which to read, so the registry rejects the pair: %s. Remove the aliases that name other fields.",
					c.subject(), c.roles.reader, len(matches), c.roles.writer, strings.Join(matches, ", "), c.roles.effect),
			})
		case wf == nil && !rf.HasDefault():
			if rf.Type.Kind == schema.Enum && rf.Type.Default != "" {
				// Java compares the enum with the writer's record itself, which
				// always fails as a type mismatch.
				out = append(out, c.enumFieldWithoutDefault(rf, w))
				break
			}
			out = append(out, Incompatibility{
				Kind:        ReaderFieldMissingDefaultValue,
				Location:    c.pointer(),
				AvroMessage: rf.Name,
				Message: fmt.Sprintf("%s: %s has this field but %s does not, and it has no default: %s. %s",
					c.subject(), c.roles.reader, c.roles.writer, c.roles.effect, c.roles.missingFieldHint),
			})
		case wf != nil:
			out = append(out, c.get("type", segment{}, rf.Type, wf.Type)...)
		}
		c.pop()
	}
	return out
}

func (c *checker) enumFieldWithoutDefault(rf *schema.Field, w *schema.Schema) Incompatibility {
	c.push("type", segment{})
	defer c.pop()
	return Incompatibility{
		Kind:        TypeMismatch,
		Location:    c.pointer(),
		AvroMessage: "reader type: ENUM not compatible with writer type: RECORD",
		Message: fmt.Sprintf("%s: %s has this field but %s does not, and it has no default; the enum's own default symbol does not stand in for a missing field (Avro reports this as a type mismatch between enum %s and record %s): %s. %s",
			c.subject(), c.roles.reader, c.roles.writer, rf.Type.Name, w.Name, c.roles.effect, c.roles.missingFieldHint),
	}
}

func (c *checker) typeMismatch(r, w *schema.Schema) Incompatibility {
	why := ""
	if promotable(r.Kind) && promotable(w.Kind) {
		why = fmt.Sprintf(" Avro cannot read %s as %s: it only widens int to long, float or double, long to float or double and float to double, and converts between string and bytes.", w.Kind, r.Kind)
	}
	writes := describe(w)
	if n := len(c.where); n > 0 && c.where[n-1].writerUnion != nil {
		u := c.where[n-1].writerUnion
		writes = fmt.Sprintf("%s (branch %s of its %s)", writes, c.where[n-1].name, describe(u))
		why += fmt.Sprintf(" A reader that is not a union must read every branch of the writer's union; make it a union with a %s branch too.", describe(w))
	}
	return Incompatibility{
		Kind:        TypeMismatch,
		Location:    c.pointer(),
		AvroMessage: fmt.Sprintf("reader type: %s not compatible with writer type: %s", upper(r.Kind), upper(w.Kind)),
		Message: fmt.Sprintf("%s: %s reads it as %s, but %s writes %s: %s.%s",
			c.subject(), c.roles.reader, describe(r), c.roles.writer, writes, c.roles.effect, why),
	}
}

func (c *checker) missingBranch(r, w *schema.Schema, writerBranch int, loc string, causes []Incompatibility) Incompatibility {
	what := fmt.Sprintf("%s writes %s", c.roles.writer, describe(w))
	if writerBranch >= 0 {
		what = fmt.Sprintf("branch %d of the union in %s is %s", writerBranch, c.roles.writer, describe(w))
	}
	because := ""
	if len(causes) > 0 {
		because = fmt.Sprintf(" The closest branch fails because: %s", causes[0].Message)
		if len(causes) > 1 {
			because += fmt.Sprintf(" (and %d more)", len(causes)-1)
		}
	}
	return Incompatibility{
		Kind:        MissingUnionBranch,
		Location:    loc,
		AvroMessage: "reader union lacking writer type: " + upper(w.Kind),
		Message: fmt.Sprintf("%s: %s, which no branch of the union in %s (%s) can read: %s.%s",
			c.subject(), what, c.roles.reader, describe(r), c.roles.effect, because),
		Causes: causes,
	}
}

// subject says where in the schema the checker is, for people.
func (c *checker) subject() string {
	var b strings.Builder
	fields := 0
	for _, s := range c.where {
		switch s.kind {
		case segField:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
			fields++
		case segItems:
			b.WriteString("[]")
		case segValues:
			b.WriteString("{}")
		}
	}
	switch {
	case fields > 0:
		return "field " + b.String()
	case b.Len() > 0:
		return "the top-level " + b.String()
	}
	return "the top-level schema"
}

// describe names a type for people: "long (timestamp-micros)", "record
// lunchbot.Foo", "union [null, string]".
func describe(s *schema.Schema) string {
	switch {
	case s.Kind == schema.Union:
		parts := make([]string, len(s.Branches))
		for i, b := range s.Branches {
			parts[i] = describe(b)
		}
		return "union [" + strings.Join(parts, ", ") + "]"
	case s.Kind.IsNamed():
		return s.Kind.String() + " " + s.Name
	case s.Kind == schema.Array:
		return "array of " + describe(s.Items)
	case s.Kind == schema.Map:
		return "map of " + describe(s.Values)
	case s.Logical != "":
		return s.Kind.String() + " (" + s.Logical + ")"
	}
	return s.Kind.String()
}

// promotable reports whether k takes part in Avro's promotions.
func promotable(k schema.Kind) bool {
	switch k {
	case schema.Int, schema.Long, schema.Float, schema.Double, schema.String, schema.Bytes:
		return true
	}
	return false
}

func upper(k schema.Kind) string { return strings.ToUpper(k.String()) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
