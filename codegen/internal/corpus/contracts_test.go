package corpus

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/codegen/manifest"
)

// TestContractsListsEveryEvent checks that Contracts holds the contract of
// every event of the manifest in its order (shared_a and shared_b, which
// share a record type, each with its own), each the one that the event's
// Contract method returns, in a new slice on each call.
func TestContractsListsEveryEvent(t *testing.T) {
	m, err := manifest.Load("../../testdata/corpus/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, e := range m.Events {
		want = append(want, e.Type)
	}
	list := Contracts()
	for _, c := range list {
		got = append(got, c.Type)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Contracts' event types (-manifest +Contracts):\n%s", diff)
	}
	for i, ev := range corpusEvents() {
		if list[i] != ev.Contract() {
			t.Errorf("%s: Contracts()[%d] is not what Contract returns", want[i], i)
		}
	}
	if SharedAContract == SharedBContract || list[6] != SharedAContract || list[7] != SharedBContract {
		t.Error("shared_a and shared_b do not have a contract each")
	}
	list[0] = nil
	if Contracts()[0] == nil {
		t.Error("Contracts returned the slice it returned before")
	}
}
