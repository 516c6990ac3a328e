package codegen

import (
	"strings"
	"testing"
)

// TestAppendAvroDocNamesItsFailures checks that AppendAvro's doc names the
// values without an encoding that the record and the records it holds can
// have, and no other.
func TestAppendAvroDocNamesItsFailures(t *testing.T) {
	src := generateOne(t, problemsSchema)
	for _, tt := range []struct {
		typ, want string
	}{
		{"Event", "only when a value has no encoding (a date that does not exist, a time out of range, an enum value that is no symbol, or records nested deeper than avrobin.MaxDepth);"},
		{"Inner", "only when a value has no encoding (an enum value that is no symbol);"},
		{"Plain", "only for a nil p: every Plain has an encoding;"},
		{"Node", "only when a value has no encoding (records nested deeper than avrobin.MaxDepth);"},
	} {
		if doc := methodDoc(t, src, tt.typ, "AppendAvro"); !strings.Contains(doc, tt.want) {
			t.Errorf("%s.AppendAvro's doc:\n%s\nwant it to have\n%s", tt.typ, doc, tt.want)
		}
	}
}
