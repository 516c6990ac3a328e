package serde

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// Serializer turns generated events into Confluent wire-format bytes. It is
// safe for concurrent use.
type Serializer struct {
	client       registry.Client
	autoRegister bool

	// ids maps contracts to schema ids. It is replaced, never changed, so
	// reads need no lock.
	ids atomic.Pointer[idTable]
	mu  sync.Mutex // serializes replacements of ids
}

// smallContracts is the number of contracts an idTable holds in an array
// scanned linearly (a pointer compare each) before it needs a map: a
// service publishes a handful of event types, and comparing a few pointers
// is several times cheaper than hashing one.
const smallContracts = 8

// idTable is an immutable contract → schema id table: the first
// smallContracts entries in an array, any more in a map.
type idTable struct {
	n     int
	small [smallContracts]idEntry
	more  map[*contract.Contract]int
}

type idEntry struct {
	c  *contract.Contract
	id int
}

// lookup returns the schema id of c, if the table has it.
func (t *idTable) lookup(c *contract.Contract) (int, bool) {
	for i := range t.small[:t.n] {
		if t.small[i].c == c {
			return t.small[i].id, true
		}
	}
	if t.more == nil {
		return 0, false
	}
	id, ok := t.more[c]
	return id, ok
}

// with returns a copy of t that maps c to id. A table of maxContracts
// entries starts afresh (generated code has a fixed, small set of
// contracts, so only misuse gets there).
func (t *idTable) with(c *contract.Contract, id int) *idTable {
	next := &idTable{}
	if t.n+len(t.more) < maxContracts {
		next.n, next.small = t.n, t.small
		if len(t.more) > 0 {
			next.more = make(map[*contract.Contract]int, len(t.more)+1)
			for k, v := range t.more {
				next.more[k] = v
			}
		}
	}
	if next.n < smallContracts {
		next.small[next.n] = idEntry{c, id}
		next.n++
		return next
	}
	if next.more == nil {
		next.more = make(map[*contract.Contract]int, 1)
	}
	next.more[c] = id
	return next
}

// SerializerConfig configures a Serializer. The zero value is the default.
type SerializerConfig struct {
	// AutoRegister makes the Serializer register a contract's schema under
	// its subject when the registry does not have it. Default false: CI
	// registers the schemas (eventctl register), and a service that
	// registers its own schemas bypasses the compatibility review.
	AutoRegister bool
}

// NewSerializer returns a Serializer that finds schema ids with client.
func NewSerializer(client registry.Client, cfg SerializerConfig) *Serializer {
	s := &Serializer{client: client, autoRegister: cfg.AutoRegister}
	s.ids.Store(&idTable{})
	return s
}

// Warm resolves the schema ids of the contracts now: it looks each schema up
// under its subject, with its references (the version of each referenced
// subject whose schema is the one the contract holds, looked up first), and
// registers what is missing only with SerializerConfig.AutoRegister,
// referenced schemas first. A missing
// subject or schema is an error here (matching registry.ErrSubjectNotFound
// or registry.ErrSchemaNotFound), as is an unreachable registry; call it at
// start-up so that a service that cannot publish fails before it takes
// traffic. The errors of all contracts are joined.
func (s *Serializer) Warm(ctx context.Context, contracts ...*contract.Contract) error {
	var errs []error
	for _, c := range contracts {
		if _, err := s.resolve(ctx, c); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Append appends the wire bytes (header + Avro body) of e to dst and returns
// the extended buffer and the schema id it used. After the contract is
// resolved (by Warm or a first call, which uses ctx) it makes no registry
// call and no allocation beyond dst growth. On error it returns dst
// unchanged.
func (s *Serializer) Append(ctx context.Context, dst []byte, e contract.Event) (out []byte, schemaID int, err error) {
	if e == nil {
		return dst, 0, fmt.Errorf("%w: nil event", ErrEncode)
	}
	c := e.Contract()
	id, ok := s.ids.Load().lookup(c)
	if !ok {
		if id, err = s.resolve(ctx, c); err != nil {
			return dst, 0, err
		}
	}
	out = wire.AppendHeader(dst, uint32(id))
	out, err = e.AppendAvro(out)
	if err != nil {
		return dst, 0, fmt.Errorf("%w: %s: %w", ErrEncode, c.Type, err)
	}
	return out, id, nil
}

// SchemaID returns the schema id resolved for c, if it is.
func (s *Serializer) SchemaID(c *contract.Contract) (id int, ok bool) {
	return s.ids.Load().lookup(c)
}

func (s *Serializer) resolve(ctx context.Context, c *contract.Contract) (int, error) {
	if c == nil {
		return 0, fmt.Errorf("%w: nil contract", ErrEncode)
	}
	if id, ok := s.ids.Load().lookup(c); ok {
		return id, nil
	}
	refs, err := s.referenceVersions(ctx, c.References)
	if err != nil {
		return 0, fmt.Errorf("serde: schema id of %s under subject %q: %w", c.Type, c.Subject, err)
	}
	id, err := s.lookup(ctx, c.Subject, c.Schema, refs)
	if err != nil {
		hint := ""
		if notRegistered(err) {
			hint = " (register it first with eventctl register, or set AutoRegister: serde.SerializerConfig.AutoRegister, producer.Config.Serde.AutoRegister)"
		}
		return 0, fmt.Errorf("serde: schema id of %s under subject %q: %w%s", c.Type, c.Subject, err, hint)
	}
	if id <= 0 || id > math.MaxUint32 {
		return 0, fmt.Errorf("serde: schema id of %s under subject %q: registry returned id %d, outside the wire format's range", c.Type, c.Subject, id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.ids.Load()
	if cur, ok := t.lookup(c); ok {
		// Another caller resolved c meanwhile; keep its id.
		return cur, nil
	}
	s.ids.Store(t.with(c, id))
	return id, nil
}

// lookup returns the id of schema with refs under subject, registering it
// with SerializerConfig.AutoRegister when the registry does not have it.
func (s *Serializer) lookup(ctx context.Context, subject, schema string, refs []registry.Reference) (int, error) {
	id, _, err := s.client.LookupID(ctx, subject, schema, refs...)
	if err != nil && s.autoRegister && notRegistered(err) {
		id, err = s.client.Register(ctx, subject, schema, refs...)
	}
	return id, err
}

func notRegistered(err error) bool {
	return errors.Is(err, registry.ErrSubjectNotFound) || errors.Is(err, registry.ErrSchemaNotFound)
}

// referenceVersions returns the registry references of a contract's
// references: the version of each subject whose schema is exactly the
// referenced schema (looked up with its own references, found the same
// way), registered first with SerializerConfig.AutoRegister when missing.
// The contract names no version: see contract.Reference.
func (s *Serializer) referenceVersions(ctx context.Context, refs []contract.Reference) ([]registry.Reference, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	out := make([]registry.Reference, 0, len(refs))
	for _, r := range refs {
		own, err := s.referenceVersions(ctx, r.References)
		if err != nil {
			return nil, err
		}
		_, version, err := s.client.LookupID(ctx, r.Subject, r.Schema, own...)
		if err != nil && s.autoRegister && notRegistered(err) {
			if _, err = s.client.Register(ctx, r.Subject, r.Schema, own...); err == nil {
				_, version, err = s.client.LookupID(ctx, r.Subject, r.Schema, own...)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("referenced type %s under subject %q: %w", r.Name, r.Subject, err)
		}
		out = append(out, registry.Reference{Name: r.Name, Subject: r.Subject, Version: version})
	}
	return out, nil
}
