package contract_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/contract"
)

func TestDependencies(t *testing.T) {
	money := contract.Reference{Name: "t.Money", Subject: "t.Money", Schema: "m"}
	cafe := contract.Reference{Name: "t.CafeRef", Subject: "t.CafeRef", Schema: "c", References: []contract.Reference{money}}
	c := &contract.Contract{References: []contract.Reference{cafe, money}}
	var got []string
	for _, r := range c.Dependencies() {
		got = append(got, r.Name)
	}
	// Money first (CafeRef needs it), each once.
	if want := []string{"t.Money", "t.CafeRef"}; !cmp.Equal(got, want) {
		t.Errorf("Dependencies() = %v, want %v", got, want)
	}
	if deps := (&contract.Contract{}).Dependencies(); deps != nil {
		t.Errorf("a contract without references has dependencies %v", deps)
	}
}
