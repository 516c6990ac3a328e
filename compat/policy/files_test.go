package policy_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/compat/policy"
	"github.com/lunchbot/eventkit/sdk/contract"
)

func TestCheckFiles(t *testing.T) {
	olds := []policy.File{{Path: "v1.avsc", Schema: parse(t, v1)}, {Path: "v2.avsc", Schema: parse(t, v2)}}
	next := policy.File{Path: "v3.avsc", Schema: parse(t, v3)}

	rep, err := policy.CheckFiles(contract.Backward, olds, next)
	if err != nil || !rep.Compatible || len(rep.Schemas) != 1 {
		t.Fatalf("BACKWARD: %v, %+v", err, rep)
	}
	s := rep.Schemas[0]
	if s.File != "v3.avsc" || s.Source != "files given with --old" || s.Note != "" {
		t.Errorf("schema report: %+v", s)
	}
	if diff := cmp.Diff([]policy.VersionRef{{Version: 1, File: "v1.avsc"}, {Version: 2, File: "v2.avsc"}}, s.Previous); diff != "" {
		t.Errorf("previous (-want +got):\n%s", diff)
	}

	rep, err = policy.CheckFiles(contract.BackwardTransitive, olds, next)
	if err != nil || rep.Compatible || len(rep.Schemas[0].Problems) != 1 {
		t.Fatalf("BACKWARD_TRANSITIVE: %v, %+v", err, rep)
	}
	if p := rep.Schemas[0].Problems[0]; p.File != "v3.avsc" || p.Against.Label() != "v1.avsc" || p.Level != contract.BackwardTransitive {
		t.Errorf("problem: %+v", p)
	}

	rep, err = policy.CheckFiles(contract.Backward, nil, next)
	if err != nil || !rep.Compatible || rep.Schemas[0].Note != "no --old version given: nothing to check" {
		t.Errorf("no previous version: %v, %+v", err, rep.Schemas[0])
	}
	if _, err := policy.CheckFiles("SIDEWAYS", olds, next); err == nil {
		t.Error("unknown level: no error")
	}
}
