package compat_test

import (
	"testing"

	"github.com/lunchbot/eventkit/compat"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
)

func TestNamedTypeAt(t *testing.T) {
	money := `{"type":"record","name":"Money","namespace":"n","fields":[{"name":"cents","type":"long"}]}`
	old := schema.MustParse(`{"type":"record","name":"Order","namespace":"n","fields":[{"name":"id","type":"string"},
		{"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"price","type":` + money + `}]}}},
		{"name":"tip","type":["null","Money"],"default":null}]}`)
	next := schema.MustParse(`{"type":"record","name":"Order","namespace":"n","fields":[{"name":"id","type":"string"},
		{"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"price","type":
			{"type":"record","name":"Money","namespace":"n","fields":[{"name":"cents","type":"string"}]}}]}}},
		{"name":"tip","type":["null","Money"],"default":null}]}`)
	res, err := compat.Check(contract.Backward, []*schema.Parsed{old}, next)
	if err != nil || len(res.Problems) == 0 {
		t.Fatalf("Check = %+v, %v; want the change of cents found", res, err)
	}
	for _, p := range res.Problems {
		if got := compat.NamedTypeAt(next.Root, p.Location); got == nil || got.Name != "n.Money" {
			t.Errorf("NamedTypeAt(%s) = %v, want n.Money", p.Location, got)
		}
	}
	cases := map[string]string{
		"/": "n.Order", "/fields/0/type": "n.Order", "/fields/1/type/items": "n.Item",
		"/fields/2/type/1/fields/0/type": "n.Money", "/fields/2/type/1/name": "n.Money",
		"/fields/9/type": "n.Order", "/fields/1": "n.Order",
	}
	for loc, want := range cases {
		if got := compat.NamedTypeAt(old.Root, loc); got == nil || got.Name != want {
			t.Errorf("NamedTypeAt(%s) = %v, want %s", loc, got, want)
		}
	}
}
