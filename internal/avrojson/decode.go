package avrojson

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/lunchbot/eventkit/internal/schema"
)

// errNoSchema is returned for a nil schema.
var errNoSchema = errors.New("avrojson: nil schema")

// Decode returns the JSON form of the Avro binary encoding data of a value of
// s, in the style opts.Style, as one line. Its errors match ErrMalformed; an
// *Error (errors.As) names the place and byte offset at fault.
func Decode(s *schema.Schema, data []byte, opts Options) ([]byte, error) {
	return AppendDecode(nil, s, data, opts)
}

// AppendDecode is Decode appending to dst. On error dst is returned
// unchanged in content (its length is restored).
func AppendDecode(dst []byte, s *schema.Schema, data []byte, opts Options) ([]byte, error) {
	if s == nil {
		return dst, errNoSchema
	}
	d := decoder{data: data, style: opts.Style}
	n := len(dst)
	out, err := d.value(dst, s, 0)
	if err != nil {
		return dst[:n], err
	}
	if d.pos != len(data) {
		return dst[:n], malformed(d.pos, "%d byte(s) left over after the value: the data was probably written with another schema", len(data)-d.pos)
	}
	return out, nil
}

type decoder struct {
	data      []byte
	pos       int
	style     Style
	zeroItems int
	sizes     map[*schema.Schema]int
}

func (d *decoder) left() int { return len(d.data) - d.pos }

func (d *decoder) truncated(start int, what string) error {
	return malformed(start, "truncated: %s, but the data ends", what)
}

// readLong reads a zig-zag varint of at most maxBytes bytes.
func (d *decoder) readVarint(maxBytes int, what string) (int64, error) {
	start := d.pos
	var u uint64
	for i := 0; ; i++ {
		if d.pos >= len(d.data) {
			return 0, d.truncated(start, "expected "+what)
		}
		b := d.data[d.pos]
		d.pos++
		if i == 9 && b > 1 {
			return 0, malformed(start, "%s varint overflows 64 bits", what)
		}
		u |= uint64(b&0x7f) << (7 * uint(i))
		if b < 0x80 {
			break
		}
		if i+1 >= maxBytes {
			return 0, malformed(start, "%s varint longer than %d bytes", what, maxBytes)
		}
	}
	return int64(u>>1) ^ -int64(u&1), nil
}

func (d *decoder) readLong(what string) (int64, error) { return d.readVarint(10, what) }

func (d *decoder) readInt(what string) (int32, error) {
	start := d.pos
	v, err := d.readVarint(5, what)
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, malformed(start, "%s %d is out of the 32-bit range", what, v)
	}
	return int32(v), nil
}

// readLength reads a byte length and checks it against the bytes left.
func (d *decoder) readLength(what string) (int, error) {
	start := d.pos
	n, err := d.readLong(what + " length")
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, malformed(start, "negative %s length %d", what, n)
	}
	if n > int64(d.left()) {
		return 0, malformed(start, "%s length %d exceeds the %d byte(s) left", what, n, d.left())
	}
	return int(n), nil
}

func (d *decoder) take(n int, what string) ([]byte, error) {
	if n > d.left() {
		return nil, d.truncated(d.pos, strconv.Itoa(n)+" bytes of "+what+" expected")
	}
	b := d.data[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

// minSize is the least number of bytes a value of s takes, the records'
// sizes kept in d.
func (d *decoder) minSize(s *schema.Schema) int {
	if d.sizes == nil {
		d.sizes = map[*schema.Schema]int{}
	}
	return schema.MinSize(s, d.sizes)
}

func (d *decoder) value(dst []byte, s *schema.Schema, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return dst, malformed(d.pos, "values nested deeper than %d levels", MaxDepth)
	}
	start := d.pos
	switch s.Kind {
	case schema.Null:
		return append(dst, "null"...), nil
	case schema.Boolean:
		if d.left() < 1 {
			return dst, d.truncated(start, "expected a boolean")
		}
		b := d.data[d.pos]
		d.pos++
		switch b {
		case 0:
			return append(dst, "false"...), nil
		case 1:
			return append(dst, "true"...), nil
		}
		return dst, malformed(start, "boolean byte 0x%02x is neither 0 nor 1", b)
	case schema.Int:
		v, err := d.readInt("int")
		if err != nil {
			return dst, err
		}
		return d.appendInt(dst, s, v), nil
	case schema.Long:
		v, err := d.readLong("long")
		if err != nil {
			return dst, err
		}
		return d.appendLong(dst, s, v), nil
	case schema.Float:
		b, err := d.take(4, "float")
		if err != nil {
			return dst, err
		}
		return appendFloat(dst, float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), 32), nil
	case schema.Double:
		b, err := d.take(8, "double")
		if err != nil {
			return dst, err
		}
		return appendFloat(dst, math.Float64frombits(binary.LittleEndian.Uint64(b)), 64), nil
	case schema.Bytes:
		n, err := d.readLength("bytes")
		if err != nil {
			return dst, err
		}
		b, _ := d.take(n, "bytes")
		if s.Logical == schema.LogicalDecimal && d.style == Plain {
			return appendDecimal(dst, b, s.Scale), nil
		}
		return appendBytes(dst, b), nil
	case schema.String:
		n, err := d.readLength("string")
		if err != nil {
			return dst, err
		}
		b, _ := d.take(n, "string")
		if !utf8.Valid(b) {
			return dst, malformed(start, "string is not valid UTF-8")
		}
		return appendString(dst, string(b)), nil
	case schema.Fixed:
		b, err := d.take(s.Size, s.Name)
		if err != nil {
			return dst, err
		}
		if d.style == Plain {
			switch s.Logical {
			case schema.LogicalDecimal:
				return appendDecimal(dst, b, s.Scale), nil
			case schema.LogicalUUID:
				return append(append(append(dst, '"'), formatUUID(b)...), '"'), nil
			case schema.LogicalDuration:
				return appendDuration(dst, b), nil
			}
		}
		return appendBytes(dst, b), nil
	case schema.Enum:
		i, err := d.readInt("enum index")
		if err != nil {
			return dst, err
		}
		if i < 0 || int(i) >= len(s.Symbols) {
			return dst, malformed(start, "enum index %d is out of range: %s has %d symbols", i, s.Name, len(s.Symbols))
		}
		return appendString(dst, s.Symbols[i]), nil
	case schema.Record:
		dst = append(dst, '{')
		for i, f := range s.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, f.Name)
			dst = append(dst, ':')
			var err error
			if dst, err = d.value(dst, f.Type, depth+1); err != nil {
				return dst, within(err, stepField, f.Name)
			}
		}
		return append(dst, '}'), nil
	case schema.Array:
		return d.blocks(dst, s.Items, nil, depth)
	case schema.Map:
		return d.blocks(dst, nil, s.Values, depth)
	case schema.Union:
		i, err := d.readLong("union index")
		if err != nil {
			return dst, err
		}
		if i < 0 || i >= int64(len(s.Branches)) {
			return dst, malformed(start, "union index %d is out of range: the union has %d branches (%s)", i, len(s.Branches), describeUnion(s))
		}
		b := s.Branches[i]
		if d.style == Plain || b.Kind == schema.Null {
			return d.value(dst, b, depth+1)
		}
		dst = append(dst, '{')
		dst = appendString(dst, branchName(b))
		dst = append(dst, ':')
		if dst, err = d.value(dst, b, depth+1); err != nil {
			return dst, err
		}
		return append(dst, '}'), nil
	}
	return dst, malformed(start, "unknown schema kind %v", s.Kind)
}

// blocks reads an array (items set) or a map (values set).
func (d *decoder) blocks(dst []byte, items, values *schema.Schema, depth int) ([]byte, error) {
	what, open, closing := "array", byte('['), byte(']')
	var minItem int
	if values != nil {
		what, open, closing = "map", '{', '}'
		minItem = 1 + d.minSize(values)
	} else {
		minItem = d.minSize(items)
	}
	dst = append(dst, open)
	index := 0
	for {
		blockStart := d.pos
		n, err := d.readLong(what + " block count")
		if err != nil {
			return dst, err
		}
		if n == 0 {
			return append(dst, closing), nil
		}
		size := int64(-1)
		if n < 0 {
			if n == math.MinInt64 {
				return dst, malformed(blockStart, "%s block count %d is out of range", what, n)
			}
			n = -n
			sizeStart := d.pos
			if size, err = d.readLong(what + " block size"); err != nil {
				return dst, err
			}
			if size < 0 || size > int64(d.left()) {
				return dst, malformed(sizeStart, "%s block size %d is negative or exceeds the %d byte(s) left", what, size, d.left())
			}
		}
		if minItem > 0 {
			if n > int64(d.left()/minItem) {
				return dst, malformed(blockStart, "%s block claims %d items, more than the %d byte(s) left can hold", what, n, d.left())
			}
		} else {
			if n > int64(MaxZeroSizeItems-d.zeroItems) {
				return dst, malformed(blockStart, "%s block claims %d items that take no bytes; more than %d in all are refused", what, n, MaxZeroSizeItems)
			}
			d.zeroItems += int(n)
		}
		itemsStart := d.pos
		for k := int64(0); k < n; k++ {
			if index > 0 {
				dst = append(dst, ',')
			}
			if values != nil {
				keyStart := d.pos
				kn, err := d.readLength("map key")
				if err != nil {
					return dst, err
				}
				key, _ := d.take(kn, "map key")
				if !utf8.Valid(key) {
					return dst, malformed(keyStart, "map key is not valid UTF-8")
				}
				dst = appendString(dst, string(key))
				dst = append(dst, ':')
				if dst, err = d.value(dst, values, depth+1); err != nil {
					return dst, within(err, stepKey, string(key))
				}
			} else if dst, err = d.value(dst, items, depth+1); err != nil {
				return dst, within(err, stepIndex, strconv.Itoa(index))
			}
			index++
		}
		if size >= 0 && int64(d.pos-itemsStart) != size {
			return dst, malformed(blockStart, "%s block says its items take %d bytes, they take %d", what, size, d.pos-itemsStart)
		}
	}
}

func (d *decoder) appendInt(dst []byte, s *schema.Schema, v int32) []byte {
	if d.style == Plain {
		switch s.Logical {
		case schema.LogicalDate:
			return append(append(append(dst, '"'), formatDate(v)...), '"')
		case schema.LogicalTimeMillis:
			if t, ok := formatTimeOfDay(int64(v), 1e3); ok {
				return append(append(append(dst, '"'), t...), '"')
			}
		}
	}
	return strconv.AppendInt(dst, int64(v), 10)
}

func (d *decoder) appendLong(dst []byte, s *schema.Schema, v int64) []byte {
	if d.style == Plain && s.Logical != "" {
		var t string
		ok := false
		switch s.Logical {
		case schema.LogicalTimeMicros:
			t, ok = formatTimeOfDay(v, 1e6)
		default:
			if tt := timestampTypes[s.Logical]; tt != nil {
				t, ok = formatTimestamp(v, tt), true
			}
		}
		if ok {
			return append(append(append(dst, '"'), t...), '"')
		}
	}
	return strconv.AppendInt(dst, v, 10)
}

func describeUnion(s *schema.Schema) string {
	b := make([]byte, 0, 32)
	b = append(b, '[')
	for i, br := range s.Branches {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, branchName(br)...)
	}
	return string(append(b, ']'))
}

// appendFloat writes f as encoding/json does (shortest form that reads
// back exactly; exponent only for very large or small values), and NaN and
// the infinities as the strings Apache Avro writes.
func appendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	}
	if f == 0 && math.Signbit(f) {
		// Not "-0": Java's Jackson reads that as the integer 0.
		return append(dst, "-0.0"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// e-09 -> e-9, as encoding/json writes it.
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendString writes s (valid UTF-8) as a JSON string.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, c)
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendBytes writes b as a JSON string of the characters U+0000 to U+00FF,
// escaping all but printable ASCII.
func appendBytes(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			dst = append(dst, c)
			continue
		}
		dst = appendEscape(dst, c)
	}
	return append(dst, '"')
}

func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}
