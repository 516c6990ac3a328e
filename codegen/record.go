package codegen

import (
	"fmt"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// recordDecl generates a record: its struct, constructor, methods, and the
// union interfaces of its fields.
func recordDecl(tm *typeMap, s *schema.Schema) (*decl, error) {
	name := tm.names[s]
	d := &decl{key: name, what: "record " + s.Name, idents: tm.identsOf(s), imp: map[string]bool{avrobinPath: true}}
	var b strings.Builder

	for _, f := range s.Fields {
		if err := checkConst(tm, f); err != nil {
			return nil, fmt.Errorf("record %s: field %s: %w", s.Name, f.Name, err)
		}
		tm.typeImports(f.Type, d.imp)
	}

	// The struct.
	b.WriteString(typeDoc(tm, s, fmt.Sprintf("%s is the Avro record %s.", name, s.Name)))
	fmt.Fprintf(&b, "type %s struct {\n", name)
	docs := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		doc := sentence(f.Doc)
		if note := tm.fieldNotes[f]; note != "" {
			doc += fmt.Sprintf(" The Avro field %s. %s", f.Name, note)
		}
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
		fmt.Fprintf(&b, "\t%s %s `avro:%q`\n", tm.fields[f], tm.fieldType(f), f.Name)
	}
	b.WriteString("}\n\n")
	recordConsts(&b, tm, s)

	// The constructor.
	var inits []string
	for _, f := range s.Fields {
		l, err := fieldInit(tm, f)
		if err != nil {
			return nil, fmt.Errorf("record %s: field %s: default: %w", s.Name, f.Name, err)
		}
		if l != "" {
			litImports(l, d.imp)
			inits = append(inits, "\t\t"+tm.fields[f]+": "+l+",\n")
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
	b.WriteString("\n" + logValueMethod(tm, d.imp, s))

	// The unions of the fields.
	for _, u := range tm.unionsOf(s) {
		b.WriteString("\n")
		b.WriteString(unionCode(tm, u))
	}
	d.code = b.String()
	return d, nil
}

// recordConsts writes the constants of record s: its name in errors, and
// the "const" of each field that has one (but for enums, whose symbols are
// constants already).
func recordConsts(b *strings.Builder, tm *typeMap, s *schema.Schema) {
	name := tm.names[s]
	type constant struct{ doc, name, value string }
	consts := []constant{{fmt.Sprintf("%s names %s in errors.", tm.typeNameConst(s), name),
		tm.typeNameConst(s), quote(tm.qualified(name))}}
	for _, f := range s.Fields {
		if c, ok := tm.consts[f]; ok {
			v, _ := constOf(f)
			consts = append(consts, constant{fmt.Sprintf(`%s is the only valid %s.%s: the schema's "const".`, c, name, tm.fields[f]),
				c, constLiteral(tm, f.Type, v)})
		}
	}
	if len(consts) == 1 {
		b.WriteString(comment(consts[0].doc, ""))
		fmt.Fprintf(b, "const %s = %s\n\n", consts[0].name, consts[0].value)
		return
	}
	b.WriteString("const (\n")
	for _, c := range consts {
		b.WriteString(comment(c.doc, "\t"))
		fmt.Fprintf(b, "\t%s = %s\n", c.name, c.value)
	}
	b.WriteString(")\n\n")
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
