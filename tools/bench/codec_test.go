package bench

// Encoding to wire bytes (the 5-byte Confluent header and the Avro body) and
// decoding them back, per record, per implementation. Every implementation
// encodes the same event and decodes the same bytes; TestCodecs checks that
// they do before any figure is trusted.

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	confluentserde "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/avrov2"
	"github.com/google/go-cmp/cmp"
	"github.com/hamba/avro/v2"
	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
	"github.com/lunchbot/eventkit/sdk/serde"
	"github.com/lunchbot/eventkit/sdk/wire"
	"github.com/lunchbot/eventkit/tools/bench/benchevents"
)

// The implementations, as named in the benchmarks (impl=...).
const (
	implSerde       = "eventkit-serde"   // serde.Serializer.Append / Deserializer.Decode (header included)
	implBody        = "eventkit-body"    // the generated AppendAvro / UnmarshalAvro (no header)
	implHand        = "hand"             // hand-written, header included: the floor
	implHandBody    = "hand-body"        // hand-written, no header
	implMemcpy      = "memcpy"           // a copy of the same wire bytes: the reference
	implHambaMarsh  = "hamba-marshal"    // avro.Marshal / avro.Unmarshal, header appended
	implHambaReuse  = "hamba-reused"     // a reused avro.Encoder / avro.Reader
	implGoavro      = "goavro"           // goavro's BinaryFromNative / NativeFromBinary, reused map
	implConfluent   = "confluent-avrov2" // confluent-kafka-go avrov2 Serialize / DeserializeInto, mock registry
	implFranzSerde  = "franz-sr"         // franz-go sr.Serde with hamba/avro's Marshal / Unmarshal
	benchRegistryID = "mock://eventkit-bench"
)

// env holds every implementation's state, built once per test or benchmark.
type env struct {
	ser   *serde.Serializer
	deser *serde.Deserializer
	ids   map[*contract.Contract]uint32

	cser   *avrov2.Serializer
	cdeser *avrov2.Deserializer

	franz *sr.Serde
}

var contracts = []*contract.Contract{
	events.DeadlinePassedContract,
	events.DailyTaskContract,
	(*benchevents.OrderPlaced)(nil).Contract(),
}

// newEnv registers the three schemas in the project's in-process registry
// fake and in confluent-kafka-go's mock registry, and warms both
// serializers up (no registry call is left in the measured loops).
func newEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	fake := registrytest.NewServer(tb)
	e := &env{ids: map[*contract.Contract]uint32{}, franz: sr.NewSerde()}
	for _, c := range contracts {
		e.ids[c] = uint32(fake.Register(c.Subject, c.Schema))
	}
	client, err := registry.New(registry.Config{URLs: []string{fake.URL()}})
	if err != nil {
		tb.Fatal(err)
	}
	e.ser = serde.NewSerializer(client, serde.SerializerConfig{})
	if err := e.ser.Warm(ctx, contracts...); err != nil {
		tb.Fatal(err)
	}
	e.deser = serde.NewDeserializer(client, serde.DeserializerConfig{})

	cc, err := schemaregistry.NewClient(schemaregistry.NewConfig(benchRegistryID))
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range contracts {
		if _, err := cc.Register(c.Subject, schemaregistry.SchemaInfo{Schema: c.Schema}, false); err != nil {
			tb.Fatal(err)
		}
	}
	// The registered schema, looked up once and cached by the client: the
	// exact .avsc, as eventkit uses it, not one derived from the Go struct.
	sc := avrov2.NewSerializerConfig()
	sc.AutoRegisterSchemas = false
	sc.UseLatestVersion = true
	if e.cser, err = avrov2.NewSerializer(cc, confluentserde.ValueSerde, sc); err != nil {
		tb.Fatal(err)
	}
	if e.cdeser, err = avrov2.NewDeserializer(cc, confluentserde.ValueSerde, avrov2.NewDeserializerConfig()); err != nil {
		tb.Fatal(err)
	}
	return e
}

type encImpl struct {
	name string
	fn   func(dst []byte) ([]byte, error)
}

type decImpl struct {
	name string
	in   []byte                // the message it decodes
	fn   func(in []byte) error // decodes in into its destination
	got  func() any            // the destination, for TestCodecs
	want any                   // what the destination should hold
}

// addAlternatives adds the libraries' encoders and decoders: hv is the
// event as a hamba struct, hp points to the hamba decoders' destination
// (reset zeroes it), native is goavro's form of the event.
func (e *env) addAlternatives(tb testing.TB, r *record, hv, hp any, reset func(), native map[string]any) {
	tb.Helper()
	c := r.contract
	id := e.ids[c]
	schema, err := avro.Parse(c.Schema)
	if err != nil {
		tb.Fatal(err)
	}
	codec, err := goavro.NewCodec(c.Schema)
	if err != nil {
		tb.Fatal(err)
	}
	e.franz.Register(int(id), hv,
		sr.EncodeFn(func(v any) ([]byte, error) { return avro.Marshal(schema, v) }),
		sr.DecodeFn(func(b []byte, v any) error { return avro.Unmarshal(schema, b, v) }))

	// avrov2 serializes from a pointer.
	hvp := newPointerTo(hv)
	cwire, err := e.cser.Serialize(c.Topic, hvp)
	if err != nil {
		tb.Fatalf("%s: confluent avrov2 Serialize: %v", r.name, err)
	}

	var out bytes.Buffer
	enc := avro.NewEncoderForSchema(schema, &out)
	r.enc = append(r.enc,
		encImpl{implHambaMarsh, func(dst []byte) ([]byte, error) {
			body, err := avro.Marshal(schema, hv)
			if err != nil {
				return dst, err
			}
			return append(wire.AppendHeader(dst, id), body...), nil
		}},
		encImpl{implHambaReuse, func(dst []byte) ([]byte, error) {
			out.Reset()
			out.Write(wire.AppendHeader(out.AvailableBuffer(), id))
			if err := enc.Encode(hv); err != nil {
				return dst, err
			}
			return append(dst, out.Bytes()...), nil
		}},
		encImpl{implGoavro, func(dst []byte) ([]byte, error) {
			return codec.BinaryFromNative(wire.AppendHeader(dst, id), native)
		}},
		encImpl{implConfluent, func(dst []byte) ([]byte, error) {
			b, err := e.cser.Serialize(c.Topic, hvp)
			return append(dst, b...), err
		}},
		encImpl{implFranzSerde, func(dst []byte) ([]byte, error) {
			return e.franz.AppendEncode(dst, hv)
		}},
	)

	reader := avro.NewReader(nil, 0)
	var gotNative any
	r.dec = append(r.dec,
		decImpl{name: implHambaMarsh, in: r.wire, fn: func(in []byte) error {
			reset()
			if _, _, err := wire.Parse(in); err != nil {
				return err
			}
			return avro.Unmarshal(schema, in[wire.HeaderSize:], hp)
		}, got: func() any { return hp }, want: hvp},
		decImpl{name: implHambaReuse, in: r.wire, fn: func(in []byte) error {
			reset()
			if _, _, err := wire.Parse(in); err != nil {
				return err
			}
			reader.Error = nil
			reader.Reset(in[wire.HeaderSize:])
			reader.ReadVal(schema, hp)
			return reader.Error
		}, got: func() any { return hp }, want: hvp},
		decImpl{name: implGoavro, in: r.wire, fn: func(in []byte) error {
			if _, _, err := wire.Parse(in); err != nil {
				return err
			}
			v, rest, err := codec.NativeFromBinary(in[wire.HeaderSize:])
			if err == nil && len(rest) != 0 {
				err = fmt.Errorf("goavro: %d trailing bytes", len(rest))
			}
			gotNative = v
			return err
		}, got: func() any { return gotNative }, want: native},
		decImpl{name: implConfluent, in: cwire, fn: func(in []byte) error {
			reset()
			return e.cdeser.DeserializeInto(c.Topic, in, hp)
		}, got: func() any { return hp }, want: hvp},
		decImpl{name: implFranzSerde, in: r.wire, fn: func(in []byte) error {
			reset()
			return e.franz.Decode(in, hp)
		}, got: func() any { return hp }, want: hvp},
	)
}

// handHeader appends the wire header as a hand-written producer would.
func handHeader(dst []byte, id uint32) []byte {
	return binary.BigEndian.AppendUint32(append(dst, 0), id)
}

// handParse checks the wire header as a hand-written consumer of one schema
// would.
func handParse(msg []byte, id uint32) ([]byte, error) {
	if len(msg) < 5 || msg[0] != 0 || binary.BigEndian.Uint32(msg[1:5]) != id {
		return nil, errHand
	}
	return msg[5:], nil
}

// TestCodecs checks that every implementation encodes the same event (the
// bytes decode, with the generated decoder, to the event; where map order
// cannot differ they are the same bytes) and decodes the same bytes to it.
func TestCodecs(t *testing.T) {
	e := newEnv(t)
	for _, r := range e.records(t) {
		for _, im := range r.enc {
			t.Run("encode/"+r.name+"/"+im.name, func(t *testing.T) {
				out, err := im.fn(make([]byte, 0, 8))
				if err != nil {
					t.Fatal(err)
				}
				if im.name == implBody || im.name == implHandBody {
					out = append(wire.AppendHeader(nil, e.ids[r.contract]), out...)
				}
				if im.name == implConfluent {
					// Its own registry's id: compare the body.
					out = append(wire.AppendHeader(nil, e.ids[r.contract]), out[wire.HeaderSize:]...)
				}
				if r.name != "order" && !bytes.Equal(out, r.wire) {
					t.Errorf("bytes = %x, want %x", out, r.wire)
				}
				var back contract.Event
				switch r.name {
				case "deadline":
					back = new(events.DeadlinePassed)
				case "daily":
					back = new(events.DailyTask)
				default:
					back = new(benchevents.OrderPlaced)
				}
				if _, err := e.deser.Decode(context.Background(), out, back); err != nil {
					t.Fatalf("decoding %x: %v", out, err)
				}
				if diff := cmp.Diff(r.event, back); diff != "" {
					t.Errorf("decoded (-want +got):\n%s", diff)
				}
			})
		}
		for _, im := range r.dec {
			t.Run("decode/"+r.name+"/"+im.name, func(t *testing.T) {
				if err := im.fn(im.in); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(im.want, im.got()); diff != "" {
					t.Errorf("decoded (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestHandDecodersRefuseBadInput checks the floor does the checks it claims:
// a truncated or extended message is an error, not a panic or a value.
func TestHandDecodersRefuseBadInput(t *testing.T) {
	e := newEnv(t)
	for _, r := range e.records(t) {
		for _, im := range r.dec {
			if im.name != implHand {
				continue
			}
			for cut := range len(im.in) {
				if err := im.fn(im.in[:cut]); err == nil {
					t.Errorf("%s: %d of %d bytes decoded without error", r.name, cut, len(im.in))
				}
			}
			if err := im.fn(append(bytes.Clone(im.in), 0)); err == nil {
				t.Errorf("%s: a trailing byte decoded without error", r.name)
			}
		}
	}
}

// BenchmarkEncode encodes one event to wire bytes per op, into a reused
// buffer where the API takes one.
func BenchmarkEncode(b *testing.B) {
	e := newEnv(b)
	for _, r := range e.records(b) {
		for _, im := range r.enc {
			b.Run("rec="+r.name+"/impl="+im.name, func(b *testing.B) {
				buf := make([]byte, 0, 1024)
				var err error
				b.ReportAllocs()
				b.SetBytes(int64(len(r.wire)))
				for b.Loop() {
					if buf, err = im.fn(buf[:0]); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDecode decodes one message per op into a zeroed destination.
func BenchmarkDecode(b *testing.B) {
	e := newEnv(b)
	for _, r := range e.records(b) {
		for _, im := range r.dec {
			b.Run("rec="+r.name+"/impl="+im.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(r.wire)))
				for b.Loop() {
					if err := im.fn(im.in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
