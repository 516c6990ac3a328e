package policy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lunchbot/eventkit/compat/history"
	"github.com/lunchbot/eventkit/compat/policy"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
)

const (
	pMoney1 = `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}`
	pMoney2 = `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"string"}]}`
	pPaid   = `{"type":"record","name":"Paid","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"amount","type":"shop.Money"}]}`
)

func withMoney(t *testing.T, money string) *schema.Parsed {
	t.Helper()
	p, err := schema.ParseWithReferences(pPaid, []schema.Reference{{Name: "shop.Money", Text: money}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheckNamesTheSharedType: a change to a shared type is a problem of
// the schema that uses it, which names the type and its file.
func TestCheckNamesTheSharedType(t *testing.T) {
	refs := []history.Reference{{Name: "shop.Money", File: "avro/money.avsc", Subject: "shop.Money"}}
	src := &fakeSource{versions: map[string]history.Versions{
		"avro/paid.avsc": {Where: "git", Versions: []history.Version{{Number: 1, Ref: "c1", Schema: withMoney(t, pMoney1)}}},
	}}
	verdict := &fakeVerdict{ok: true}
	rep, err := policy.Check(context.Background(), []policy.Schema{{
		File: "avro/paid.avsc", EventType: "paid", Subject: "shop-value", Level: contract.Backward,
		References: refs, Parsed: withMoney(t, pMoney2),
	}}, []policy.Source{{Versions: src}}, "")
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Schemas[0]
	if rep.Compatible || len(s.Problems) == 0 {
		t.Fatalf("report %+v, want the change of Money found", s)
	}
	for _, p := range s.Problems {
		if p.File != "avro/paid.avsc" || p.SharedType != "shop.Money" || p.SharedFile != "avro/money.avsc" || !strings.Contains(p.In(), "money.avsc") {
			t.Errorf("problem %+v: want it in paid.avsc, through shop.Money of money.avsc", p)
		}
	}
	if len(s.References) != 1 || s.References[0] != "avro/money.avsc" {
		t.Errorf("references %v", s.References)
	}

	// A registry that does not hold the shared type as its file has it is
	// not asked for its verdict.
	unreg := src.versions["avro/paid.avsc"]
	unreg.Unregistered = []string{"shop.Money"}
	src.versions["avro/paid.avsc"] = unreg
	rep, err = policy.Check(context.Background(), []policy.Schema{{
		File: "avro/paid.avsc", Subject: "shop-value", Level: contract.Backward, References: refs, Parsed: withMoney(t, pMoney1),
	}}, []policy.Source{{Versions: src, Verdict: verdict}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(verdict.asked) != 0 || !strings.Contains(rep.Schemas[0].Note, "registry verdict not asked") {
		t.Errorf("asked %v; note %q", verdict.asked, rep.Schemas[0].Note)
	}
}
