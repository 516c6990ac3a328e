package serde_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
	"github.com/lunchbot/eventkit/sdk/serde"
	"github.com/lunchbot/eventkit/sdk/wire"
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func httpClient(t testing.TB, url string) *registry.HTTPClient {
	t.Helper()
	c, err := registry.New(registry.Config{URLs: []string{url}, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

func TestWarmNeedsTheSchemaRegistered(t *testing.T) {
	fake := registrytest.NewServer(t)
	s := serde.NewSerializer(httpClient(t, fake.URL()), serde.SerializerConfig{})
	ctx := testCtx(t)
	err := s.Warm(ctx, orderV1Contract)
	if !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Fatalf("Warm of an unknown subject: err = %v, want ErrSubjectNotFound", err)
	}
	fake.Register(orderV1Contract.Subject, orderV1Contract.Schema)
	err = s.Warm(ctx, orderV2Contract)
	if !errors.Is(err, registry.ErrSchemaNotFound) {
		t.Fatalf("Warm of an unregistered schema: err = %v, want ErrSchemaNotFound", err)
	}
	// Errors of several contracts are joined.
	err = s.Warm(ctx, orderV2Contract, otherContract)
	if !errors.Is(err, registry.ErrSchemaNotFound) || !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Fatalf("Warm of two missing contracts: err = %v, want both errors", err)
	}
	if err := s.Warm(ctx, orderV1Contract); err != nil {
		t.Fatalf("Warm of a registered schema: %v", err)
	}
	// Nothing was registered behind CI's back.
	if _, err := httpClient(t, fake.URL()).Versions(ctx, otherContract.Subject); !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Errorf("the serializer registered %s without AutoRegister", otherContract.Subject)
	}
}

func TestAutoRegister(t *testing.T) {
	fake := registrytest.NewServer(t)
	client := httpClient(t, fake.URL())
	s := serde.NewSerializer(client, serde.SerializerConfig{AutoRegister: true})
	ctx := testCtx(t)
	if err := s.Warm(ctx, orderV1Contract, otherContract); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*contract.Contract{orderV1Contract, otherContract} {
		id, ok := s.SchemaID(c)
		if !ok {
			t.Fatalf("no id for %s after Warm", c.Type)
		}
		got, err := client.SchemaByID(ctx, id)
		if err != nil || got.Text != c.Schema {
			t.Errorf("id %d of %s holds %q, %v", id, c.Type, got.Text, err)
		}
	}
}

func TestAppendFramesTheEvent(t *testing.T) {
	fake := registrytest.NewServer(t)
	id := fake.Register(orderV1Contract.Subject, orderV1Contract.Schema)
	s := serde.NewSerializer(httpClient(t, fake.URL()), serde.SerializerConfig{})
	ctx := testCtx(t)

	e := &orderV1{ID: 42, Name: "borscht"}
	out, gotID, err := s.Append(ctx, []byte("prefix"), e)
	if err != nil {
		t.Fatal(err)
	}
	if gotID != id {
		t.Errorf("schema id = %d, want %d", gotID, id)
	}
	body, _ := e.AppendAvro(nil)
	want := append(wire.AppendHeader([]byte("prefix"), uint32(id)), body...)
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("Append (-want +got):\n%s", diff)
	}
	// The first Append resolved the id; the next ones ask nothing.
	before := fake.Requests()
	for i := 0; i < 10; i++ {
		if _, _, err := s.Append(ctx, nil, e); err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.Requests() - before; n != 0 {
		t.Errorf("Append after resolution made %d requests", n)
	}
}

func TestAppendDoesNotAllocateOnceWarm(t *testing.T) {
	reg := newMemRegistry(map[int]string{7: orderV1Schema})
	s := serde.NewSerializer(reg, serde.SerializerConfig{})
	ctx := context.Background()
	if err := s.Warm(ctx, orderV1Contract); err != nil {
		t.Fatal(err)
	}
	e := &orderV1{ID: 1, Name: "soup of the day"}
	buf := make([]byte, 0, 128)
	allocs := testing.AllocsPerRun(1000, func() {
		var err error
		if buf, _, err = s.Append(ctx, buf[:0], e); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Append allocates %.1f times per call, want 0", allocs)
	}
	if n := reg.lookups.Load(); n != 1 {
		t.Errorf("%d registry lookups, want 1", n)
	}
}

func TestAppendErrors(t *testing.T) {
	reg := newMemRegistry(map[int]string{7: orderV1Schema})
	s := serde.NewSerializer(reg, serde.SerializerConfig{})
	ctx := context.Background()
	dst := []byte("keep")
	out, _, err := s.Append(ctx, dst, &orderV1{ID: -1})
	if !errors.Is(err, serde.ErrEncode) || !errors.Is(err, errInvalid) {
		t.Errorf("invalid event: err = %v, want ErrEncode wrapping the event's error", err)
	}
	if string(out) != "keep" {
		t.Errorf("dst = %q after an error, want it unchanged", out)
	}
	if _, _, err := s.Append(ctx, dst, nil); !errors.Is(err, serde.ErrEncode) {
		t.Errorf("nil event: err = %v", err)
	}
	if _, _, err := s.Append(ctx, dst, &other{ID: 1}); !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Errorf("unregistered contract: err = %v, want ErrSubjectNotFound", err)
	}
}

// wireOf frames e with id.
func wireOf(t testing.TB, id int, e contract.Event) []byte {
	t.Helper()
	b, err := e.AppendAvro(wire.AppendHeader(nil, uint32(id)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeSameSchema(t *testing.T) {
	fake := registrytest.NewServer(t)
	id := fake.Register(orderV1Contract.Subject, orderV1Contract.Schema)
	d := serde.NewDeserializer(httpClient(t, fake.URL()), serde.DeserializerConfig{})
	ctx := testCtx(t)
	in := &orderV1{ID: 3, Name: "pho"}
	msg := wireOf(t, id, in)
	for i := 0; i < 5; i++ {
		var got orderV1
		gotID, err := d.Decode(ctx, msg, &got)
		if err != nil || gotID != id {
			t.Fatalf("Decode = %d, %v", gotID, err)
		}
		if diff := cmp.Diff(*in, got); diff != "" {
			t.Fatalf("Decode (-want +got):\n%s", diff)
		}
	}
	if n := fake.Requests(); n != 1 {
		t.Errorf("%d registry requests for five messages of one id, want 1", n)
	}
}

func TestDecodeOlderWriterAppliesDefaults(t *testing.T) {
	fake := registrytest.NewServer(t)
	id1 := fake.Register(orderV1Contract.Subject, orderV1Schema)
	d := serde.NewDeserializer(httpClient(t, fake.URL()), serde.DeserializerConfig{})
	var got orderV2
	if _, err := d.Decode(testCtx(t), wireOf(t, id1, &orderV1{ID: 5, Name: "ramen"}), &got); err != nil {
		t.Fatal(err)
	}
	want := orderV2{ID: 5, Name: "ramen", Qty: 1, Note: nil}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("v1 read as v2 (-want +got):\n%s", diff)
	}
}

func TestDecodeNewerWriterDropsFields(t *testing.T) {
	fake := registrytest.NewServer(t)
	fake.Register(orderV1Contract.Subject, orderV1Schema)
	id2 := fake.Register(orderV1Contract.Subject, orderV2Schema)
	d := serde.NewDeserializer(httpClient(t, fake.URL()), serde.DeserializerConfig{})
	var got orderV1
	msg := wireOf(t, id2, &orderV2{ID: 6, Name: "udon", Qty: 3, Note: ptr("no onions")})
	if _, err := d.Decode(testCtx(t), msg, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(orderV1{ID: 6, Name: "udon"}, got); diff != "" {
		t.Errorf("v2 read as v1 (-want +got):\n%s", diff)
	}
}

func TestDecodeErrors(t *testing.T) {
	fake := registrytest.NewServer(t)
	idOrder := fake.Register(orderV1Contract.Subject, orderV1Schema)
	idOther := fake.Register(otherContract.Subject, otherSchema)
	idNotAvro := fake.Register("json-value", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`)
	d := serde.NewDeserializer(httpClient(t, fake.URL()), serde.DeserializerConfig{})
	ctx := testCtx(t)

	good := wireOf(t, idOrder, &orderV1{ID: 1, Name: "x"})
	truncated := good[:len(good)-1]
	tests := []struct {
		name string
		msg  []byte
		want error
	}{
		{"empty", nil, wire.ErrTooShort},
		{"header only part", []byte{0, 0, 0}, wire.ErrTooShort},
		{"plain JSON", []byte(`{"id":1}`), wire.ErrBadMagic},
		{"unknown id", wireOf(t, 4242, &orderV1{ID: 1}), registry.ErrSchemaNotFound},
		{"another subject's schema", wireOf(t, idOther, &other{ID: 1}), serde.ErrSchemaMismatch},
		{"not an Avro schema", wireOf(t, idNotAvro, &other{ID: 1}), serde.ErrSchemaMismatch},
		{"truncated body", truncated, serde.ErrDecode},
		{"trailing bytes", append(append([]byte{}, good...), 0), serde.ErrDecode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e orderV1
			_, err := d.Decode(ctx, tt.msg, &e)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	// Through resolution, a body that does not decode is ErrDecode too.
	var e2 orderV2
	if _, err := d.Decode(ctx, truncated, &e2); !errors.Is(err, serde.ErrDecode) {
		t.Errorf("truncated body through resolution: err = %v, want ErrDecode", err)
	}
	// The incompatibility verdict is cached: no new request.
	before := fake.Requests()
	var e orderV1
	if _, err := d.Decode(ctx, wireOf(t, idOther, &other{ID: 1}), &e); !errors.Is(err, serde.ErrSchemaMismatch) {
		t.Fatalf("err = %v", err)
	}
	if n := fake.Requests() - before; n != 0 {
		t.Errorf("a cached verdict made %d requests", n)
	}
	if _, err := d.Decode(ctx, good, nil); !errors.Is(err, serde.ErrDecode) {
		t.Errorf("nil destination: err = %v, want ErrDecode", err)
	}
}

// panicky is an event whose decoder panics.
type panicky struct{ orderV1 }

func (p *panicky) UnmarshalAvro([]byte) error { panic("decoder bug") }

func TestDecodeRecoversFromDecoderPanic(t *testing.T) {
	reg := newMemRegistry(map[int]string{1: orderV1Schema})
	d := serde.NewDeserializer(reg, serde.DeserializerConfig{})
	msg := wireOf(t, 1, &orderV1{ID: 1, Name: "x"})
	if _, err := d.Decode(context.Background(), msg, &panicky{}); !errors.Is(err, serde.ErrDecode) {
		t.Fatalf("err = %v, want ErrDecode", err)
	}
}

func TestDecodeHonoursTheContext(t *testing.T) {
	release := make(chan struct{})
	fake := registrytest.NewServer(t)
	id := fake.Register(orderV1Contract.Subject, orderV1Schema)
	fake.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return false
	})
	defer close(release)
	d := serde.NewDeserializer(httpClient(t, fake.URL()), serde.DeserializerConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var e orderV1
	if _, err := d.Decode(ctx, wireOf(t, id, &orderV1{ID: 1}), &e); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestDeserializerCachesAreBounded(t *testing.T) {
	reg := newMemRegistry(map[int]string{1: orderV1Schema, 2: orderV2Schema, 3: orderV1Schema})
	ctx := context.Background()
	msgs := map[int][]byte{}
	for id := 1; id <= 3; id++ {
		if id == 2 {
			msgs[id] = wireOf(t, id, &orderV2{ID: 1, Name: "n"})
		} else {
			msgs[id] = wireOf(t, id, &orderV1{ID: 1, Name: "n"})
		}
	}
	decodeAll := func(d *serde.Deserializer, rounds int) {
		for r := 0; r < rounds; r++ {
			for id := 1; id <= 3; id++ {
				var e orderV1
				if _, err := d.Decode(ctx, msgs[id], &e); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// Room for all three ids: each is fetched once.
	decodeAll(serde.NewDeserializer(reg, serde.DeserializerConfig{CacheSize: 3}), 4)
	if n := reg.byID.Load(); n != 3 {
		t.Errorf("cache of 3: %d fetches for 3 ids, want 3", n)
	}
	// Room for one: cycling through three ids evicts every time.
	reg.byID.Store(0)
	decodeAll(serde.NewDeserializer(reg, serde.DeserializerConfig{CacheSize: 1}), 4)
	if n := reg.byID.Load(); n != 12 {
		t.Errorf("cache of 1: %d fetches for 12 decodes of 3 ids, want 12", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	fake := registrytest.NewServer(t)
	id1 := fake.Register(orderV1Contract.Subject, orderV1Schema)
	fake.Register(orderV2Contract.Subject, orderV2Schema)
	client := httpClient(t, fake.URL())
	s := serde.NewSerializer(client, serde.SerializerConfig{})
	d := serde.NewDeserializer(client, serde.DeserializerConfig{})
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var buf []byte
			for i := 0; i < 200; i++ {
				var err error
				var id int
				if g%2 == 0 {
					buf, id, err = s.Append(ctx, buf[:0], &orderV1{ID: int64(i), Name: "a"})
				} else {
					buf, id, err = s.Append(ctx, buf[:0], &orderV2{ID: int64(i), Name: "b", Qty: 2})
				}
				if err != nil {
					errs <- err
					return
				}
				var v1 orderV1
				if _, err := d.Decode(ctx, buf, &v1); err != nil || v1.ID != int64(i) {
					errs <- err
					return
				}
				var v2 orderV2
				if _, err := d.Decode(ctx, buf, &v2); err != nil || v2.ID != int64(i) || (id == id1 && v2.Qty != 1) {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// One lookup per contract and one fetch per id, at most.
	if n := fake.Requests(); n > 4 {
		t.Errorf("%d registry requests, want at most 4", n)
	}
}

func FuzzDecode(f *testing.F) {
	reg := newMemRegistry(map[int]string{1: orderV1Schema, 2: orderV2Schema, 3: otherSchema, 4: `"string"`, 5: `not a schema`})
	d := serde.NewDeserializer(reg, serde.DeserializerConfig{})
	f.Add(wireOf(f, 1, &orderV1{ID: 1, Name: "x"}))
	f.Add(wireOf(f, 2, &orderV2{ID: 1, Name: "x", Qty: 4, Note: ptr("n")}))
	f.Add(wireOf(f, 3, &other{ID: 9}))
	f.Add([]byte{0, 0, 0, 0, 4, 2, 'a'})
	f.Add([]byte{0, 0, 0, 0, 5})
	f.Add([]byte{1, 2, 3})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, msg []byte) {
		for _, dst := range []contract.Event{&orderV1{}, &orderV2{}} {
			_, err := d.Decode(ctx, msg, dst)
			if err == nil {
				continue
			}
			known := false
			for _, target := range []error{wire.ErrTooShort, wire.ErrBadMagic, registry.ErrSchemaNotFound, serde.ErrSchemaMismatch, serde.ErrDecode} {
				known = known || errors.Is(err, target)
			}
			if !known {
				t.Fatalf("Decode(%x): unclassified error %v", msg, err)
			}
		}
	})
}

func TestDecodedEqualsEncodedRoundTrip(t *testing.T) {
	reg := newMemRegistry(map[int]string{1: orderV1Schema, 2: orderV2Schema})
	s := serde.NewSerializer(reg, serde.SerializerConfig{})
	d := serde.NewDeserializer(reg, serde.DeserializerConfig{})
	ctx := context.Background()
	in := &orderV2{ID: 77, Name: "bibimbap", Qty: 2, Note: ptr("spicy")}
	msg, id, err := s.Append(ctx, nil, in)
	if err != nil || id != 2 {
		t.Fatalf("Append = %d, %v", id, err)
	}
	var out orderV2
	if _, err := d.Decode(ctx, msg, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*in, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	again, _, _ := s.Append(ctx, nil, &out)
	if !bytes.Equal(again, msg) {
		t.Errorf("re-encoding the decoded event gives %x, want %x", again, msg)
	}
}

func BenchmarkSerializerAppend(b *testing.B) {
	s := serde.NewSerializer(newMemRegistry(map[int]string{7: orderV1Schema}), serde.SerializerConfig{})
	ctx := context.Background()
	if err := s.Warm(ctx, orderV1Contract); err != nil {
		b.Fatal(err)
	}
	e := &orderV1{ID: 123456, Name: "cafe 12 deadline"}
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var err error
		if buf, _, err = s.Append(ctx, buf[:0], e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeserializerDecode(b *testing.B) {
	reg := newMemRegistry(map[int]string{1: orderV1Schema, 2: orderV2Schema})
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		msg  []byte
	}{
		{"same-schema", wireOf(b, 1, &orderV1{ID: 123456, Name: "cafe 12 deadline"})},
		{"resolved-v2-to-v1", wireOf(b, 2, &orderV2{ID: 123456, Name: "cafe 12 deadline", Qty: 3, Note: ptr("n")})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d := serde.NewDeserializer(reg, serde.DeserializerConfig{})
			var e orderV1
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := d.Decode(ctx, bc.msg, &e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestUnknownIDIsRememberedBriefly(t *testing.T) {
	ctx := context.Background()
	msg := wireOf(t, 99, &orderV1{ID: 1})
	for _, tt := range []struct {
		ttl     time.Duration
		fetches int64
	}{{time.Hour, 1}, {-1, 5}} {
		reg := newMemRegistry(map[int]string{1: orderV1Schema})
		d := serde.NewDeserializer(reg, serde.DeserializerConfig{NotFoundTTL: tt.ttl})
		for i := 0; i < 5; i++ {
			var e orderV1
			if _, err := d.Decode(ctx, msg, &e); !errors.Is(err, registry.ErrSchemaNotFound) {
				t.Fatalf("ttl %v: err = %v, want ErrSchemaNotFound", tt.ttl, err)
			}
		}
		if n := reg.byID.Load(); n != tt.fetches {
			t.Errorf("ttl %v: %d fetches for five messages of an unknown id, want %d", tt.ttl, n, tt.fetches)
		}
	}
}
