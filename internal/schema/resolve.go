package schema

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// ErrUnresolvable is matched (errors.Is) by NewResolver's error when data
// written with the writer schema cannot be read with the reader schema under
// the Avro specification's schema resolution rules.
var ErrUnresolvable = errors.New("schema: writer schema cannot be resolved to the reader schema")

// ErrMalformed is matched (errors.Is) by Transcode's error when the input is
// not a valid encoding of one value of the writer schema.
var ErrMalformed = errors.New("schema: malformed avro data")

// maxDepth bounds the nesting of values (recursive schemas) Transcode
// follows, so that no input exhausts the stack.
const maxDepth = 10000

// zeroWidthItems bounds, per Transcode call, the number of array and map
// items whose encoding may take no byte (null, empty records), beyond one
// per input byte: no small input makes Transcode loop for long.
const zeroWidthItems = 1 << 16

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
	opFloat
	opFloatToDouble
	opDouble
	opBytes // string or bytes to string or bytes
	opFixed
	opEnum
	opArray
	opMap
	opRecord
	opUnion   // writer union, to a union (readerIdx ≥ 0) or not
	opToUnion // writer non-union to a reader union branch
)

type node struct {
	op op

	size int // fixed

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
			return &node{op: opFloat}, nil
		case Double:
			return &node{op: opFloatToDouble}, nil
		}
	case Double:
		if r.Kind == Double {
			return &node{op: opDouble}, nil
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
			return &node{op: opFixed, size: w.Size}, nil
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

// Transcode appends to dst the reader-schema encoding of the one value src
// holds in the writer-schema encoding. On error it returns dst unchanged and
// an error matching ErrMalformed.
func (r *Resolver) Transcode(dst, src []byte) ([]byte, error) {
	st := state{src: src, budget: len(src) + zeroWidthItems}
	out, err := st.run(r.prog, dst)
	if err != nil {
		return dst, err
	}
	if st.pos != len(src) {
		return dst, fmt.Errorf("%w: %d bytes after the value", ErrMalformed, len(src)-st.pos)
	}
	return out, nil
}

type state struct {
	src    []byte
	pos    int
	depth  int
	budget int // items left for arrays and maps
}

func (st *state) malformed(what string) error {
	return fmt.Errorf("%w: %s at byte %d", ErrMalformed, what, st.pos)
}

func (st *state) readLong() (int64, error) {
	var u uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if st.pos >= len(st.src) {
			return 0, st.malformed("truncated varint")
		}
		c := st.src[st.pos]
		st.pos++
		if shift == 63 && c > 1 {
			return 0, st.malformed("varint overflows 64 bits")
		}
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int64(u>>1) ^ -int64(u&1), nil
		}
	}
	return 0, st.malformed("varint longer than 10 bytes")
}

func (st *state) readInt() (int64, error) {
	v, err := st.readLong()
	if err == nil && (v < math.MinInt32 || v > math.MaxInt32) {
		return 0, st.malformed("int out of 32-bit range")
	}
	return v, err
}

func (st *state) take(n int) ([]byte, error) {
	if n < 0 || n > len(st.src)-st.pos {
		return nil, st.malformed(fmt.Sprintf("%d bytes wanted, %d left", n, len(st.src)-st.pos))
	}
	b := st.src[st.pos : st.pos+n]
	st.pos += n
	return b, nil
}

func (st *state) readLen() (int, error) {
	n, err := st.readLong()
	if err != nil {
		return 0, err
	}
	if n < 0 || n > int64(len(st.src)-st.pos) {
		return 0, st.malformed(fmt.Sprintf("length %d with %d bytes left", n, len(st.src)-st.pos))
	}
	return int(n), nil
}

func appendLong(dst []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}

func appendFloat(dst []byte, f float32) []byte {
	return binary.LittleEndian.AppendUint32(dst, math.Float32bits(f))
}

func appendDouble(dst []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

// blockCount reads the item count of an array or map block (skipping the
// byte size of a negative count) and charges it to the item budget.
func (st *state) blockCount(elemMinWidth int) (int64, error) {
	n, err := st.readLong()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		if n == math.MinInt64 {
			return 0, st.malformed("block count overflows")
		}
		n = -n
		if size, err := st.readLong(); err != nil {
			return 0, err
		} else if size < 0 {
			return 0, st.malformed("negative block size")
		}
	}
	if n > int64(st.budget) {
		return 0, st.malformed(fmt.Sprintf("block of %d items exceeds the input", n))
	}
	if elemMinWidth > 0 && n > int64((len(st.src)-st.pos)/elemMinWidth) {
		return 0, st.malformed(fmt.Sprintf("block of %d items exceeds the input", n))
	}
	st.budget -= int(n)
	return n, nil
}

func (st *state) run(n *node, dst []byte) ([]byte, error) {
	switch n.op {
	case opNull:
		return dst, nil
	case opBool:
		b, err := st.take(1)
		if err != nil {
			return dst, err
		}
		if b[0] > 1 {
			st.pos--
			return dst, st.malformed(fmt.Sprintf("boolean byte 0x%02x", b[0]))
		}
		return append(dst, b[0]), nil
	case opInt, opIntToLong:
		v, err := st.readInt()
		if err != nil {
			return dst, err
		}
		return appendLong(dst, v), nil
	case opIntToFloat:
		v, err := st.readInt()
		if err != nil {
			return dst, err
		}
		return appendFloat(dst, float32(v)), nil
	case opIntToDouble:
		v, err := st.readInt()
		if err != nil {
			return dst, err
		}
		return appendDouble(dst, float64(v)), nil
	case opLong:
		v, err := st.readLong()
		if err != nil {
			return dst, err
		}
		return appendLong(dst, v), nil
	case opLongToFloat:
		v, err := st.readLong()
		if err != nil {
			return dst, err
		}
		return appendFloat(dst, float32(v)), nil
	case opLongToDouble:
		v, err := st.readLong()
		if err != nil {
			return dst, err
		}
		return appendDouble(dst, float64(v)), nil
	case opFloat:
		b, err := st.take(4)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	case opFloatToDouble:
		b, err := st.take(4)
		if err != nil {
			return dst, err
		}
		return appendDouble(dst, float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))), nil
	case opDouble:
		b, err := st.take(8)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	case opBytes:
		l, err := st.readLen()
		if err != nil {
			return dst, err
		}
		dst = appendLong(dst, int64(l))
		b, _ := st.take(l)
		return append(dst, b...), nil
	case opFixed:
		b, err := st.take(n.size)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	case opEnum:
		i, err := st.readInt()
		if err != nil {
			return dst, err
		}
		if i < 0 || i >= int64(len(n.enumMap)) {
			return dst, st.malformed(fmt.Sprintf("enum index %d of %d symbols", i, len(n.enumMap)))
		}
		return appendLong(dst, n.enumMap[i]), nil
	case opUnion:
		i, err := st.readLong()
		if err != nil {
			return dst, err
		}
		if i < 0 || i >= int64(len(n.branches)) {
			return dst, st.malformed(fmt.Sprintf("union index %d of %d branches", i, len(n.branches)))
		}
		br := n.branches[i]
		if br.readerIdx >= 0 {
			dst = appendLong(dst, br.readerIdx)
		}
		return st.nested(br.node, dst)
	case opToUnion:
		dst = appendLong(dst, n.to.readerIdx)
		return st.run(n.to.node, dst)
	case opArray, opMap:
		return st.runBlocks(n, dst)
	case opRecord:
		return st.runRecord(n, dst)
	}
	return dst, fmt.Errorf("schema: resolver: unknown op %d", n.op)
}

// nested runs n one level deeper, failing past maxDepth.
func (st *state) nested(n *node, dst []byte) ([]byte, error) {
	if st.depth >= maxDepth {
		return dst, st.malformed(fmt.Sprintf("values nested deeper than %d", maxDepth))
	}
	st.depth++
	out, err := st.run(n, dst)
	st.depth--
	return out, err
}

func (st *state) runBlocks(n *node, dst []byte) ([]byte, error) {
	minWidth := 0
	if n.op == opMap {
		minWidth = 1 // the key's length
	}
	for {
		count, err := st.blockCount(minWidth)
		if err != nil {
			return dst, err
		}
		if count == 0 {
			return append(dst, 0), nil
		}
		dst = appendLong(dst, count)
		for ; count > 0; count-- {
			if n.op == opMap {
				l, err := st.readLen()
				if err != nil {
					return dst, err
				}
				dst = appendLong(dst, int64(l))
				k, _ := st.take(l)
				dst = append(dst, k...)
			}
			if dst, err = st.nested(n.elem, dst); err != nil {
				return dst, err
			}
		}
	}
}

func (st *state) runRecord(n *node, dst []byte) ([]byte, error) {
	var err error
	if n.stream {
		for i := range n.steps {
			s := &n.steps[i]
			if s.node == nil {
				if err := st.skip(s.skip); err != nil {
					return dst, err
				}
				continue
			}
			for _, d := range s.pre {
				dst = append(dst, d...)
			}
			if dst, err = st.nested(s.node, dst); err != nil {
				return dst, err
			}
		}
		for _, d := range n.tail {
			dst = append(dst, d...)
		}
		return dst, nil
	}
	// The reader orders the fields differently: write them in the writer's
	// order after dst, then append them again in the reader's order and
	// move that down over the first copy.
	base := len(dst)
	var small [16][2]int
	spans := small[:0]
	if len(n.steps) > len(small) {
		spans = make([][2]int, 0, len(n.steps))
	}
	for i := range n.steps {
		s := &n.steps[i]
		start := len(dst)
		if s.node == nil {
			err = st.skip(s.skip)
		} else {
			dst, err = st.nested(s.node, dst)
		}
		if err != nil {
			return dst[:base], err
		}
		spans = append(spans, [2]int{start, len(dst)})
	}
	mid := len(dst)
	for j := 0; j < n.nReader; j++ {
		if k := n.source[j]; k >= 0 {
			dst = append(dst, dst[spans[k][0]:spans[k][1]]...)
		} else {
			dst = append(dst, n.defaults[j]...)
		}
	}
	m := copy(dst[base:], dst[mid:])
	return dst[:base+m], nil
}

// skip passes over one value of writer schema s.
func (st *state) skip(s *Schema) error {
	if st.depth >= maxDepth {
		return st.malformed(fmt.Sprintf("values nested deeper than %d", maxDepth))
	}
	st.depth++
	err := st.skipValue(s)
	st.depth--
	return err
}

func (st *state) skipValue(s *Schema) error {
	switch s.Kind {
	case Null:
		return nil
	case Boolean:
		_, err := st.take(1)
		return err
	case Int:
		_, err := st.readInt()
		return err
	case Long:
		_, err := st.readLong()
		return err
	case Float:
		_, err := st.take(4)
		return err
	case Double:
		_, err := st.take(8)
		return err
	case String, Bytes:
		l, err := st.readLen()
		if err != nil {
			return err
		}
		st.pos += l
		return nil
	case Fixed:
		_, err := st.take(s.Size)
		return err
	case Enum:
		i, err := st.readInt()
		if err == nil && (i < 0 || i >= int64(len(s.Symbols))) {
			return st.malformed(fmt.Sprintf("enum index %d of %d symbols", i, len(s.Symbols)))
		}
		return err
	case Union:
		i, err := st.readLong()
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(s.Branches)) {
			return st.malformed(fmt.Sprintf("union index %d of %d branches", i, len(s.Branches)))
		}
		return st.skip(s.Branches[i])
	case Record:
		for _, f := range s.Fields {
			if err := st.skip(f.Type); err != nil {
				return err
			}
		}
		return nil
	case Array, Map:
		minWidth := 0
		elem := s.Items
		if s.Kind == Map {
			minWidth, elem = 1, s.Values
		}
		for {
			count, err := st.blockCount(minWidth)
			if err != nil || count == 0 {
				return err
			}
			for ; count > 0; count-- {
				if s.Kind == Map {
					l, err := st.readLen()
					if err != nil {
						return err
					}
					st.pos += l
				}
				if err := st.skip(elem); err != nil {
					return err
				}
			}
		}
	}
	return fmt.Errorf("schema: resolver: cannot skip %s", s.Kind)
}

// encodeDefault appends the Avro binary encoding of a field default (JSON,
// as the schema writes it) of schema s.
func encodeDefault(dst []byte, s *Schema, raw json.RawMessage) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return appendDefault(dst, s, v, 0)
}

func appendDefault(dst []byte, s *Schema, v any, depth int) ([]byte, error) {
	if depth > 64 {
		return nil, errors.New("default nested too deep")
	}
	wrong := func() ([]byte, error) {
		return nil, fmt.Errorf("%s is not a %s", jsonLabel(v), describe(s))
	}
	switch s.Kind {
	case Null:
		if v == nil {
			return dst, nil
		}
	case Boolean:
		if b, ok := v.(bool); ok {
			if b {
				return append(dst, 1), nil
			}
			return append(dst, 0), nil
		}
	case Int, Long:
		if n, ok := v.(json.Number); ok {
			i, err := n.Int64()
			if err != nil {
				return wrong()
			}
			if s.Kind == Int && (i < math.MinInt32 || i > math.MaxInt32) {
				return nil, fmt.Errorf("%s is out of the int range", n)
			}
			return appendLong(dst, i), nil
		}
	case Float, Double:
		var f float64
		switch x := v.(type) {
		case json.Number:
			var err error
			if f, err = x.Float64(); err != nil {
				return wrong()
			}
		case string:
			switch x {
			case "NaN":
				f = math.NaN()
			case "Infinity":
				f = math.Inf(1)
			case "-Infinity":
				f = math.Inf(-1)
			default:
				return wrong()
			}
		default:
			return wrong()
		}
		if s.Kind == Float {
			return appendFloat(dst, float32(f)), nil
		}
		return appendDouble(dst, f), nil
	case String:
		if str, ok := v.(string); ok {
			dst = appendLong(dst, int64(len(str)))
			return append(dst, str...), nil
		}
	case Bytes, Fixed:
		// The specification writes bytes and fixed defaults as strings whose
		// code points 0-255 are the bytes.
		str, ok := v.(string)
		if !ok {
			return wrong()
		}
		b := make([]byte, 0, len(str))
		for _, r := range str {
			if r > 0xff {
				return nil, fmt.Errorf("%s default %q has code point U+%04X above U+00FF", s.Kind, str, r)
			}
			b = append(b, byte(r))
		}
		if s.Kind == Fixed {
			if len(b) != s.Size {
				return nil, fmt.Errorf("fixed %s default has %d bytes, want %d", s.Name, len(b), s.Size)
			}
			return append(dst, b...), nil
		}
		dst = appendLong(dst, int64(len(b)))
		return append(dst, b...), nil
	case Enum:
		if str, ok := v.(string); ok {
			i := slices.Index(s.Symbols, str)
			if i < 0 {
				return nil, fmt.Errorf("%q is not a symbol of enum %s", str, s.Name)
			}
			return appendLong(dst, int64(i)), nil
		}
	case Array:
		items, ok := v.([]any)
		if !ok {
			return wrong()
		}
		if len(items) > 0 {
			dst = appendLong(dst, int64(len(items)))
			for _, it := range items {
				var err error
				if dst, err = appendDefault(dst, s.Items, it, depth+1); err != nil {
					return nil, err
				}
			}
		}
		return append(dst, 0), nil
	case Map:
		m, ok := v.(map[string]any)
		if !ok {
			return wrong()
		}
		if len(m) > 0 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			dst = appendLong(dst, int64(len(keys)))
			for _, k := range keys {
				dst = appendLong(dst, int64(len(k)))
				dst = append(dst, k...)
				var err error
				if dst, err = appendDefault(dst, s.Values, m[k], depth+1); err != nil {
					return nil, err
				}
			}
		}
		return append(dst, 0), nil
	case Record:
		m, ok := v.(map[string]any)
		if !ok {
			return wrong()
		}
		for _, f := range s.Fields {
			fv, has := m[f.Name]
			if !has {
				if !f.HasDefault() {
					return nil, fmt.Errorf("record %s default lacks field %s, which has no default", s.Name, f.Name)
				}
				var err error
				if dst, err = encodeDefaultDepth(dst, f.Type, f.Default, depth+1); err != nil {
					return nil, err
				}
				continue
			}
			var err error
			if dst, err = appendDefault(dst, f.Type, fv, depth+1); err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
		return dst, nil
	case Union:
		// Avro 1.12: the default is of the first branch that matches it.
		for i, b := range s.Branches {
			if out, err := appendDefault(appendLong(dst, int64(i)), b, v, depth+1); err == nil {
				return out, nil
			}
		}
		return nil, fmt.Errorf("%s matches no branch of union %s", jsonLabel(v), unionLabel(s))
	}
	return wrong()
}

func encodeDefaultDepth(dst []byte, s *Schema, raw json.RawMessage, depth int) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return appendDefault(dst, s, v, depth)
}

func jsonLabel(v any) string {
	b, err := json.Marshal(v)
	if err != nil || len(b) > 60 {
		return fmt.Sprintf("JSON %T", v)
	}
	return string(b)
}
