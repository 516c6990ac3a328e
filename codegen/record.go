package codegen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// recordDecl generates a record: its struct, constructor, methods, and the
// union interfaces of its fields.
func recordDecl(tm *typeMap, s *schema.Schema) (*decl, error) {
	name := tm.names[s]
	d := &decl{key: name, what: "record " + s.Name, imp: map[string]bool{avrobinPath: true}}
	d.idents = append(d.idents, name, "New"+name)
	var b strings.Builder

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
	d.idents = append(d.idents, recordConsts(&b, tm, s)...)

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

	d.split = b.Len()
	b.WriteString(appendAvroMethod(tm, d.imp, s))
	b.WriteString(decodeMethods(tm, d.imp, s))
	b.WriteString(validateMethod(tm, d.imp, s))

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

// recordConsts writes the constants of record s: its name in errors, and
// the "const" of each field that has one (but for enums, whose symbols are
// constants already). It returns their names.
func recordConsts(b *strings.Builder, tm *typeMap, s *schema.Schema) []string {
	name := tm.names[s]
	type constant struct{ doc, name, value string }
	consts := []constant{{fmt.Sprintf("%s names %s in errors.", tm.typeNameConst(s), name),
		tm.typeNameConst(s), quote(tm.qualified(name))}}
	for _, f := range s.Fields {
		if c, ok := tm.consts[f]; ok {
			v, _ := constOf(f)
			consts = append(consts, constant{fmt.Sprintf(`%s is the only valid %s.%s: the schema's "const".`, c, name, goName(f.Name)),
				c, constLiteral(tm, f.Type, v)})
		}
	}
	var idents []string
	if len(consts) == 1 {
		b.WriteString(comment(consts[0].doc, ""))
		fmt.Fprintf(b, "const %s = %s\n\n", consts[0].name, consts[0].value)
		return []string{consts[0].name}
	}
	b.WriteString("const (\n")
	for _, c := range consts {
		b.WriteString(comment(c.doc, "\t"))
		fmt.Fprintf(b, "\t%s = %s\n", c.name, c.value)
		idents = append(idents, c.name)
	}
	b.WriteString(")\n\n")
	return idents
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
		if c, ok := constOf(f); ok && l == constLiteral(tm, f.Type, c) {
			return tm.constRef(f), nil
		}
		return l, nil
	case func() bool { _, ok := constOf(f); return ok }():
		return tm.constRef(f), nil
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
