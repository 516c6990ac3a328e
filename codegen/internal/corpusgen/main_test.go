package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCorpusIsCurrent is "corpusgen -check" as a test: the checked-in
// schemas, manifest and event list are what this program writes.
func TestCorpusIsCurrent(t *testing.T) {
	files, err := corpusFiles("../../..")
	if err != nil {
		t.Fatal(err)
	}
	stale, err := staleFiles("../../..", files)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("out of date (run make generate): %s", strings.Join(stale, ", "))
	}
}

// TestRenderIsJSON checks that render writes the JSON of its value.
func TestRenderIsJSON(t *testing.T) {
	s := inNamespace(record("R", "a \"doc\" <&>", field("f", union("null", array(mapOf("long")))).with("default", nil)), "x.y")
	var got any
	if err := json.Unmarshal(render(s), &got); err != nil {
		t.Fatal(err)
	}
	want := `{"doc":"a \"doc\" \u003c\u0026\u003e","fields":[{"default":null,"name":"f","type":["null",{"items":{"type":"map","values":"long"},"type":"array"}]}],"name":"R","namespace":"x.y","type":"record"}`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Errorf("render gave\n%s\nwhich is\n%s\nwant\n%s", render(s), b, want)
	}
}
