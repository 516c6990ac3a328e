package avrojson_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lunchbot/eventkit/internal/avrojson"
)

// pythonWrite reads lines "logicalType<TAB>schema<TAB>plain JSON string" and
// answers the hex of the Avro binary python3-avro writes for the value the
// text names (a date, a time of day, a timestamp, a decimal), parsed with
// Python's own datetime and decimal modules, or "ERR ...".
const pythonWrite = `
import sys, io, json, datetime, decimal
import avro.schema, avro.io
for line in sys.stdin:
    kind, schema_text, text = line.rstrip("\n").split("\t")
    try:
        s = avro.schema.parse(schema_text)
        v = json.loads(text)
        if kind == "date":
            v = datetime.date.fromisoformat(v)
        elif kind in ("time-millis", "time-micros"):
            v = datetime.time.fromisoformat(v)
        elif kind in ("timestamp-millis", "timestamp-micros"):
            v = datetime.datetime.fromisoformat(v)
        elif kind == "decimal":
            v = decimal.Decimal(v)
        out = io.BytesIO()
        avro.io.DatumWriter(s).write(v, avro.io.BinaryEncoder(out))
        print(out.getvalue().hex())
    except Exception as e:
        print("ERR " + repr(e).replace("\n", " "))
`

// pythonReads reports whether Python can parse js, the text of a value of
// kind: not a number, nor a date or a timestamp beyond Python's years 1 to
// 9999 (which is written with a sign and more digits, or as year 0000).
func pythonReads(kind string, js []byte) bool {
	if js[0] != '"' {
		return false
	}
	if kind != "date" && !strings.HasPrefix(kind, "timestamp-") {
		return true
	}
	return js[1] != '+' && js[1] != '-' && !bytes.HasPrefix(js[1:], []byte("0000"))
}

// TestPlainLogicalTypesAgreeWithPythonAvro checks the readable forms of the
// plain style against an independent reading: Python's datetime and decimal
// parse the text Decode wrote, python3-avro 1.11 writes the value, and the
// bytes are ours (for decimals, which Python does not always write in the
// fewest bytes, the value they decode to is). Python 1.11 knows no nanosecond
// or local timestamps and no uuid, so those are not checked here.
func TestPlainLogicalTypesAgreeWithPythonAvro(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python3")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import avro.io").Run(); err != nil {
		t.Skip("Debian's python3-avro is not installed")
	}
	schemas := map[string]string{
		"date":             `{"type":"int","logicalType":"date"}`,
		"time-millis":      `{"type":"int","logicalType":"time-millis"}`,
		"time-micros":      `{"type":"long","logicalType":"time-micros"}`,
		"timestamp-millis": `{"type":"long","logicalType":"timestamp-millis"}`,
		"timestamp-micros": `{"type":"long","logicalType":"timestamp-micros"}`,
		"decimal":          `{"type":"bytes","logicalType":"decimal","precision":12,"scale":3}`,
	}
	type item struct{ kind, schema, hex, text string }
	var items []item
	var in strings.Builder
	g := &gen{r: rand.New(rand.NewPCG(11, 12))}
	perKind := map[string]int{}
	for kind, text := range schemas {
		s := parse(t, text)
		for n := 0; n < 60; n++ {
			b := g.value(nil, s, 0)
			// Most in the readable range (years 1 to 9999), some beyond.
			if n%4 != 0 {
				const minSec, maxSec = -62135596800, 253402300799
				switch kind {
				case "date":
					b = g.varint(nil, minSec/86400+g.r.Int64N((maxSec-minSec)/86400))
				case "time-micros":
					b = g.varint(nil, g.r.Int64N(86400e6))
				case "timestamp-millis":
					b = g.varint(nil, (minSec+g.r.Int64N(maxSec-minSec))*1e3+g.r.Int64N(1e3))
				case "timestamp-micros":
					b = g.varint(nil, (minSec+g.r.Int64N(maxSec-minSec))*1e6+g.r.Int64N(1e6))
				}
			}
			js, err := avrojson.Decode(s, b, avrojson.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !pythonReads(kind, js) {
				continue // beyond Python's years 1 to 9999, or a number
			}
			items = append(items, item{kind, text, hex.EncodeToString(b), string(js)})
			perKind[kind]++
			fmt.Fprintf(&in, "%s\t%s\t%s\n", kind, text, js)
		}
	}
	cmd := exec.Command("/usr/bin/python3", "-c", pythonWrite)
	cmd.Stdin = strings.NewReader(in.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(items) {
		t.Fatalf("python answered %d lines for %d values", len(lines), len(items))
	}
	for i, it := range items {
		if strings.HasPrefix(lines[i], "ERR") {
			t.Errorf("%s %s: python: %s", it.kind, it.text, lines[i])
			continue
		}
		if it.kind != "decimal" {
			if lines[i] != it.hex {
				t.Errorf("%s %s: python wrote %s, we %s", it.kind, it.text, lines[i], it.hex)
			}
			continue
		}
		pb, _ := hex.DecodeString(lines[i])
		js, err := avrojson.Decode(parse(t, it.schema), pb, avrojson.Options{})
		if err != nil || string(js) != it.text {
			t.Errorf("decimal %s: python wrote %s, which reads %s (%v)", it.text, lines[i], js, err)
		}
	}
	t.Logf("%d readable values agree with python3-avro: %v", len(items), perKind)
}
