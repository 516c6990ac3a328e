package policy_test

import (
	"context"
	"testing"

	"github.com/lunchbot/eventkit/compat/history"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// order returns the JSON of a record shop.Order with the given fields.
func order(fields string) string {
	return `{"type":"record","name":"Order","namespace":"shop","fields":[` + fields + `]}`
}

// Three versions: v2 added the required b, which v3 keeps, so v3 passes
// BACKWARD (against v2) and fails BACKWARD_TRANSITIVE (v3 cannot read v1's
// events, which lack b).
var (
	v1 = order(`{"name":"a","type":"int"}`)
	v2 = order(`{"name":"a","type":"int"},{"name":"b","type":"string"}`)
	v3 = order(`{"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"c","type":"long","default":0}`)
)

func parse(t *testing.T, text string) *schema.Parsed {
	t.Helper()
	p, err := schema.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeSource answers Previous from a map by schema file.
type fakeSource struct {
	versions map[string]history.Versions
	err      error
}

func (f *fakeSource) Previous(_ context.Context, s history.Schema) (history.Versions, error) {
	if f.err != nil {
		return history.Versions{}, f.err
	}
	return f.versions[s.File], nil
}

// gitLike returns the versions a git history would: numbered from 1, no
// level of its own.
func gitLike(t *testing.T, texts ...string) history.Versions {
	vs := history.Versions{Where: "git history up to main (abc1234)"}
	for i, text := range texts {
		vs.Versions = append(vs.Versions, history.Version{Number: i + 1, Ref: "c" + string(rune('0'+i+1)), Schema: parse(t, text)})
	}
	return vs
}

// fakeVerdict is a registry's verdict, and the subjects it was asked about.
type fakeVerdict struct {
	ok      bool
	reasons []string
	err     error
	asked   []string
}

func (f *fakeVerdict) CheckCompatibilityAll(_ context.Context, subject, _ string, _ ...registry.Reference) (bool, []string, error) {
	f.asked = append(f.asked, subject)
	return f.ok, f.reasons, f.err
}
