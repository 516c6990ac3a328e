package compat

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// problemSummary renders a problem as "vVERSION DIRECTION KIND LOCATION".
func problemSummary(res Result) []string {
	out := []string{}
	for _, p := range res.Problems {
		out = append(out, "v"+string(rune('0'+p.Version))+" "+string(p.Direction)+" "+string(p.Kind)+" "+p.Location)
	}
	return out
}

func TestCheckLevels(t *testing.T) {
	// v0 has a; v1 adds the required b (fine under FORWARD, not BACKWARD);
	// next keeps both. So next passes the plain levels against v1 and fails
	// BACKWARD_TRANSITIVE against v0.
	v0 := mustParse(t, rec("R", `{"name":"a","type":"int"}`))
	v1 := mustParse(t, rec("R", `{"name":"a","type":"int"},{"name":"b","type":"string"}`))
	next := mustParse(t, rec("R", `{"name":"a","type":"long"},{"name":"b","type":"string"}`))
	previous := []*schema.Parsed{v0, v1}

	tests := []struct {
		level contract.Compatibility
		want  []string
		comps int
	}{
		{contract.None, []string{}, 0},
		{contract.Backward, []string{}, 1},
		{contract.BackwardTransitive, []string{"v0 new-reads-old READER_FIELD_MISSING_DEFAULT_VALUE /fields/1"}, 2},
		// a: long in next cannot be read as int by the previous versions.
		{contract.Forward, []string{"v1 old-reads-new TYPE_MISMATCH /fields/0/type"}, 1},
		{contract.ForwardTransitive, []string{"v1 old-reads-new TYPE_MISMATCH /fields/0/type", "v0 old-reads-new TYPE_MISMATCH /fields/0/type"}, 2},
		{contract.Full, []string{"v1 old-reads-new TYPE_MISMATCH /fields/0/type"}, 2},
		{contract.FullTransitive, []string{
			"v1 old-reads-new TYPE_MISMATCH /fields/0/type",
			"v0 old-reads-new TYPE_MISMATCH /fields/0/type",
			"v0 new-reads-old READER_FIELD_MISSING_DEFAULT_VALUE /fields/1",
		}, 4},
	}
	for _, tt := range tests {
		t.Run(string(tt.level), func(t *testing.T) {
			res, err := Check(tt.level, previous, next)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, problemSummary(res)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if res.Compatible != (len(tt.want) == 0) {
				t.Errorf("Compatible = %v with %d problems", res.Compatible, len(tt.want))
			}
			if len(res.Comparisons) != tt.comps {
				t.Errorf("%d comparisons, want %d: %+v", len(res.Comparisons), tt.comps, res.Comparisons)
			}
		})
	}
}

func TestCheckMessagesNameTheRoles(t *testing.T) {
	old := mustParse(t, rec("R", `{"name":"a","type":"int"}`))
	next := mustParse(t, rec("R", `{"name":"a","type":"int"},{"name":"cafe_id","type":"long"}`))
	res, err := Check(contract.Full, []*schema.Parsed{old}, next)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"v0 new-reads-old READER_FIELD_MISSING_DEFAULT_VALUE /fields/1"}, problemSummary(res)); diff != "" {
		t.Fatalf("problems (-want +got):\n%s", diff)
	}
	msg := res.Problems[0].Message
	for _, want := range []string{"field cafe_id", "the new schema has this field but the old schema does not", "consumers on the new schema", "default"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	// The other way round, the old schema is the reader.
	res, err = Check(contract.Forward, []*schema.Parsed{next}, old)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "consumers still on the old schema") {
		t.Errorf("forward problem: %+v", res.Problems)
	}
}

func TestCheckNoPrevious(t *testing.T) {
	for _, level := range contract.Levels {
		res, err := Check(level, nil, mustParse(t, `"int"`))
		if err != nil || !res.Compatible || len(res.Comparisons) != 0 {
			t.Errorf("%s: %+v, %v", level, res, err)
		}
	}
}

func TestCheckBadInput(t *testing.T) {
	next := mustParse(t, `"int"`)
	if _, err := Check("SIDEWAYS", nil, next); !errors.Is(err, ErrUnknownLevel) {
		t.Errorf("unknown level: %v", err)
	}
	if _, err := Check(contract.Backward, nil, nil); err == nil {
		t.Error("nil next: no error")
	}
	if _, err := Check(contract.Backward, []*schema.Parsed{nil}, next); err == nil {
		t.Error("nil previous: no error")
	}
}
