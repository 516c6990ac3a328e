package codegen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// appendAvroMethod returns the AppendAvro method of record s (for a
// recursive record, also appendAvro, which counts the depth of nesting).
func appendAvroMethod(tm *typeMap, imp map[string]bool, s *schema.Schema) string {
	name := tm.names[s]
	rv := receiverName(name)
	var b strings.Builder
	enc := fieldsFn(tm, imp, s, (*fn).encode)
	doc := fmt.Sprintf("AppendAvro appends the Avro binary encoding of %s to dst and returns the extended buffer. It fails, with a *avrobin.ValidationError, ", rv)
	if p := tm.problems(s, (*fn).encode); p != 0 {
		doc += fmt.Sprintf("only when a value has no encoding (%s); it does not check the rest of the contract, which is Validate's job.", p)
	} else {
		doc += fmt.Sprintf("only for a nil %s: every %s has an encoding; it does not check the contract, which is Validate's job.", rv, name)
	}
	b.WriteString(comment(doc+" On error it returns dst unchanged.", ""))
	recordMethod(&b, tm, s, "AppendAvro", "dst []byte", "dst", "([]byte, error)", "dst, ")
	if enc.usesStart {
		b.WriteString("\tstart := len(dst)\n")
	}
	if enc.usesErr {
		b.WriteString("\tvar err error\n")
	}
	b.WriteString(enc.b.String())
	b.WriteString("\treturn dst, nil\n}\n\n")
	return b.String()
}

// encodeFail writes the return of an encoding error for sl with reason err.
func (f *fn) encodeFail(sl slot, err string) {
	f.usesStart = true
	f.line("return dst[:start], %sInvalid(%s, %s, %s)", f.avro(), f.typ, sl.path, err)
}

// appendCall writes dst = fn(dst, args...) for a call that cannot fail.
func (f *fn) appendCall(call string, args ...string) {
	f.line("dst = %s%s(%s)", f.avro(), call, strings.Join(append([]string{"dst"}, args...), ", "))
}

// appendCheck writes a call dst, err = fn(dst, args...) that fails for p.
func (f *fn) appendCheck(sl slot, p problem, call string, args ...string) {
	f.found |= p
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
			f.appendCheck(sl, problemDate, a("AppendDate"), x)
		case schema.LogicalTimeMillis:
			f.appendCheck(sl, problemTime, a("AppendTimeMillis"), x)
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
			f.appendCheck(sl, problemTime, a("Append"+goName(s.Logical)), x)
		}
	case schema.Float:
		f.appendCall("AppendFloat", x)
	case schema.Double:
		f.appendCall("AppendDouble", x)
	case schema.Bytes:
		if s.Logical == schema.LogicalDecimal {
			f.appendCheck(sl, problemDecimal, a("AppendDecimal"), x, strconv.Itoa(s.Precision), strconv.Itoa(s.Scale))
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
			f.appendCheck(sl, problemDecimal, a("AppendFixedDecimal"), x, strconv.Itoa(s.Size), strconv.Itoa(s.Precision), strconv.Itoa(s.Scale))
		default:
			f.line("dst = append(dst, %s[:]...)", paren(x))
		}
	case schema.Enum:
		f.appendCheck(sl, problemEnum, a("AppendEnum"), x, strconv.Itoa(len(s.Symbols)))
	case schema.Record:
		f.usesErr = true
		if sl.nilable {
			f.found |= problemNilRecord
		}
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
	f.found |= problemUnion
	f.encodeFail(sl, f.avro()+"UnionError("+v+")")
	f.indent--
	f.line("}")
	f.indent--
	f.done("v")
}
