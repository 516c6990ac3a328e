package serde_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hamba/avro/v2"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
	"github.com/lunchbot/eventkit/sdk/serde"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// Versions of the deadline event's schema around the generated one: an
// older one without the "type" field, and a newer one with a field more.
const (
	deadlineOlder = `{"type":"record","name":"DeadlinePassed","namespace":"lunchbot.events","fields":[
		{"name":"cafe_id","type":"long"},
		{"name":"date","type":{"type":"int","logicalType":"date"}},
		{"name":"timestamp","type":{"type":"long","logicalType":"timestamp-micros"}}]}`
	deadlineNewer = `{"type":"record","name":"DeadlinePassed","namespace":"lunchbot.events","fields":[
		{"name":"type","type":"string","default":"deadline.passed"},
		{"name":"cafe_id","type":"long"},
		{"name":"date","type":{"type":"int","logicalType":"date"}},
		{"name":"timestamp","type":{"type":"long","logicalType":"timestamp-micros"}},
		{"name":"reason","type":["null","string"],"default":null}]}`
)

func sampleDeadline() *events.DeadlinePassed {
	e := events.NewDeadlinePassed()
	e.CafeID = 12
	e.Date = avrobin.Date{Year: 2025, Month: time.November, Day: 28}
	e.Timestamp = time.Date(2025, 11, 28, 10, 30, 0, 123456000, time.UTC)
	return e
}

// encodeWith encodes v with schema text through hamba, an Avro
// implementation independent of the generated code.
func encodeWith(t testing.TB, text string, v any) []byte {
	t.Helper()
	s, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := avro.Config{}.Freeze().Marshal(s, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDeadlinePassedRoundTrip(t *testing.T) {
	fake := registrytest.NewServer(t)
	c := events.DeadlinePassedContract
	id := fake.Register(c.Subject, c.Schema)
	client := httpClient(t, fake.URL())
	ctx := testCtx(t)
	s := serde.NewSerializer(client, serde.SerializerConfig{})
	if err := s.Warm(ctx, c); err != nil {
		t.Fatal(err)
	}
	in := sampleDeadline()
	msg, gotID, err := s.Append(ctx, nil, in)
	if err != nil || gotID != id {
		t.Fatalf("Append = %d, %v", gotID, err)
	}
	gotID32, body, err := wire.Parse(msg)
	if err != nil || int(gotID32) != id {
		t.Fatalf("wire.Parse = %d, %v", gotID32, err)
	}
	// The body is what an independent encoder writes for the same value.
	want := encodeWith(t, c.Schema, map[string]any{
		"type": "deadline.passed", "cafe_id": int64(12), "date": in.Date.Time(), "timestamp": in.Timestamp,
	})
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("body (-hamba +generated):\n%s", diff)
	}
	var out events.DeadlinePassed
	if _, err := serde.NewDeserializer(client, serde.DeserializerConfig{}).Decode(ctx, msg, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*in, out); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
}

func TestDeadlinePassedFromOtherVersions(t *testing.T) {
	fake := registrytest.NewServer(t)
	idOlder := fake.Register("deadlines-versions", deadlineOlder)
	idNewer := fake.Register("deadlines-versions", deadlineNewer)
	d := serde.NewDeserializer(httpClient(t, fake.URL()), serde.DeserializerConfig{})
	ctx := testCtx(t)
	want := sampleDeadline()

	older := encodeWith(t, deadlineOlder, map[string]any{"cafe_id": int64(12), "date": want.Date.Time(), "timestamp": want.Timestamp})
	var got events.DeadlinePassed
	if _, err := d.Decode(ctx, append(wire.AppendHeader(nil, uint32(idOlder)), older...), &got); err != nil {
		t.Fatalf("older writer: %v", err)
	}
	if diff := cmp.Diff(*want, got); diff != "" {
		t.Errorf("older writer, the type field from its default (-want +got):\n%s", diff)
	}

	newer := encodeWith(t, deadlineNewer, map[string]any{
		"type": "deadline.passed", "cafe_id": int64(12), "date": want.Date.Time(), "timestamp": want.Timestamp,
		"reason": map[string]any{"string": "kitchen closed early"},
	})
	got = events.DeadlinePassed{}
	if _, err := d.Decode(ctx, append(wire.AppendHeader(nil, uint32(idNewer)), newer...), &got); err != nil {
		t.Fatalf("newer writer: %v", err)
	}
	if diff := cmp.Diff(*want, got); diff != "" {
		t.Errorf("newer writer, reason dropped (-want +got):\n%s", diff)
	}

	// The daily task's schema id cannot be read as a deadline.
	task := events.DailyTaskContract
	idTask := fake.Register(task.Subject, task.Schema)
	msg, err := (&events.DailyTask{Type: "generate_recommendations", Timestamp: want.Timestamp}).AppendAvro(wire.AppendHeader(nil, uint32(idTask)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Decode(ctx, msg, &got); !errors.Is(err, serde.ErrSchemaMismatch) {
		t.Errorf("daily task read as deadline: err = %v, want ErrSchemaMismatch", err)
	}
}

func TestIntegrationDeadlinePassed(t *testing.T) {
	client := httpClient(t, itest.Registry(t))
	ctx := testCtx(t)
	c := events.DeadlinePassedContract
	// The manifest's subject, as CI registers it (idempotent if the stack
	// already did).
	id, err := client.Register(ctx, c.Subject, c.Schema)
	if err != nil {
		t.Fatal(err)
	}
	s := serde.NewSerializer(client, serde.SerializerConfig{})
	if err := s.Warm(ctx, c); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	msg, gotID, err := s.Append(ctx, nil, sampleDeadline())
	if err != nil || gotID != id {
		t.Fatalf("Append = %d, %v; want id %d", gotID, err, id)
	}
	d := serde.NewDeserializer(httpClient(t, itest.Registry(t)), serde.DeserializerConfig{})
	var got events.DeadlinePassed
	if _, err := d.Decode(ctx, msg, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*sampleDeadline(), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// An older and a newer version under a subject of their own, as a
	// rolling deploy would see them.
	subject := withSubject(t, c, "versions").Subject
	if err := client.SetCompatibility(ctx, subject, "NONE"); err != nil {
		t.Fatal(err)
	}
	idOlder, err := client.Register(ctx, subject, deadlineOlder)
	if err != nil {
		t.Fatal(err)
	}
	idNewer, err := client.Register(ctx, subject, deadlineNewer)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleDeadline()
	for _, m := range []struct {
		name string
		msg  []byte
	}{
		{"older", append(wire.AppendHeader(nil, uint32(idOlder)), encodeWith(t, deadlineOlder, map[string]any{
			"cafe_id": int64(12), "date": want.Date.Time(), "timestamp": want.Timestamp})...)},
		{"newer", append(wire.AppendHeader(nil, uint32(idNewer)), encodeWith(t, deadlineNewer, map[string]any{
			"type": "deadline.passed", "cafe_id": int64(12), "date": want.Date.Time(), "timestamp": want.Timestamp,
			"reason": nil})...)},
	} {
		got = events.DeadlinePassed{}
		if _, err := d.Decode(ctx, m.msg, &got); err != nil {
			t.Fatalf("%s writer: %v", m.name, err)
		}
		if diff := cmp.Diff(*want, got); diff != "" {
			t.Errorf("%s writer (-want +got):\n%s", m.name, diff)
		}
	}
}

func BenchmarkDeadlinePassed(b *testing.B) {
	c := events.DeadlinePassedContract
	reg := newMemRegistry(map[int]string{7: c.Schema, 8: deadlineNewer})
	ctx := context.Background()
	s := serde.NewSerializer(reg, serde.SerializerConfig{})
	if err := s.Warm(ctx, c); err != nil {
		b.Fatal(err)
	}
	e := sampleDeadline()
	b.Run("Append", func(b *testing.B) {
		buf := make([]byte, 0, 128)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var err error
			if buf, _, err = s.Append(ctx, buf[:0], e); err != nil {
				b.Fatal(err)
			}
		}
	})
	msg, _, err := s.Append(ctx, nil, e)
	if err != nil {
		b.Fatal(err)
	}
	newer := append(wire.AppendHeader(nil, 8), encodeWith(b, deadlineNewer, map[string]any{
		"type": "deadline.passed", "cafe_id": int64(12), "date": e.Date.Time(), "timestamp": e.Timestamp,
		"reason": map[string]any{"string": "kitchen closed early"}})...)
	for _, bc := range []struct {
		name string
		msg  []byte
	}{{"Decode", msg}, {"Decode-resolved-newer-writer", newer}} {
		b.Run(bc.name, func(b *testing.B) {
			d := serde.NewDeserializer(reg, serde.DeserializerConfig{})
			var out events.DeadlinePassed
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := d.Decode(ctx, bc.msg, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
