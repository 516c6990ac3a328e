package corpus

// The tests compare values in a model of their own ("norm"), independent of
// the generated types, of hamba/avro's and of Python's:
//
//	null nil, boolean bool, int and long int64, float and double float64,
//	bytes and fixed []byte, string string, enum its symbol, record
//	map[string]any by field name, array []any, map map[string]any,
//	union unionVal (branch index and value);
//	date avrobin.Date, time-millis and time-micros time.Duration,
//	timestamps time.Time in UTC (local ones: the wall clock, in UTC),
//	decimal *big.Rat, uuid its lower-case text, duration avrobin.Duration.
//
// Random values are made in this model, then encoded by hamba/avro, by
// Python's avro, and by a small encoder of this file that splits arrays and
// maps into random blocks; the generated code decodes them.

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// unionVal is a union value: the branch and its value.
type unionVal struct {
	Index int
	Value any
}

// newLike returns a new zero value of the type of ev.
func newLike(ev contract.Event) contract.Event {
	return reflect.New(reflect.TypeOf(ev).Elem()).Interface().(contract.Event)
}

func parsed(t testing.TB, ev contract.Event) *schema.Parsed {
	t.Helper()
	p, err := schema.Parse(ev.Contract().Schema)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// hasCollections reports whether s has an array or a map anywhere: hamba
// writes those in blocks with byte sizes, so its bytes differ from ours.
func hasCollections(s *schema.Schema) bool {
	found := false
	schema.Walk(s, func(n *schema.Schema) bool {
		found = found || n.Kind == schema.Array || n.Kind == schema.Map
		return true
	})
	return found
}

func uuidText(b []byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// rawLong returns the Avro int or long of a norm value, converting logical
// types with the time package only.
func rawLong(s *schema.Schema, v any) int64 {
	switch s.Logical {
	case schema.LogicalDate:
		d := v.(avrobin.Date)
		return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400
	case schema.LogicalTimeMillis:
		return v.(time.Duration).Milliseconds()
	case schema.LogicalTimeMicros:
		return v.(time.Duration).Microseconds()
	case schema.LogicalTimestampMillis, schema.LogicalLocalTimestampMillis:
		return v.(time.Time).UnixMilli()
	case schema.LogicalTimestampMicros, schema.LogicalLocalTimestampMicros:
		return v.(time.Time).UnixMicro()
	case schema.LogicalTimestampNanos, schema.LogicalLocalTimestampNanos:
		return v.(time.Time).UnixNano()
	}
	return v.(int64)
}

// rawBytes returns the Avro bytes, string or fixed content of a norm value.
func rawBytes(s *schema.Schema, v any) []byte {
	switch s.Logical {
	case schema.LogicalDecimal:
		n := unscaled(s, v.(*big.Rat))
		size := s.Size
		if s.Kind == schema.Bytes {
			size = (n.BitLen()+1+7)/8 + 1 // not minimal: readers must not care
		}
		return twos(n, size)
	case schema.LogicalUUID:
		if s.Kind == schema.String {
			return []byte(v.(string))
		}
		b, err := hex.DecodeString(strings.ReplaceAll(v.(string), "-", ""))
		if err != nil {
			panic(err)
		}
		return b
	case schema.LogicalDuration:
		d := v.(avrobin.Duration)
		b := binary.LittleEndian.AppendUint32(nil, d.Months)
		b = binary.LittleEndian.AppendUint32(b, d.Days)
		return binary.LittleEndian.AppendUint32(b, d.Milliseconds)
	}
	if s.Kind == schema.String {
		return []byte(v.(string))
	}
	return v.([]byte)
}

// unscaled returns the unscaled integer of decimal r of type s.
func unscaled(s *schema.Schema, r *big.Rat) *big.Int {
	n := new(big.Int).Mul(r.Num(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s.Scale)), nil))
	return n.Quo(n, r.Denom())
}

// twos returns the two's complement of n in size bytes, big-endian.
func twos(n *big.Int, size int) []byte {
	if n.Sign() < 0 {
		n = new(big.Int).Add(n, new(big.Int).Lsh(big.NewInt(1), uint(size*8)))
	}
	return n.FillBytes(make([]byte, size))
}

// equalBytes is bytes.Equal, named for the reader of a failing test.
func equalBytes(a, b []byte) bool { return bytes.Equal(a, b) }
