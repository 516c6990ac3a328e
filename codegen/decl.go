package codegen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// decl is the code of one named type (with its methods, and for a record
// the unions of its fields), or of an event's contract: the unit the
// generator writes once however many schemas define it.
type decl struct {
	// key identifies what the decl defines: the Go type name, or
	// "event:" and the type name for an event's contract.
	key string
	// what describes it in errors: `record lunchbot.events.DeadlinePassed`.
	what string
	// idents are the package-level identifiers it defines.
	idents []string
	code   string
	imp    map[string]bool
}

// the methods of generated records; no field may take their names.
var recordMethods = []string{"AppendAvro", "UnmarshalAvro", "DecodeAvro", "Validate"}
var eventMethods = []string{"Contract", "AppendKey"}

// enumDecl generates an enum.
func enumDecl(tm *typeMap, s *schema.Schema) (*decl, error) {
	name := tm.names[s]
	d := &decl{key: name, what: "enum " + s.Name, imp: map[string]bool{"fmt": true, "strconv": true}}
	var b strings.Builder
	b.WriteString(comment(fmt.Sprintf("%s is the Avro enum %s.", name, s.Name), ""))
	if s.Doc != "" {
		b.WriteString("//\n" + comment(sentence(s.Doc), ""))
	}
	if s.Default != "" {
		b.WriteString("//\n" + comment(fmt.Sprintf("Readers whose schema lacks a symbol read it as %s (%s), the enum's default.",
			s.Default, name+goName(s.Default)), ""))
	}
	fmt.Fprintf(&b, "type %s int32\n\n", name)
	fmt.Fprintf(&b, "// The symbols of %s.\nconst (\n", name)
	seen := map[string]string{}
	for i, sym := range s.Symbols {
		id := name + goName(sym)
		if other, dup := seen[id]; dup {
			return nil, fmt.Errorf("enum %s: symbols %s and %s are both %s in Go", s.Name, other, sym, id)
		}
		seen[id] = sym
		d.idents = append(d.idents, id)
		if i == 0 {
			fmt.Fprintf(&b, "\t%s %s = iota // %s\n", id, name, sym)
		} else {
			fmt.Fprintf(&b, "\t%s // %s\n", id, sym)
		}
	}
	b.WriteString(")\n\n")
	symbols := lowerFirst(name) + "Symbols"
	quoted := make([]string, len(s.Symbols))
	for i, sym := range s.Symbols {
		quoted[i] = quote(sym)
	}
	fmt.Fprintf(&b, "var %s = [...]string{%s}\n\n", symbols, strings.Join(quoted, ", "))
	rv := receiverName(name)
	fmt.Fprintf(&b, `// String returns the Avro symbol of %[2]s, or "%[1]s(n)" for a value that is none.
func (%[2]s %[1]s) String() string {
	if %[2]s.IsValid() {
		return %[3]s[%[2]s]
	}
	return "%[1]s(" + strconv.Itoa(int(%[2]s)) + ")"
}

// IsValid reports whether %[2]s is one of the symbols of %[1]s.
func (%[2]s %[1]s) IsValid() bool { return %[2]s >= 0 && int(%[2]s) < len(%[3]s) }

// MarshalText returns the Avro symbol of %[2]s.
func (%[2]s %[1]s) MarshalText() ([]byte, error) {
	if !%[2]s.IsValid() {
		return nil, fmt.Errorf("%[4]s.%[1]s: no symbol for %%d", int32(%[2]s))
	}
	return []byte(%[3]s[%[2]s]), nil
}

// UnmarshalText sets %[2]s to the value of an Avro symbol.
func (%[2]s *%[1]s) UnmarshalText(text []byte) error {
	v, err := Parse%[1]s(string(text))
	if err != nil {
		return err
	}
	*%[2]s = v
	return nil
}

// Parse%[1]s returns the %[1]s of an Avro symbol.
func Parse%[1]s(symbol string) (%[1]s, error) {
	for i, s := range %[3]s {
		if s == symbol {
			return %[1]s(i), nil
		}
	}
	return 0, fmt.Errorf("%[4]s.%[1]s: unknown symbol %%q", symbol)
}
`, name, rv, symbols, tm.pkg)
	d.idents = append(d.idents, name, symbols, "Parse"+name)
	d.code = b.String()
	return d, nil
}

// fixedDecl generates a fixed without a logical type.
func fixedDecl(tm *typeMap, s *schema.Schema) *decl {
	name := tm.names[s]
	var b strings.Builder
	b.WriteString(comment(fmt.Sprintf("%s is the Avro fixed %s, of %d bytes.", name, s.Name, s.Size), ""))
	if s.Doc != "" {
		b.WriteString("//\n" + comment(sentence(s.Doc), ""))
	}
	fmt.Fprintf(&b, "type %s [%d]byte\n", name, s.Size)
	return &decl{key: name, what: "fixed " + s.Name, idents: []string{name}, code: b.String(), imp: map[string]bool{}}
}

// recordDecl generates a record: its struct, constructor, methods, and the
// union interfaces of its fields.
func recordDecl(tm *typeMap, s *schema.Schema) (*decl, error) {
	name := tm.names[s]
	d := &decl{key: name, what: "record " + s.Name, imp: map[string]bool{avrobinPath: true}}
	d.idents = append(d.idents, name, "New"+name)
	var b strings.Builder
	rv := receiverName(name)
	typ := tm.qualified(name)
	recursive := tm.recursive[s]

	// Fields: Go names, checks.
	fieldNames := map[string]string{}
	reservedNames := map[string]bool{}
	for _, m := range recordMethods {
		reservedNames[m] = true
	}
	for _, m := range eventMethods {
		reservedNames[m] = true
	}
	for _, f := range s.Fields {
		gn := goName(f.Name)
		if other, dup := fieldNames[gn]; dup {
			return nil, fmt.Errorf("record %s: fields %s and %s are both %s in Go", s.Name, other, f.Name, gn)
		}
		if reservedNames[gn] {
			return nil, fmt.Errorf("record %s: field %s would be the Go field %s, which is a method of generated records; rename the field", s.Name, f.Name, gn)
		}
		fieldNames[gn] = f.Name
		if err := checkConst(tm, f); err != nil {
			return nil, fmt.Errorf("record %s: field %s: %w", s.Name, f.Name, err)
		}
		tm.typeImports(f.Type, d.imp)
	}

	// The struct.
	b.WriteString(comment(fmt.Sprintf("%s is the Avro record %s.", name, s.Name), ""))
	if s.Doc != "" {
		b.WriteString("//\n" + comment(sentence(s.Doc), ""))
	}
	fmt.Fprintf(&b, "type %s struct {\n", name)
	docs := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		doc := sentence(f.Doc)
		if c, ok := constOf(f); ok {
			if l := constLiteral(tm, f.Type, c); !strings.Contains(doc, l) {
				doc += fmt.Sprintf(" Always %s (the schema's const).", l)
			}
		}
		if f.HasDefault() {
			doc += " Default: " + string(f.Default) + "."
		}
		docs[i] = strings.TrimSpace(doc)
	}
	for i, f := range s.Fields {
		if i > 0 && (docs[i] != "" || docs[i-1] != "") {
			b.WriteString("\n")
		}
		b.WriteString(comment(docs[i], "\t"))
		fmt.Fprintf(&b, "\t%s %s `avro:%q`\n", goName(f.Name), tm.fieldType(f), f.Name)
	}
	b.WriteString("}\n\n")

	// The constructor.
	var inits []string
	for _, f := range s.Fields {
		l, err := fieldInit(tm, f)
		if err != nil {
			return nil, fmt.Errorf("record %s: field %s: default: %w", s.Name, f.Name, err)
		}
		if l != "" {
			litImports(l, d.imp)
			inits = append(inits, "\t\t"+goName(f.Name)+": "+l+",\n")
		}
	}
	if len(inits) == 0 {
		fmt.Fprintf(&b, "// New%[1]s returns a new %[1]s. Its schema has no defaults.\nfunc New%[1]s() *%[1]s { return &%[1]s{} }\n\n", name)
	} else {
		fmt.Fprintf(&b, "// New%[1]s returns a new %[1]s with the schema's defaults.\nfunc New%[1]s() *%[1]s {\n\treturn &%[1]s{\n%s\t}\n}\n\n", name, strings.Join(inits, ""))
	}

	// AppendAvro.
	enc := newFn(tm, d.imp, s)
	for _, f := range s.Fields {
		enc.encode(slot{expr: rv + "." + goName(f.Name), s: f.Type, ptr: tm.ptrField[f], path: quote(f.Name), field: f})
	}
	fmt.Fprintf(&b, `// AppendAvro appends the Avro binary encoding of %[1]s to dst and returns the
// extended buffer. It fails, with a *avrobin.ValidationError, only when a
// value has no encoding (an unset union, a decimal beyond its scale, a date
// that does not exist); it does not check the rest of the contract, which is
// Validate's job. On error it returns dst unchanged.
`, rv)
	if recursive {
		fmt.Fprintf(&b, "func (%s *%s) AppendAvro(dst []byte) ([]byte, error) { return %s.appendAvro(dst, 0) }\n\n", rv, name, rv)
		fmt.Fprintf(&b, "// appendAvro is AppendAvro at a depth of nesting of the recursive type.\nfunc (%s *%s) appendAvro(dst []byte, depth int) ([]byte, error) {\n", rv, name)
		fmt.Fprintf(&b, "\tif depth > avrobin.MaxDepth {\n\t\treturn dst, avrobin.Invalid(%q, \"\", avrobin.ErrTooDeep)\n\t}\n", typ)
	} else {
		fmt.Fprintf(&b, "func (%s *%s) AppendAvro(dst []byte) ([]byte, error) {\n", rv, name)
	}
	fmt.Fprintf(&b, "\tif %s == nil {\n\t\treturn dst, avrobin.Invalid(%q, \"\", avrobin.ErrUnset)\n\t}\n", rv, typ)
	if enc.usesStart {
		b.WriteString("\tstart := len(dst)\n")
	}
	if enc.usesErr {
		b.WriteString("\tvar err error\n")
	}
	b.WriteString(enc.b.String())
	b.WriteString("\treturn dst, nil\n}\n\n")

	// UnmarshalAvro and DecodeAvro.
	b.WriteString(comment(fmt.Sprintf("UnmarshalAvro replaces %s with the %s encoded in src, which must hold exactly one encoded value (trailing bytes are an error). It fails with a *avrobin.DecodeError; on error %s is unchanged.", rv, name, rv), ""))
	fmt.Fprintf(&b, `func (%[1]s *%[2]s) UnmarshalAvro(src []byte) error {
	if %[1]s == nil {
		return avrobin.Malformed(%[3]q, "", 0, avrobin.ErrUnset)
	}
	r := avrobin.NewReader(src)
	var v %[2]s
	if err := v.DecodeAvro(&r); err != nil {
		return err
	}
	if r.Len() != 0 {
		return avrobin.Malformed(%[3]q, "", r.Offset(), avrobin.ErrTrailingBytes)
	}
	*%[1]s = v
	return nil
}

`, rv, name, typ)
	dec := newFn(tm, d.imp, s)
	for _, f := range s.Fields {
		dec.decode(slot{expr: rv + "." + goName(f.Name), s: f.Type, ptr: tm.ptrField[f], path: quote(f.Name), field: f})
	}
	b.WriteString(comment(fmt.Sprintf("DecodeAvro reads one %s from r into %s, replacing all of its fields. It fails with a *avrobin.DecodeError; on error %s is partly written.", name, rv, rv), ""))
	fmt.Fprintf(&b, `func (%[1]s *%[2]s) DecodeAvro(r *avrobin.Reader) error {
	if %[1]s == nil {
		return avrobin.Malformed(%[3]q, "", r.Offset(), avrobin.ErrUnset)
	}
`, rv, name, typ)
	if recursive {
		fmt.Fprintf(&b, "\tif err := r.Enter(); err != nil {\n\t\treturn avrobin.Malformed(%q, \"\", r.Offset(), err)\n\t}\n", typ)
	}
	if dec.usesErr {
		b.WriteString("\tvar err error\n")
	}
	if dec.usesIdx {
		b.WriteString("\tvar idx int\n")
	}
	b.WriteString(dec.b.String())
	if recursive {
		b.WriteString("\tr.Leave()\n")
	}
	b.WriteString("\treturn nil\n}\n\n")

	// Validate.
	val := newFn(tm, d.imp, s)
	for _, f := range s.Fields {
		val.validate(slot{expr: rv + "." + goName(f.Name), s: f.Type, ptr: tm.ptrField[f], path: quote(f.Name), field: f})
	}
	fmt.Fprintf(&b, `// Validate reports the first way %[1]s breaks its schema's contract, as a
// *avrobin.ValidationError (errors.Is(err, avrobin.ErrInvalid)), or nil: a
// field that differs from its "const", an empty required string, a string
// that is not UTF-8, a date that does not exist, a time out of range, an
// enum value that is no symbol, an unset union, a decimal beyond its
// precision or scale.
`, rv)
	if recursive {
		fmt.Fprintf(&b, "func (%s *%s) Validate() error { return %s.validate(0) }\n\n", rv, name, rv)
		fmt.Fprintf(&b, "// validate is Validate at a depth of nesting of the recursive type.\nfunc (%s *%s) validate(depth int) error {\n", rv, name)
		fmt.Fprintf(&b, "\tif depth > avrobin.MaxDepth {\n\t\treturn avrobin.Invalid(%q, \"\", avrobin.ErrTooDeep)\n\t}\n", typ)
	} else {
		fmt.Fprintf(&b, "func (%s *%s) Validate() error {\n", rv, name)
	}
	fmt.Fprintf(&b, "\tif %s == nil {\n\t\treturn avrobin.Invalid(%q, \"\", avrobin.ErrUnset)\n\t}\n", rv, typ)
	b.WriteString(val.b.String())
	b.WriteString("\treturn nil\n}\n")

	// The unions of the fields.
	var unions []*unionType
	for _, u := range tm.unions {
		if u.record == s {
			unions = append(unions, u)
		}
	}
	sort.Slice(unions, func(i, j int) bool { return unions[i].name < unions[j].name })
	for _, u := range unions {
		b.WriteString("\n")
		b.WriteString(unionCode(tm, u))
		d.idents = append(d.idents, u.name)
		for _, br := range u.branches {
			if br.wrapper != "" {
				d.idents = append(d.idents, br.wrapper)
			}
		}
	}
	d.code = b.String()
	return d, nil
}

// fieldInit returns the constructor's initial value of a field, empty for
// the zero value.
func fieldInit(tm *typeMap, f *schema.Field) (string, error) {
	switch {
	case f.HasDefault():
		l, err := literal(tm, f.Type, f.Default, tm.ptrField[f])
		if err != nil || l == "nil" {
			return "", err
		}
		return l, nil
	case func() bool { _, ok := constOf(f); return ok }():
		c, _ := constOf(f)
		return constLiteral(tm, f.Type, c), nil
	case f.Type.Kind == schema.Record && !tm.ptrField[f] && hasInit(tm, f.Type):
		return "*New" + tm.names[f.Type] + "()", nil
	}
	return "", nil
}

// hasInit reports whether New<record> sets anything.
func hasInit(tm *typeMap, rec *schema.Schema) bool {
	for _, f := range rec.Fields {
		if l, err := fieldInit(tm, f); err == nil && l != "" {
			return true
		}
	}
	return false
}

// unionCode generates a union interface and its wrapper types.
func unionCode(tm *typeMap, u *unionType) string {
	var b strings.Builder
	var kinds []string
	null := false
	for _, br := range u.branches {
		if isNull(br.s) {
			null = true
			continue
		}
		kinds = append(kinds, br.goType)
	}
	text := fmt.Sprintf("%s is the union %s of %s. Its values are %s", u.name, unionText(u.schema), fieldOf(tm, u), strings.Join(kinds, ", "))
	if null {
		text += "; nil is null."
	} else {
		text += "; it must not be nil."
	}
	b.WriteString(comment(text, ""))
	fmt.Fprintf(&b, "type %s interface {\n\t%s()\n}\n\n", u.name, u.marker)
	for _, br := range u.branches {
		if isNull(br.s) {
			continue
		}
		if br.wrapper != "" {
			under := br.underlying
			if isPtrType(under) {
				under = under[1:]
			}
			b.WriteString(comment(fmt.Sprintf("%s is the %s branch of %s.", br.wrapper, unionText(br.s), u.name), ""))
			fmt.Fprintf(&b, "type %s %s\n\n", br.wrapper, under)
		}
		recvType := br.goType
		fmt.Fprintf(&b, "func (%s) %s() {}\n\n", recvType, u.marker)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// fieldOf names the field a union belongs to, for docs.
func fieldOf(tm *typeMap, u *unionType) string {
	for _, f := range u.record.Fields {
		found := false
		schema.Walk(f.Type, func(n *schema.Schema) bool {
			found = found || n == u.schema
			return !found && !n.Kind.IsNamed()
		})
		if found {
			return tm.names[u.record] + "." + goName(f.Name)
		}
	}
	return tm.names[u.record]
}

// unionText spells a schema briefly, for docs: `["null", "string", Card]`.
func unionText(s *schema.Schema) string {
	switch {
	case s.Kind == schema.Union:
		parts := make([]string, len(s.Branches))
		for i, b := range s.Branches {
			parts[i] = unionText(b)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case s.Kind.IsNamed():
		return schema.ShortName(s.Name)
	case s.Kind == schema.Array:
		return "array of " + unionText(s.Items)
	case s.Kind == schema.Map:
		return "map of " + unionText(s.Values)
	case s.Logical != "":
		return s.Logical
	}
	return strconv.Quote(s.Kind.String())
}
