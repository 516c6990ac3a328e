package codegen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// decodeMethods returns the UnmarshalAvro and DecodeAvro methods of record s.
func decodeMethods(tm *typeMap, imp map[string]bool, s *schema.Schema) string {
	name := tm.names[s]
	rv, typ := receiverName(name), tm.typeNameConst(s)
	var b strings.Builder
	b.WriteString(comment(fmt.Sprintf("UnmarshalAvro replaces %s with the %s encoded in src, which must hold exactly one encoded value (trailing bytes are an error). It fails with a *avrobin.DecodeError; on error %s is unchanged.", rv, name, rv), ""))
	fmt.Fprintf(&b, `func (%[1]s *%[2]s) UnmarshalAvro(src []byte) error {
	if %[1]s == nil {
		return avrobin.Malformed(%[3]s, "", 0, avrobin.ErrUnset)
	}
	r := avrobin.NewReader(src)
	var v %[2]s
	if err := v.DecodeAvro(&r); err != nil {
		return err
	}
	if r.Len() != 0 {
		return avrobin.Malformed(%[3]s, "", r.Offset(), avrobin.ErrTrailingBytes)
	}
	*%[1]s = v
	return nil
}

`, rv, name, typ)
	dec := fieldsFn(tm, imp, s, (*fn).decode)
	b.WriteString(comment(fmt.Sprintf("DecodeAvro reads one %s from r into %s, replacing all of its fields. It fails with a *avrobin.DecodeError; on error %s is partly written.", name, rv, rv), ""))
	fmt.Fprintf(&b, `func (%[1]s *%[2]s) DecodeAvro(r *avrobin.Reader) error {
	if %[1]s == nil {
		return avrobin.Malformed(%[3]s, "", r.Offset(), avrobin.ErrUnset)
	}
`, rv, name, typ)
	if tm.recursive[s] {
		fmt.Fprintf(&b, "\tif err := r.Enter(); err != nil {\n\t\treturn avrobin.Malformed(%s, \"\", r.Offset(), err)\n\t}\n", typ)
	}
	if dec.usesErr {
		b.WriteString("\tvar err error\n")
	}
	if dec.usesIdx {
		b.WriteString("\tvar idx int\n")
	}
	b.WriteString(dec.b.String())
	if tm.recursive[s] {
		b.WriteString("\tr.Leave()\n")
	}
	b.WriteString("\treturn nil\n}\n\n")

	return b.String()
}

// decodeFail writes the return of a decoding error for sl.
func (f *fn) decodeFail(sl slot, err string) {
	f.line("return %sMalformed(%s, %s, r.Offset(), %s)", f.avro(), f.typ, sl.path, err)
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
		switch _, ok := constOf(sl.field); {
		case s.Logical == schema.LogicalUUID:
			f.read(sl, x, r("ReadUUID"))
		case ok:
			f.read(sl, x, r("ReadKnownString", f.tm.constRef(sl.field)))
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
		itemMin := schema.MinSize(items, nil)
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
		f.decodeBlocks(sl, 1+schema.MinSize(values, nil), func(n string) {
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
