package serde

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// Deserializer reads wire-format bytes into generated events. It is safe
// for concurrent use.
type Deserializer struct {
	client  registry.Client
	writers *cache[int, *schema.Parsed] // schema id → writer schema
	plans   *cache[planKey, *plan]      // (schema id, reader) → how to decode
	missing *cache[int, missingID]      // schema id → when the registry said it has none
	group   singleflight.Group

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
	if t.n >= d.hotCap || t.lookup(id, c) != nil || !d.plans.contains(planKey{id, c}) {
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
	err      error            // the writer cannot be read as the reader (ErrIncompatible)
}

// DeserializerOption configures a Deserializer.
type DeserializerOption func(*Deserializer)

// WithCacheSize sets the number of entries of each of the Deserializer's
// caches: writer schemas by id, and decoding plans by (schema id, event
// type). Default: DefaultCacheSize.
func WithCacheSize(n int) DeserializerOption {
	return func(d *Deserializer) {
		d.writers, d.plans, d.missing = newCache[int, *schema.Parsed](n), newCache[planKey, *plan](n), newCache[int, missingID](n)
		d.plans.onEvict = d.demote
		d.hotCap = min(max(n, 1), maxHotPlans)
	}
}

// DefaultNotFoundTTL is how long a Deserializer remembers, by default, that
// the registry has no schema of some id.
const DefaultNotFoundTTL = time.Second

// WithNotFoundTTL sets how long the Deserializer remembers that the
// registry has no schema of some id: messages of that id fail with
// registry.ErrSchemaNotFound without asking again meanwhile, so that a burst
// of messages with a bad id does not become a burst of registry requests.
// Keep it short: a registry replica may learn a new id a moment after the
// producer used it. Zero disables it. Default: DefaultNotFoundTTL (1s).
func WithNotFoundTTL(d time.Duration) DeserializerOption {
	return func(des *Deserializer) { des.notFoundTTL = d }
}

// NewDeserializer returns a Deserializer that fetches writer schemas with
// client.
func NewDeserializer(client registry.Client, opts ...DeserializerOption) *Deserializer {
	d := &Deserializer{client: client, notFoundTTL: DefaultNotFoundTTL, now: time.Now}
	WithCacheSize(DefaultCacheSize)(d)
	for _, o := range opts {
		o(d)
	}
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
// error, ErrIncompatible (the writer's schema cannot be read as dst's), or
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
		if p, ok = d.plans.get(planKey{id, c}); !ok {
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
	for {
		ch := d.group.DoChan(key, func() (any, error) {
			if p, ok := d.plans.get(planKey{id, c}); ok {
				return p, nil
			}
			w, err := d.writer(ctx, id)
			if err != nil {
				return nil, err
			}
			p := buildPlan(w, c, id)
			d.plans.put(planKey{id, c}, p)
			return p, nil
		})
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("serde: schema id %d: %w", id, ctx.Err())
		case r := <-ch:
			if r.Err != nil {
				if ctx.Err() == nil && (errors.Is(r.Err, context.Canceled) || errors.Is(r.Err, context.DeadlineExceeded)) {
					// The caller that led the shared fetch gave up; fetch
					// again with this caller's context.
					continue
				}
				return nil, r.Err
			}
			return r.Val.(*plan), nil
		}
	}
}

func (d *Deserializer) writer(ctx context.Context, id int) (*schema.Parsed, error) {
	if w, ok := d.writers.get(id); ok {
		return w, nil
	}
	if m, ok := d.missing.get(id); ok && d.now().Sub(m.at) < d.notFoundTTL {
		return nil, m.err
	}
	text, err := d.client.SchemaByID(ctx, id)
	if err != nil {
		err = fmt.Errorf("serde: writer schema id %d: %w", id, err)
		if d.notFoundTTL > 0 && errors.Is(err, registry.ErrSchemaNotFound) {
			d.missing.put(id, missingID{at: d.now(), err: err})
		}
		return nil, err
	}
	w, err := schema.Parse(text)
	if err != nil {
		// Not an Avro schema (a JSON Schema or Protobuf id, say): no Avro
		// reader can read it.
		return nil, fmt.Errorf("%w: schema id %d is not an Avro schema: %w", ErrIncompatible, id, err)
	}
	d.writers.put(id, w)
	return w, nil
}

func buildPlan(w *schema.Parsed, c *contract.Contract, id int) *plan {
	canonical := c.Canonical
	var reader *schema.Parsed
	if canonical == "" {
		r, err := schema.Parse(c.Schema)
		if err != nil {
			return &plan{err: fmt.Errorf("%w: %s: the event's own schema does not parse: %w", ErrIncompatible, c.Type, err)}
		}
		reader, canonical = r, r.Canonical()
	}
	if w.Canonical() == canonical {
		return &plan{fast: true}
	}
	if reader == nil {
		r, err := schema.Parse(c.Schema)
		if err != nil {
			return &plan{err: fmt.Errorf("%w: %s: the event's own schema does not parse: %w", ErrIncompatible, c.Type, err)}
		}
		reader = r
	}
	res, err := schema.NewResolver(w, reader)
	if err != nil {
		return &plan{err: fmt.Errorf("%w: schema id %d read as %s (%s): %w", ErrIncompatible, id, c.Type, c.Name, err)}
	}
	return &plan{resolver: res}
}
