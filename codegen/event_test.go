package codegen

import (
	"strings"
	"testing"
)

// inOrder reports the first of parts that src does not have after the
// ones before it.
func inOrder(src string, parts ...string) string {
	at := 0
	for _, p := range parts {
		i := strings.Index(src[at:], p)
		if i < 0 {
			return p
		}
		at += i + len(p)
	}
	return ""
}

// TestEventAfterItsConstructor checks that an event's contract and methods
// follow its type and constructor and come before the codec, and that an
// event whose record an earlier file generated (nested in another event)
// has them first, without the type.
func TestEventAfterItsConstructor(t *testing.T) {
	zed := `{"type":"record","name":"Zed","fields":[{"name":"id","type":"string"}]}`
	m, err := parseManifest(t, `{"type":"record","name":"Outer","fields":[{"name":"z","type":`+zed+`}]}`, zed)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(m)
	if err != nil {
		t.Fatal(err)
	}
	outer := string(files[0].Source)
	if missing := inOrder(outer, "type Outer struct", "const outerTypeName", "func NewOuter()",
		"var OuterContract = &contract.Contract{", "var _ contract.Event = (*Outer)(nil)",
		"func (*Outer) Contract() *contract.Contract { return OuterContract }", "func (*Outer) AppendKey(",
		"func (o *Outer) AppendAvro(", "func (o *Outer) UnmarshalAvro(", "func (o *Outer) DecodeAvro(", "func (o *Outer) Validate()",
		"type Zed struct", "func NewZed()", "func (z *Zed) AppendAvro("); missing != "" {
		t.Errorf("a.gen.go lacks %q in its place:\n%s", missing, outer)
	}
	if strings.Contains(outer, "ZedContract") {
		t.Error("a.gen.go has the contract of Zed, whose event is b.avsc's")
	}
	z := string(files[1].Source)
	if missing := inOrder(z, "package gen\n", "var ZedContract = &contract.Contract{", "func (*Zed) Contract()", "func (*Zed) AppendKey("); missing != "" || strings.Contains(z, "type Zed") {
		t.Errorf("b.gen.go: %q out of place, or has the type:\n%s", missing, z)
	}
}
