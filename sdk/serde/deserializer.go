package serde

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lunchbot/eventkit/internal/cache"
	"github.com/lunchbot/eventkit/internal/flight"
	"github.com/lunchbot/eventkit/internal/resolved"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// Deserializer reads wire-format bytes into generated events. It is safe
// for concurrent use.
type Deserializer struct {
	client  registry.Client
	writers *cache.Cache[int, *schema.Parsed] // schema id → writer schema
	plans   *cache.Cache[planKey, *plan]      // (schema id, reader) → how to decode
	missing *cache.Cache[int, missingID]      // schema id → when the registry said it has none
	group   flight.Group[*plan]

	// hot holds the first readable plans Decode used, for lookups without
	// a lock or a hash. It is replaced, never changed; hotMu serializes
	// replacements.
	hot    atomic.Pointer[planTable]
	hotMu  sync.Mutex
	hotCap int

	notFoundTTL time.Duration
	now         func() time.Time
}

// missingID remembers a registry's "no such schema id" answer.
type missingID struct {
	at  time.Time
	err error
}

type planKey struct {
	id     int
	reader *contract.Contract
}

// maxHotPlans caps a Deserializer's table of hot plans: a consumer reads
// a few event types, each written with a version or two.
const maxHotPlans = 16

// planTable is an immutable table of plans scanned linearly: comparing an
// int and a pointer per entry is several times cheaper than hashing a
// (schema id, contract) key under a read lock, for the handful of pairs a
// consumer sees. It holds readable plans only (no incompatibility verdicts)
// of the plan cache: first come, first served, and a plan evicted from the
// cache leaves it too, so that the cache's bound holds and a pair the table
// had to drop can take the place again. Pairs that find it full use the
// cache.
type planTable struct {
	n       int
	entries [maxHotPlans]planEntry
}

type planEntry struct {
	reader *contract.Contract
	id     int
	p      *plan
}

// lookup returns the plan of (id, c), or nil.
func (t *planTable) lookup(id int, c *contract.Contract) *plan {
	for i := range t.entries[:t.n] {
		if e := &t.entries[i]; e.id == id && e.reader == c {
			return e.p
		}
	}
	return nil
}

// promote adds the readable plan p of (id, c) to the hot table, if it has
// room, does not have it yet, and the plan cache still does (checked under
// hotMu, which demote takes after an eviction, so an evicted plan cannot
// stay).
func (d *Deserializer) promote(id int, c *contract.Contract, p *plan) {
	if p.err != nil || d.hot.Load().n >= d.hotCap {
		return
	}
	d.hotMu.Lock()
	defer d.hotMu.Unlock()
	t := d.hot.Load()
	if t.n >= d.hotCap || t.lookup(id, c) != nil || !d.plans.Contains(planKey{id, c}) {
		return
	}
	next := *t
	next.entries[next.n] = planEntry{reader: c, id: id, p: p}
	next.n++
	d.hot.Store(&next)
}

// demote removes the plan of k from the hot table, when the plan cache
// evicted it.
func (d *Deserializer) demote(k planKey) {
	// Always under the lock (evictions are rare: each follows a new plan),
	// so that a promote that saw k in the cache before the eviction has
	// stored it by now.
	d.hotMu.Lock()
	defer d.hotMu.Unlock()
	t := d.hot.Load()
	if t.lookup(k.id, k.reader) == nil {
		return
	}
	next := &planTable{}
	for _, e := range t.entries[:t.n] {
		if e.id != k.id || e.reader != k.reader {
			next.entries[next.n] = e
			next.n++
		}
	}
	d.hot.Store(next)
}

// plan says how to decode messages of one writer schema id into one event
// type.
type plan struct {
	fast     bool             // same Parsing Canonical Form: decode directly
	resolver *schema.Resolver // otherwise: transcode to the reader's schema first
	err      error            // the writer cannot be read as the reader (ErrSchemaMismatch)
}

// DeserializerConfig configures a Deserializer. The zero value is the
// default.
type DeserializerConfig struct {
	// CacheSize is the number of entries of each of the Deserializer's
	// caches: writer schemas by id, and decoding plans by (schema id, event
	// type). Default: DefaultCacheSize.
	CacheSize int
	// NotFoundTTL is how long the Deserializer remembers that the registry
	// has no schema of some id: messages of that id fail with
	// registry.ErrSchemaNotFound without asking again meanwhile, so that a
	// burst of messages with a bad id does not become a burst of registry
	// requests. Keep it short: a registry replica may learn a new id a
	// moment after the producer used it. Negative disables it. Default:
	// DefaultNotFoundTTL.
	NotFoundTTL time.Duration
}

// DefaultNotFoundTTL is the default of DeserializerConfig.NotFoundTTL.
const DefaultNotFoundTTL = time.Second

// NewDeserializer returns a Deserializer that fetches writer schemas with
// client.
func NewDeserializer(client registry.Client, cfg DeserializerConfig) *Deserializer {
	n := cfg.CacheSize
	if n <= 0 {
		n = DefaultCacheSize
	}
	d := &Deserializer{client: client, notFoundTTL: cfg.NotFoundTTL, now: time.Now, hotCap: min(n, maxHotPlans)}
	if d.notFoundTTL == 0 {
		d.notFoundTTL = DefaultNotFoundTTL
	}
	d.writers = cache.New[int, *schema.Parsed](n, nil)
	d.plans = cache.New[planKey, *plan](n, d.demote)
	d.missing = cache.New[int, missingID](n, nil)
	d.hot.Store(&planTable{})
	return d
}

// Decode decodes msg into dst (dst.Contract() is the reader's schema) and
// returns the writer's schema id. It reads the id, fetches and caches the
// writer's schema, decodes with the generated fast path when the writer's
// schema is the reader's (same Parsing Canonical Form), and through Avro
// schema resolution when the writer used an older or newer compatible
// version, applying the reader's defaults. The plan for a (writer id,
// reader type) pair is built once.
//
// Errors match wire.ErrTooShort or wire.ErrBadMagic (not a wire-format
// message), registry.ErrSchemaNotFound (unknown id) or another registry
// error, ErrSchemaMismatch (the writer's schema cannot be read as dst's), or
// ErrDecode (the body does not decode). The schema id is returned whenever
// the header parsed.
func (d *Deserializer) Decode(ctx context.Context, msg []byte, dst contract.Event) (schemaID int, err error) {
	id32, body, err := wire.Parse(msg)
	if err != nil {
		return 0, fmt.Errorf("serde: %w", err)
	}
	id := int(id32)
	if dst == nil {
		return id, fmt.Errorf("%w: nil destination event", ErrDecode)
	}
	c := dst.Contract()
	p := d.hot.Load().lookup(id, c)
	if p == nil {
		var ok bool
		if p, ok = d.plans.Get(planKey{id, c}); !ok {
			if p, err = d.plan(ctx, id, c); err != nil {
				return id, err
			}
		}
		d.promote(id, c, p)
	}
	if p.err != nil {
		return id, p.err
	}
	if p.fast {
		return id, unmarshal(dst, body, c, id)
	}
	// The transcoded body goes to a pooled buffer: UnmarshalAvro, like
	// encoding.BinaryUnmarshaler, must copy what it keeps of its input (the
	// generated decoders do).
	bp := transcodeBufs.Get().(*[]byte)
	buf, err := p.resolver.Transcode((*bp)[:0], body)
	if err == nil {
		err = unmarshal(dst, buf, c, id)
	} else {
		err = fmt.Errorf("%w: %s with schema id %d: %w", ErrDecode, c.Type, id, err)
	}
	if cap(buf) <= maxPooledBuffer {
		*bp = buf[:0]
		transcodeBufs.Put(bp)
	}
	return id, err
}

// maxPooledBuffer bounds the buffers kept for transcoding, so that one huge
// message does not stay in memory.
const maxPooledBuffer = 64 << 10

var transcodeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// unmarshal runs the generated decoder, turning a panic (a bug there) into
// an error so that no input crashes a consumer. Also on the fast path,
// although the generated decoders are fuzzed: a consumer does not recover
// around Decode, so a decoder bug would crash it on every redelivery of the
// message, and contract.Event may be implemented by hand. (BENCHMARKS.md
// says what the deferred recover costs.)
func unmarshal(dst contract.Event, body []byte, c *contract.Contract, id int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s with schema id %d: decoder panicked: %v", ErrDecode, c.Type, id, r)
		}
	}()
	if err := dst.UnmarshalAvro(body); err != nil {
		return fmt.Errorf("%w: %s with schema id %d: %w", ErrDecode, c.Type, id, err)
	}
	return nil
}

// plan builds (once for concurrent callers) and caches the plan for
// messages of schema id read as c. Registry errors are not cached;
// incompatibility verdicts are.
func (d *Deserializer) plan(ctx context.Context, id int, c *contract.Contract) (*plan, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: event has a nil contract", ErrDecode)
	}
	key := strconv.Itoa(id) + "/" + fmt.Sprintf("%p", c)
	p, err := d.group.Do(ctx, key, func(ctx context.Context) (*plan, error) {
		if p, ok := d.plans.Get(planKey{id, c}); ok {
			return p, nil
		}
		w, err := d.writer(ctx, id)
		if err != nil {
			return nil, err
		}
		p := buildPlan(w, c, id)
		d.plans.Put(planKey{id, c}, p)
		return p, nil
	})
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("serde: schema id %d: %w", id, err)
	}
	return p, err
}

func (d *Deserializer) writer(ctx context.Context, id int) (*schema.Parsed, error) {
	if w, ok := d.writers.Get(id); ok {
		return w, nil
	}
	if m, ok := d.missing.Get(id); ok && d.now().Sub(m.at) < d.notFoundTTL {
		return nil, m.err
	}
	s, err := d.client.SchemaByID(ctx, id)
	if err != nil {
		err = fmt.Errorf("serde: writer schema id %d: %w", id, err)
		if d.notFoundTTL > 0 && errors.Is(err, registry.ErrSchemaNotFound) {
			d.missing.Put(id, missingID{at: d.now(), err: err})
		}
		return nil, err
	}
	// With the schemas its references name, fetched by subject and version
	// (cached by the client).
	w, err := resolved.Parse(ctx, d.client, s)
	if err != nil && !errors.Is(err, schema.ErrInvalid) {
		return nil, fmt.Errorf("serde: writer schema id %d: %w", id, err)
	}
	if err != nil {
		// Not an Avro schema (a JSON Schema or Protobuf id, say): no Avro
		// reader can read it.
		return nil, fmt.Errorf("%w: schema id %d is not an Avro schema: %w", ErrSchemaMismatch, id, err)
	}
	d.writers.Put(id, w)
	return w, nil
}

func buildPlan(w *schema.Parsed, c *contract.Contract, id int) *plan {
	canonical := c.Canonical
	var reader *schema.Parsed
	if canonical == "" {
		r, err := readerSchema(c)
		if err != nil {
			return &plan{err: err}
		}
		reader, canonical = r, r.Canonical()
	}
	if w.Canonical() == canonical {
		return &plan{fast: true}
	}
	if reader == nil {
		r, err := readerSchema(c)
		if err != nil {
			return &plan{err: err}
		}
		reader = r
	}
	res, err := schema.NewResolver(w, reader)
	if err != nil {
		return &plan{err: fmt.Errorf("%w: schema id %d read as %s (%s): %w", ErrSchemaMismatch, id, c.Type, c.Name, err)}
	}
	return &plan{resolver: res}
}

// readerSchema parses the event's schema with the schemas of its
// references.
func readerSchema(c *contract.Contract) (*schema.Parsed, error) {
	var refs []schema.Reference
	for _, r := range c.Dependencies() {
		refs = append(refs, schema.Reference{Name: r.Name, Text: r.Schema})
	}
	r, err := schema.ParseWithReferences(c.Schema, refs)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: the event's own schema does not parse: %w", ErrSchemaMismatch, c.Type, err)
	}
	return r, nil
}

// WriterName returns the full name of the named type (record, enum or
// fixed) msg was written with, fetching the writer schema once as Decode
// does; "" for a writer schema that is not a named type. A consumer that
// gets a message without an event-type header routes it by this name.
func (d *Deserializer) WriterName(ctx context.Context, msg []byte) (string, error) {
	id32, _, err := wire.Parse(msg)
	if err != nil {
		return "", fmt.Errorf("serde: %w", err)
	}
	w, err := d.writer(ctx, int(id32))
	if err != nil {
		return "", err
	}
	return w.Root.Name, nil
}

// CachedWriterName is WriterName for a writer schema already fetched: it
// never calls the registry, and reports false when it would have to.
func (d *Deserializer) CachedWriterName(msg []byte) (string, bool) {
	id32, _, err := wire.Parse(msg)
	if err != nil {
		return "", false
	}
	w, ok := d.writers.Get(int(id32))
	if !ok {
		return "", false
	}
	return w.Root.Name, true
}
