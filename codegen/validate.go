package codegen

import (
	"fmt"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// validateMethod returns the Validate method of record s (for a recursive
// record, also validate, which counts the depth of nesting).
func validateMethod(tm *typeMap, imp map[string]bool, s *schema.Schema) string {
	name := tm.names[s]
	rv := receiverName(name)
	var b strings.Builder
	val := fieldsFn(tm, imp, s, (*fn).validate)
	doc := fmt.Sprintf("Validate reports the first way %s breaks its schema's contract, as a *avrobin.ValidationError (errors.Is(err, avrobin.ErrInvalid)), or nil: ", rv)
	if p := tm.problems(s, (*fn).validate); p != 0 {
		doc += p.String() + "."
	} else {
		doc += fmt.Sprintf("its schema constrains none of its fields' values, so only a nil %s breaks it.", rv)
	}
	b.WriteString(comment(doc, ""))
	recordMethod(&b, tm, s, "Validate", "", "", "error", "")
	b.WriteString(val.b.String())
	b.WriteString("\treturn nil\n}\n")
	return b.String()
}

// validateFail writes the return of a validation error for sl, for p.
func (f *fn) validateFail(sl slot, p problem, err string) {
	f.found |= p
	f.line("return %sInvalid(%s, %s, %s)", f.avro(), f.typ, sl.path, err)
}

// check writes "if err := call; err != nil { return ... }" for a call
// that fails for p.
func (f *fn) check(sl slot, p problem, call string) {
	f.open("if err := %s; err != nil {", call)
	f.validateFail(sl, p, "err")
	f.close("}")
}

// needsCheck reports whether values of s have anything to validate. It
// agrees with validate, which writes nothing for the others: a loop over
// items that need no check would leave its variables unused.
func needsCheck(s *schema.Schema, seen map[*schema.Schema]bool) bool {
	switch s.Kind {
	case schema.String:
		return s.Logical != schema.LogicalUUID // a UUID is valid by type
	case schema.Enum, schema.Record:
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

// validate writes the checks of sl, by the rules of schema.RulesOf (which
// avrojson checks JSON input by too).
func (f *fn) validate(sl slot) {
	s, x := sl.s, sl.expr
	a := f.avro
	rules := schema.RulesOf(s, sl.field)
	if rules.Const != nil {
		lit := f.tm.constRef(sl.field)
		f.open("if %s != %s {", x, lit)
		f.validateFail(sl, problemConst, a()+"NotConst("+lit+", "+x+")")
		f.close("}")
		return
	}
	switch s.Kind {
	case schema.String:
		if s.Logical == schema.LogicalUUID {
			return
		}
		if rules.Required {
			f.check(sl, problemEmpty|problemUTF8, a()+"CheckRequiredString("+x+")")
		} else {
			f.check(sl, problemUTF8, a()+"CheckString("+x+")")
		}
	case schema.Int, schema.Long:
		switch s.Logical {
		case "":
		case schema.LogicalDate:
			f.check(sl, problemDate, a()+"CheckDate("+x+")")
		case schema.LogicalTimeMillis, schema.LogicalTimeMicros:
			f.check(sl, problemTime, a()+"CheckTimeOfDay("+x+")")
		default:
			if rules.Required {
				f.check(sl, problemUnset|problemTime, a()+"CheckRequired"+goName(s.Logical)+"("+x+")")
			} else {
				f.check(sl, problemTime, a()+"Check"+goName(s.Logical)+"("+x+")")
			}
		}
	case schema.Bytes, schema.Fixed:
		if s.Logical == schema.LogicalDecimal {
			f.check(sl, problemDecimal, fmt.Sprintf("%sCheckDecimal(%s, %d, %d)", a(), x, s.Precision, s.Scale))
		}
	case schema.Enum:
		f.open("if !%s.IsValid() {", paren(x))
		f.validateFail(sl, problemEnum, fmt.Sprintf("%sEnumError(int64(%s), %d)", a(), x, len(s.Symbols)))
		f.close("}")
	case schema.Record:
		var p problem // the record's own are its Validate's
		if sl.nilable {
			p = problemNilRecord
		}
		if f.tm.sameCycle(f.rec, s) {
			f.check(sl, p, paren(x)+".validate(depth+1)")
		} else {
			f.check(sl, p, paren(x)+".Validate()")
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
		f.check(sl.sub(k, s.Values, a()+"Key("+sl.path+", "+k+")"), problemUTF8, a()+"CheckString("+k+")")
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
	f.validateFail(sl, problemUnion, f.avro()+"UnionError("+v+")")
	f.indent--
	f.line("}")
	f.indent--
	f.done("v")
}
