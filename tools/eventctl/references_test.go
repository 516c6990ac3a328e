package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// ordersDir is the orders example's schemas and manifest.
var ordersDir = filepath.Join("..", "..", "examples", "orders", "avro")

// ordersFiles returns the orders example's files (name, text pairs), with
// the manifest's subject strategy replaced by strategy when it is not
// empty, and when prefix is not, the topic and the shared types' subjects
// prefixed by it (to keep a test's subjects its own).
func ordersFiles(t *testing.T, strategy, prefix string) []string {
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
			if prefix != "" {
				text = strings.ReplaceAll(text, `"topic": "orders"`, `"topic": "`+prefix+`orders"`)
				for _, ty := range []string{"money", "cafe_ref"} {
					text = strings.Replace(text, `{"schema": "`+ty+`.avsc"}`, `{"schema": "`+ty+`.avsc", "subject": "`+prefix+ty+`"}`, 1)
				}
			}
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
	r.commit("orders", ordersFiles(t, "", "")...)
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

// writeOrders writes the orders example into dir (see ordersFiles) and
// returns its manifest's path.
func writeOrders(t *testing.T, dir, strategy, prefix string) string {
	t.Helper()
	files := ordersFiles(t, strategy, prefix)
	for i := 0; i+1 < len(files); i += 2 {
		compatWriteFile(t, filepath.Join(dir, files[i]), files[i+1])
	}
	return filepath.Join(dir, "avro", "manifest.json")
}

// registerLines returns the subject lines of register's text output,
// "SUBJECT: ACTION".
func registerLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l == "" || strings.HasPrefix(l, " ") {
			continue
		}
		parts := strings.SplitN(l, ": ", 3)
		if len(parts) >= 2 {
			lines = append(lines, parts[0]+": "+parts[1])
		}
	}
	return lines
}

// TestRegisterWithReferences registers the orders example in the real
// registry: the shared types first, the events with references to them;
// a second run changes nothing; a new optional field of order.paid is one
// new version; an incompatible change of Money is refused for Money and
// each event that uses it, and nothing changes.
func TestRegisterWithReferences(t *testing.T) {
	url := itest.Registry(t)
	vars := map[string]string{"SCHEMA_REGISTRY_URL": url}
	prefix := regTopic(t, "o") + "."
	dir := t.TempDir()
	m := writeOrders(t, dir, "", prefix)
	topic := prefix + "orders"
	money, cafe := prefix+"money", prefix+"cafe_ref"
	placed, paid, cancelled := topic+"-com.example.orders.OrderPlaced", topic+"-com.example.orders.OrderPaid", topic+"-com.example.orders.OrderCancelled"
	order := []string{money, cafe, placed, paid, cancelled}
	lines := func(action string) []string {
		var out []string
		for _, s := range order {
			out = append(out, s+": "+action)
		}
		return out
	}

	code, out, errOut := runEventctl(t, vars, "register", "--registry", url, "--manifest", m, "--dry-run")
	if code != exitOK {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	if diff := cmp.Diff(lines("would register"), registerLines(out)); diff != "" {
		t.Errorf("dry run: the order (-want +got):\n%s\n%s", diff, out)
	}
	if !strings.Contains(out, "  references com.example.orders.Money, com.example.orders.CafeRef (registered before it)") {
		t.Errorf("dry run does not show order.placed's references:\n%s", out)
	}
	c := regClient(t, url)
	ctx := context.Background()
	if _, err := c.Versions(ctx, money); !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Fatalf("the dry run registered %s: %v", money, err)
	}

	code, out, errOut = runEventctl(t, vars, "register", "--registry", url, "--manifest", m)
	if code != exitOK {
		t.Fatalf("register: exit %d\n%s%s", code, out, errOut)
	}
	if diff := cmp.Diff(lines("registered"), registerLines(out)); diff != "" {
		t.Errorf("register (-want +got):\n%s\n%s", diff, out)
	}
	v, err := c.SchemaByVersion(ctx, placed, registry.Latest)
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.Reference{{Name: "com.example.orders.Money", Subject: money, Version: 1}, {Name: "com.example.orders.CafeRef", Subject: cafe, Version: 1}}
	if !cmp.Equal(v.References, want) {
		t.Errorf("order.placed registered with references %v, want %v", v.References, want)
	}

	code, out, errOut = runEventctl(t, vars, "register", "--registry", url, "--manifest", m)
	if code != exitOK || !strings.Contains(errOut, "unchanged, nothing to do") {
		t.Errorf("second run: exit %d\n%s%s", code, out, errOut)
	}
	if diff := cmp.Diff(lines("unchanged"), registerLines(out)); diff != "" {
		t.Errorf("second run (-want +got):\n%s", diff)
	}

	// order.paid v2: a new optional field; the other record types stay.
	paidFile := filepath.Join(dir, "avro", "order_paid.avsc")
	compatWriteFile(t, paidFile, orderPaidV2(t))
	code, out, errOut = runEventctl(t, vars, "register", "--registry", url, "--manifest", m)
	wantLines := lines("unchanged")
	wantLines[3] = paid + ": registered"
	if code != exitOK || !cmp.Equal(wantLines, registerLines(out)) {
		t.Errorf("order.paid v2: exit %d, lines %v\n%s%s", code, registerLines(out), out, errOut)
	}
	if vs, _ := c.Versions(ctx, paid); len(vs) != 2 {
		t.Errorf("order.paid has versions %v, want 2", vs)
	}

	// Money's amount a string: refused in Money's subject and in every
	// event that uses Money; nothing changes.
	compatWriteFile(t, filepath.Join(dir, "avro", "money.avsc"), moneyAsString(t))
	code, out, errOut = runEventctl(t, vars, "register", "--registry", url, "--manifest", m)
	if code != exitProblems {
		t.Fatalf("incompatible Money: exit %d\n%s%s", code, out, errOut)
	}
	wantLines = []string{money + ": refused", cafe + ": unchanged", placed + ": refused", paid + ": refused", cancelled + ": refused"}
	if diff := cmp.Diff(wantLines, registerLines(out)); diff != "" {
		t.Errorf("incompatible Money (-want +got):\n%s\n%s", diff, out)
	}
	if !strings.Contains(out, "(in shared type com.example.orders.Money of "+filepath.Join(dir, "avro", "money.avsc")+")") || !strings.Contains(errOut, "nothing changed") {
		t.Errorf("the refusal does not name the shared type's file:\n%s%s", out, errOut)
	}
	if vs, _ := c.Versions(ctx, money); len(vs) != 1 {
		t.Errorf("Money has versions %v after the refusal, want 1", vs)
	}
}

// orderPaidV2 is order.paid with a new optional field, payment_method.
func orderPaidV2(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ordersDir, "order_paid.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(string(b), `{"name": "paid_at"`, `{"name": "payment_method", "type": ["null", "string"], "default": null},
    {"name": "paid_at"`, 1)
}
