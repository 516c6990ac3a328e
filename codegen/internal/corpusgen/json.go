package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// obj is a JSON object whose members keep their order, as schemas are
// read best: "type", "name", ... "fields".
type obj []member

type member struct {
	key   string
	value any
}

// with returns o with one more member.
func (o obj) with(key string, value any) obj {
	return append(append(obj{}, o...), member{key, value})
}

// record returns a record schema.
func record(name, doc string, fields ...obj) obj {
	o := obj{{"type", "record"}, {"name", name}}
	if doc != "" {
		o = o.with("doc", doc)
	}
	list := make([]any, len(fields))
	for i, f := range fields {
		list[i] = f
	}
	return o.with("fields", list)
}

// inNamespace returns the named type o with a namespace, after its name.
func inNamespace(o obj, namespace string) obj {
	out := obj{}
	for _, m := range o {
		out = append(out, m)
		if m.key == "name" {
			out = append(out, member{"namespace", namespace})
		}
	}
	return out
}

// field returns a record field.
func field(name string, typ any) obj { return obj{{"name", name}, {"type", typ}} }

func array(items any) obj  { return obj{{"type", "array"}, {"items", items}} }
func mapOf(values any) obj { return obj{{"type", "map"}, {"values", values}} }
func union(branches ...any) []any {
	return branches
}

// compact writes v as JSON on one line, with a space after each colon and
// comma.
func compact(b *strings.Builder, v any) {
	switch v := v.(type) {
	case obj:
		b.WriteString("{")
		for i, m := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			compact(b, m.key)
			b.WriteString(": ")
			compact(b, m.value)
		}
		b.WriteString("}")
	case []any:
		b.WriteString("[")
		for i, x := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			compact(b, x)
		}
		b.WriteString("]")
	case []string:
		list := make([]any, len(v))
		for i, s := range v {
			list[i] = s
		}
		compact(b, list)
	default:
		var out bytes.Buffer
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic(fmt.Sprintf("corpusgen: %v", err)) // only literals of this program
		}
		b.WriteString(strings.TrimSuffix(out.String(), "\n"))
	}
}

// render returns a schema file: the top-level object's members one per
// line, and a list (fields, events) an item per line.
func render(top obj) []byte {
	var b strings.Builder
	b.WriteString("{\n")
	for i, m := range top {
		b.WriteString("  ")
		compact(&b, m.key)
		b.WriteString(": ")
		if list, ok := m.value.([]any); ok && len(list) > 0 {
			b.WriteString("[\n")
			for j, item := range list {
				b.WriteString("    ")
				compact(&b, item)
				if j < len(list)-1 {
					b.WriteString(",")
				}
				b.WriteString("\n")
			}
			b.WriteString("  ]")
		} else {
			compact(&b, m.value)
		}
		if i < len(top)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return []byte(b.String())
}
