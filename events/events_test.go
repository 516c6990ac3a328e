package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hamba/avro/v2"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// TestContractsMatchManifest checks each event's contract against the
// manifest, and that Contracts lists them in its order, each the exported
// variable that Contract returns (on a nil receiver too).
func TestContractsMatchManifest(t *testing.T) {
	m, err := manifest.Load("../avro/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]contract.Event{"deadline.passed": (*DeadlinePassed)(nil), "daily_task": (*DailyTask)(nil)}
	if len(m.Events) != len(byType) || len(Contracts()) != len(byType) {
		t.Fatalf("the manifest has %d events, Contracts %d, the test knows %d", len(m.Events), len(Contracts()), len(byType))
	}
	if DeadlinePassedContract != byType["deadline.passed"].Contract() || DailyTaskContract != byType["daily_task"].Contract() {
		t.Error("Contract does not return the exported variable")
	}
	list := Contracts()
	for i, e := range m.Events {
		ev, ok := byType[e.Type]
		if !ok {
			t.Fatalf("no generated type for %s", e.Type)
		}
		if list[i] != ev.Contract() {
			t.Errorf("Contracts()[%d] is not the contract of %s", i, e.Type)
		}
		text, err := os.ReadFile(e.SchemaFile)
		if err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, text); err != nil {
			t.Fatal(err)
		}
		want := contract.Contract{
			Type: e.Type, Name: e.Schema.Root.Name, Topic: e.Topic, Subject: e.Subject,
			Compatibility: e.Compatibility, KeyField: e.KeyField, Schema: compact.String(),
			Canonical: e.Schema.Canonical(), CRC64: e.Schema.CRC64(), SHA256: e.Schema.SHA256(),
		}
		if diff := cmp.Diff(want, *ev.Contract()); diff != "" {
			t.Errorf("%s: contract (-manifest +generated):\n%s", e.Type, diff)
		}
	}
	list[0] = nil
	if Contracts()[0] == nil {
		t.Error("Contracts returned the slice it returned before")
	}
}

func randomDeadline(rng *rand.Rand) *DeadlinePassed {
	d := NewDeadlinePassed()
	switch rng.IntN(4) {
	case 0:
		d.CafeID = []int64{0, -1, math.MaxInt64, math.MinInt64}[rng.IntN(4)]
	default:
		d.CafeID = rng.Int64() >> rng.IntN(64)
	}
	d.Date = avrobin.DateFromDays(int32(rng.Uint32()) >> rng.IntN(32))
	d.Timestamp = time.UnixMicro(rng.Int64() >> rng.IntN(64)).UTC()
	return d
}

func TestMatchesHamba(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	deadlineSchema := avro.MustParse(new(DeadlinePassed).Contract().Schema)
	taskSchema := avro.MustParse(new(DailyTask).Contract().Schema)
	type hambaDeadline struct {
		Type      string    `avro:"type"`
		CafeID    int64     `avro:"cafe_id"`
		Date      time.Time `avro:"date"`
		Timestamp time.Time `avro:"timestamp"`
	}
	type hambaTask struct {
		Type      string    `avro:"type"`
		Timestamp time.Time `avro:"timestamp"`
	}
	for i := range 2000 {
		d := randomDeadline(rng)
		ours, err := d.AppendAvro(nil)
		if err != nil {
			t.Fatal(err)
		}
		h := hambaDeadline{Type: d.Type, CafeID: d.CafeID, Date: d.Date.Time(), Timestamp: d.Timestamp}
		theirs, err := avro.Marshal(deadlineSchema, h)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ours, theirs) {
			t.Fatalf("#%d: %+v: ours %x, hamba %x", i, d, ours, theirs)
		}
		var back hambaDeadline
		if err := avro.Unmarshal(deadlineSchema, ours, &back); err != nil || back.CafeID != d.CafeID ||
			!back.Timestamp.Equal(d.Timestamp) || avrobin.DateOf(back.Date.UTC()) != d.Date {
			t.Fatalf("#%d: hamba read %+v, %v; want %+v", i, back, err, d)
		}
		var again DeadlinePassed
		if err := again.UnmarshalAvro(theirs); err != nil || !again.Timestamp.Equal(d.Timestamp) ||
			again.Date != d.Date || again.CafeID != d.CafeID || again.Type != d.Type {
			t.Fatalf("#%d: decoded %+v, %v; want %+v", i, again, err, d)
		}

		task := &DailyTask{Type: "generate_recommendations", Timestamp: d.Timestamp}
		ours, err = task.AppendAvro(nil)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err = avro.Marshal(taskSchema, hambaTask{Type: task.Type, Timestamp: task.Timestamp})
		if err != nil || !bytes.Equal(ours, theirs) {
			t.Fatalf("#%d: task: ours %x, hamba %x (%v)", i, ours, theirs, err)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := NewDeadlinePassed()
	ok.CafeID, ok.Date, ok.Timestamp = 7, avrobin.Date{Year: 2026, Month: time.November, Day: 27}, time.Now()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid event: %v", err)
	}
	tests := []struct {
		name  string
		ev    contract.Event
		field string
		msg   string
	}{
		{"const", func() contract.Event { d := *ok; d.Type = "deadline.missed"; return &d }(), "type",
			`events.DeadlinePassed: field type: must be "deadline.passed" (the schema's const), is "deadline.missed"`},
		{"zero type", func() contract.Event { d := *ok; d.Type = ""; return &d }(), "type", ""},
		{"date", func() contract.Event { d := *ok; d.Date = avrobin.Date{Year: 2026, Month: 2, Day: 29}; return &d }(), "date",
			"events.DeadlinePassed: field date: 2026-02-29: February 2026 has 28 days"},
		{"timestamp", func() contract.Event {
			d := *ok
			d.Timestamp = time.Date(400000, 1, 1, 0, 0, 0, 0, time.UTC)
			return &d
		}(), "timestamp", ""},
		{"task type", &DailyTask{Timestamp: time.Now()}, "type", "events.DailyTask: field type: required string is empty"},
	}
	for _, tt := range tests {
		err := tt.ev.Validate()
		var ve *avrobin.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, avrobin.ErrInvalid) || ve.Field != tt.field {
			t.Errorf("%s: Validate = %v, want an invalid %s", tt.name, err, tt.field)
			continue
		}
		if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("%s: message %q, want %q", tt.name, err, tt.msg)
		}
	}
}

func TestAppendKey(t *testing.T) {
	d := &DeadlinePassed{CafeID: -1234567890123}
	if got := d.AppendKey([]byte("cafe-")); string(got) != "cafe--1234567890123" {
		t.Errorf("AppendKey = %q", got)
	}
	if got := new(DailyTask).AppendKey([]byte("x")); string(got) != "x" {
		t.Errorf("DailyTask.AppendKey = %q", got)
	}
}

// TestNoAllocations: encoding into a buffer with room and decoding the
// deadline event allocate nothing (the const "type" is not copied).
func TestNoAllocations(t *testing.T) {
	d := randomDeadline(rand.New(rand.NewPCG(3, 4)))
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() {
		buf, _ = d.AppendAvro(buf[:0])
	}); n != 0 {
		t.Errorf("AppendAvro: %v allocs/op", n)
	}
	var back DeadlinePassed
	if n := testing.AllocsPerRun(100, func() {
		if err := back.UnmarshalAvro(buf); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("UnmarshalAvro: %v allocs/op", n)
	}
}

// TestHostileInputAllocatesLittle decodes 20-byte inputs that claim a
// 1 GiB string where each field starts, and checks that the decoder fails
// without allocating anything of that size.
func TestHostileInputAllocatesLittle(t *testing.T) {
	claim := avrobin.AppendLong(nil, 1<<30)
	var inputs [][]byte
	for _, prefix := range [][]byte{nil, {0x02, 'x'}, {0x02, 'x', 0x02}, {0x02, 'x', 0x02, 0x04}} {
		in := append(append(append([]byte{}, prefix...), claim...), make([]byte, 20)...)
		inputs = append(inputs, in[:20])
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 100 {
		for _, in := range inputs {
			if err := new(DeadlinePassed).UnmarshalAvro(in); err == nil {
				t.Fatalf("%x decoded", in)
			}
			if err := new(DailyTask).UnmarshalAvro(in); err == nil {
				t.Fatalf("%x decoded", in)
			}
		}
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("800 hostile decodes allocated %d bytes", grew)
	}
}
