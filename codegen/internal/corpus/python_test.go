package corpus

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// TestPython checks the generated code against Apache Avro for Python on
// random values of every event of the corpus: Python decodes what the
// generated code writes to the same value, and the generated code decodes
// what Python writes. "raw" mode covers every value (logical types as their
// underlying types); "logical" mode the values Python's own logical types
// can hold. Python runs once per mode, on every event, both at once; as
// Python's avro takes some 20µs a datum, each event gets values of about
// pyNodes data (pyValues at most).
func TestPython(t *testing.T) {
	needPython(t)
	modes := []string{"raw", "logical"}
	cases := map[string][]*pyCase{}
	reqs := map[string][]pyRequest{}
	nodes := pyNodes
	if testing.Short() {
		nodes /= 4
	}
	for _, mode := range modes {
		for _, ev := range corpusEvents() {
			c := newPyCase(t, ev, mode, nodes)
			cases[mode] = append(cases[mode], c)
			reqs[mode] = append(reqs[mode], c.req)
		}
	}
	resps := map[string][]pyResponse{}
	errs := make([]error, len(modes))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, mode := range modes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := runPythonBatch(reqs[mode])
			mu.Lock()
			resps[mode], errs[i] = r, err
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for _, mode := range modes {
		for i, c := range cases[mode] {
			t.Run(c.name+"/"+mode, func(t *testing.T) { c.check(t, resps[mode][i]) })
		}
	}
}

// pyCase is the random values of one event for Python in one mode, their
// encodings by the generated code, and the request for Python.
type pyCase struct {
	name   string
	ev     contract.Event
	root   *schema.Schema
	raw    bool
	values []any
	ours   [][]byte
	req    pyRequest
}

// Of each event, in each mode, TestPython checks values of pyNodes data
// (records, fields, items...) in all, and at least pyMinValues and at most
// pyMaxValues values.
const (
	pyNodes     = 5000
	pyMinValues = 20
	pyMaxValues = 200
)

// newPyCase makes random values of the event of ev for Python in mode,
// of about nodes data in all.
func newPyCase(t *testing.T, ev contract.Event, mode string, nodes int) *pyCase {
	t.Helper()
	name := reflect.TypeOf(ev).Elem().Name()
	c := &pyCase{name: name, ev: ev, root: parsed(t, ev).Root, raw: mode == "raw",
		req: pyRequest{Schema: ev.Contract().Schema, Mode: mode}}
	g := newGen(21, name+" "+mode)
	g.pyRange = !c.raw
	enc := &blockEncoder{rng: rand.New(rand.NewPCG(22, 23))}
	for total := 0; len(c.values) < pyMinValues || total < nodes && len(c.values) < pyMaxValues; {
		want := g.next(c.root)
		total += countNodes(want)
		v := newLike(ev)
		if err := v.UnmarshalAvro(enc.encode(nil, c.root, want)); err != nil {
			t.Fatal(err)
		}
		out, err := v.AppendAvro(nil)
		if err != nil {
			t.Fatal(err)
		}
		j, ok := toPy(c.root, want, c.raw)
		if !ok {
			t.Fatalf("%s %s: Python cannot hold %v", name, mode, want)
		}
		c.values = append(c.values, want)
		c.ours = append(c.ours, out)
		c.req.Write = append(c.req.Write, j)
		c.req.Read = append(c.req.Read, out)
	}
	return c
}

// check compares Python's answers with the values.
func (c *pyCase) check(t *testing.T, resp pyResponse) {
	if len(resp.Written) != len(c.values) || len(resp.Read) != len(c.values) {
		t.Fatalf("Python answered %d writes and %d reads of %d values", len(resp.Written), len(resp.Read), len(c.values))
	}
	for i, want := range c.values {
		w := resp.Written[i]
		if w.Error != "" {
			t.Fatalf("#%d: Python could not write %v: %s", i, shorten(c.req.Write[i]), w.Error)
		}
		v := newLike(c.ev)
		if err := v.UnmarshalAvro(w.Data); err != nil {
			t.Fatalf("#%d: UnmarshalAvro of Python's %x: %v", i, w.Data, err)
		}
		if diff := normDiff(want, goNorm(c.root, reflect.ValueOf(v))); diff != "" {
			t.Fatalf("#%d: decoded Python's bytes to a different value:\n%s", i, diff)
		}
		r := resp.Read[i]
		if r.Error != "" {
			t.Fatalf("#%d: Python could not read our %x: %s", i, c.ours[i], r.Error)
		}
		j, err := decodeJSON(r.Value)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fromPy(c.root, j, c.raw)
		if err != nil {
			t.Fatalf("#%d: %v", i, err)
		}
		if diff := normDiff(want, got); diff != "" {
			t.Fatalf("#%d: Python decoded our bytes to a different value:\n%s", i, diff)
		}
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
			diff := normDiff(got.(map[string]any)[f.Name], want[f.Name])
			switch {
			case diff == "":
			case pyBytesDefaultBug(f):
				// Python's avro 1.11 turns a bytes default into bytes
				// with str.encode() (UTF-8) where the specification says
				// each character is a byte (ISO-8859-1), as Java does.
				t.Logf("%s.%s: Python's bytes default differs (its bug):\n%s", ev.Contract().Name, f.Name, diff)
			default:
				t.Errorf("%s.%s: New differs from Python's default :\n%s", ev.Contract().Name, f.Name, diff)
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
