package avrobin

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
)

func hambaMarshal(t *testing.T, schema string, v any) []byte {
	t.Helper()
	s, err := avro.Parse(schema)
	if err != nil {
		t.Fatal(err)
	}
	b, err := avro.Marshal(s, v)
	if err != nil {
		t.Fatalf("hamba Marshal(%v): %v", v, err)
	}
	return b
}

func TestDateDaysRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	days := []int32{0, 1, -1, 59, 60, -719468, -719469, 10957, 2932896, math.MaxInt32, math.MinInt32}
	for range 5000 {
		days = append(days, int32(rng.Uint32()))
	}
	for d := int32(-800000); d < 800000; d += 37 {
		days = append(days, d)
	}
	for d := range int32(100000) {
		days = append(days, math.MinInt32+d, math.MaxInt32-d)
	}
	for _, n := range days {
		d := DateFromDays(n)
		back, err := d.Days()
		if err != nil || back != n {
			t.Fatalf("DateFromDays(%d) = %v; Days() = %d, %v", n, d, back, err)
		}
		y, m, dd := time.Unix(int64(n)*86400, 0).UTC().Date()
		if want := (Date{y, m, dd}); d != want {
			t.Fatalf("DateFromDays(%d) = %v, time package says %v", n, d, want)
		}
		if !d.IsValid() || d.Time().Unix() != int64(n)*86400 {
			t.Fatalf("%v: IsValid %v, Time %v", d, d.IsValid(), d.Time())
		}
		parsed, err := ParseDate(d.String())
		if err != nil || parsed != d {
			t.Fatalf("ParseDate(%q) = %v, %v", d.String(), parsed, err)
		}
	}
	if MinDate.String() != "-5877641-06-23" || MaxDate.String() != "+5881580-07-11" {
		t.Errorf("MinDate %v, MaxDate %v", MinDate, MaxDate)
	}
}

func TestInvalidDates(t *testing.T) {
	for _, d := range []Date{{}, {2026, 0, 1}, {2026, 13, 1}, {2026, 1, 0}, {2026, 1, 32}, {2026, 4, 31},
		{1900, 2, 29}, {2023, 2, 29}, {MaxDate.Year, MaxDate.Month, MaxDate.Day + 1},
		{MinDate.Year, MinDate.Month, MinDate.Day - 1}, {math.MaxInt, 1, 1}, {math.MinInt, 1, 1}} {
		if _, err := d.Days(); !errors.Is(err, ErrDate) {
			t.Errorf("%#v.Days() err = %v, want ErrDate", d, err)
		}
		if _, err := AppendDate(nil, d); !errors.Is(err, ErrDate) {
			t.Errorf("AppendDate(%#v) err = %v", d, err)
		}
	}
	for _, d := range []Date{{2000, 2, 29}, {2024, 2, 29}, {0, 1, 1}, {-1, 12, 31}} {
		if err := CheckDate(d); err != nil {
			t.Errorf("CheckDate(%v) = %v", d, err)
		}
	}
	for _, s := range []string{"", "2026-1-01", "2026-02-30", "20260101", "x026-01-01", "2026-01-0x", "+-2026-01-01"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) succeeded", s)
		}
	}
}

func TestDateMatchesHamba(t *testing.T) {
	for _, n := range []int32{0, -1, 20419, -719162, 2932896, math.MaxInt32 / 2, math.MinInt32 / 2} {
		d := DateFromDays(n)
		got, err := AppendDate(nil, d)
		if err != nil {
			t.Fatal(err)
		}
		if want := hambaMarshal(t, `{"type":"int","logicalType":"date"}`, d.Time()); !bytes.Equal(got, want) {
			t.Errorf("AppendDate(%v) = %x, hamba %x", d, got, want)
		}
		r := NewReader(got)
		if back, err := r.ReadDate(); err != nil || back != d {
			t.Errorf("ReadDate = %v, %v", back, err)
		}
	}
}

func TestTimestampsMatchHamba(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	zone := time.FixedZone("IST", 5*3600+1800)
	times := []time.Time{time.Unix(0, 0), time.Unix(-1, 999_999_999), time.Unix(-1, 1), time.Unix(1, 1),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2026, 11, 27, 12, 30, 0, 123_456_789, zone)}
	for range 500 {
		times = append(times, time.Unix(rng.Int64N(1<<36)-1<<35, rng.Int64N(1e9)).In(zone))
	}
	for _, tm := range times {
		for _, c := range []struct {
			logical string
			append  func([]byte, time.Time) ([]byte, error)
			read    func(*Reader) (time.Time, error)
			unit    time.Duration
			local   bool
		}{
			{"timestamp-millis", AppendTimestampMillis, (*Reader).ReadTimestampMillis, time.Millisecond, false},
			{"timestamp-micros", AppendTimestampMicros, (*Reader).ReadTimestampMicros, time.Microsecond, false},
			{"local-timestamp-millis", AppendLocalTimestampMillis, (*Reader).ReadTimestampMillis, time.Millisecond, true},
			{"local-timestamp-micros", AppendLocalTimestampMicros, (*Reader).ReadTimestampMicros, time.Microsecond, true},
		} {
			got, err := c.append(nil, tm)
			if err != nil {
				t.Fatal(err)
			}
			hv := tm
			if c.local {
				// hamba takes the wall clock in time.Local; ours is the
				// wall clock in tm's own location.
				hv = time.Date(tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), time.Local)
			}
			if want := hambaMarshal(t, `{"type":"long","logicalType":"`+c.logical+`"}`, hv); !bytes.Equal(got, want) {
				t.Fatalf("%s of %v = %x, hamba %x", c.logical, tm, got, want)
			}
			r := NewReader(got)
			back, err := c.read(&r)
			if err != nil {
				t.Fatal(err)
			}
			want := tm
			if c.local {
				want = time.Date(tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), time.UTC)
			}
			// Truncation toward the past: Truncate works on absolute time.
			if want = want.Truncate(c.unit); !back.Equal(want) || back.Location() != time.UTC {
				t.Fatalf("%s of %v read back as %v, want %v", c.logical, tm, back, want)
			}
		}
		// Nanoseconds: no hamba support; check against UnixNano.
		if tm.Year() > 1700 && tm.Year() < 2250 {
			got, err := AppendTimestampNanos(nil, tm)
			if want := AppendLong(nil, tm.UnixNano()); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("AppendTimestampNanos(%v) = %x, %v; want %x", tm, got, err, want)
			}
		}
	}
}

func TestTimestampExtremes(t *testing.T) {
	for _, v := range []int64{math.MinInt64, math.MinInt64 + 1, math.MaxInt64, -1, 0} {
		b := AppendLong(nil, v)
		for _, c := range []struct {
			name   string
			read   func(*Reader) (time.Time, error)
			append []func([]byte, time.Time) ([]byte, error)
		}{
			{"millis", (*Reader).ReadTimestampMillis, []func([]byte, time.Time) ([]byte, error){AppendTimestampMillis, AppendLocalTimestampMillis}},
			{"micros", (*Reader).ReadTimestampMicros, []func([]byte, time.Time) ([]byte, error){AppendTimestampMicros, AppendLocalTimestampMicros}},
			{"nanos", (*Reader).ReadTimestampNanos, []func([]byte, time.Time) ([]byte, error){AppendTimestampNanos, AppendLocalTimestampNanos}},
		} {
			r := NewReader(b)
			tm, err := c.read(&r)
			if err != nil {
				t.Fatal(err)
			}
			for _, app := range c.append {
				again, err := app(nil, tm)
				if err != nil || !bytes.Equal(again, b) {
					t.Errorf("%s %d: read %v, wrote back %x, %v", c.name, v, tm, again, err)
				}
			}
		}
	}
	far := []struct {
		t   time.Time
		fns []func([]byte, time.Time) ([]byte, error)
	}{
		{time.Date(300_000_000, 1, 1, 0, 0, 0, 0, time.UTC), []func([]byte, time.Time) ([]byte, error){AppendTimestampMillis, AppendLocalTimestampMillis}},
		{time.Date(-300_000_000, 1, 1, 0, 0, 0, 0, time.UTC), []func([]byte, time.Time) ([]byte, error){AppendTimestampMillis}},
		{time.Date(300_000, 1, 1, 0, 0, 0, 0, time.UTC), []func([]byte, time.Time) ([]byte, error){AppendTimestampMicros, AppendLocalTimestampMicros}},
		{time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC), []func([]byte, time.Time) ([]byte, error){AppendTimestampNanos, AppendLocalTimestampNanos}},
		{time.Date(1677, 1, 1, 0, 0, 0, 0, time.UTC), []func([]byte, time.Time) ([]byte, error){AppendTimestampNanos}},
	}
	for _, f := range far {
		for i, fn := range f.fns {
			if b, err := fn([]byte("x"), f.t); !errors.Is(err, ErrTimeRange) || string(b) != "x" {
				t.Errorf("%v #%d: %x, %v; want ErrTimeRange and dst unchanged", f.t, i, b, err)
			}
		}
	}
	if err := CheckTimestampNanos(time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Error(err)
	}
}

func TestTimeOfDayMatchesHamba(t *testing.T) {
	for _, d := range []time.Duration{0, time.Millisecond, 13*time.Hour + 4*time.Minute + 5*time.Second + 678*time.Millisecond,
		24*time.Hour - time.Millisecond} {
		got, err := AppendTimeMillis(nil, d)
		if err != nil {
			t.Fatal(err)
		}
		if want := hambaMarshal(t, `{"type":"int","logicalType":"time-millis"}`, d); !bytes.Equal(got, want) {
			t.Errorf("AppendTimeMillis(%v) = %x, hamba %x", d, got, want)
		}
		r := NewReader(got)
		if back, err := r.ReadTimeMillis(); err != nil || back != d {
			t.Errorf("ReadTimeMillis = %v, %v", back, err)
		}
		got = AppendTimeMicros(nil, d+time.Microsecond)
		if want := hambaMarshal(t, `{"type":"long","logicalType":"time-micros"}`, d+time.Microsecond); !bytes.Equal(got, want) {
			t.Errorf("AppendTimeMicros(%v) = %x, hamba %x", d, got, want)
		}
		if err := CheckTimeOfDay(d); err != nil {
			t.Errorf("CheckTimeOfDay(%v) = %v", d, err)
		}
	}
	for _, d := range []time.Duration{-time.Nanosecond, 24 * time.Hour} {
		if err := CheckTimeOfDay(d); !errors.Is(err, ErrTimeRange) {
			t.Errorf("CheckTimeOfDay(%v) = %v", d, err)
		}
	}
	if _, err := AppendTimeMillis(nil, 600*time.Hour*24); !errors.Is(err, ErrTimeRange) {
		t.Errorf("AppendTimeMillis(600 days) err = %v", err)
	}
}

func TestUUID(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 200 {
		var u UUID
		for i := range u {
			u[i] = byte(rng.Uint32())
		}
		s := u.String()
		back, err := ParseUUID(s)
		if err != nil || back != u {
			t.Fatalf("ParseUUID(%q) = %v, %v", s, back, err)
		}
		b := AppendUUID(nil, u)
		if want := hambaMarshal(t, `{"type":"string","logicalType":"uuid"}`, s); !bytes.Equal(b, want) {
			t.Fatalf("AppendUUID = %x, hamba %x", b, want)
		}
		r := NewReader(b)
		if got, err := r.ReadUUID(); err != nil || got != u {
			t.Fatalf("ReadUUID = %v, %v", got, err)
		}
	}
	u, err := ParseUUID("F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6")
	if err != nil || u.String() != "f81d4fae-7dec-11d0-a765-00a0c91e6bf6" {
		t.Errorf("upper case: %v, %v", u, err)
	}
	for _, bad := range []string{"", "f81d4fae7dec11d0a76500a0c91e6bf6", "f81d4fae-7dec-11d0-a765-00a0c91e6bfg",
		"f81d4fae-7dec-11d0-a765_00a0c91e6bf6", "{f81d4fae-7dec-11d0-a765-00a0c91e6bf}"} {
		if _, err := ParseUUID(bad); !errors.Is(err, ErrUUIDSyntax) {
			t.Errorf("ParseUUID(%q) err = %v", bad, err)
		}
	}
}

func TestDuration(t *testing.T) {
	d := Duration{Months: 14, Days: 3, Milliseconds: math.MaxUint32}
	b := AppendDuration(nil, d)
	want := hambaMarshal(t, `{"type":"fixed","name":"d","size":12,"logicalType":"duration"}`,
		avro.LogicalDuration{Months: 14, Days: 3, Milliseconds: math.MaxUint32})
	if !bytes.Equal(b, want) {
		t.Fatalf("AppendDuration = %x, hamba %x", b, want)
	}
	r := NewReader(b)
	if back, err := r.ReadDuration(); err != nil || back != d {
		t.Fatalf("ReadDuration = %v, %v", back, err)
	}
}

func TestDecimalMatchesHamba(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var nums []*big.Int
	for _, v := range []int64{0, 1, -1, 127, 128, -128, -129, 255, 256, -255, -256, 32767, -32768, -32769, 1 << 40, -(1 << 40)} {
		nums = append(nums, big.NewInt(v))
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(30), nil)
	for range 300 {
		n := new(big.Int).SetUint64(rng.Uint64())
		n.Mul(n, new(big.Int).SetUint64(rng.Uint64()>>rng.IntN(64)))
		n.Mod(n, limit)
		if rng.IntN(2) == 0 {
			n.Neg(n)
		}
		nums = append(nums, n)
	}
	const precision, scale, size = 30, 4, 13
	for _, n := range nums {
		v := new(big.Rat).SetFrac(n, pow10(scale))
		got, err := AppendDecimal(nil, v, precision, scale)
		if err != nil {
			t.Fatal(err)
		}
		want := hambaMarshal(t, `{"type":"bytes","logicalType":"decimal","precision":30,"scale":4}`, v)
		if !bytes.Equal(got, want) {
			t.Fatalf("AppendDecimal(%s) = %x, hamba %x", v.FloatString(scale), got, want)
		}
		r := NewReader(got)
		if back, err := r.ReadDecimal(precision, scale); err != nil || back.Cmp(v) != 0 {
			t.Fatalf("ReadDecimal = %v, %v; want %v", back, err, v)
		}
		got, err = AppendFixedDecimal(nil, v, size, precision, scale)
		if err != nil {
			t.Fatal(err)
		}
		want = hambaMarshal(t, `{"type":"fixed","name":"dec","size":13,"logicalType":"decimal","precision":30,"scale":4}`, v)
		if !bytes.Equal(got, want) {
			t.Fatalf("AppendFixedDecimal(%s) = %x, hamba %x", v.FloatString(scale), got, want)
		}
		r = NewReader(got)
		if back, err := r.ReadFixedDecimal(size, scale); err != nil || back.Cmp(v) != 0 {
			t.Fatalf("ReadFixedDecimal = %v, %v; want %v", back, err, v)
		}
	}
}

func TestDecimalErrors(t *testing.T) {
	tests := []struct {
		v    *big.Rat
		want error
	}{
		{nil, ErrUnset},
		{big.NewRat(1, 3), ErrDecimal},          // not at any scale
		{big.NewRat(1, 1000), ErrDecimal},       // 3 digits after the point, scale 2
		{big.NewRat(10_000_000, 1), ErrDecimal}, // 8 digits + 2, precision 9
		{big.NewRat(-9_999_999, 1), nil},        // 7 + 2 digits
		{big.NewRat(-1, 100), nil},
	}
	for _, tt := range tests {
		err := CheckDecimal(tt.v, 9, 2)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("CheckDecimal(%v) = %v, want %v", tt.v, err, tt.want)
		}
		b, err := AppendDecimal([]byte("x"), tt.v, 9, 2)
		if (tt.want == nil) != (err == nil) || err != nil && string(b) != "x" {
			t.Errorf("AppendDecimal(%v) = %x, %v", tt.v, b, err)
		}
	}
	if got := MustParseRat("-1.25"); got.Cmp(big.NewRat(-5, 4)) != 0 {
		t.Errorf("MustParseRat = %v", got)
	}
}
