package schema

import "testing"

// TestMinSize: the fewest bytes of each kind, records as the sum of their
// fields, a record that holds itself through a union counted once, and the
// cap.
func TestMinSize(t *testing.T) {
	for _, c := range []struct {
		schema string
		want   int
	}{
		{`"null"`, 0},
		{`"boolean"`, 1},
		{`"long"`, 1},
		{`"float"`, 4},
		{`"double"`, 8},
		{`"string"`, 1},
		{`{"type":"fixed","name":"F","size":16}`, 16},
		{`{"type":"fixed","name":"F","size":4194304}`, 1 << 20},
		{`{"type":"array","items":"double"}`, 1},
		{`["null","double"]`, 1},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"double"},{"name":"b","type":"null"},{"name":"c","type":"int"}]}`, 9},
		{`{"type":"record","name":"Node","fields":[{"name":"v","type":"float"},{"name":"next","type":["null","Node"]}]}`, 5},
		{`{"type":"record","name":"Outer","fields":[{"name":"in","type":{"type":"record","name":"In","fields":[{"name":"x","type":"double"}]}},{"name":"again","type":"In"}]}`, 16},
	} {
		p := MustParse(c.schema)
		if got := MinSize(p.Root, nil); got != c.want {
			t.Errorf("MinSize(%s) = %d, want %d", c.schema, got, c.want)
		}
	}
}
