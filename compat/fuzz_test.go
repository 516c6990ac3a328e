package compat

import (
	"strings"
	"testing"

	"github.com/lunchbot/eventkit/internal/schema"
)

// FuzzReaderWriter checks that any pair of schemas the parser accepts is
// checked without panicking or looping, and that every problem is
// explained and located.
func FuzzReaderWriter(f *testing.F) {
	for _, c := range allCases() {
		f.Add(c.reader, c.writer)
	}
	f.Fuzz(func(t *testing.T, readerText, writerText string) {
		r, err := schema.Parse(readerText)
		if err != nil {
			return
		}
		w, err := schema.Parse(writerText)
		if err != nil {
			return
		}
		problems := ReaderWriter(r.Root, w.Root)
		if !wellNamed(r.Root) || !wellNamed(w.Root) {
			// schema.Parse refuses records and fields without names, as
			// Avro Java does; the fuzzer once found it did not.
			t.Fatalf("schema.Parse accepted a nameless type or field:\n%s\n%s", readerText, writerText)
		}
		for _, p := range problems {
			if !strings.HasPrefix(p.Location, "/") || p.Message == "" || p.AvroMessage == "" || p.Kind == "" {
				t.Errorf("bad problem %+v", p)
			}
		}
		// A schema reads itself, unless a field's aliases repeat its name.
		if again, err := schema.Parse(readerText); err == nil && !strings.Contains(readerText, "aliases") {
			if probs := ReaderWriter(r.Root, again.Root); len(probs) != 0 {
				t.Errorf("schema does not read itself: %v", summary(probs))
			}
		}
	})
}

// wellNamed reports whether every named type of s has a name and every
// record's fields have distinct, non-empty names.
func wellNamed(s *schema.Schema) bool {
	ok := true
	schema.Walk(s, func(n *schema.Schema) bool {
		if n.Kind.IsNamed() && schema.ShortName(n.Name) == "" {
			ok = false
		}
		seen := map[string]bool{}
		for _, f := range n.Fields {
			if f.Name == "" || seen[f.Name] {
				ok = false
			}
			seen[f.Name] = true
		}
		return ok
	})
	return ok
}
