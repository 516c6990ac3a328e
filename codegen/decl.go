package codegen

import (
	"fmt"
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
	// split is where in the code of an event's record its contract and
	// methods go: after the type and its constructor.
	split int
}

// the methods of generated records; no field may take their names.
var recordMethods = []string{"AppendAvro", "UnmarshalAvro", "DecodeAvro", "Validate", "LogValue"}
var eventMethods = []string{"Contract", "AppendKey"}

// enumDecl generates an enum.
func enumDecl(tm *typeMap, s *schema.Schema) *decl {
	name := tm.names[s]
	d := &decl{key: name, what: "enum " + s.Name, imp: map[string]bool{"fmt": true, "strconv": true}}
	var b strings.Builder
	b.WriteString(typeDoc(tm, s, fmt.Sprintf("%s is the Avro enum %s.", name, s.Name)))
	if s.Default != "" {
		b.WriteString("//\n" + comment(fmt.Sprintf("Readers whose schema lacks a symbol read it as %s (%s), the enum's default.",
			s.Default, tm.symbol(s, s.Default)), ""))
	}
	fmt.Fprintf(&b, "type %s int32\n\n", name)
	fmt.Fprintf(&b, "// The symbols of %s.\nconst (\n", name)
	for i, sym := range s.Symbols {
		id := tm.symbols[s][i]
		if i == 0 {
			fmt.Fprintf(&b, "\t%s %s = iota // %s\n", id, name, sym)
		} else {
			fmt.Fprintf(&b, "\t%s // %s\n", id, sym)
		}
	}
	b.WriteString(")\n\n")
	symbols := enumSymbolsVar(name)
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
	d.idents = tm.identsOf(s)
	d.code = b.String()
	return d
}

// fixedDecl generates a fixed without a logical type.
func fixedDecl(tm *typeMap, s *schema.Schema) *decl {
	name := tm.names[s]
	var b strings.Builder
	b.WriteString(typeDoc(tm, s, fmt.Sprintf("%s is the Avro fixed %s, of %d bytes.", name, s.Name, s.Size)))
	fmt.Fprintf(&b, "type %s [%d]byte\n", name, s.Size)
	return &decl{key: name, what: "fixed " + s.Name, idents: tm.identsOf(s), code: b.String(), imp: map[string]bool{}}
}

// typeDoc returns the doc comment of the Go type of named type s: the
// sentence that says what it is, why its Go name is not its short name's
// (when it is not), and its doc.
func typeDoc(tm *typeMap, s *schema.Schema, first string) string {
	text := first
	if note := tm.nm.notes[s.Name]; note != "" {
		text += " " + note
	}
	if s.Doc != "" {
		text += "\n\n" + sentence(s.Doc)
	}
	return comment(text, "")
}
