package compat

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

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

// checkNames compares the names of two named types.
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

// checkFixedSize compares the sizes of two fixed types.
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

// checkEnumSymbols finds the writer's symbols the reader's enum lacks, which
// only a reader default symbol makes readable.
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
