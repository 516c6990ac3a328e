package serde_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// Hand-written events standing in for generated code: two versions of an
// order record, and an unrelated record.

const (
	orderV1Schema = `{"type":"record","name":"Order","namespace":"t","fields":[
		{"name":"id","type":"long"},
		{"name":"name","type":"string"}]}`
	orderV2Schema = `{"type":"record","name":"Order","namespace":"t","fields":[
		{"name":"id","type":"long"},
		{"name":"name","type":"string"},
		{"name":"qty","type":"int","default":1},
		{"name":"note","type":["null","string"],"default":null}]}`
	otherSchema = `{"type":"record","name":"Other","namespace":"t","fields":[{"name":"id","type":"long"}]}`
)

func newContract(typ, topic, text string) *contract.Contract {
	p := schema.MustParse(text)
	return &contract.Contract{
		Type: typ, Name: p.Root.Name, Topic: topic, Subject: topic + "-value",
		Compatibility: contract.Backward, KeyField: "id", Schema: text,
		Canonical: p.Canonical(), CRC64: p.CRC64(), SHA256: p.SHA256(),
	}
}

var (
	orderV1Contract = newContract("order", "orders", orderV1Schema)
	orderV2Contract = newContract("order", "orders", orderV2Schema)
	otherContract   = newContract("other", "others", otherSchema)
)

type orderV1 struct {
	ID   int64
	Name string
}

type orderV2 struct {
	ID   int64
	Name string
	Qty  int32
	Note *string
}

type other struct{ ID int64 }

var errInvalid = errors.New("invalid event")

func (o *orderV1) Contract() *contract.Contract { return orderV1Contract }
func (o *orderV1) AppendAvro(dst []byte) ([]byte, error) {
	if err := o.Validate(); err != nil {
		return dst, err
	}
	dst = binary.AppendVarint(dst, o.ID)
	return appendString(dst, o.Name), nil
}
func (o *orderV1) UnmarshalAvro(src []byte) error {
	r := avroReader{b: src}
	o.ID, o.Name = r.long(), r.str()
	return r.done()
}
func (o *orderV1) AppendKey(dst []byte) []byte { return strconv.AppendInt(dst, o.ID, 10) }
func (o *orderV1) Validate() error {
	if o.ID < 0 {
		return fmt.Errorf("%w: negative id", errInvalid)
	}
	return nil
}

func (o *orderV2) Contract() *contract.Contract { return orderV2Contract }
func (o *orderV2) AppendAvro(dst []byte) ([]byte, error) {
	dst = binary.AppendVarint(dst, o.ID)
	dst = appendString(dst, o.Name)
	dst = binary.AppendVarint(dst, int64(o.Qty))
	if o.Note == nil {
		return append(dst, 0), nil
	}
	return appendString(append(dst, 2), *o.Note), nil
}
func (o *orderV2) UnmarshalAvro(src []byte) error {
	r := avroReader{b: src}
	o.ID, o.Name, o.Qty = r.long(), r.str(), int32(r.long())
	switch r.long() {
	case 0:
		o.Note = nil
	case 1:
		s := r.str()
		o.Note = &s
	default:
		r.fail()
	}
	return r.done()
}
func (o *orderV2) AppendKey(dst []byte) []byte { return strconv.AppendInt(dst, o.ID, 10) }
func (o *orderV2) Validate() error             { return nil }

func (o *other) Contract() *contract.Contract { return otherContract }
func (o *other) AppendAvro(dst []byte) ([]byte, error) {
	return binary.AppendVarint(dst, o.ID), nil
}
func (o *other) UnmarshalAvro(src []byte) error {
	r := avroReader{b: src}
	o.ID = r.long()
	return r.done()
}
func (o *other) AppendKey(dst []byte) []byte { return strconv.AppendInt(dst, o.ID, 10) }
func (o *other) Validate() error             { return nil }

func appendString(dst []byte, s string) []byte {
	return append(binary.AppendVarint(dst, int64(len(s))), s...)
}

// avroReader reads Avro primitives; the first error sticks.
type avroReader struct {
	b   []byte
	bad bool
}

var errMalformed = errors.New("malformed")

func (r *avroReader) fail() { r.bad = true }

func (r *avroReader) long() int64 {
	if r.bad {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *avroReader) str() string {
	n := r.long()
	if r.bad || n < 0 || n > int64(len(r.b)) {
		r.bad = true
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *avroReader) done() error {
	if r.bad || len(r.b) != 0 {
		return errMalformed
	}
	return nil
}

// memRegistry is an in-memory registry.Client for fuzzing and benchmarks
// (the HTTP fake is used elsewhere). It counts SchemaByID calls.
type memRegistry struct {
	mu      sync.Mutex
	texts   map[int]string
	byID    atomic.Int64
	lookups atomic.Int64
}

func newMemRegistry(texts map[int]string) *memRegistry { return &memRegistry{texts: texts} }

func (m *memRegistry) LookupID(ctx context.Context, subject, text string, _ ...registry.Reference) (int, int, error) {
	m.lookups.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, t := range m.texts {
		if t == text {
			return id, 1, nil
		}
	}
	return 0, 0, fmt.Errorf("lookup: %w", registry.ErrSubjectNotFound)
}
func (m *memRegistry) Register(ctx context.Context, subject, text string, _ ...registry.Reference) (int, error) {
	return 0, errNotInFake
}
func (m *memRegistry) SchemaByID(ctx context.Context, id int) (registry.Schema, error) {
	m.byID.Add(1)
	if err := ctx.Err(); err != nil {
		return registry.Schema{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.texts[id]
	if !ok {
		return registry.Schema{}, fmt.Errorf("id %d: %w", id, registry.ErrSchemaNotFound)
	}
	return registry.Schema{ID: id, Text: t}, nil
}

// The serde never calls the rest of registry.Client: the fake refuses, so
// a change that starts calling them fails here instead of passing on made-up
// answers.
var errNotInFake = errors.New("memRegistry: not implemented by this fake")

func (m *memRegistry) Versions(context.Context, string) ([]int, error) { return nil, errNotInFake }
func (m *memRegistry) SchemaByVersion(context.Context, string, int) (registry.Schema, error) {
	return registry.Schema{}, errNotInFake
}
func (m *memRegistry) Compatibility(context.Context, string) (contract.Compatibility, error) {
	return "", errNotInFake
}
func (m *memRegistry) SetCompatibility(context.Context, string, contract.Compatibility) error {
	return errNotInFake
}
func (m *memRegistry) CheckCompatibility(context.Context, string, string, ...registry.Reference) (bool, []string, error) {
	return false, nil, errNotInFake
}
func (m *memRegistry) SubjectCompatibility(context.Context, string) (contract.Compatibility, bool, error) {
	return "", false, errNotInFake
}
func (m *memRegistry) CheckCompatibilityAll(context.Context, string, string, ...registry.Reference) (bool, []string, error) {
	return false, nil, errNotInFake
}

func wireHeader(id int) []byte {
	return []byte{0, byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)}
}
