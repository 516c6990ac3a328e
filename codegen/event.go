package codegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
)

var compatIdents = map[contract.Compatibility]string{
	contract.Backward: "Backward", contract.BackwardTransitive: "BackwardTransitive",
	contract.Forward: "Forward", contract.ForwardTransitive: "ForwardTransitive",
	contract.Full: "Full", contract.FullTransitive: "FullTransitive", contract.None: "None",
}

// contractVar returns the name of the package-level variable of the
// contract of the event whose record is the Go type name.
func contractVar(name string) string { return name + "Contract" }

// eventDecl generates an event's contract and the methods of contract.Event
// that records do not have. The generator writes them after the record's
// constructor.
func eventDecl(tm *typeMap, ev *manifest.Event) (*decl, error) {
	root := ev.Schema.Root
	name := tm.names[root]
	rv := receiverName(name)
	cvar := contractVar(name)
	d := &decl{key: "event:" + name, what: "record " + root.Name, idents: []string{cvar},
		imp: map[string]bool{contractPath: true}}

	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(ev.Schema.Text())); err != nil {
		return nil, fmt.Errorf("compacting the schema: %w", err)
	}
	compat, ok := compatIdents[ev.Compatibility]
	if !ok {
		return nil, fmt.Errorf("unknown compatibility level %q", ev.Compatibility)
	}
	var b strings.Builder
	b.WriteString(comment(fmt.Sprintf("%s is the contract of the event %s: the Avro record %s on topic %s, subject %s (%s). It is shared by all who use the event, through Contract and Contracts: it must not be modified.",
		cvar, ev.Type, root.Name, ev.Topic, ev.Subject, ev.Compatibility), ""))
	fmt.Fprintf(&b, "var %s = &contract.Contract{\n", cvar)
	fmt.Fprintf(&b, "\tType: %s,\n\tName: %s,\n\tTopic: %s,\n\tSubject: %s,\n\tCompatibility: contract.%s,\n\tKeyField: %s,\n",
		quote(ev.Type), quote(root.Name), quote(ev.Topic), quote(ev.Subject), compat, quote(ev.KeyField))
	b.WriteString("\t// Schema is the schema file, compacted: what is registered.\n")
	fmt.Fprintf(&b, "\tSchema: %s,\n", literalString(compact.String()))
	if len(ev.Uses) > 0 {
		b.WriteString("\t// References are the shared types the schema uses, registered under\n\t// subjects of their own; Canonical and the fingerprints are those of\n\t// the resolved schema.\n")
		writeReferences(&b, "\t", ev.Uses)
	}
	fmt.Fprintf(&b, "\tCanonical: %s,\n", literalString(ev.Schema.Canonical()))
	fmt.Fprintf(&b, "\tCRC64: %#016x,\n", ev.Schema.CRC64())
	sum := ev.Schema.SHA256()
	b.WriteString("\tSHA256: [32]byte{")
	for i, c := range sum {
		if i%8 == 0 {
			b.WriteString("\n\t\t")
		}
		fmt.Fprintf(&b, "0x%02x, ", c)
	}
	b.WriteString("\n\t},\n}\n\n")
	fmt.Fprintf(&b, "var _ contract.Event = (*%s)(nil)\n\n", name)
	b.WriteString(comment(fmt.Sprintf("Contract returns %s, the contract of the event %s, which must not be modified. It does not use its receiver: (*%s)(nil).Contract() works.",
		cvar, ev.Type, name), ""))
	fmt.Fprintf(&b, "func (*%s) Contract() *contract.Contract { return %s }\n\n", name, cvar)

	if ev.KeyField == "" {
		b.WriteString("// AppendKey appends nothing: the event has no key field.\n")
		fmt.Fprintf(&b, "func (*%s) AppendKey(dst []byte) []byte { return dst }\n", name)
	} else {
		var kf *schema.Field
		for _, f := range root.Fields {
			if f.Name == ev.KeyField {
				kf = f
			}
		}
		if kf == nil {
			return nil, fmt.Errorf("key field %q is not a field of %s", ev.KeyField, root.Name)
		}
		x := rv + "." + tm.fields[kf]
		var expr string
		switch t := kf.Type; {
		case t.Kind == schema.String && t.Logical == schema.LogicalUUID:
			expr = "append(dst, " + x + ".String()...)"
		case t.Kind == schema.Int && t.Logical == schema.LogicalDate:
			expr = x + ".AppendText(dst)"
		case t.Logical != "":
			return nil, fmt.Errorf("key field %q: a %s cannot key messages", kf.Name, t.Logical)
		case t.Kind == schema.String, t.Kind == schema.Bytes:
			expr = "append(dst, " + x + "...)"
		case t.Kind == schema.Int:
			expr = "strconv.AppendInt(dst, int64(" + x + "), 10)"
			d.imp["strconv"] = true
		case t.Kind == schema.Long:
			expr = "strconv.AppendInt(dst, " + x + ", 10)"
			d.imp["strconv"] = true
		case t.Kind == schema.Enum:
			expr = "append(dst, " + x + ".String()...)"
		default:
			return nil, fmt.Errorf("key field %q: a %s cannot key messages", kf.Name, t.Kind)
		}
		b.WriteString(comment(fmt.Sprintf("AppendKey appends the Kafka message key to dst: field %s, as text.", kf.Name), ""))
		fmt.Fprintf(&b, "func (%s *%s) AppendKey(dst []byte) []byte {\n\tif %s == nil {\n\t\treturn dst\n\t}\n\treturn %s\n}\n", rv, name, rv, expr)
	}
	d.code = b.String()
	return d, nil
}

// writeReferences writes the References field of a contract or a
// contract.Reference: each shared type's name, subject and schema as
// registered (compacted), and its own references in turn.
func writeReferences(b *strings.Builder, indent string, uses []*manifest.Type) {
	fmt.Fprintf(b, "%sReferences: []contract.Reference{\n", indent)
	for _, t := range uses {
		fmt.Fprintf(b, "%s\t{\n%s\t\tName: %s,\n%s\t\tSubject: %s,\n%s\t\tSchema: %s,\n",
			indent, indent, quote(t.Name), indent, quote(t.Subject), indent, literalString(t.Schema.Compact()))
		if len(t.Uses) > 0 {
			writeReferences(b, indent+"\t\t", t.Uses)
		}
		fmt.Fprintf(b, "%s\t},\n", indent)
	}
	fmt.Fprintf(b, "%s},\n", indent)
}

// literalString returns s as a Go string literal: raw (backquoted) when it
// can be.
func literalString(s string) string {
	if !strings.ContainsAny(s, "`\r") {
		return "`" + s + "`"
	}
	return quote(s)
}
