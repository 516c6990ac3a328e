package schema_test

import (
	"testing"

	"github.com/lunchbot/eventkit/internal/schema"
)

func TestRulesOf(t *testing.T) {
	p, err := schema.Parse(`{"type":"record","name":"R","fields":[
		{"name":"kind","type":"string","default":"k","const":"k"},
		{"name":"version","type":"int","const":2},
		{"name":"name","type":"string"},
		{"name":"note","type":"string","default":""},
		{"name":"id","type":{"type":"string","logicalType":"uuid"}},
		{"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
		{"name":"seen","type":{"type":"long","logicalType":"local-timestamp-millis"},"default":0},
		{"name":"day","type":{"type":"int","logicalType":"date"}},
		{"name":"count","type":"long"},
		{"name":"maybe","type":["null",{"type":"long","logicalType":"timestamp-nanos"}],"default":null},
		{"name":"names","type":{"type":"array","items":"string"}},
		{"name":"times","type":{"type":"map","values":{"type":"long","logicalType":"timestamp-millis"}},"default":{}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]*schema.Field{}
	for _, f := range p.Root.Fields {
		fields[f.Name] = f
	}
	own := func(name string) schema.Rules { f := fields[name]; return schema.RulesOf(f.Type, f) }
	for _, c := range []struct {
		what string
		got  schema.Rules
		want schema.Rules
	}{
		{"const string with a default", own("kind"), schema.Rules{Const: "k"}},
		{"const int", own("version"), schema.Rules{Const: 2.0}},
		{"string without default", own("name"), schema.Rules{Required: true}},
		{"string with default", own("note"), schema.Rules{}},
		{"uuid", own("id"), schema.Rules{}},
		{"timestamp without default", own("at"), schema.Rules{Required: true}},
		{"local timestamp with default", own("seen"), schema.Rules{}},
		{"date", own("day"), schema.Rules{}},
		{"long", own("count"), schema.Rules{}},
		{"optional timestamp's union", own("maybe"), schema.Rules{}},
		{"optional timestamp's branch", schema.RulesOf(fields["maybe"].Type.Branches[1], nil), schema.Rules{Required: true}},
		{"string item", schema.RulesOf(fields["names"].Type.Items, nil), schema.Rules{}},
		{"timestamp value of a map with a default", schema.RulesOf(fields["times"].Type.Values, nil), schema.Rules{Required: true}},
	} {
		if c.got != c.want {
			t.Errorf("%s: %+v, want %+v", c.what, c.got, c.want)
		}
	}
}
