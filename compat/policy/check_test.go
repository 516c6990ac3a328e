package policy_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/compat/history"
	"github.com/lunchbot/eventkit/compat/policy"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// orderSchema is order.avsc at v3, declared BACKWARD_TRANSITIVE.
func orderSchema(t *testing.T) policy.Schema {
	return policy.Schema{File: "avro/order.avsc", EventType: "order.placed", Subject: "shop.orders-value",
		Level: contract.BackwardTransitive, Parsed: parse(t, v3)}
}

func TestCheckAtTheManifestLevel(t *testing.T) {
	src := &fakeSource{versions: map[string]history.Versions{"avro/order.avsc": gitLike(t, v1, v2)}}
	rep, err := policy.Check(context.Background(), []policy.Schema{orderSchema(t)}, []policy.Source{{Versions: src}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Compatible || len(rep.Schemas) != 1 {
		t.Fatalf("report: %+v", rep)
	}
	s := rep.Schemas[0]
	if s.Level != contract.BackwardTransitive || s.Source != "git history up to main (abc1234)" || s.EventType != "order.placed" || s.Subject != "shop.orders-value" || s.Note != "" {
		t.Errorf("schema report: %+v", s)
	}
	if diff := cmp.Diff([]policy.VersionRef{{Version: 1, Ref: "c1"}, {Version: 2, Ref: "c2"}}, s.Previous); diff != "" {
		t.Errorf("previous (-want +got):\n%s", diff)
	}
	if len(s.Problems) != 1 {
		t.Fatalf("problems: %+v", s.Problems)
	}
	p := s.Problems[0]
	got := []string{p.File, p.Location, string(p.Kind), string(p.Level), string(p.Direction), p.Against.Label()}
	want := []string{"avro/order.avsc", "/fields/1", "READER_FIELD_MISSING_DEFAULT_VALUE", "BACKWARD_TRANSITIVE", "new-reads-old", "version 1 at c1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problem (-want +got):\n%s", diff)
	}

	// An override replaces the manifest's level: BACKWARD compares with v2
	// only, and passes.
	rep, err = policy.Check(context.Background(), []policy.Schema{orderSchema(t)}, []policy.Source{{Versions: src}}, contract.Backward)
	if err != nil || !rep.Compatible || rep.Schemas[0].Level != contract.Backward {
		t.Errorf("override BACKWARD: %v, %+v", err, rep.Schemas[0])
	}
}

func TestCheckAtTheRegistryLevel(t *testing.T) {
	vs := gitLike(t, v1, v2)
	vs.Where, vs.Level = "registry http://r", contract.Backward
	src := &fakeSource{versions: map[string]history.Versions{"avro/order.avsc": vs}}
	rep, err := policy.Check(context.Background(), []policy.Schema{orderSchema(t)}, []policy.Source{{Versions: src}}, "")
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Schemas[0]
	if !rep.Compatible || s.Level != contract.Backward {
		t.Errorf("at the registry's BACKWARD: compatible %v, level %s", rep.Compatible, s.Level)
	}
	want := "the registry applies BACKWARD to subject shop.orders-value, the manifest says BACKWARD_TRANSITIVE (eventctl register sets the manifest's level)"
	if s.Note != want {
		t.Errorf("note %q, want %q", s.Note, want)
	}
	// An override replaces the registry's level too.
	rep, err = policy.Check(context.Background(), []policy.Schema{orderSchema(t)}, []policy.Source{{Versions: src}}, contract.BackwardTransitive)
	if err != nil || rep.Compatible || rep.Schemas[0].Level != contract.BackwardTransitive {
		t.Errorf("override BACKWARD_TRANSITIVE: %v, %+v", err, rep.Schemas[0])
	}
}

func TestCheckNothingToCheck(t *testing.T) {
	registered := gitLike(t, v1, v2)
	registered.Registered = &registered.Versions[1]
	skipped := gitLike(t, v2)
	skipped.Skipped = []history.Skipped{{Ref: "c9", Reason: "does not parse"}}
	tests := []struct {
		name     string
		vs       history.Versions
		level    contract.Compatibility
		text     string
		note     string
		previous int
	}{
		// v2 fails BACKWARD_TRANSITIVE against v1, but it is registered:
		// registering it again changes nothing.
		{"registered", registered, contract.BackwardTransitive, v2,
			"already registered as version 2 (c2): registering it again changes nothing, so there is nothing to check", 0},
		{"new", history.Versions{Where: "git"}, contract.BackwardTransitive, v2, "new schema (no previous version): nothing to check", 0},
		{"level NONE", gitLike(t, v1), contract.None, v2, "level NONE: nothing to check", 1},
		{"skipped", skipped, contract.Backward, v3, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := policy.Schema{File: "f.avsc", Subject: "s", Level: tt.level, Parsed: parse(t, tt.text)}
			src := &fakeSource{versions: map[string]history.Versions{"f.avsc": tt.vs}}
			rep, err := policy.Check(context.Background(), []policy.Schema{sc}, []policy.Source{{Versions: src}}, "")
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Schemas[0]
			if !rep.Compatible || !s.Compatible || s.Note != tt.note || len(s.Previous) != tt.previous || s.Problems == nil || len(s.Problems) != 0 {
				t.Errorf("compatible %v, note %q, previous %+v, problems %+v; want compatible, note %q, %d previous",
					s.Compatible, s.Note, s.Previous, s.Problems, tt.note, tt.previous)
			}
			if (s.Registered != nil) != (tt.vs.Registered != nil) {
				t.Errorf("registered: %+v", s.Registered)
			}
			var skipped []policy.SkippedRef
			for _, sk := range tt.vs.Skipped {
				skipped = append(skipped, policy.SkippedRef(sk))
			}
			if diff := cmp.Diff(skipped, s.Skipped); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckRegistryVerdict makes the registry's verdict agree and disagree
// with compat.Check's, both ways.
func TestCheckRegistryVerdict(t *testing.T) {
	vs := gitLike(t, v2)
	vs.Where, vs.Level = "registry http://r", contract.Backward
	src := &fakeSource{versions: map[string]history.Versions{"avro/order.avsc": vs}}
	compatible := orderSchema(t) // v3 reads v2
	incompatible := orderSchema(t)
	incompatible.Parsed = parse(t, order(`{"name":"a","type":"int"},{"name":"z","type":"int"}`))
	tests := []struct {
		name       string
		sc         policy.Schema
		verdict    fakeVerdict
		compatible bool
		problems   int
		disagree   string
	}{
		{"agree compatible", compatible, fakeVerdict{ok: true}, true, 0, ""},
		{"agree incompatible", incompatible, fakeVerdict{reasons: []string{"no"}}, false, 1, ""},
		{"registry stricter", compatible, fakeVerdict{reasons: []string{"the fake says no", "twice"}}, false, 0,
			"the registry finds the schema incompatible; eventctl does not (the registry would refuse it): the fake says no; twice"},
		{"registry more lenient", incompatible, fakeVerdict{ok: true}, false, 1,
			"the registry finds the schema compatible; eventctl does not (its problems stand: please report the case)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.verdict
			rep, err := policy.Check(context.Background(), []policy.Schema{tt.sc}, []policy.Source{{Versions: src, Verdict: &v}}, "")
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Schemas[0]
			if s.Compatible != tt.compatible || rep.Compatible != tt.compatible || len(s.Problems) != tt.problems || s.Disagreement != tt.disagree {
				t.Errorf("compatible %v, %d problems, disagreement %q; want %v, %d, %q", s.Compatible, len(s.Problems), s.Disagreement, tt.compatible, tt.problems, tt.disagree)
			}
			want := &policy.RegistryVerdict{Compatible: v.ok, Messages: v.reasons}
			if diff := cmp.Diff(want, s.RegistryVerdict); diff != "" || len(v.asked) != 1 || v.asked[0] != "shop.orders-value" {
				t.Errorf("verdict (-want +got):\n%s\nasked about %v", diff, v.asked)
			}
		})
	}
}

func TestCheckRegistryVerdictNotAsked(t *testing.T) {
	vs := gitLike(t, v2)
	vs.Where, vs.Level = "registry http://r", contract.Backward
	registered := vs
	registered.Registered = &registered.Versions[0]
	for _, tt := range []struct {
		name     string
		vs       history.Versions
		override contract.Compatibility
		note     string
	}{
		{"registered", registered, "", "already registered as version 1 (c1)"},
		{"another level", vs, contract.Full, "registry verdict not asked: --level FULL differs from the registry's level BACKWARD"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := &fakeVerdict{}
			src := &fakeSource{versions: map[string]history.Versions{"avro/order.avsc": tt.vs}}
			rep, err := policy.Check(context.Background(), []policy.Schema{orderSchema(t)}, []policy.Source{{Versions: src, Verdict: v}}, tt.override)
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Schemas[0]
			if len(v.asked) != 0 || s.RegistryVerdict != nil || !strings.Contains(s.Note, tt.note) {
				t.Errorf("asked %v, verdict %+v, note %q; want not asked and a note with %q", v.asked, s.RegistryVerdict, s.Note, tt.note)
			}
		})
	}
	// The same level given as an override asks.
	v := &fakeVerdict{ok: true}
	src := &fakeSource{versions: map[string]history.Versions{"avro/order.avsc": vs}}
	if _, err := policy.Check(context.Background(), []policy.Schema{orderSchema(t)}, []policy.Source{{Versions: src, Verdict: v}}, contract.Backward); err != nil || len(v.asked) != 1 {
		t.Errorf("--level the registry's: %v, asked %v", err, v.asked)
	}
}

func TestCheckErrors(t *testing.T) {
	ctx := context.Background()
	broken := errors.New("broken")
	sources := []policy.Source{{Versions: &fakeSource{err: broken}}}
	if _, err := policy.Check(ctx, []policy.Schema{orderSchema(t)}, sources, ""); !errors.Is(err, broken) {
		t.Errorf("source error: %v", err)
	}
	vs := gitLike(t, v2)
	vs.Level = contract.Backward
	sources = []policy.Source{{Versions: &fakeSource{versions: map[string]history.Versions{"avro/order.avsc": vs}}, Verdict: &fakeVerdict{err: broken}}}
	_, err := policy.Check(ctx, []policy.Schema{orderSchema(t)}, sources, "")
	if !errors.Is(err, broken) || !errors.Is(err, history.ErrSource) || !strings.Contains(err.Error(), `subject "shop.orders-value"`) {
		t.Errorf("verdict error: %v", err)
	}
	sc := orderSchema(t)
	sc.Level = "SIDEWAYS"
	sources = []policy.Source{{Versions: &fakeSource{versions: map[string]history.Versions{"avro/order.avsc": gitLike(t, v2)}}}}
	if _, err := policy.Check(ctx, []policy.Schema{sc}, sources, ""); err == nil {
		t.Error("unknown level: no error")
	}
}

// TestCheckSourceBySource checks that the report holds each schema once per
// source, source by source, and that one incompatible check makes the
// report incompatible.
func TestCheckSourceBySource(t *testing.T) {
	other := policy.Schema{File: "avro/new.avsc", Subject: "new", Level: contract.Backward, Parsed: parse(t, v1)}
	git := &fakeSource{versions: map[string]history.Versions{"avro/order.avsc": gitLike(t, v1, v2), "avro/new.avsc": gitLike(t)}}
	reg := &fakeSource{versions: map[string]history.Versions{"avro/order.avsc": {Where: "registry"}, "avro/new.avsc": {Where: "registry"}}}
	rep, err := policy.Check(context.Background(), []policy.Schema{orderSchema(t), other}, []policy.Source{{Versions: git}, {Versions: reg}}, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range rep.Schemas {
		got = append(got, s.File+" "+s.Source)
	}
	want := []string{"avro/order.avsc git history up to main (abc1234)", "avro/new.avsc git history up to main (abc1234)", "avro/order.avsc registry", "avro/new.avsc registry"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schemas (-want +got):\n%s", diff)
	}
	if rep.Compatible || rep.Schemas[0].Compatible || !rep.Schemas[2].Compatible {
		t.Errorf("compatible: report %v, git %v, registry %v", rep.Compatible, rep.Schemas[0].Compatible, rep.Schemas[2].Compatible)
	}
	if checked, bad := rep.Files(); checked != 2 || bad != 1 {
		t.Errorf("Files() = %d, %d; want 2 files, 1 incompatible", checked, bad)
	}
	if diff := cmp.Diff([]string{"git history up to main (abc1234)", "registry"}, rep.Sources()); diff != "" {
		t.Errorf("Sources() (-want +got):\n%s", diff)
	}
}
