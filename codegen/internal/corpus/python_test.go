package corpus

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// python is Debian's interpreter, which python3-avro installs into.
const python = "/usr/bin/python3"

// needPython skips the test when Apache Avro for Python is missing, but
// fails it on CI (CI=true), which installs it.
func needPython(t *testing.T) {
	t.Helper()
	if out, err := exec.Command(python, "-c", "import avro").CombinedOutput(); err != nil {
		msg := fmt.Sprintf("Apache Avro for Python is missing (%v: %s); apt-get install python3-avro", err, bytes.TrimSpace(out))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

type pyRequest struct {
	Schema       string   `json:"schema"`
	Mode         string   `json:"mode"`
	Write        []any    `json:"write,omitempty"`
	Read         [][]byte `json:"read,omitempty"`
	WriterSchema string   `json:"writer_schema,omitempty"`
}

type pyResult struct {
	Data  []byte          `json:"data"`
	Value json.RawMessage `json:"value"`
	Error string          `json:"error"`
}

type pyResponse struct {
	Written []pyResult `json:"written"`
	Read    []pyResult `json:"read"`
}

// runPython runs testdata/avro_json.py on a request.
func runPython(t *testing.T, req pyRequest) pyResponse {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "testdata/avro_json.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("avro_json.py: %v\n%s", err, stderr.Bytes())
	}
	var resp pyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("avro_json.py output: %v\n%s", err, out)
	}
	if len(resp.Written) != len(req.Write) || len(resp.Read) != len(req.Read) {
		t.Fatalf("avro_json.py answered %d writes, %d reads for %d, %d", len(resp.Written), len(resp.Read), len(req.Write), len(req.Read))
	}
	return resp
}

// pyLogical reports whether Python's avro 1.11 gives logical type l values
// of its own; the others it reads as their underlying type.
func pyLogical(s *schema.Schema, raw bool) bool {
	if raw {
		return false
	}
	switch s.Logical {
	case schema.LogicalDate, schema.LogicalTimeMillis, schema.LogicalTimeMicros,
		schema.LogicalTimestampMillis, schema.LogicalTimestampMicros, schema.LogicalDecimal:
		return true
	case schema.LogicalUUID:
		return s.Kind == schema.String
	}
	return false
}

func clock(d time.Duration) []any {
	return []any{int64(d / time.Hour), int64(d % time.Hour / time.Minute), int64(d % time.Minute / time.Second), int64(d % time.Second / time.Microsecond)}
}

// toPy returns the protocol's JSON of a norm value, or false when Python
// cannot represent it (a date beyond its years 1 to 9999).
func toPy(s *schema.Schema, v any, raw bool) (any, bool) {
	logical := pyLogical(s, raw)
	switch s.Kind {
	case schema.Null, schema.Boolean, schema.Enum:
		return v, true
	case schema.Int, schema.Long:
		if !logical {
			return rawLong(s, v), true
		}
		switch s.Logical {
		case schema.LogicalDate:
			d := v.(avrobin.Date)
			return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day), d.Year >= 1 && d.Year <= 9999
		case schema.LogicalTimeMillis, schema.LogicalTimeMicros:
			return clock(v.(time.Duration)), true
		}
		tm := v.(time.Time).UTC()
		return []any{tm.Year(), int(tm.Month()), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond() / 1000},
			tm.Year() >= 1 && tm.Year() <= 9999
	case schema.Float, schema.Double:
		return strconv.FormatFloat(v.(float64), 'g', -1, 64), true
	case schema.Bytes, schema.Fixed:
		if logical {
			return v.(*big.Rat).FloatString(s.Scale), true
		}
		return rawBytes(s, v), true
	case schema.String:
		return v, true
	case schema.Record:
		out := map[string]any{}
		for _, f := range s.Fields {
			fv, ok := toPy(f.Type, v.(map[string]any)[f.Name], raw)
			if !ok {
				return nil, false
			}
			out[f.Name] = fv
		}
		return out, true
	case schema.Array:
		out := []any{}
		for _, item := range v.([]any) {
			iv, ok := toPy(s.Items, item, raw)
			if !ok {
				return nil, false
			}
			out = append(out, iv)
		}
		return out, true
	case schema.Map:
		out := map[string]any{}
		for k, item := range v.(map[string]any) {
			iv, ok := toPy(s.Values, item, raw)
			if !ok {
				return nil, false
			}
			out[k] = iv
		}
		return out, true
	case schema.Union:
		u := v.(unionVal)
		bv, ok := toPy(s.Branches[u.Index], u.Value, raw)
		return map[string]any{"i": u.Index, "v": bv}, ok
	}
	panic("no JSON for " + s.Kind.String())
}

// fromPy returns the norm value of the protocol's JSON j (decoded with
// UseNumber), converting logical types with the time package only.
func fromPy(s *schema.Schema, j any, raw bool) (any, error) {
	logical := pyLogical(s, raw)
	bad := func() (any, error) { return nil, fmt.Errorf("python gave %T %v for %s", j, j, s.Kind) }
	num := func() (int64, error) {
		n, ok := j.(json.Number)
		if !ok {
			return 0, fmt.Errorf("python gave %T %v for %s", j, j, s.Kind)
		}
		return n.Int64()
	}
	ints := func() ([]int, error) {
		list, ok := j.([]any)
		if !ok {
			return nil, fmt.Errorf("python gave %T %v for %s", j, j, s.Logical)
		}
		out := make([]int, len(list))
		for i, x := range list {
			n, err := x.(json.Number).Int64()
			if err != nil {
				return nil, err
			}
			out[i] = int(n)
		}
		return out, nil
	}
	switch s.Kind {
	case schema.Null, schema.Boolean, schema.Enum:
		return j, nil
	case schema.Int, schema.Long:
		if logical {
			switch s.Logical {
			case schema.LogicalDate:
				tm, err := time.Parse("2006-01-02", j.(string))
				if err != nil {
					return nil, err
				}
				return avrobin.Date{Year: tm.Year(), Month: tm.Month(), Day: tm.Day()}, nil
			case schema.LogicalTimeMillis, schema.LogicalTimeMicros:
				c, err := ints()
				if err != nil {
					return nil, err
				}
				return time.Duration(c[0])*time.Hour + time.Duration(c[1])*time.Minute + time.Duration(c[2])*time.Second +
					time.Duration(c[3])*time.Microsecond, nil
			}
			c, err := ints()
			if err != nil {
				return nil, err
			}
			return time.Date(c[0], time.Month(c[1]), c[2], c[3], c[4], c[5], c[6]*1000, time.UTC), nil
		}
		n, err := num()
		if err != nil {
			return nil, err
		}
		switch s.Logical {
		case schema.LogicalDate:
			y, m, d := time.Unix(n*86400, 0).UTC().Date()
			return avrobin.Date{Year: y, Month: m, Day: d}, nil
		case schema.LogicalTimeMillis:
			return time.Duration(n) * time.Millisecond, nil
		case schema.LogicalTimeMicros:
			return time.Duration(n) * time.Microsecond, nil
		case schema.LogicalTimestampMillis, schema.LogicalLocalTimestampMillis:
			return time.UnixMilli(n).UTC(), nil
		case schema.LogicalTimestampMicros, schema.LogicalLocalTimestampMicros:
			return time.UnixMicro(n).UTC(), nil
		case schema.LogicalTimestampNanos, schema.LogicalLocalTimestampNanos:
			return time.Unix(0, n).UTC(), nil
		}
		return n, nil
	case schema.Float, schema.Double:
		str, ok := j.(string)
		if !ok {
			return bad()
		}
		return strconv.ParseFloat(str, 64)
	case schema.String:
		if s.Logical == schema.LogicalUUID {
			return strings.ToLower(j.(string)), nil
		}
		return j, nil
	case schema.Bytes, schema.Fixed:
		if logical {
			r, ok := new(big.Rat).SetString(j.(string))
			if !ok {
				return nil, fmt.Errorf("python gave decimal %q", j)
			}
			return r, nil
		}
		b, err := base64.StdEncoding.DecodeString(j.(string))
		if err != nil {
			return nil, err
		}
		switch s.Logical {
		case schema.LogicalDecimal:
			n := new(big.Int).SetBytes(b)
			if len(b) > 0 && b[0]&0x80 != 0 {
				n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
			}
			return new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s.Scale)), nil)), nil
		case schema.LogicalUUID:
			return uuidText(b), nil
		case schema.LogicalDuration:
			return avrobin.Duration{Months: binary.LittleEndian.Uint32(b), Days: binary.LittleEndian.Uint32(b[4:]),
				Milliseconds: binary.LittleEndian.Uint32(b[8:])}, nil
		}
		return b, nil
	case schema.Record:
		m, ok := j.(map[string]any)
		if !ok {
			return bad()
		}
		out := map[string]any{}
		for _, f := range s.Fields {
			v, err := fromPy(f.Type, m[f.Name], raw)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			out[f.Name] = v
		}
		return out, nil
	case schema.Array:
		list, ok := j.([]any)
		if !ok {
			return bad()
		}
		out := make([]any, len(list))
		for i, x := range list {
			v, err := fromPy(s.Items, x, raw)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case schema.Map:
		m, ok := j.(map[string]any)
		if !ok {
			return bad()
		}
		out := map[string]any{}
		for k, x := range m {
			v, err := fromPy(s.Values, x, raw)
			if err != nil {
				return nil, fmt.Errorf("[%q]: %w", k, err)
			}
			out[k] = v
		}
		return out, nil
	case schema.Union:
		m, ok := j.(map[string]any)
		if !ok {
			return bad()
		}
		i, err := m["i"].(json.Number).Int64()
		if err != nil || i < 0 || int(i) >= len(s.Branches) {
			return nil, fmt.Errorf("python gave union %v", j)
		}
		v, err := fromPy(s.Branches[i], m["v"], raw)
		return unionVal{Index: int(i), Value: v}, err
	}
	return bad()
}

func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// TestPython checks the generated code against Apache Avro for Python on
// random values: Python decodes what the generated code writes to the same
// value, and the generated code decodes what Python writes. "raw" mode
// covers every value (logical types as their underlying types); "logical"
// mode the values Python's own logical types can hold.
func TestPython(t *testing.T) {
	needPython(t)
	for _, ev := range corpusEvents() {
		name := reflect.TypeOf(ev).Elem().Name()
		t.Run(name, func(t *testing.T) {
			root := parsed(t, ev).Root
			enc := &blockEncoder{rng: rand.New(rand.NewPCG(22, 23))}
			n := iterations() / 2
			for _, mode := range []string{"raw", "logical"} {
				raw := mode == "raw"
				g := &gen{rng: rand.New(rand.NewPCG(21, uint64(len(name)))), pyRange: !raw}
				values := make([]any, n)
				ours := make([][]byte, n)
				for i := range values {
					values[i] = g.value(root, nil, 0)
					v := newLike(ev)
					if err := v.UnmarshalAvro(enc.encode(nil, root, values[i])); err != nil {
						t.Fatal(err)
					}
					out, err := v.AppendAvro(nil)
					if err != nil {
						t.Fatal(err)
					}
					ours[i] = out
				}
				req := pyRequest{Schema: ev.Contract().Schema, Mode: mode}
				var idx []int
				for i, want := range values {
					if j, ok := toPy(root, want, raw); ok {
						idx = append(idx, i)
						req.Write = append(req.Write, j)
						req.Read = append(req.Read, ours[i])
					}
				}
				if len(idx) != n {
					t.Errorf("%s: only %d of %d values for Python", mode, len(idx), n)
				}
				resp := runPython(t, req)
				for k, i := range idx {
					want := values[i]
					w := resp.Written[k]
					if w.Error != "" {
						t.Fatalf("%s #%d: Python could not write %v: %s", mode, i, req.Write[k], w.Error)
					}
					v := newLike(ev)
					if err := v.UnmarshalAvro(w.Data); err != nil {
						t.Fatalf("%s #%d: UnmarshalAvro of Python's %x: %v", mode, i, w.Data, err)
					}
					if diff := cmp.Diff(want, goNorm(root, reflect.ValueOf(v)), normOpts); diff != "" {
						t.Fatalf("%s #%d: decoded Python's bytes to a different value (-want +got):\n%s", mode, i, diff)
					}
					r := resp.Read[k]
					if r.Error != "" {
						t.Fatalf("%s #%d: Python could not read our %x: %s", mode, i, ours[i], r.Error)
					}
					j, err := decodeJSON(r.Value)
					if err != nil {
						t.Fatal(err)
					}
					got, err := fromPy(root, j, raw)
					if err != nil {
						t.Fatalf("%s #%d: %v", mode, i, err)
					}
					if diff := cmp.Diff(want, got, normOpts); diff != "" {
						t.Fatalf("%s #%d: Python decoded our bytes to a different value (-want +got):\n%s", mode, i, diff)
					}
				}
			}
		})
	}
}

// TestDefaultsMatchPython checks New<Record> against the defaults Python
// applies when it reads data written with the defaulted fields renamed
// (so absent for the reader), in raw mode.
func TestDefaultsMatchPython(t *testing.T) {
	needPython(t)
	for _, ev := range corpusEvents() {
		root := parsed(t, ev).Root
		var obj map[string]any
		if err := json.Unmarshal([]byte(ev.Contract().Schema), &obj); err != nil {
			t.Fatal(err)
		}
		renamed := 0
		for _, f := range obj["fields"].([]any) {
			fm := f.(map[string]any)
			if _, ok := fm["default"]; ok {
				fm["name"] = fm["name"].(string) + "_elsewhere"
				renamed++
			}
		}
		if renamed == 0 {
			continue
		}
		writer, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		v := construct(ev)
		data, err := v.AppendAvro(nil)
		if err != nil {
			t.Fatal(err)
		}
		resp := runPython(t, pyRequest{Schema: ev.Contract().Schema, Mode: "raw", WriterSchema: string(writer), Read: [][]byte{data}})
		if resp.Read[0].Error != "" {
			t.Fatalf("%s: %s", ev.Contract().Name, resp.Read[0].Error)
		}
		j, err := decodeJSON(resp.Read[0].Value)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fromPy(root, j, true)
		if err != nil {
			t.Fatal(err)
		}
		want := goNorm(root, reflect.ValueOf(v)).(map[string]any)
		for _, f := range root.Fields {
			if !f.HasDefault() {
				continue
			}
			diff := cmp.Diff(got.(map[string]any)[f.Name], want[f.Name], normOpts)
			switch {
			case diff == "":
			case pyBytesDefaultBug(f):
				// Python's avro 1.11 turns a bytes default into bytes
				// with str.encode() (UTF-8) where the specification says
				// each character is a byte (ISO-8859-1), as Java does.
				t.Logf("%s.%s: Python's bytes default differs (its bug):\n%s", ev.Contract().Name, f.Name, diff)
			default:
				t.Errorf("%s.%s: New differs from Python's default (-python +New):\n%s", ev.Contract().Name, f.Name, diff)
			}
		}
	}
}

// pyBytesDefaultBug reports whether a field's default is bytes with a
// character beyond ASCII, which Python's avro 1.11 encodes as UTF-8.
func pyBytesDefaultBug(f *schema.Field) bool {
	t := f.Type
	if t.Kind != schema.Bytes && t.Kind != schema.Fixed {
		return false
	}
	var s string
	return json.Unmarshal(f.Default, &s) == nil && strings.ContainsFunc(s, func(r rune) bool { return r > 0x7f })
}
