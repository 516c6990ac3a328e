package ownrepo

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSteps(t *testing.T) {
	readme := "# x\n\n## Other\n\n```sh\nno\n```\n\n## The section\n\ntext\n\n```sh\ncd a\n# when x has logged \"ok\", go on:\nb\n```\n\n`cmd/a/main.go`:\n\n```go\npackage main\n```\n\n## Next\n\n```sh\nno\n```\n"
	got, err := steps(readme, "## The section")
	if err != nil {
		t.Fatal(err)
	}
	want := []step{
		{shell: []string{"cd a", `# when x has logged "ok", go on:`, "b"}},
		{path: "cmd/a/main.go", text: "package main\n"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(step{})); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if w := waitFor(got[0].shell[1]); w != "ok" {
		t.Errorf("waitFor = %q, want ok", w)
	}
	if w := waitFor("# a comment"); w != "" {
		t.Errorf("waitFor of a plain comment = %q", w)
	}
}

func TestStepsRefusesAGoBlockWithoutItsFile(t *testing.T) {
	_, err := steps("## S\n\ntext\n\n```go\npackage main\n```\n", "## S")
	if err == nil {
		t.Fatal("no error")
	}
}

func TestStepsOfAMissingSection(t *testing.T) {
	if _, err := steps("## S\n", "## T"); err == nil {
		t.Fatal("no error")
	}
}
