package main

import (
	"bytes"
	"testing"

	"github.com/lunchbot/eventkit/compat/policy"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// twoSourcesReport is order.avsc and new.avsc checked against git and a
// registry: order.avsc is incompatible with both, and the registry
// disagrees about it.
func twoSourcesReport() *policy.Report {
	problem := policy.Problem{File: "avro/order.avsc", Location: "/fields/1", Kind: "READER_FIELD_MISSING_DEFAULT_VALUE",
		Message: "field b: no default", Level: contract.Backward, Against: policy.VersionRef{Version: 1, Ref: "abc1234"}}
	return &policy.Report{Schemas: []*policy.SchemaReport{
		{File: "avro/order.avsc", Level: contract.Backward, Source: "git history up to main", Problems: []policy.Problem{problem}},
		{File: "avro/new.avsc", Level: contract.Backward, Source: "git history up to main", Compatible: true, Note: "new schema (no previous version): nothing to check"},
		{File: "avro/order.avsc", Level: contract.Backward, Source: "registry http://r",
			Disagreement: "the registry finds the schema incompatible", Skipped: []policy.SkippedRef{{Ref: "version 3 (id 3)", Reason: "does not parse"}}},
		{File: "avro/new.avsc", Level: contract.Backward, Source: "registry http://r", Compatible: true},
	}}
}

func TestCompatTextFormat(t *testing.T) {
	var out, notes bytes.Buffer
	rep := twoSourcesReport()
	writeCompatText(&out, rep)
	writeCompatNotes(&notes, rep)
	const wantOut = "avro/order.avsc:/fields/1: READER_FIELD_MISSING_DEFAULT_VALUE: field b: no default (BACKWARD, against version 1 at abc1234)\n" +
		"avro/order.avsc: REGISTRY_DISAGREES: the registry finds the schema incompatible (BACKWARD, registry http://r)\n"
	if out.String() != wantOut {
		t.Errorf("text:\n%s\nwant:\n%s", out.String(), wantOut)
	}
	// The summary counts schema files, not checks: two files, each checked
	// against both sources.
	const wantNotes = "avro/new.avsc: new schema (no previous version): nothing to check\n" +
		"avro/order.avsc: skipped the version at version 3 (id 3): does not parse\n" +
		"eventctl compat: 2 schemas checked against git history up to main and registry http://r: 1 incompatible\n"
	if notes.String() != wantNotes {
		t.Errorf("notes:\n%s\nwant:\n%s", notes.String(), wantNotes)
	}
}

func TestCompatGitHubFormat(t *testing.T) {
	var out bytes.Buffer
	writeCompatGitHub(&out, twoSourcesReport())
	const want = "::error file=avro/order.avsc,title=READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1 (BACKWARD%2C against version 1 at abc1234)::field b: no default\n" +
		"::notice file=avro/new.avsc::new schema (no previous version): nothing to check\n" +
		"::warning file=avro/order.avsc::skipped the version at version 3 (id 3): does not parse\n" +
		"::error file=avro/order.avsc,title=the registry disagrees (registry http%3A//r)::the registry finds the schema incompatible\n"
	if out.String() != want {
		t.Errorf("github:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestCompatGitHubEscapes(t *testing.T) {
	if got, want := compatGhProperty("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae"; got != want {
		t.Errorf("compatGhProperty = %q, want %q", got, want)
	}
	if got, want := compatGhData("a:b,c%d\r\ne"), "a:b,c%25d%0D%0Ae"; got != want {
		t.Errorf("compatGhData = %q, want %q", got, want)
	}
}
