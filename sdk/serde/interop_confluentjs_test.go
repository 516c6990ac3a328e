package serde_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	orders "github.com/lunchbot/eventkit/examples/orders/events"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// confluentJSVersion is the @confluentinc/schemaregistry release the
// interop test installs.
const confluentJSVersion = "1.10.1"

// confluentJS returns the node_modules directory holding Confluent's
// JavaScript serde, installing it with npm on first use into a directory
// of the user's cache that the test owns (reused by later runs). It skips
// the test when node or npm is not installed.
func confluentJS(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: the interop test with Confluent's JavaScript serde needs Node.js and npm", tool)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "eventkit", "confluentjs-schemaregistry-"+confluentJSVersion)
	modules := filepath.Join(dir, "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "@confluentinc", "schemaregistry", "package.json")); err == nil {
		return modules
	}
	// Install into a fresh directory, then move it into place: a run that
	// is interrupted, or races another, leaves no half-installed tree.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "install-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	pkg := `{"private": true, "dependencies": {"@confluentinc/schemaregistry": "` + confluentJSVersion + `"}}`
	if err := os.WriteFile(filepath.Join(tmp, "package.json"), []byte(pkg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install @confluentinc/schemaregistry@%s: %v\n%s", confluentJSVersion, err, out)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(modules); statErr != nil {
			t.Fatalf("moving the npm install into %s: %v", dir, err)
		}
	}
	return modules
}

type jsSerialize struct {
	Subject string `json:"subject"`
	Topic   string `json:"topic"`
	Value   any    `json:"value"`
}

type jsDeserialize struct {
	Topic string `json:"topic"`
	Hex   string `json:"hex"`
}

// runConfluentJS runs testdata/confluentjs/interop.js with the request.
func runConfluentJS(t *testing.T, modules, url string, ser []jsSerialize, de []jsDeserialize) (serialized [][]byte, deserialized []map[string]any) {
	t.Helper()
	req, err := json.Marshal(map[string]any{"url": url, "serialize": ser, "deserialize": de})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join("testdata", "confluentjs", "interop.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("Confluent's JavaScript serde: %v\n%s", err, stderr.Bytes())
	}
	var resp struct {
		Serialized   []string         `json:"serialized"`
		Deserialized []map[string]any `json:"deserialized"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("Confluent's JavaScript serde answered %s: %v", out, err)
	}
	for _, h := range resp.Serialized {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		serialized = append(serialized, b)
	}
	return serialized, resp.Deserialized
}

// TestConfluentJSInterop: against the real registry, Confluent's own
// JavaScript serializer and deserializer (which resolve schema references)
// read what the SDK writes and write what the SDK reads, for the orders
// example's events, whose schemas reference the shared Money and CafeRef.
func TestConfluentJSInterop(t *testing.T) {
	url := itest.Registry(t)
	modules := confluentJS(t)
	ctx := testCtx(t)
	client := httpClient(t, url)
	ser := serde.NewSerializer(client, serde.SerializerConfig{AutoRegister: true})
	if err := ser.Warm(ctx, orders.Contracts()...); err != nil {
		t.Fatal(err)
	}
	refund := orders.Money{Currency: "EUR", AmountCents: 450}
	sent := []contract.Event{
		placedOrder(),
		&orders.OrderPaid{OrderID: "o-1", Amount: orders.Money{Currency: "EUR", AmountCents: 900}, PaidAt: orderAt},
		&orders.OrderCancelled{OrderID: "o-2", Cafe: orders.CafeRef{CafeID: 7, Name: "Kaffee"}, Reason: "closed", Refund: &refund, CancelledAt: orderAt},
	}
	// The same events as Confluent's serde takes them: longs as numbers,
	// timestamps as their microseconds, an optional Money as the record.
	micros := float64(orderAt.UnixMicro())
	money := func(c float64) map[string]any { return map[string]any{"currency": "EUR", "amount_cents": c} }
	cafe := map[string]any{"cafe_id": float64(7), "name": "Kaffee"}
	values := []map[string]any{
		{"order_id": "o-1", "cafe": cafe, "items": []any{map[string]any{"name": "soup", "quantity": float64(2), "price": money(450)}}, "total": money(900), "placed_at": micros},
		{"order_id": "o-1", "amount": money(900), "paid_at": micros},
		{"order_id": "o-2", "cafe": cafe, "reason": "closed", "refund": money(450), "cancelled_at": micros},
	}

	// The SDK writes, Confluent's deserializer reads.
	var de []jsDeserialize
	for _, e := range sent {
		msg, _, err := ser.Append(ctx, nil, e)
		if err != nil {
			t.Fatal(err)
		}
		de = append(de, jsDeserialize{Topic: e.Contract().Topic, Hex: hex.EncodeToString(msg)})
	}
	// Confluent's serializer writes with the latest version of each
	// subject, its references resolved.
	var sers []jsSerialize
	for i, e := range sent {
		sers = append(sers, jsSerialize{Subject: e.Contract().Subject, Topic: e.Contract().Topic, Value: values[i]})
	}
	written, read := runConfluentJS(t, modules, url, sers, de)
	for i, v := range read {
		if diff := cmp.Diff(values[i], v); diff != "" {
			t.Errorf("%s written by the SDK, read by Confluent's deserializer (-want +got):\n%s", sent[i].Contract().Type, diff)
		}
	}
	if len(read) != len(sent) || len(written) != len(sent) {
		t.Fatalf("Confluent's serde read %d and wrote %d messages, want %d each", len(read), len(written), len(sent))
	}

	// Confluent's serializer writes, the SDK reads.
	dser := serde.NewDeserializer(client, serde.DeserializerConfig{})
	fresh := []contract.Event{&orders.OrderPlaced{}, &orders.OrderPaid{}, &orders.OrderCancelled{}}
	for i, msg := range written {
		id, err := dser.Decode(ctx, msg, fresh[i])
		if err != nil {
			t.Errorf("%s written by Confluent's serializer: %v", sent[i].Contract().Type, err)
			continue
		}
		if want, _ := ser.SchemaID(sent[i].Contract()); id != want {
			t.Errorf("%s: Confluent's serializer wrote schema id %d, the SDK uses %d", sent[i].Contract().Type, id, want)
		}
		if diff := cmp.Diff(sent[i], fresh[i]); diff != "" {
			t.Errorf("%s written by Confluent's serializer, read by the SDK (-want +got):\n%s", sent[i].Contract().Type, diff)
		}
	}
}
