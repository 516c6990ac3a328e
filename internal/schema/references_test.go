package schema_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/schema"
)

const (
	refMoney   = `{"type":"record","name":"Money","namespace":"com.example","doc":"An amount.","fields":[{"name":"currency","type":"string"},{"name":"cents","type":"long"}]}`
	refCafe    = `{"type":"record","name":"CafeRef","namespace":"com.example","fields":[{"name":"id","type":"long"},{"name":"deposit","type":"com.example.Money"}]}`
	refSuit    = `{"type":"enum","name":"Suit","namespace":"com.example","symbols":["HEARTS","SPADES"]}`
	refDigest  = `{"type":"fixed","name":"Digest","namespace":"com.example","size":4}`
	usesMoney  = `{"type":"record","name":"Order","namespace":"com.example","fields":[{"name":"total","type":"com.example.Money"},{"name":"tip","type":["null","Money"],"default":null}]}`
	inlineFull = `{"type":"record","name":"Order","namespace":"com.example","fields":[{"name":"total","type":` + refMoney + `},{"name":"tip","type":["null","Money"],"default":null}]}`
)

// refNamed are the reference names of the texts above.
var refNamed = map[string]string{
	refMoney: "com.example.Money", refCafe: "com.example.CafeRef",
	refSuit: "com.example.Suit", refDigest: "com.example.Digest",
}

func refsOf(texts ...string) []schema.Reference {
	var out []schema.Reference
	for _, t := range texts {
		out = append(out, schema.Reference{Name: refNamed[t], Text: t})
	}
	return out
}

func refNames(refs []schema.Reference) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Name)
	}
	return out
}

// A schema with references is the schema that defines their types itself:
// the same model, canonical form and fingerprints; its text stays its own.
func TestParseWithReferencesResolves(t *testing.T) {
	p, err := schema.ParseWithReferences(usesMoney, refsOf(refMoney))
	if err != nil {
		t.Fatal(err)
	}
	inline := schema.MustParse(inlineFull)
	if p.Canonical() != inline.Canonical() || p.CRC64() != inline.CRC64() || p.SHA256() != inline.SHA256() {
		t.Errorf("canonical form %s, want that of the inline schema %s", p.Canonical(), inline.Canonical())
	}
	if !strings.Contains(p.Canonical(), `"fields":[{"name":"currency"`) {
		t.Errorf("canonical form %s does not spell Money out", p.Canonical())
	}
	if p.Text() != usesMoney {
		t.Errorf("Text() = %s, want the schema's own text", p.Text())
	}
	total := p.Root.Fields[0].Type
	tip, _, _ := p.Root.Fields[1].Type.OptionalOf()
	if total.Kind != schema.Record || total.Name != "com.example.Money" || total.Doc != "An amount." || tip != total {
		t.Errorf("total %+v, tip %+v: want the one Money record of the reference", total, tip)
	}
	if got := refNames(p.References()); !cmp.Equal(got, []string{"com.example.Money"}) {
		t.Errorf("References() = %v", got)
	}
	// Without the reference the schema does not parse.
	if _, err := schema.Parse(usesMoney); !errors.Is(err, schema.ErrInvalid) || !strings.Contains(err.Error(), `unknown type "com.example.Money"`) {
		t.Errorf("Parse without the reference = %v", err)
	}
}

// A reference may use those before it; References names only those the
// text itself uses.
func TestParseWithReferencesNested(t *testing.T) {
	text := `{"type":"record","name":"Visit","namespace":"com.example","fields":[{"name":"cafe","type":"CafeRef"},{"name":"suit","type":"com.example.Suit"},{"name":"digest","type":"com.example.Digest"}]}`
	p, err := schema.ParseWithReferences(text, refsOf(refMoney, refSuit, refDigest, refCafe))
	if err != nil {
		t.Fatal(err)
	}
	if got := refNames(p.References()); !cmp.Equal(got, []string{"com.example.Suit", "com.example.Digest", "com.example.CafeRef"}) {
		t.Errorf("References() = %v, want Suit, Digest, CafeRef (Money only through CafeRef)", got)
	}
	var names []string
	for _, n := range schema.NamedTypes(p.Root) {
		names = append(names, n.Kind.String()+" "+n.Name)
	}
	want := []string{"record com.example.Visit", "record com.example.CafeRef", "record com.example.Money", "enum com.example.Suit", "fixed com.example.Digest"}
	if !cmp.Equal(names, want) {
		t.Errorf("named types %v, want %v", names, want)
	}
	// A reference that needs one given after it fails, naming it.
	_, err = schema.ParseWithReferences(text, refsOf(refMoney, refSuit, refDigest)[0:0])
	if err == nil {
		t.Fatal("parsed without its references")
	}
	_, err = schema.ParseWithReferences(text, []schema.Reference{{Name: "com.example.CafeRef", Text: refCafe}, {Name: "com.example.Money", Text: refMoney}})
	var se *schema.Error
	if !errors.As(err, &se) || !strings.HasPrefix(se.Where, `reference "com.example.CafeRef"`) || !strings.Contains(se.Problem, `unknown type "com.example.Money"`) {
		t.Errorf("references out of order: %v (where %q)", err, whereOf(err))
	}
}

func whereOf(err error) string {
	var se *schema.Error
	if errors.As(err, &se) {
		return se.Where
	}
	return ""
}

func TestParseWithReferencesRefused(t *testing.T) {
	cases := []struct {
		name, text   string
		refs         []schema.Reference
		where, wants string
	}{
		{"a type the schema defines again", inlineFull, refsOf(refMoney), "record com.example.Order: field \"total\": record com.example.Money", "defined twice"},
		{"a reference that is not JSON", usesMoney, []schema.Reference{{Name: "com.example.Money", Text: "{"}}, `reference "com.example.Money"`, "not JSON"},
		{"a reference that is not valid", usesMoney, []schema.Reference{{Name: "m", Text: `{"type":"record","name":"Money","namespace":"com.example"}`}}, `reference "m": record com.example.Money`, `needs "fields"`},
		{"two references defining one type", usesMoney, refsOf(refMoney, refMoney), `reference "com.example.Money": record com.example.Money`, "defined twice"},
		{"a default that is no value of the referenced type", `{"type":"record","name":"O","fields":[{"name":"m","type":"com.example.Money","default":{"currency":"EUR"}}]}`, refsOf(refMoney), `record O: field "m"`, "is missing"},
	}
	for _, c := range cases {
		_, err := schema.ParseWithReferences(c.text, c.refs)
		var se *schema.Error
		if !errors.As(err, &se) || !strings.HasPrefix(se.Where, c.where) || !strings.Contains(se.Problem, c.wants) {
			t.Errorf("%s: %v (where %q), want where %q and %q", c.name, err, whereOf(err), c.where, c.wants)
		}
	}
	// A valid default of a referenced record.
	if _, err := schema.ParseWithReferences(`{"type":"record","name":"O","fields":[{"name":"m","type":"com.example.Money","default":{"currency":"EUR","cents":0}}]}`, refsOf(refMoney)); err != nil {
		t.Errorf("a valid default of the referenced record: %v", err)
	}
}

// Data written with a schema with references resolves against the inline
// schema and back: the resolver sees one schema.
func TestParseWithReferencesResolution(t *testing.T) {
	withRefs, err := schema.ParseWithReferences(usesMoney, refsOf(refMoney))
	if err != nil {
		t.Fatal(err)
	}
	newer := schema.MustParse(strings.Replace(inlineFull, `{"name":"cents","type":"long"}`, `{"name":"cents","type":"long"},{"name":"note","type":"string","default":""}`, 1))
	res, err := schema.NewResolver(withRefs, newer)
	if err != nil {
		t.Fatal(err)
	}
	// total {EUR, 150}, tip null.
	in := []byte{6, 'E', 'U', 'R', 0xac, 0x02, 0}
	out, err := res.Transcode(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{6, 'E', 'U', 'R', 0xac, 0x02, 0, 0}
	if !cmp.Equal(out, want) {
		t.Errorf("Transcode = %x, want %x", out, want)
	}
}
