package corpus

import (
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// valid returns valid values of the corpus types to break one way at a time.
func validCollections() *Collections {
	return &Collections{
		Items:   []Item{{Sku: "a"}, {Sku: "b"}, {Sku: "c"}},
		Stock:   map[string]Item{"x": {Sku: "x"}},
		Labels:  map[string]string{"k": "v"},
		Suits:   []Suit{SuitClubs, SuitHearts},
		Address: corpusAddress(),
	}
}

func corpusAddress() SharedAddress { return SharedAddress{Street: "Main St 1", City: "Zürich"} }

func validLogical() *Logical {
	return &Logical{
		Day:    avrobin.Date{Year: 2026, Month: time.November, Day: 27},
		TimeMs: 13 * time.Hour, TimeUs: time.Hour,
		TsMs: time.Now(), TsUs: time.Now(), TsNs: time.Now(),
		LocalMs: time.Now(), LocalUs: time.Now(), LocalNs: time.Now(),
		Amount: big.NewRat(12345, 100), Price: big.NewRat(-5, 1),
	}
}

func validUnions() *Unions {
	return &Unions{Tender: &Cash{Cents: 5}, Mixed: UnionsMixedInt(3), One: "one"}
}

func TestValidateAndAppendErrors(t *testing.T) {
	deep := &Node{}
	for range avrobin.MaxDepth + 5 {
		deep = &Node{Value: 1, Next: deep}
	}
	cyclic := &Node{Value: 1}
	cyclic.Next = cyclic

	tests := []struct {
		name  string
		value contract.Event
		// field and reason of the error; encode: AppendAvro fails too.
		field  string
		reason error
		encode bool
	}{
		{"const", func() contract.Event { d := NewDefaults(); d.Kind = "other"; return d }(), "kind", nil, false},
		{"int const", func() contract.Event { d := NewDefaults(); d.Version = 3; return d }(), "version", nil, false},
		{"required string", &Primitives{URL: "u"}, "id", avrobin.ErrEmpty, false},
		{"invalid UTF-8", &Primitives{ID: "a\xffb", URL: "u"}, "id", avrobin.ErrInvalidUTF8, false},
		{"string with default may be empty but not invalid", &Primitives{ID: "x", URL: "u", Note: "\xc0"}, "note", avrobin.ErrInvalidUTF8, false},
		{"nested required string", func() contract.Event { c := validCollections(); c.Items[2].Sku = ""; return c }(), "items[2].sku", avrobin.ErrEmpty, false},
		{"map value record", func() contract.Event { c := validCollections(); c.Stock["x"] = Item{}; return c }(), `stock["x"].sku`, avrobin.ErrEmpty, false},
		{"map key", func() contract.Event { c := validCollections(); c.Labels["\xff"] = "v"; return c }(), `labels["\xff"]`, avrobin.ErrInvalidUTF8, false},
		{"enum", func() contract.Event { c := validCollections(); c.Suit = 9; return c }(), "suit", avrobin.ErrIndex, true},
		{"enum in array", func() contract.Event { c := validCollections(); c.Suits[1] = -1; return c }(), "suits[1]", avrobin.ErrIndex, true},
		{"optional enum", func() contract.Event { c := validCollections(); s := Suit(5); c.MaybeSuit = &s; return c }(), "maybe_suit", avrobin.ErrIndex, true},
		{"shared record", func() contract.Event { c := validCollections(); c.Address.City = ""; return c }(), "address.city", avrobin.ErrEmpty, false},
		{"date", func() contract.Event { l := validLogical(); l.Day.Day = 30; l.Day.Month = 2; return l }(), "day", avrobin.ErrDate, true},
		{"zero date", func() contract.Event { l := validLogical(); l.Day = avrobin.Date{}; return l }(), "day", avrobin.ErrDate, true},
		{"date in array", func() contract.Event {
			c := validCollections()
			c.Days = []avrobin.Date{{Year: 2000, Month: 1, Day: 1}, {}}
			return c
		}(), "days[1]", avrobin.ErrDate, true},
		{"time of day", func() contract.Event { l := validLogical(); l.TimeMs = 25 * time.Hour; return l }(), "time_ms", avrobin.ErrTimeRange, false},
		{"negative time of day", func() contract.Event { l := validLogical(); l.TimeUs = -time.Second; return l }(), "time_us", avrobin.ErrTimeRange, false},
		{"nanos range", func() contract.Event {
			l := validLogical()
			l.TsNs = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
			return l
		}(), "ts_ns", avrobin.ErrTimeRange, true},
		{"micros range", func() contract.Event {
			l := validLogical()
			l.LocalUs = time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)
			return l
		}(), "local_us", avrobin.ErrTimeRange, true},
		{"unset timestamp", func() contract.Event { l := validLogical(); l.TsUs = time.Time{}; return l }(), "ts_us", avrobin.ErrUnset, false},
		{"unset local timestamp", func() contract.Event { l := validLogical(); l.LocalMs = time.Time{}; return l }(), "local_ms", avrobin.ErrUnset, false},
		{"optional timestamp set to the zero time", func() contract.Event { l := validLogical(); l.MaybeTs = &time.Time{}; return l }(), "maybe_ts", avrobin.ErrUnset, false},
		{"union branch of the zero time", func() contract.Event { u := validUnions(); u.Logical = UnionsLogicalTimestampMillis{}; return u }(), "logical", avrobin.ErrUnset, false},
		{"zero time in an array", func() contract.Event {
			m := NewTimestampMicrosMatrix()
			m.Value, m.Record.Value = time.Now(), time.Now()
			m.UnionFirst = TimestampMicrosMatrixUnionFirstString("x")
			m.Array = []time.Time{time.Now(), {}}
			return m
		}(), "array[1]", avrobin.ErrUnset, false},
		{"zero time in a map of a nested record", func() contract.Event {
			m := NewTimestampMicrosMatrix()
			m.Value, m.Record.Value = time.Now(), time.Now()
			m.UnionFirst = TimestampMicrosMatrixUnionFirstString("x")
			m.RecordMap = map[string]TimestampMicrosHolder{"k": {Value: time.Now(), Values: []time.Time{{}}}}
			return m
		}(), `record_map["k"].values[0]`, avrobin.ErrUnset, false},
		{"decimal scale", func() contract.Event { l := validLogical(); l.Amount = big.NewRat(1, 100000); return l }(), "amount", avrobin.ErrDecimal, true},
		{"decimal precision", func() contract.Event {
			l := validLogical()
			l.Price = new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(16), nil))
			return l
		}(), "price", avrobin.ErrDecimal, true},
		{"nil decimal", func() contract.Event { l := validLogical(); l.Amount = nil; return l }(), "amount", avrobin.ErrUnset, true},
		{"optional decimal", func() contract.Event { l := validLogical(); l.MaybeAmount = big.NewRat(1, 2); return l }(), "maybe_amount", avrobin.ErrDecimal, true},
		{"unset union", func() contract.Event { u := validUnions(); u.Tender = nil; return u }(), "tender", avrobin.ErrUnset, true},
		{"typed nil in union", func() contract.Event { u := validUnions(); u.Tender = (*Card)(nil); return u }(), "tender", avrobin.ErrUnset, true},
		{"union branch checked", func() contract.Event { u := validUnions(); u.Tender = &Voucher{Code: ""}; return u }(), "tender.code", avrobin.ErrEmpty, false},
		{"union in array", func() contract.Event { u := validUnions(); u.List = []UnionsListItem{nil, (*Cash)(nil)}; return u }(), "list[1]", avrobin.ErrUnset, true},
		{"union string", func() contract.Event { u := validUnions(); u.Mixed = UnionsMixedString("\xff"); return u }(), "mixed", avrobin.ErrInvalidUTF8, false},
		{"deep list", &Recursive{List: deep, Tree: Tree{Label: "t"}, Ping: Ping{}}, "list.next.next...", avrobin.ErrTooDeep, true},
		{"cyclic list", &Recursive{List: cyclic, Tree: Tree{Label: "t"}}, "list.next.next...", avrobin.ErrTooDeep, true},
		{"tree child", &Recursive{Tree: Tree{Label: "t", Children: []Tree{{Label: "c", Index: map[string]Tree{"k": {}}}}}}, `tree.children[0].index["k"].label`, avrobin.ErrEmpty, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.value.Validate()
			checkInvalid(t, "Validate", err, tt.value, tt.field, tt.reason)
			out, err := tt.value.AppendAvro([]byte("dst"))
			if !tt.encode {
				if err != nil {
					t.Fatalf("AppendAvro: %v", err)
				}
				return
			}
			checkInvalid(t, "AppendAvro", err, tt.value, tt.field, tt.reason)
			if string(out) != "dst" {
				t.Errorf("AppendAvro on error returned %q, want dst unchanged", out)
			}
		})
	}
}

func checkInvalid(t *testing.T, op string, err error, v contract.Event, field string, reason error) {
	t.Helper()
	var ve *avrobin.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, avrobin.ErrInvalid) {
		t.Fatalf("%s = %v, want a *avrobin.ValidationError", op, err)
	}
	typ := "corpus." + reflect.TypeOf(v).Elem().Name()
	if before, elided := strings.CutSuffix(field, "..."); elided {
		// A path too long to keep whole: its start, "...", its end.
		if !strings.HasPrefix(ve.Field, before) || !strings.Contains(ve.Field, "...") || len(ve.Field) > 260 {
			t.Errorf("%s: field %q, want %q", op, ve.Field, field)
		}
		field = ve.Field
	}
	if ve.Type != typ || ve.Field != field {
		t.Errorf("%s: type %q field %q, want %q %q (%v)", op, ve.Type, ve.Field, typ, field, err)
	}
	if reason != nil && !errors.Is(err, reason) {
		t.Errorf("%s = %v, want reason %v", op, err, reason)
	}
	if !strings.HasPrefix(err.Error(), typ+": field "+field+": ") {
		t.Errorf("%s message %q does not name the type and field", op, err)
	}
}

func TestValidValuesPass(t *testing.T) {
	for _, v := range []contract.Event{validCollections(), validLogical(), validUnions(), NewDefaults(),
		&Primitives{ID: "x", URL: "u"}, &Recursive{Tree: Tree{Label: "root"}}} {
		if err := v.Validate(); err != nil {
			t.Errorf("%T: %v", v, err)
		}
		if _, err := v.AppendAvro(nil); err != nil {
			t.Errorf("%T: AppendAvro: %v", v, err)
		}
	}
}

// TestTimestampWithDefaultMayBeZero: a field with a default is one a writer
// may leave alone (see schema.RulesOf), so its zero time.Time passes, as an
// empty string with a default does.
func TestTimestampWithDefaultMayBeZero(t *testing.T) {
	d := NewDefaults()
	d.At = time.Time{}
	if err := d.Validate(); err != nil {
		t.Errorf("Defaults with a zero At: %v", err)
	}
}

// TestUnsetNanosIsUnset: the zero time.Time, which no timestamp-nanos can
// hold, is reported by Validate as not set, the mistake it stands for;
// AppendAvro, which does not validate, says it is out of range.
func TestUnsetNanosIsUnset(t *testing.T) {
	l := validLogical()
	l.TsNs = time.Time{}
	checkInvalid(t, "Validate", l.Validate(), l, "ts_ns", avrobin.ErrUnset)
	_, err := l.AppendAvro(nil)
	checkInvalid(t, "AppendAvro", err, l, "ts_ns", avrobin.ErrTimeRange)
}

func TestNilReceivers(t *testing.T) {
	var p *Primitives
	if err := p.Validate(); !errors.Is(err, avrobin.ErrUnset) {
		t.Errorf("Validate on nil = %v", err)
	}
	if _, err := p.AppendAvro(nil); !errors.Is(err, avrobin.ErrUnset) {
		t.Errorf("AppendAvro on nil = %v", err)
	}
	if err := p.UnmarshalAvro([]byte{2, 'x'}); !errors.Is(err, avrobin.ErrMalformed) {
		t.Errorf("UnmarshalAvro on nil = %v", err)
	}
	if got := p.AppendKey([]byte("k")); string(got) != "k" {
		t.Errorf("AppendKey on nil = %q", got)
	}
	if p.Contract().Name != "corpus.Primitives" {
		t.Errorf("Contract on nil = %v", p.Contract())
	}
}

// TestDeepInput decodes a linked list nested deeper than avrobin.MaxDepth:
// an error, not a stack overflow.
func TestDeepInput(t *testing.T) {
	encode := func(depth int) []byte {
		in := []byte{0x02}    // id 1
		in = append(in, 0x02) // list: the Node branch
		for range depth - 1 {
			in = append(in, 0x02, 0x02) // value 1, next: a Node
		}
		//nolint:gocritic // appendCombine: one append per field, each with its comment
		in = append(in, 0x02, 0x00)      // value 1, next: null
		in = append(in, 0x02, 't', 0, 0) // tree: label "t", no children, no index
		in = append(in, 0x00, 0x00)      // ping: n 0, pong null
		return in
	}
	var r Recursive
	if err := r.UnmarshalAvro(encode(avrobin.MaxDepth - 1)); err != nil {
		t.Fatalf("a list of %d: %v", avrobin.MaxDepth-1, err)
	}
	n := 0
	for l := r.List; l != nil; l = l.Next {
		n++
	}
	if n != avrobin.MaxDepth-1 {
		t.Fatalf("decoded %d nodes", n)
	}
	err := r.UnmarshalAvro(encode(avrobin.MaxDepth + 1))
	var de *avrobin.DecodeError
	if !errors.Is(err, avrobin.ErrTooDeep) || !errors.As(err, &de) || !strings.HasPrefix(de.Field, "list.next.next") || len(de.Field) > 260 {
		t.Fatalf("a list of %d: %v", avrobin.MaxDepth+1, err)
	}
	if err := r.UnmarshalAvro(encode(50_000)); !errors.Is(err, avrobin.ErrTooDeep) {
		t.Fatalf("a list of 50000: %v", err)
	}
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	c := validCollections()
	c.Items[2].Quantity = 5
	enc, err := c.AppendAvro(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Cut the input inside items[2].
	cut := 0
	for n := range enc {
		var de *avrobin.DecodeError
		if err := new(Collections).UnmarshalAvro(enc[:n]); errors.As(err, &de) && strings.HasPrefix(de.Field, "items[2]") {
			cut = n
			if !errors.Is(err, avrobin.ErrTruncated) || de.Type != "corpus.Collections" || de.Offset > n {
				t.Fatalf("%v (offset %d of %d)", err, de.Offset, n)
			}
			break
		}
	}
	if cut == 0 {
		t.Fatal("no prefix failed within items[2]")
	}
	// An enum index out of range.
	u := validUnions()
	enc, _ = u.AppendAvro(nil)
	enc[0] = 0x06 // kind: index 3 of 3 symbols
	err = new(Unions).UnmarshalAvro(enc)
	var de *avrobin.DecodeError
	if !errors.As(err, &de) || de.Field != "kind" || de.Offset != 0 || !errors.Is(err, avrobin.ErrIndex) {
		t.Fatalf("bad enum index: %v", err)
	}
	if want := "corpus.Unions: field kind: at offset 0: index out of range"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestAppendKey(t *testing.T) {
	tests := []struct {
		ev   contract.Event
		want string
	}{
		{&Primitives{ID: "cafe-7"}, "cafe-7"},
		{&Collections{Count: -42}, "-42"},
		{&Unions{Kind: KindB}, "B"},
		{&Recursive{ID: 1 << 40}, "1099511627776"},
		{&Logical{}, ""},
	}
	for _, tt := range tests {
		if got := tt.ev.AppendKey([]byte("k:")); string(got) != "k:"+tt.want {
			t.Errorf("%T.AppendKey = %q, want %q", tt.ev, got, "k:"+tt.want)
		}
		if got, want := tt.ev.Contract().KeyField != "", tt.want != ""; got != want {
			t.Errorf("%T: key field %q", tt.ev, tt.ev.Contract().KeyField)
		}
	}
}

func TestEnumText(t *testing.T) {
	if SuitNoTrump.String() != "NO_TRUMP" || Suit(9).String() != "Suit(9)" {
		t.Errorf("String: %v %v", SuitNoTrump, Suit(9))
	}
	s, err := ParseSuit("HEARTS")
	if err != nil || s != SuitHearts {
		t.Errorf("ParseSuit = %v, %v", s, err)
	}
	if _, err := ParseSuit("hearts"); err == nil {
		t.Error("ParseSuit is not case-sensitive")
	}
	b, err := SuitClubs.MarshalText()
	if err != nil || string(b) != "CLUBS" {
		t.Errorf("MarshalText = %s, %v", b, err)
	}
	if _, err := Suit(-1).MarshalText(); err == nil {
		t.Error("MarshalText of an invalid value succeeded")
	}
	var back Suit
	if err := back.UnmarshalText([]byte("DIAMONDS")); err != nil || back != SuitDiamonds {
		t.Errorf("UnmarshalText = %v, %v", back, err)
	}
}
