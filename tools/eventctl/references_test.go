package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ordersDir is the orders example's schemas and manifest.
var ordersDir = filepath.Join("..", "..", "examples", "orders", "avro")

// ordersFiles returns the orders example's files (name, text pairs), with
// the manifest's subject strategy replaced by strategy when it is not
// empty.
func ordersFiles(t *testing.T, strategy string) []string {
	t.Helper()
	entries, err := os.ReadDir(ordersDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(ordersDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if e.Name() == "manifest.json" {
			if strategy != "" {
				text = strings.Replace(text, `"subject_strategy": "TopicRecordNameStrategy"`, `"subject_strategy": "`+strategy+`"`, 1)
			}
			// Generated code goes nowhere: these tests do not generate.
			text = strings.Replace(text, `"output": "../events"`, `"output": "out"`, 1)
		}
		out = append(out, filepath.Join("avro", e.Name()), text)
	}
	return out
}

// moneyAsString is the orders example's Money with amount_cents a string:
// incompatible with the long it was, in Money's subject and in every event
// that uses Money.
func moneyAsString(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ordersDir, "money.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(string(b), `{"name": "amount_cents", "type": "long"`, `{"name": "amount_cents", "type": "string"`, 1)
}

// TestCompatCheckSharedTypeInGit: a change to a shared type is checked
// against the type's own history and against each event's that uses it, at
// each event's level, and every problem names both files.
func TestCompatCheckSharedTypeInGit(t *testing.T) {
	r := &compatGitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.commit("orders", ordersFiles(t, "")...)
	r.git("checkout", "-q", "-b", "feature")
	manifestPath := filepath.Join(r.dir, "avro", "manifest.json")
	moneyFile := filepath.Join(r.dir, "avro", "money.avsc")

	if code, out, errOut := runCompatCmd(t, "compat", "check", "--manifest", manifestPath); code != exitOK {
		t.Fatalf("unchanged: exit %d\n%s%s", code, out, errOut)
	}
	compatWriteFile(t, moneyFile, moneyAsString(t))
	code, out, errOut := runCompatCmd(t, "compat", "check", "--manifest", manifestPath)
	if code != exitProblems {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitProblems, out, errOut)
	}
	byFile := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		file := line[:strings.Index(line, ":/")]
		byFile[filepath.Base(file)]++
		if !strings.Contains(line, "amount_cents") || !strings.Contains(line, "TYPE_MISMATCH") && !strings.Contains(line, "MISSING_UNION_BRANCH") {
			t.Errorf("line %q: want amount_cents's type (or the union that holds Money)", line)
		}
		if filepath.Base(file) != "money.avsc" && !strings.Contains(line, "(in shared type com.example.orders.Money of "+moneyFile+")") {
			t.Errorf("line %q does not name the shared type's file", line)
		}
	}
	for _, f := range []string{"money.avsc", "order_placed.avsc", "order_paid.avsc", "order_cancelled.avsc"} {
		if byFile[f] == 0 {
			t.Errorf("no problem reported for %s:\n%s", f, out)
		}
	}
	if byFile["cafe_ref.avsc"] != 0 {
		t.Errorf("CafeRef, which does not use Money, has problems:\n%s", out)
	}
	if !strings.Contains(errOut, "order_paid.avsc: checked with the shared types of "+moneyFile) || !strings.Contains(errOut, "5 schemas checked") || !strings.Contains(errOut, "4 incompatible") {
		t.Errorf("notes:\n%s", errOut)
	}
	// GitHub annotations land on the shared type's file too, naming the
	// event's.
	_, out, _ = runCompatCmd(t, "compat", "check", "--manifest", manifestPath, "--format", "github")
	if !strings.Contains(out, "::error file="+compatGhProperty(moneyFile)+",title=TYPE_MISMATCH in "+compatGhProperty(filepath.Join(r.dir, "avro", "order_paid.avsc"))) {
		t.Errorf("github annotations:\n%s", out)
	}
}
