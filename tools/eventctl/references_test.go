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
		file, _, found := strings.Cut(line, ":/")
		if !found {
			t.Errorf("line %q is not FILE:LOCATION: ...", line)
			continue
		}
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

	// compat against the registry finds the same, resolving the registered
	// versions' references; the registry is not asked about the events,
	// which would reference a Money it does not hold yet.
	code, out, errOut = runCompatCmd(t, "compat", "check", "--manifest", m, "--git=false", "--registry", url, "--registry-verdict")
	if code != exitProblems || !strings.Contains(out, filepath.Join(dir, "avro", "order_placed.avsc")+":") || !strings.Contains(out, "(in shared type com.example.orders.Money of ") {
		t.Errorf("compat against the registry: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "registry verdict not asked: the registry does not hold com.example.orders.Money") {
		t.Errorf("compat notes:\n%s", errOut)
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

// ordersLines are one event of each record type of the orders topic, as
// produce reads them and consume prints them.
var ordersLines = []string{
	`{"order_id":"o-1","cafe":{"cafe_id":7,"name":"Kaffee"},"items":[{"name":"soup","quantity":2,"price":{"currency":"EUR","amount_cents":450}}],"total":{"currency":"EUR","amount_cents":900},"placed_at":"2026-12-01T12:00:00.000000Z"}`,
	`{"order_id":"o-1","amount":{"currency":"EUR","amount_cents":900},"paid_at":"2026-12-01T12:05:00.000000Z"}`,
	`{"order_id":"o-2","cafe":{"cafe_id":7,"name":"Kaffee"},"reason":"closed","refund":null,"cancelled_at":"2026-12-01T12:06:00.000000Z"}`,
}

// TestProduceConsumeSeveralRecordTypes: on a topic of several record types
// (under TopicRecordNameStrategy and RecordNameStrategy), produce sends
// each line under the subject of its record type, with references, and
// consume and decode print each with its record type.
func TestProduceConsumeSeveralRecordTypes(t *testing.T) {
	for _, strategy := range []string{"TopicRecordNameStrategy", "RecordNameStrategy"} {
		t.Run(strategy, func(t *testing.T) {
			url, broker := itest.Registry(t), itest.Broker(t)
			vars := map[string]string{"SCHEMA_REGISTRY_URL": url, "KAFKA_BROKER_URL": broker}
			prefix := regTopic(t, "o") + "."
			if strategy == "RecordNameStrategy" {
				// The subjects are the records' names, the same for every
				// run: this run's registry must not hold them yet.
				prefix = ""
				if c, err := regClient(t, url).Versions(context.Background(), "com.example.orders.OrderPaid"); err == nil {
					t.Skipf("the registry already holds com.example.orders.OrderPaid (versions %v): run against a fresh one", c)
				}
			}
			dir := t.TempDir()
			m := writeOrders(t, dir, strategy, prefix)
			topic := prefix + "orders"
			if prefix == "" {
				// The topic is shared by runs too; a fresh one keeps the
				// messages apart.
				topic = itest.Topic(t, "orders")
				b, _ := os.ReadFile(m)
				compatWriteFile(t, m, strings.ReplaceAll(string(b), `"topic": "orders"`, `"topic": "`+topic+`"`))
			}
			if code, out, errOut := runEventctl(t, vars, "register", "--registry", url, "--manifest", m); code != exitOK {
				t.Fatalf("register: exit %d\n%s%s", code, out, errOut)
			}
			in := []byte(strings.Join(ordersLines, "\n") + "\n")
			code, out, errOut := consoleRun(t, vars, in, "produce", "--manifest", m, "--topic", topic)
			if code != exitOK {
				t.Fatalf("produce: exit %d\n%s%s", code, out, errOut)
			}
			for _, typ := range []string{"order.placed", "order.paid", "order.cancelled"} {
				if !strings.Contains(errOut, "1 sent as "+typ) {
					t.Errorf("produce did not send one %s:\n%s", typ, errOut)
				}
			}
			// A line of no record type, and --type for one that fits.
			code, _, errOut = consoleRun(t, vars, []byte(`{"order_id":"x"}`+"\n"), "produce", "--manifest", m, "--topic", topic)
			if code != exitProblems || !strings.Contains(errOut, "not a value of any record type of topic "+topic) || !strings.Contains(errOut, "as order.paid:") {
				t.Errorf("a line of no record type: exit %d\n%s", code, errOut)
			}
			if code, _, errOut := consoleRun(t, vars, []byte(ordersLines[1]+"\n"), "produce", "--manifest", m, "--topic", topic, "--type", "com.example.orders.OrderPaid"); code != exitOK {
				t.Errorf("--type: exit %d\n%s", code, errOut)
			}

			code, out, errOut = consoleRun(t, vars, nil, "consume", "--topic", topic, "--from-beginning", "--max", "4")
			if code != exitOK {
				t.Fatalf("consume: exit %d\n%s%s", code, out, errOut)
			}
			byRecord := map[string][]string{}
			for _, c := range parseConsumed(t, out) {
				byRecord[c.Record] = append(byRecord[c.Record], string(c.Value))
				if c.Key == nil || !strings.HasPrefix(*c.Key, "o-") {
					t.Errorf("consumed %+v: want the order id as key", c)
				}
			}
			want := map[string][]string{
				"com.example.orders.OrderPlaced":    {ordersLines[0]},
				"com.example.orders.OrderPaid":      {ordersLines[1], ordersLines[1]},
				"com.example.orders.OrderCancelled": {ordersLines[2]},
			}
			if diff := cmp.Diff(want, byRecord); diff != "" {
				t.Errorf("consumed by record (-want +got):\n%s", diff)
			}

			// encode with order.paid's subject, decode back.
			subject := topic + "-com.example.orders.OrderPaid"
			if strategy == "RecordNameStrategy" {
				subject = "com.example.orders.OrderPaid"
			}
			code, msg, errOut := consoleRun(t, vars, []byte(ordersLines[1]), "encode", "--subject", subject)
			if code != exitOK {
				t.Fatalf("encode: exit %d\n%s", code, errOut)
			}
			code, out, errOut = consoleRun(t, vars, msg, "decode")
			if code != exitOK || strings.TrimSpace(string(out)) != ordersLines[1] || !strings.Contains(errOut, "record com.example.orders.OrderPaid") {
				t.Errorf("decode: exit %d, %s\n%s", code, out, errOut)
			}
		})
	}
}
