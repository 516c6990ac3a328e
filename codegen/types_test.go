package codegen

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/internal/schema"
)

func TestValueCyclesUsePointers(t *testing.T) {
	p, err := schema.Parse(`{"type":"record","name":"P","fields":[
		{"name":"q","type":{"type":"record","name":"Q","fields":[{"name":"p","type":"P"},{"name":"more","type":{"type":"array","items":"Q"}}]}},
		{"name":"leaf","type":{"type":"record","name":"Leaf","fields":[]}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	nm, err := nameTypes("gen", nil, []*manifest.Event{{Registered: manifest.Registered{Schema: p}}})
	if err != nil {
		t.Fatal(err)
	}
	tm := analyze("gen", p.Root, nm)
	q := p.Root.Fields[0].Type
	got := map[string]string{
		"P.q": tm.fieldType(p.Root.Fields[0]), "P.leaf": tm.fieldType(p.Root.Fields[1]),
		"Q.p": tm.fieldType(q.Fields[0]), "Q.more": tm.fieldType(q.Fields[1]),
	}
	want := map[string]string{"P.q": "*Q", "P.leaf": "Leaf", "Q.p": "*P", "Q.more": "[]Q"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("field types (-want +got):\n%s", diff)
	}
	if !tm.recursive[p.Root] || !tm.recursive[q] || tm.recursive[p.Root.Fields[1].Type] || !tm.sameCycle(p.Root, q) {
		t.Errorf("recursive: %v", tm.recursive)
	}
}
