package schema

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrUnresolvable is matched (errors.Is) by NewResolver's error when data
// written with the writer schema cannot be read with the reader schema under
// the Avro specification's schema resolution rules.
var ErrUnresolvable = errors.New("schema: writer schema cannot be resolved to the reader schema")

// Resolver turns the Avro binary encoding of a value of a writer schema into
// the encoding of the same value read with a reader schema, applying the
// specification's schema resolution: record fields matched by name or reader
// alias, writer fields the reader lacks dropped, reader fields the writer
// lacks set to their defaults, numeric and string/bytes promotions, enum
// symbols mapped by name (to the reader's default symbol for an unknown
// one), union branches matched. The output is what an encoder of the reader
// schema would write, so code that only knows the reader schema (generated
// decoders) can read it.
//
// Resolution is checked in full when the Resolver is built: NewResolver
// fails on any writer branch, symbol or field the reader cannot take, even
// one a given message may not use. A Resolver is immutable and safe for
// concurrent use; building one costs far more than using it, so keep it.
//
// The Resolver is written against the project's schema model rather than
// hamba/avro's resolution, which decodes into generic values (allocating
// per message) and loses the reader's union branch on the way back.
type Resolver struct {
	prog *node
}

type op uint8

const (
	opNull op = iota
	opBool
	opInt         // int to int
	opIntToLong   // int to long
	opIntToFloat  // int to float
	opIntToDouble // int to double
	opLong        // long to long
	opLongToFloat
	opLongToDouble
	opFloatToDouble
	opCopy  // float to float, double to double, fixed to fixed: size bytes
	opBytes // string or bytes to string or bytes
	opEnum
	opArray
	opMap
	opRecord
	opUnion   // writer union, to a union (readerIdx ≥ 0) or not
	opToUnion // writer non-union to a reader union branch
)

type node struct {
	op op

	size int // opCopy

	enumMap []int64 // enum: reader index of each writer symbol

	elem *node // array items, map values

	// record
	steps      []recStep // in writer order
	tail       [][]byte  // streaming: defaults after the last writer field
	stream     bool      // the writer's fields come in the reader's order
	nReader    int
	defaults   [][]byte // reorder: per reader field, its default (source < 0)
	source     []int    // reorder: per reader field, the step that writes it, or -1
	readerName string

	branches []branch // opUnion: per writer branch
	to       branch   // opToUnion
}

type branch struct {
	readerIdx int64 // -1: the reader is not a union
	node      *node
}

type recStep struct {
	node      *node   // nil: skip the writer field
	skip      *Schema // the writer field's schema, to skip it
	readerPos int
	pre       [][]byte // streaming: defaults of reader fields before this one
}

// NewResolver returns the resolver from writer to reader. Its error matches
// ErrUnresolvable and names the first place where resolution fails.
func NewResolver(writer, reader *Parsed) (*Resolver, error) {
	if writer == nil || reader == nil || writer.Root == nil || reader.Root == nil {
		return nil, fmt.Errorf("%w: nil schema", ErrUnresolvable)
	}
	b := &builder{memo: map[[2]*Schema]*node{}}
	n, err := b.build(writer.Root, reader.Root, typeLabel(reader.Root))
	if err != nil {
		return nil, err
	}
	return &Resolver{prog: n}, nil
}

type builder struct {
	memo map[[2]*Schema]*node
}

func typeLabel(s *Schema) string {
	if s.Kind.IsNamed() {
		return ShortName(s.Name)
	}
	return s.Kind.String()
}

func unresolvable(path, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrUnresolvable, path, fmt.Sprintf(format, args...))
}

// namesMatch reports whether the reader's named type reads the writer's:
// same full or unqualified name, or a reader alias naming the writer's.
func namesMatch(w, r *Schema) bool {
	if w.Name == r.Name || ShortName(w.Name) == ShortName(r.Name) {
		return true
	}
	for _, a := range r.Aliases {
		if a == w.Name || ShortName(a) == ShortName(w.Name) {
			return true
		}
	}
	return false
}

func (b *builder) build(w, r *Schema, path string) (*node, error) {
	if r.Kind == Union {
		if w.Kind == Union {
			n := &node{op: opUnion, branches: make([]branch, len(w.Branches))}
			for i, wb := range w.Branches {
				idx, bn, err := b.pickBranch(wb, r, path)
				if err != nil {
					return nil, err
				}
				n.branches[i] = branch{readerIdx: int64(idx), node: bn}
			}
			return n, nil
		}
		idx, bn, err := b.pickBranch(w, r, path)
		if err != nil {
			return nil, err
		}
		return &node{op: opToUnion, to: branch{readerIdx: int64(idx), node: bn}}, nil
	}
	if w.Kind == Union {
		n := &node{op: opUnion, branches: make([]branch, len(w.Branches))}
		for i, wb := range w.Branches {
			bn, err := b.build(wb, r, path)
			if err != nil {
				return nil, fmt.Errorf("%w (writer union branch %d, %s)", err, i, typeLabel(wb))
			}
			n.branches[i] = branch{readerIdx: -1, node: bn}
		}
		return n, nil
	}
	mismatch := func() (*node, error) {
		return nil, unresolvable(path, "writer %s cannot be read as reader %s", describe(w), describe(r))
	}
	switch w.Kind {
	case Null:
		if r.Kind == Null {
			return &node{op: opNull}, nil
		}
	case Boolean:
		if r.Kind == Boolean {
			return &node{op: opBool}, nil
		}
	case Int:
		switch r.Kind {
		case Int:
			return &node{op: opInt}, nil
		case Long:
			return &node{op: opIntToLong}, nil
		case Float:
			return &node{op: opIntToFloat}, nil
		case Double:
			return &node{op: opIntToDouble}, nil
		}
	case Long:
		switch r.Kind {
		case Long:
			return &node{op: opLong}, nil
		case Float:
			return &node{op: opLongToFloat}, nil
		case Double:
			return &node{op: opLongToDouble}, nil
		}
	case Float:
		switch r.Kind {
		case Float:
			return &node{op: opCopy, size: 4}, nil
		case Double:
			return &node{op: opFloatToDouble}, nil
		}
	case Double:
		if r.Kind == Double {
			return &node{op: opCopy, size: 8}, nil
		}
	case String, Bytes:
		if r.Kind == String || r.Kind == Bytes {
			return &node{op: opBytes}, nil
		}
	case Fixed:
		if r.Kind == Fixed {
			if !namesMatch(w, r) {
				return mismatch()
			}
			if w.Size != r.Size {
				return nil, unresolvable(path, "writer fixed %s has size %d, reader's has %d", w.Name, w.Size, r.Size)
			}
			return &node{op: opCopy, size: w.Size}, nil
		}
	case Enum:
		if r.Kind == Enum {
			if !namesMatch(w, r) {
				return mismatch()
			}
			return buildEnum(w, r, path)
		}
	case Array:
		if r.Kind == Array {
			elem, err := b.build(w.Items, r.Items, path+"[]")
			if err != nil {
				return nil, err
			}
			return &node{op: opArray, elem: elem}, nil
		}
	case Map:
		if r.Kind == Map {
			elem, err := b.build(w.Values, r.Values, path+"{}")
			if err != nil {
				return nil, err
			}
			return &node{op: opMap, elem: elem}, nil
		}
	case Record:
		if r.Kind == Record {
			if !namesMatch(w, r) {
				return mismatch()
			}
			return b.buildRecord(w, r, path)
		}
	}
	return mismatch()
}

func describe(s *Schema) string {
	if s.Kind.IsNamed() {
		return s.Kind.String() + " " + s.Name
	}
	return s.Kind.String()
}

// pickBranch chooses the reader union branch that reads a writer
// (non-union) schema: the first of the same type (and name, for named
// types), else the first the writer resolves to (a promotion).
func (b *builder) pickBranch(w, r *Schema, path string) (int, *node, error) {
	for pass := 0; pass < 2; pass++ {
		for i, rb := range r.Branches {
			same := rb.Kind == w.Kind && (!w.Kind.IsNamed() || namesMatch(w, rb))
			if (pass == 0) != same {
				continue
			}
			if n, err := b.build(w, rb, path); err == nil {
				return i, n, nil
			}
		}
	}
	return 0, nil, unresolvable(path, "no branch of the reader union %s reads writer %s", unionLabel(r), describe(w))
}

func unionLabel(u *Schema) string {
	parts := make([]string, len(u.Branches))
	for i, b := range u.Branches {
		parts[i] = typeLabel(b)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func buildEnum(w, r *Schema, path string) (*node, error) {
	n := &node{op: opEnum, enumMap: make([]int64, len(w.Symbols))}
	for i, sym := range w.Symbols {
		j := slices.Index(r.Symbols, sym)
		if j < 0 {
			j = slices.Index(r.Symbols, r.Default)
			if r.Default == "" || j < 0 {
				return nil, unresolvable(path, "writer enum symbol %q is not in reader enum %s, which has no default", sym, r.Name)
			}
		}
		n.enumMap[i] = int64(j)
	}
	return n, nil
}

func (b *builder) buildRecord(w, r *Schema, path string) (*node, error) {
	key := [2]*Schema{w, r}
	if n, ok := b.memo[key]; ok {
		return n, nil
	}
	n := &node{op: opRecord, nReader: len(r.Fields), readerName: r.Name}
	b.memo[key] = n
	ok := false
	defer func() {
		if !ok {
			delete(b.memo, key)
		}
	}()

	n.source = make([]int, len(r.Fields))
	for i := range n.source {
		n.source[i] = -1
	}
	for _, wf := range w.Fields {
		pos := -1
		for j, rf := range r.Fields {
			if n.source[j] < 0 && (rf.Name == wf.Name || slices.Contains(rf.Aliases, wf.Name)) {
				pos = j
				break
			}
		}
		step := recStep{readerPos: pos, skip: wf.Type}
		if pos >= 0 {
			fn, err := b.build(wf.Type, r.Fields[pos].Type, path+"."+r.Fields[pos].Name)
			if err != nil {
				return nil, err
			}
			step.node = fn
			n.source[pos] = len(n.steps)
		}
		n.steps = append(n.steps, step)
	}
	n.defaults = make([][]byte, len(r.Fields))
	for j, rf := range r.Fields {
		if n.source[j] >= 0 {
			continue
		}
		if !rf.HasDefault() {
			return nil, unresolvable(path+"."+rf.Name, "reader field has no default and the writer has no such field")
		}
		d, err := encodeDefault(nil, rf.Type, rf.Default)
		if err != nil {
			return nil, unresolvable(path+"."+rf.Name, "default %s: %v", rf.Default, err)
		}
		n.defaults[j] = d
	}

	// Stream when the writer's fields the reader takes come in the reader's
	// order: each reader default then goes just before the next taken
	// writer field.
	n.stream = true
	last := -1
	for _, s := range n.steps {
		if s.node == nil {
			continue
		}
		if s.readerPos < last {
			n.stream = false
			break
		}
		last = s.readerPos
	}
	if n.stream {
		next := 0 // next reader field to emit
		for i := range n.steps {
			s := &n.steps[i]
			if s.node == nil {
				continue
			}
			for ; next < s.readerPos; next++ {
				s.pre = append(s.pre, n.defaults[next])
			}
			next = s.readerPos + 1
		}
		for ; next < len(r.Fields); next++ {
			n.tail = append(n.tail, n.defaults[next])
		}
	}
	ok = true
	return n, nil
}
