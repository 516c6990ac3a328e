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
	// rec is the record whose method this is; typ its qualified name for
	// errors ("events.Order").
	rec *schema.Schema
	typ string
	b   strings.Builder
	// indent is the current indentation (tabs).
	indent int
	names  map[string]int
	// usesErr, usesStart, usesIdx: the body refers to err, start, idx.
	usesErr, usesStart, usesIdx bool
}

func newFn(tm *typeMap, imp map[string]bool, rec *schema.Schema) *fn {
	return &fn{tm: tm, imp: imp, rec: rec, typ: tm.qualified(tm.names[rec]), indent: 1, names: map[string]int{}}
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

// fail writes the return of an encoding error for sl with reason err.
func (f *fn) encodeFail(sl slot, err string) {
	f.usesStart = true
	f.line("return dst[:start], %sInvalid(%q, %s, %s)", f.avro(), f.typ, sl.path, err)
}

// appendCall writes dst = fn(dst, args...) for a call that cannot fail.
func (f *fn) appendCall(call string, args ...string) {
	f.line("dst = %s%s(%s)", f.avro(), call, strings.Join(append([]string{"dst"}, args...), ", "))
}

// appendCheck writes a call dst, err = fn(dst, args...) that can fail.
func (f *fn) appendCheck(sl slot, call string, args ...string) {
	f.usesErr = true
	f.open("if dst, err = %s; err != nil {", call+"("+strings.Join(append([]string{"dst"}, args...), ", ")+")")
	f.encodeFail(sl, "err")
	f.close("}")
}

// encode writes the statements that append the encoding of sl to dst.
func (f *fn) encode(sl slot) {
	s, x := sl.s, sl.expr
	a := func(name string) string { return f.avro() + name }
	switch s.Kind {
	case schema.Null:
		// null takes no bytes.
	case schema.Boolean:
		f.appendCall("AppendBoolean", x)
	case schema.Int:
		switch s.Logical {
		case schema.LogicalDate:
			f.appendCheck(sl, a("AppendDate"), x)
		case schema.LogicalTimeMillis:
			f.appendCheck(sl, a("AppendTimeMillis"), x)
		default:
			f.appendCall("AppendInt", x)
		}
	case schema.Long:
		switch s.Logical {
		case schema.LogicalTimeMicros:
			f.appendCall("AppendTimeMicros", x)
		case "":
			f.appendCall("AppendLong", x)
		default:
			f.appendCheck(sl, a("Append"+goName(s.Logical)), x)
		}
	case schema.Float:
		f.appendCall("AppendFloat", x)
	case schema.Double:
		f.appendCall("AppendDouble", x)
	case schema.Bytes:
		if s.Logical == schema.LogicalDecimal {
			f.appendCheck(sl, a("AppendDecimal"), x, strconv.Itoa(s.Precision), strconv.Itoa(s.Scale))
		} else {
			f.appendCall("AppendBytes", x)
		}
	case schema.String:
		if s.Logical == schema.LogicalUUID {
			f.appendCall("AppendUUID", x)
		} else {
			f.appendCall("AppendString", x)
		}
	case schema.Fixed:
		switch s.Logical {
		case schema.LogicalDuration:
			f.appendCall("AppendDuration", x)
		case schema.LogicalDecimal:
			f.appendCheck(sl, a("AppendFixedDecimal"), x, strconv.Itoa(s.Size), strconv.Itoa(s.Precision), strconv.Itoa(s.Scale))
		default:
			f.line("dst = append(dst, %s[:]...)", paren(x))
		}
	case schema.Enum:
		f.appendCheck(sl, a("AppendEnum"), x, strconv.Itoa(len(s.Symbols)))
	case schema.Record:
		f.usesErr = true
		if f.tm.sameCycle(f.rec, s) {
			f.open("if dst, err = %s.appendAvro(dst, depth+1); err != nil {", paren(x))
		} else {
			f.open("if dst, err = %s.AppendAvro(dst); err != nil {", paren(x))
		}
		f.encodeFail(sl, "err")
		f.close("}")
	case schema.Array:
		f.encodeBlocks(sl, func(i string) {
			f.encode(sl.sub(paren(x)+"["+i+"]", s.Items, f.avro()+"Index("+sl.path+", "+i+")"))
		})
	case schema.Map:
		f.encodeBlocks(sl, func(k string) {
			f.appendCall("AppendString", k)
			if s.Values.Kind == schema.Null {
				return
			}
			v := f.tmp("v")
			f.line("%s := %s[%s]", v, paren(x), k)
			f.encode(sl.sub(v, s.Values, f.avro()+"Key("+sl.path+", "+k+")"))
			f.done("v")
		})
	case schema.Union:
		f.encodeUnion(sl)
	}
}

// encodeBlocks writes an array or map as one block and the end marker.
func (f *fn) encodeBlocks(sl slot, item func(iter string)) {
	f.open("if len(%s) > 0 {", sl.expr)
	f.appendCall("AppendLong", "int64(len("+sl.expr+"))")
	switch {
	case sl.s.Kind == schema.Array && sl.s.Items.Kind == schema.Null:
		// null items take no bytes.
	case sl.s.Kind == schema.Array:
		i := f.tmp("i")
		f.open("for %s := range %s {", i, sl.expr)
		item(i)
		f.close("}")
		f.done("i")
	default:
		k := f.sortedKeys(sl.expr)
		item(k)
		f.close("}")
		f.done("k")
	}
	f.close("}")
	f.line("dst = append(dst, 0) // end of blocks")
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

func (f *fn) encodeUnion(sl slot) {
	s := sl.s
	if t, nullIdx, ok := optional(s); ok {
		f.open("if %s == nil {", sl.expr)
		f.appendCall("AppendLong", strconv.Itoa(nullIdx))
		f.close("} else {")
		f.indent++
		f.appendCall("AppendLong", strconv.Itoa(1-nullIdx))
		f.encode(f.deref(sl, t))
		f.close("}")
		return
	}
	if len(s.Branches) == 1 {
		f.appendCall("AppendLong", "0")
		f.encode(sl.sub(sl.expr, s.Branches[0], sl.path))
		return
	}
	u := f.tm.unions[s]
	v := f.tmp("v")
	f.open("switch %s := %s.(type) {", v, sl.expr)
	for _, br := range u.branches {
		if isNull(br.s) {
			f.line("case nil:")
		} else {
			f.line("case %s:", br.goType)
		}
		f.indent++
		f.appendCall("AppendLong", strconv.Itoa(br.index))
		f.encode(f.branchSlot(sl, br, v))
		f.indent--
	}
	f.line("default:")
	f.indent++
	f.encodeFail(sl, f.avro()+"UnionError("+v+")")
	f.indent--
	f.line("}")
	f.indent--
	f.done("v")
}

// branchSlot returns the slot of the value of union branch br held in
// variable v of a type switch.
func (f *fn) branchSlot(sl slot, br *branch, v string) slot {
	in := sl.sub(v, br.s, sl.path)
	switch {
	case isRecord(br.s):
		in.ptr = true
	case br.s.Kind == schema.Array || br.s.Kind == schema.Map || br.s.Kind == schema.Fixed && br.s.Logical == schema.LogicalUUID:
		// range, len, indexing and slicing work on the wrapper itself.
	case br.wrapper != "" && isPtrType(br.underlying):
		in.expr, in.ptr = "("+br.underlying+")("+v+")", true
	case br.wrapper != "":
		in.expr = br.underlying + "(" + v + ")"
	}
	return in
}

// decodeFail writes the return of a decoding error for sl.
func (f *fn) decodeFail(sl slot, err string) {
	f.line("return %sMalformed(%q, %s, r.Offset(), %s)", f.avro(), f.typ, sl.path, err)
}

// read writes "if x, err = call; err != nil { return ... }".
func (f *fn) read(sl slot, target, call string) {
	f.usesErr = true
	f.open("if %s, err = %s; err != nil {", target, call)
	f.decodeFail(sl, "err")
	f.close("}")
}

// decode writes the statements that decode a value of sl.s from r into the
// addressable sl.expr.
func (f *fn) decode(sl slot) {
	s, x := sl.s, sl.expr
	r := func(method string, args ...string) string {
		return "r." + method + "(" + strings.Join(args, ", ") + ")"
	}
	switch s.Kind {
	case schema.Null:
		// null takes no bytes.
	case schema.Boolean:
		f.read(sl, x, r("ReadBoolean"))
	case schema.Int:
		switch s.Logical {
		case schema.LogicalDate:
			f.read(sl, x, r("ReadDate"))
		case schema.LogicalTimeMillis:
			f.read(sl, x, r("ReadTimeMillis"))
		default:
			f.read(sl, x, r("ReadInt"))
		}
	case schema.Long:
		switch s.Logical {
		case "":
			f.read(sl, x, r("ReadLong"))
		case schema.LogicalTimeMicros:
			f.read(sl, x, r("ReadTimeMicros"))
		case schema.LogicalTimestampMillis, schema.LogicalLocalTimestampMillis:
			f.read(sl, x, r("ReadTimestampMillis"))
		case schema.LogicalTimestampMicros, schema.LogicalLocalTimestampMicros:
			f.read(sl, x, r("ReadTimestampMicros"))
		default:
			f.read(sl, x, r("ReadTimestampNanos"))
		}
	case schema.Float:
		f.read(sl, x, r("ReadFloat"))
	case schema.Double:
		f.read(sl, x, r("ReadDouble"))
	case schema.Bytes:
		if s.Logical == schema.LogicalDecimal {
			f.read(sl, x, r("ReadDecimal", strconv.Itoa(s.Precision), strconv.Itoa(s.Scale)))
		} else {
			f.read(sl, x, r("ReadBytes"))
		}
	case schema.String:
		switch c, ok := constOf(sl.field); {
		case s.Logical == schema.LogicalUUID:
			f.read(sl, x, r("ReadUUID"))
		case ok:
			f.read(sl, x, r("ReadKnownString", quote(c.(string))))
		default:
			f.read(sl, x, r("ReadString"))
		}
	case schema.Fixed:
		switch s.Logical {
		case schema.LogicalDuration:
			f.read(sl, x, r("ReadDuration"))
		case schema.LogicalDecimal:
			f.read(sl, x, r("ReadFixedDecimal", strconv.Itoa(s.Size), strconv.Itoa(s.Scale)))
		default:
			f.usesErr = true
			f.open("if err = r.ReadFixed(%s[:]); err != nil {", paren(x))
			f.decodeFail(sl, "err")
			f.close("}")
		}
	case schema.Enum:
		f.read(sl, x, f.avro()+"ReadEnum["+f.tm.names[s]+"](r, "+strconv.Itoa(len(s.Symbols))+")")
	case schema.Record:
		f.usesErr = true
		if sl.ptr {
			f.line("%s = new(%s)", x, f.tm.names[s])
		}
		f.open("if err = %s.DecodeAvro(r); err != nil {", paren(x))
		f.decodeFail(sl, "err")
		f.close("}")
	case schema.Array:
		items := s.Items
		itemMin := minSize(items, map[*schema.Schema]bool{})
		f.decodeBlocks(sl, itemMin, func(n string) {
			if itemMin > 0 {
				f.line("%s = slices.Grow(%s, %s)", x, x, n)
				f.imp["slices"] = true
			}
			f.open("for range %s {", n)
			item := f.tmp("item")
			f.line("var %s %s", item, f.tm.goType(items))
			f.decode(sl.sub(item, items, f.avro()+"Index("+sl.path+", len("+x+"))"))
			f.line("%s = append(%s, %s)", x, x, item)
			f.close("}")
			f.done("item")
		})
	case schema.Map:
		values := s.Values
		f.decodeBlocks(sl, 1+minSize(values, map[*schema.Schema]bool{}), func(n string) {
			f.open("for range %s {", n)
			k, v := f.tmp("k"), f.tmp("v")
			f.line("var %s string", k)
			f.read(sl, k, "r.ReadString()")
			f.line("var %s %s", v, f.tm.goType(values))
			f.decode(sl.sub(v, values, f.avro()+"Key("+sl.path+", "+k+")"))
			f.line("%s[%s] = %s", paren(x), k, v)
			f.close("}")
			f.done("k", "v")
		})
	case schema.Union:
		f.decodeUnion(sl)
	}
}

// decodeBlocks writes the loop over the blocks of an array or map.
func (f *fn) decodeBlocks(sl slot, itemMin int, block func(n string)) {
	f.line("%s = %s{}", sl.expr, f.tm.goType(sl.s))
	f.open("for {")
	n := f.tmp("n")
	f.line("var %s int", n)
	f.read(sl, n, fmt.Sprintf("r.ReadBlockLen(len(%s), %d)", sl.expr, itemMin))
	f.open("if %s == 0 {", n)
	f.line("break")
	f.close("}")
	block(n)
	f.close("}")
	f.done("n")
}

func (f *fn) decodeUnion(sl slot) {
	s := sl.s
	f.usesIdx = true
	if len(s.Branches) == 1 {
		f.read(sl, "_", "r.ReadIndex(1)")
		f.decode(sl.sub(sl.expr, s.Branches[0], sl.path))
		return
	}
	f.read(sl, "idx", "r.ReadIndex("+strconv.Itoa(len(s.Branches))+")")
	if t, nullIdx, ok := optional(s); ok {
		f.open("if idx == %d {", nullIdx)
		f.line("%s = nil", sl.expr)
		f.close("} else {")
		f.indent++
		in := f.deref(sl, t)
		if !in.ptr {
			f.line("%s = new(%s)", sl.expr, f.tm.goType(t))
		}
		f.decode(in)
		f.close("}")
		return
	}
	u := f.tm.unions[s]
	f.open("switch idx {")
	for _, br := range u.branches {
		f.line("case %d:", br.index)
		f.indent++
		if isNull(br.s) {
			f.line("%s = nil", sl.expr)
			f.indent--
			continue
		}
		v := f.tmp("v")
		switch {
		case isRecord(br.s):
			f.line("%s := new(%s)", v, f.tm.names[br.s])
			f.decode(slot{expr: v, s: br.s, path: sl.path})
			f.line("%s = %s", sl.expr, v)
		default:
			f.line("var %s %s", v, f.tm.goType(br.s))
			f.decode(slot{expr: v, s: br.s, path: sl.path})
			if br.wrapper != "" {
				if isPtrType(br.underlying) {
					f.line("%s = (*%s)(%s)", sl.expr, br.wrapper, v)
				} else {
					f.line("%s = %s(%s)", sl.expr, br.wrapper, v)
				}
			} else {
				f.line("%s = %s", sl.expr, v)
			}
		}
		f.done("v")
		f.indent--
	}
	f.close("}")
}

// validateFail writes the return of a validation error for sl.
func (f *fn) validateFail(sl slot, err string) {
	f.line("return %sInvalid(%q, %s, %s)", f.avro(), f.typ, sl.path, err)
}

// check writes "if err := call; err != nil { return ... }".
func (f *fn) check(sl slot, call string) {
	f.open("if err := %s; err != nil {", call)
	f.validateFail(sl, "err")
	f.close("}")
}

// needsCheck reports whether values of s have anything to validate.
func needsCheck(s *schema.Schema, seen map[*schema.Schema]bool) bool {
	switch s.Kind {
	case schema.String, schema.Enum, schema.Record:
		return true
	case schema.Int:
		return s.Logical != ""
	case schema.Long:
		return s.Logical != ""
	case schema.Bytes, schema.Fixed:
		return s.Logical == schema.LogicalDecimal
	case schema.Array:
		return needsCheck(s.Items, seen)
	case schema.Map:
		return true // keys must be UTF-8
	case schema.Union:
		if _, _, ok := optional(s); !ok && len(s.Branches) > 1 {
			return true
		}
		for _, b := range s.Branches {
			if needsCheck(b, seen) {
				return true
			}
		}
	}
	return false
}

// validate writes the checks of sl.
func (f *fn) validate(sl slot) {
	s, x := sl.s, sl.expr
	a := f.avro
	if c, ok := constOf(sl.field); ok {
		lit := constLiteral(f.tm, s, c)
		f.open("if %s != %s {", x, lit)
		f.validateFail(sl, a()+"NotConst("+lit+", "+x+")")
		f.close("}")
		return
	}
	switch s.Kind {
	case schema.String:
		if s.Logical == schema.LogicalUUID {
			return
		}
		if sl.field != nil && !sl.field.HasDefault() {
			f.check(sl, a()+"CheckRequiredString("+x+")")
		} else {
			f.check(sl, a()+"CheckString("+x+")")
		}
	case schema.Int, schema.Long:
		switch s.Logical {
		case "":
		case schema.LogicalDate:
			f.check(sl, a()+"CheckDate("+x+")")
		case schema.LogicalTimeMillis, schema.LogicalTimeMicros:
			f.check(sl, a()+"CheckTimeOfDay("+x+")")
		default:
			f.check(sl, a()+"Check"+goName(s.Logical)+"("+x+")")
		}
	case schema.Bytes, schema.Fixed:
		if s.Logical == schema.LogicalDecimal {
			f.check(sl, fmt.Sprintf("%sCheckDecimal(%s, %d, %d)", a(), x, s.Precision, s.Scale))
		}
	case schema.Enum:
		f.open("if !%s.IsValid() {", paren(x))
		f.validateFail(sl, fmt.Sprintf("%sEnumError(int64(%s), %d)", a(), x, len(s.Symbols)))
		f.close("}")
	case schema.Record:
		if f.tm.sameCycle(f.rec, s) {
			f.check(sl, paren(x)+".validate(depth+1)")
		} else {
			f.check(sl, paren(x)+".Validate()")
		}
	case schema.Array:
		if !needsCheck(s.Items, nil) {
			return
		}
		i := f.tmp("i")
		f.open("for %s := range %s {", i, x)
		f.validate(sl.sub(paren(x)+"["+i+"]", s.Items, a()+"Index("+sl.path+", "+i+")"))
		f.close("}")
		f.done("i")
	case schema.Map:
		k := f.sortedKeys(x)
		v := f.tmp("v")
		f.check(sl.sub(k, s.Values, a()+"Key("+sl.path+", "+k+")"), a()+"CheckString("+k+")")
		if needsCheck(s.Values, nil) {
			f.line("%s := %s[%s]", v, paren(x), k)
			f.validate(sl.sub(v, s.Values, a()+"Key("+sl.path+", "+k+")"))
		}
		f.close("}")
		f.done("k", "v")
	case schema.Union:
		f.validateUnion(sl)
	}
}

func (f *fn) validateUnion(sl slot) {
	s := sl.s
	if t, _, ok := optional(s); ok {
		if !needsCheck(t, nil) {
			return
		}
		f.open("if %s != nil {", sl.expr)
		f.validate(f.deref(sl, t))
		f.close("}")
		return
	}
	if len(s.Branches) == 1 {
		f.validate(sl.sub(sl.expr, s.Branches[0], sl.path))
		return
	}
	u := f.tm.unions[s]
	v := f.tmp("v")
	f.open("switch %s := %s.(type) {", v, sl.expr)
	for _, br := range u.branches {
		if isNull(br.s) {
			f.line("case nil:")
			continue
		}
		f.line("case %s:", br.goType)
		if needsCheck(br.s, nil) {
			f.indent++
			f.validate(f.branchSlot(sl, br, v))
			f.indent--
		}
	}
	f.line("default:")
	f.indent++
	f.validateFail(sl, f.avro()+"UnionError("+v+")")
	f.indent--
	f.line("}")
	f.indent--
	f.done("v")
}
