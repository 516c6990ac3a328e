package corpus

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// TestAppendKeyOfEveryKeyedEvent checks AppendKey of random values of
// every event with a key field against the field's value as text.
func TestAppendKeyOfEveryKeyedEvent(t *testing.T) {
	keyed := 0
	for _, ev := range corpusEvents() {
		key := ev.Contract().KeyField
		if key == "" {
			continue
		}
		keyed++
		name := reflect.TypeOf(ev).Elem().Name()
		root := parsed(t, ev).Root
		var kf *schema.Field
		for _, f := range root.Fields {
			if f.Name == key {
				kf = f
			}
		}
		g := newGen(41, name)
		enc := &blockEncoder{rng: rand.New(rand.NewPCG(42, 43))}
		for i := range iterations() / 4 {
			want := g.next(root)
			v := newLike(ev)
			if err := v.UnmarshalAvro(enc.encode(nil, root, want)); err != nil {
				t.Fatal(err)
			}
			text := keyText(kf.Type, want.(map[string]any)[key])
			if got := string(v.AppendKey([]byte("k:"))); got != "k:"+text {
				t.Fatalf("%s #%d: AppendKey = %q, want %q", name, i, got, "k:"+text)
			}
		}
	}
	if keyed == 0 {
		t.Error("no event has a key field")
	}
}

// keyText returns the text of a norm value of a key field of type s.
func keyText(s *schema.Schema, v any) string {
	switch {
	case s.Logical == schema.LogicalDate:
		return v.(avrobin.Date).String()
	case s.Kind == schema.Int, s.Kind == schema.Long:
		return strconv.FormatInt(v.(int64), 10)
	case s.Kind == schema.Bytes:
		return string(v.([]byte))
	}
	return v.(string) // a string, a uuid's text, an enum's symbol
}
