package manifest_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/sdk/contract"
)

const (
	money = `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}`
	cafe  = `{"type":"record","name":"CafeRef","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"deposit","type":"shop.Money"}]}`
	suit  = `{"type":"enum","name":"Suit","namespace":"shop","symbols":["A","B"]}`
	order = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"cafe","type":"shop.CafeRef"},{"name":"suit","type":"Suit"}]}`
	plain = `{"type":"record","name":"Plain","namespace":"shop","fields":[{"name":"id","type":"string"}]}`
)

func files(m map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if text, ok := m[filepath.Base(name)]; ok {
			return []byte(text), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
}

var schemaFiles = files(map[string]string{"money.avsc": money, "cafe.avsc": cafe, "suit.avsc": suit, "order.avsc": order, "plain.avsc": plain})

func names(types []*manifest.Type) []string {
	var out []string
	for _, t := range types {
		out = append(out, t.Name)
	}
	return out
}

func TestSharedTypes(t *testing.T) {
	m, err := manifest.Parse("m/manifest.json", []byte(`{
		"defaults": {"compatibility": "FULL", "subject_strategy": "TopicRecordNameStrategy"},
		"types": [
			{"schema": "money.avsc"},
			{"schema": "suit.avsc", "subject": "shop-suits", "compatibility": "NONE"},
			{"schema": "cafe.avsc"}
		],
		"events": [
			{"type": "order", "schema": "order.avsc", "topic": "shop", "key": "id"},
			{"type": "plain", "schema": "plain.avsc", "topic": "shop"}
		]}`), schemaFiles)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(m.Types); !cmp.Equal(got, []string{"shop.Money", "shop.Suit", "shop.CafeRef"}) {
		t.Fatalf("types %v", got)
	}
	money, suit, cafe := m.Types[0], m.Types[1], m.Types[2]
	// The subject is the full name unless the manifest names one; the level
	// the default unless it names its own.
	if money.Subject != "shop.Money" || money.Compatibility != contract.Full || suit.Subject != "shop-suits" || suit.Compatibility != contract.None {
		t.Errorf("money %s %s, suit %s %s", money.Subject, money.Compatibility, suit.Subject, suit.Compatibility)
	}
	if cafe.SchemaFile != filepath.Join("m", "cafe.avsc") || len(cafe.Uses) != 1 || cafe.Uses[0] != money {
		t.Errorf("cafe: file %s, uses %v", cafe.SchemaFile, names(cafe.Uses))
	}
	ord, pl := m.Events[0], m.Events[1]
	// Uses are what the schema names itself, in manifest order.
	if got := names(ord.Uses); !cmp.Equal(got, []string{"shop.Suit", "shop.CafeRef"}) {
		t.Errorf("order uses %v", got)
	}
	if len(pl.Uses) != 0 || ord.Subject != "shop-shop.Order" {
		t.Errorf("plain uses %v; order's subject %s", names(pl.Uses), ord.Subject)
	}
	// The event's schema is the resolved one.
	if !strings.Contains(ord.Schema.Canonical(), `"name":"shop.Money","type":"record"`) {
		t.Errorf("order's canonical form %s lacks Money", ord.Schema.Canonical())
	}
}

func TestSharedTypesRefused(t *testing.T) {
	cases := []struct{ name, types, events, file, want string }{
		{"a type before what it uses", `[{"schema":"cafe.avsc"},{"schema":"money.avsc"}]`, `[{"type":"p","schema":"plain.avsc","topic":"t"}]`,
			"cafe.avsc", `listed before it in "types"`},
		{"a type that is not named", `[{"schema":"int.avsc"}]`, `[{"type":"p","schema":"plain.avsc","topic":"t"}]`,
			"int.avsc", "must be a record, enum or fixed"},
		{"a type twice", `[{"schema":"money.avsc"},{"schema":"money.avsc","subject":"other"}]`, `[{"type":"p","schema":"plain.avsc","topic":"t"}]`,
			"money.avsc", "defined twice"},
		{"a type's subject an event's", `[{"schema":"money.avsc","subject":"t-value"}]`, `[{"type":"p","schema":"plain.avsc","topic":"t"}]`,
			"manifest.json", `subject "t-value" is also used by type shop.Money`},
		{"an event that is a shared type", `[{"schema":"plain.avsc"}]`, `[{"type":"p","schema":"plain.avsc","topic":"t"}]`,
			"plain.avsc", "defined twice"},
		{"a type without a schema", `[{}]`, `[{"type":"p","schema":"plain.avsc","topic":"t"}]`,
			"manifest.json", `types[0]: missing "schema"`},
		{"an event that defines a shared type again", `[{"schema":"money.avsc"}]`, `[{"type":"c","schema":"inline.avsc","topic":"t"}]`,
			"inline.avsc", "defined twice"},
	}
	read := files(map[string]string{"money.avsc": money, "cafe.avsc": cafe, "plain.avsc": plain, "int.avsc": `"int"`,
		"inline.avsc": `{"type":"record","name":"C","namespace":"shop","fields":[{"name":"m","type":` + money + `}]}`})
	for _, c := range cases {
		_, err := manifest.Parse("m/manifest.json", []byte(`{"types":`+c.types+`,"events":`+c.events+`}`), read)
		var me *manifest.Error
		if !errors.As(err, &me) || filepath.Base(me.File) != c.file || !strings.Contains(me.Problem, c.want) {
			t.Errorf("%s: %v; want an error of %s saying %q", c.name, err, c.file, c.want)
		}
	}
}
