package codegen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// fn collects the body of one generated function: statements, the locals
// they need declared up front, and fresh names for temporaries.
type fn struct {
	tm  *typeMap
	imp map[string]bool
	// rec is the record whose method this is; typ the constant of its
	// name in errors.
	rec *schema.Schema
	typ string
	b   strings.Builder
	// indent is the current indentation (tabs).
	indent int
	names  map[string]int
	// usesErr, usesStart, usesIdx: the body refers to err, start, idx.
	usesErr, usesStart, usesIdx bool
	// found are the problems the body checks for, but for those of the
	// records it calls.
	found problem
}

func newFn(tm *typeMap, imp map[string]bool, rec *schema.Schema) *fn {
	return &fn{tm: tm, imp: imp, rec: rec, typ: tm.typeNameConst(rec), indent: 1, names: map[string]int{}}
}

// line writes one line of code at the current indentation.
func (f *fn) line(format string, args ...any) {
	f.b.WriteString(strings.Repeat("\t", f.indent))
	fmt.Fprintf(&f.b, format, args...)
	f.b.WriteByte('\n')
}

// open writes a line ending in "{" and indents; close dedents and writes
// the closing line ("}" or "} else {").
func (f *fn) open(format string, args ...any) {
	f.line(format, args...)
	f.indent++
}

func (f *fn) close(text string) {
	f.indent--
	f.line("%s", text)
}

// tmp returns a name for a temporary that no enclosing scope uses: base,
// or base2, base3... within a scope that uses base. done releases it.
func (f *fn) tmp(base string) string {
	n := f.names[base]
	f.names[base]++
	if n == 0 {
		return base
	}
	return base + strconv.Itoa(n+1)
}

// done releases the names of temporaries whose scope has ended.
func (f *fn) done(bases ...string) {
	for _, b := range bases {
		f.names[b]--
	}
}

// avro marks the avrobin import used and returns its qualifier.
func (f *fn) avro() string {
	f.imp[avrobinPath] = true
	return "avrobin."
}

// slot is a value the code works on: a Go expression of it, its schema,
// and the Go expression of its path for errors.
type slot struct {
	expr string
	s    *schema.Schema
	// ptr: expr is a pointer to a record (or, for a decimal, the
	// *big.Rat itself).
	ptr  bool
	path string
	// field is set for a record field's own slot (not its items).
	field *schema.Field
	// nilable: expr is a pointer to a record that may be nil, which its
	// methods report (a field held by pointer, a union's branch).
	nilable bool
}

// sub returns the slot of a value within sl.
func (sl slot) sub(expr string, s *schema.Schema, path string) slot {
	return slot{expr: expr, s: s, path: path}
}

// paren returns expr ready for a suffix (an index, a selector): "*p"
// becomes "(*p)".
func paren(expr string) string {
	if strings.HasPrefix(expr, "*") {
		return "(" + expr + ")"
	}
	return expr
}

// sortedKeys opens a loop over the keys of map m in increasing order (maps
// are encoded, and checked, in key order, so that a value has one encoding
// and one first error), sorted in an array on the stack so that small maps
// cost no allocation. It returns the key's variable; the caller closes the
// loop and releases "k". The array's name is not released: it may be
// declared in the scope of the caller, so the next map of the function
// takes another.
func (f *fn) sortedKeys(m string) string {
	keys, k := f.tmp("keys"), f.tmp("k")
	f.line("var %s [%sSortedKeysBuffer]string", keys, f.avro())
	f.open("for _, %s := range %sAppendSortedKeys(%s[:0], %s) {", k, f.avro(), keys, m)
	return k
}

// deref returns the slot of the value an optional's pointer points to.
func (f *fn) deref(sl slot, t *schema.Schema) slot {
	in := sl.sub("*"+sl.expr, t, sl.path)
	if isRecord(t) || isPtrType(f.tm.goType(t)) {
		in.expr, in.ptr = sl.expr, true
	}
	return in
}

// branchSlot returns the slot of the value of union branch br held in
// variable v of a type switch.
func (f *fn) branchSlot(sl slot, br *branch, v string) slot {
	in := sl.sub(v, br.s, sl.path)
	switch {
	case isRecord(br.s):
		in.ptr, in.nilable = true, true
	case br.s.Kind == schema.Array || br.s.Kind == schema.Map || br.s.Kind == schema.Fixed && br.s.Logical == schema.LogicalUUID:
		// range, len, indexing and slicing work on the wrapper itself.
	case br.wrapper != "" && isPtrType(br.underlying):
		in.expr, in.ptr = "("+br.underlying+")("+v+")", true
	case br.wrapper != "":
		in.expr = br.underlying + "(" + v + ")"
	}
	return in
}

// fieldsFn returns the body of a method of record s: the code emit writes
// for each of its fields.
func fieldsFn(tm *typeMap, imp map[string]bool, s *schema.Schema, emit func(*fn, slot)) *fn {
	f := newFn(tm, imp, s)
	rv := receiverName(tm.names[s])
	for _, fl := range s.Fields {
		emit(f, slot{expr: rv + "." + tm.fields[fl], s: fl.Type, ptr: tm.ptrField[fl], nilable: tm.ptrField[fl], path: quote(fl.Name), field: fl})
	}
	return f
}

// recordMethod writes the head of method name of record s, up to and with
// its check of a nil receiver, which fails returning ret and the error. A
// recursive record's method calls its unexported twin at depth 0, and the
// head is the twin's, which fails beyond avrobin.MaxDepth. params and
// results are the method's, args the names of its parameters.
func recordMethod(b *strings.Builder, tm *typeMap, s *schema.Schema, name, params, args, results, ret string) {
	typ := tm.names[s]
	rv := receiverName(typ)
	if tm.recursive[s] {
		twin := strings.ToLower(name[:1]) + name[1:]
		fmt.Fprintf(b, "func (%s *%s) %s(%s) %s { return %s.%s(%s) }\n\n", rv, typ, name, params, results, rv, twin, join(args, "0"))
		fmt.Fprintf(b, "// %s is %s at a depth of nesting of the recursive type.\n", twin, name)
		fmt.Fprintf(b, "func (%s *%s) %s(%s) %s {\n", rv, typ, twin, join(params, "depth int"), results)
		fmt.Fprintf(b, "\tif depth > avrobin.MaxDepth {\n\t\treturn %savrobin.Invalid(%s, \"\", avrobin.ErrTooDeep)\n\t}\n", ret, tm.typeNameConst(s))
	} else {
		fmt.Fprintf(b, "func (%s *%s) %s(%s) %s {\n", rv, typ, name, params, results)
	}
	fmt.Fprintf(b, "\tif %s == nil {\n\t\treturn %savrobin.Invalid(%s, \"\", avrobin.ErrUnset)\n\t}\n", rv, ret, tm.typeNameConst(s))
}

// join returns a list of parameters or arguments with one more.
func join(list, more string) string {
	if list == "" {
		return more
	}
	return list + ", " + more
}
