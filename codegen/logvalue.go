package codegen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// logDepth is how many levels of a recursive record LogValue describes: a
// linked list of any length must still make a short log line.
const logDepth = 8

// logValueMethod returns the LogValue method of record s, which makes the
// record an slog.LogValuer (for a recursive record, also logValue, which
// counts the depth of nesting). A record whose fields all have an attribute
// returns them as one slog.GroupValue call; one with fields that may be
// null appends the attributes of those that are not.
func logValueMethod(tm *typeMap, imp map[string]bool, s *schema.Schema) string {
	imp["log/slog"] = true
	name := tm.names[s]
	rv := receiverName(name)
	f := newFn(tm, imp, s)
	// pending are the attributes (expressions) not appended yet: while
	// every field has one, all of them.
	var pending []string
	allDirect := true
	for _, fl := range s.Fields {
		sl := slot{expr: rv + "." + tm.fields[fl], s: fl.Type, ptr: tm.ptrField[fl], nilable: tm.ptrField[fl]}
		switch e, ok := f.logAttrExpr(sl, quote(fl.Name)); {
		case !ok:
			allDirect = false
			f.flushAttrs(pending)
			pending = nil
			f.logAttr(sl, quote(fl.Name))
		case e != "":
			pending = append(pending, e)
		}
	}

	var b strings.Builder
	doc := fmt.Sprintf("LogValue describes %s to slog as a group of its fields, named as in the schema.", rv)
	if short := lengthOnly(s); len(short) > 0 {
		doc += fmt.Sprintf(" Of %s it logs only the length, as content may be large or secret.", andList(short))
	}
	if slices.ContainsFunc(s.Fields, func(fl *schema.Field) bool { return mayBeText(fl.Type) }) {
		doc += " A string longer than avrobin.MaxLogText bytes shows its start and its length."
	}
	if slices.ContainsFunc(s.Fields, func(fl *schema.Field) bool { return mayBeNull(fl.Type) }) {
		doc += " A field that is null is left out."
	}
	doc += fmt.Sprintf(" A nil %s is an empty group, which slog leaves out.", rv)
	if tm.recursive[s] {
		doc += fmt.Sprintf(" Records of its recursive type nested more than %d deep are left out.", logDepth)
	}
	b.WriteString(comment(doc, ""))
	if tm.recursive[s] {
		fmt.Fprintf(&b, "func (%[1]s *%[2]s) LogValue() slog.Value { return %[1]s.logValue(0) }\n\n", rv, name)
		b.WriteString("// logValue is LogValue at a depth of nesting of the recursive type.\n")
		fmt.Fprintf(&b, "func (%s *%s) logValue(depth int) slog.Value {\n", rv, name)
	} else {
		fmt.Fprintf(&b, "func (%s *%s) LogValue() slog.Value {\n", rv, name)
	}
	fmt.Fprintf(&b, "\tif %s == nil {\n\t\treturn slog.GroupValue()\n\t}\n", rv)
	if tm.recursive[s] {
		fmt.Fprintf(&b, "\tif depth >= %d {\n\t\treturn slog.StringValue(%q)\n\t}\n", logDepth, "(nested deeper: left out)")
	}
	if allDirect {
		f.list("return slog.GroupValue", "", pending)
		b.WriteString(f.b.String())
	} else {
		f.flushAttrs(pending)
		fmt.Fprintf(&b, "\tattrs := make([]slog.Attr, 0, %d)\n", len(s.Fields))
		b.WriteString(f.b.String())
		b.WriteString("\treturn slog.GroupValue(attrs...)\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// list writes the call fn(first, args...), with the args one a line when
// there are several; first may be empty.
func (f *fn) list(fn, first string, args []string) {
	if len(args) <= 1 {
		if first != "" {
			args = append([]string{first}, args...)
		}
		f.line("%s(%s)", fn, strings.Join(args, ", "))
		return
	}
	if first == "" {
		f.line("%s(", fn)
	} else {
		f.line("%s(%s,", fn, first)
	}
	f.indent++
	for _, a := range args {
		f.line("%s,", a)
	}
	f.indent--
	f.line(")")
}

// flushAttrs writes the append of the attributes pending, if any.
func (f *fn) flushAttrs(pending []string) {
	if len(pending) > 0 {
		f.list("attrs = append", "attrs", pending)
	}
}

// logAttr writes the statements that append the attribute of sl under key
// to attrs, if sl has one.
func (f *fn) logAttr(sl slot, key string) {
	if expr, ok := f.logAttrExpr(sl, key); ok {
		if expr != "" {
			f.line("attrs = append(attrs, %s)", expr)
		}
		return
	}
	s, x := sl.s, sl.expr
	switch {
	case s.Logical == schema.LogicalDecimal:
		f.open("if %s != nil {", x)
		f.line("attrs = append(attrs, slog.String(%s, %s.FloatString(%d)))", key, x, s.Scale)
		f.close("}")
	case s.Kind == schema.Union && len(s.Branches) == 1:
		f.logAttr(sl.sub(x, s.Branches[0], sl.path), key)
	case s.Kind == schema.Union:
		if t, _, ok := optional(s); ok {
			in := f.deref(sl, t)
			if t.Logical == schema.LogicalDecimal {
				f.logAttr(in, key) // a decimal's pointer is the optional's
				return
			}
			f.open("if %s != nil {", x)
			f.logAttr(in, key)
			f.close("}")
			return
		}
		v := f.tmp("v")
		f.open("switch %s := %s.(type) {", v, x)
		for _, br := range f.tm.unions[s].branches {
			if isNull(br.s) {
				continue // no attribute
			}
			f.line("case %s:", br.goType)
			f.indent++
			in := f.branchSlot(sl, br, v)
			switch {
			case br.wrapper != "" && br.s.Logical == schema.LogicalUUID:
				in.expr = br.underlying + "(" + v + ")" // for its String method
			case br.wrapper != "" && br.s.Logical == "" && (br.s.Kind == schema.Int || br.s.Kind == schema.Float || br.s.Kind == schema.Bytes || br.s.Kind == schema.Fixed):
				in.expr = v // converted (int, float64) or measured (len) as it is
			}
			f.logAttr(in, key)
			f.indent--
		}
		f.line("}")
		f.indent--
		f.done("v")
	}
}

// logAttrExpr returns the expression of the slog.Attr of sl under key, or
// "" when sl has none (null); false when sl may be null, or is a union of
// several types, which take statements.
func (f *fn) logAttrExpr(sl slot, key string) (string, bool) {
	s, x := sl.s, sl.expr
	length := func() (string, bool) { return fmt.Sprintf("slog.Group(%s, slog.Int(\"len\", len(%s)))", key, x), true }
	text := func(e string) (string, bool) { return fmt.Sprintf("slog.String(%s, %s)", key, e), true }
	switch s.Kind {
	case schema.Null:
		return "", true
	case schema.Boolean:
		return fmt.Sprintf("slog.Bool(%s, %s)", key, x), true
	case schema.Int, schema.Long:
		switch s.Logical {
		case "":
			if s.Kind == schema.Int {
				return fmt.Sprintf("slog.Int(%s, int(%s))", key, x), true
			}
			return fmt.Sprintf("slog.Int64(%s, %s)", key, x), true
		case schema.LogicalDate:
			return text(paren(x) + ".String()")
		case schema.LogicalTimeMillis:
			return text(fmt.Sprintf("%sTimeOfDayText(%s, 3)", f.avro(), x))
		case schema.LogicalTimeMicros:
			return text(fmt.Sprintf("%sTimeOfDayText(%s, 6)", f.avro(), x))
		case schema.LogicalLocalTimestampMillis, schema.LogicalLocalTimestampMicros, schema.LogicalLocalTimestampNanos:
			// slog.Time would show the wall clock as UTC.
			return text(fmt.Sprintf("string(%sAppendTimeText(nil, %s, %d, true))", f.avro(), x, localDigits(s.Logical)))
		}
		return fmt.Sprintf("slog.Time(%s, %s)", key, x), true
	case schema.Float:
		return fmt.Sprintf("slog.Float64(%s, float64(%s))", key, x), true
	case schema.Double:
		return fmt.Sprintf("slog.Float64(%s, %s)", key, x), true
	case schema.String:
		if s.Logical == schema.LogicalUUID {
			return text(paren(x) + ".String()")
		}
		return text(f.avro() + "LogText(" + x + ")")
	case schema.Bytes, schema.Fixed:
		switch s.Logical {
		case schema.LogicalDecimal:
			return "", false
		case schema.LogicalUUID:
			return text(paren(x) + ".String()")
		case schema.LogicalDuration:
			return fmt.Sprintf("slog.Group(%s, slog.Uint64(\"months\", uint64(%[2]s.Months)), slog.Uint64(\"days\", uint64(%[2]s.Days)), slog.Uint64(\"milliseconds\", uint64(%[2]s.Milliseconds)))",
				key, paren(x)), true
		}
		return length()
	case schema.Enum:
		return text(paren(x) + ".String()")
	case schema.Record:
		// A nil record's empty group is one that slog.GroupValue drops.
		if f.tm.sameCycle(f.rec, s) {
			return fmt.Sprintf("slog.Attr{Key: %s, Value: %s.logValue(depth + 1)}", key, paren(x)), true
		}
		return fmt.Sprintf("slog.Attr{Key: %s, Value: %s.LogValue()}", key, paren(x)), true
	case schema.Array, schema.Map:
		return length()
	case schema.Union:
		if t, _, ok := optional(s); ok && isRecord(t) {
			return f.logAttrExpr(f.deref(sl, t), key)
		}
		if len(s.Branches) == 1 {
			return f.logAttrExpr(sl.sub(x, s.Branches[0], sl.path), key)
		}
	}
	return "", false
}

// localDigits is the number of fraction digits of a local timestamp's
// unit.
func localDigits(logical string) int {
	switch logical {
	case schema.LogicalLocalTimestampMillis:
		return 3
	case schema.LogicalLocalTimestampMicros:
		return 6
	}
	return 9
}

// lengthOnly returns the names of the fields of record s that LogValue
// describes by their length: bytes, fixed, arrays and maps (also optional).
func lengthOnly(s *schema.Schema) []string {
	var names []string
	for _, fl := range s.Fields {
		t := fl.Type
		if in, _, ok := optional(t); ok {
			t = in
		}
		switch {
		case t.Kind == schema.Array, t.Kind == schema.Map, (t.Kind == schema.Bytes || t.Kind == schema.Fixed) && t.Logical == "":
			names = append(names, fl.Name)
		}
	}
	return names
}

// mayBeNull reports whether a value of s may be null: the null type, a
// union with a null branch, a decimal (a nil *big.Rat).
func mayBeNull(s *schema.Schema) bool {
	return s.Kind == schema.Null || s.Logical == schema.LogicalDecimal ||
		s.Kind == schema.Union && slices.ContainsFunc(s.Branches, mayBeNull)
}

// mayBeText reports whether a value of s may be a string LogValue shows
// through avrobin.LogText: a plain string, or a union with one.
func mayBeText(s *schema.Schema) bool {
	return s.Kind == schema.String && s.Logical == "" ||
		s.Kind == schema.Union && slices.ContainsFunc(s.Branches, mayBeText)
}

// andList joins names as "a", "a and b", "a, b and c".
func andList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
