package corpus

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/lunchbot/eventkit/codegen"
	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// goNorm returns the norm value of a value of a generated type, by
// reflection (generated code has none; the tests may).
func goNorm(s *schema.Schema, v reflect.Value) any {
	switch s.Kind {
	case schema.Null:
		return nil
	case schema.Boolean:
		return v.Bool()
	case schema.Int, schema.Long:
		switch s.Logical {
		case "":
			return v.Int()
		case schema.LogicalDate:
			return as[avrobin.Date](v)
		case schema.LogicalTimeMillis, schema.LogicalTimeMicros:
			return as[time.Duration](v)
		}
		return as[time.Time](v)
	case schema.Float, schema.Double:
		return v.Float()
	case schema.Bytes, schema.Fixed:
		switch s.Logical {
		case schema.LogicalDecimal:
			return as[*big.Rat](v)
		case schema.LogicalUUID:
			u := as[avrobin.UUID](v)
			return uuidText(u[:])
		case schema.LogicalDuration:
			return as[avrobin.Duration](v)
		}
		if v.Kind() == reflect.Array {
			b := make([]byte, v.Len())
			reflect.Copy(reflect.ValueOf(b), v)
			return b
		}
		return v.Bytes()
	case schema.String:
		if s.Logical == schema.LogicalUUID {
			u := as[avrobin.UUID](v)
			return uuidText(u[:])
		}
		return v.String()
	case schema.Enum:
		i := int(v.Int())
		if i < 0 || i >= len(s.Symbols) {
			return fmt.Sprintf("invalid enum %d", i)
		}
		return s.Symbols[i]
	case schema.Record:
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return "nil record"
			}
			v = v.Elem()
		}
		m := map[string]any{}
		for _, f := range s.Fields {
			m[f.Name] = goNorm(f.Type, fieldByTag(v, f.Name))
		}
		return m
	case schema.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = goNorm(s.Items, v.Index(i))
		}
		return out
	case schema.Map:
		out := map[string]any{}
		for it := v.MapRange(); it.Next(); {
			out[it.Key().String()] = goNorm(s.Values, it.Value())
		}
		return out
	case schema.Union:
		return goUnion(s, v)
	}
	panic("no norm for " + s.Kind.String())
}

// as converts v to T (a wrapper type of a union branch to its underlying
// type, say).
func as[T any](v reflect.Value) T {
	return v.Convert(reflect.TypeFor[T]()).Interface().(T)
}

func fieldByTag(v reflect.Value, name string) reflect.Value {
	t := v.Type()
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("avro") == name {
			return v.Field(i)
		}
	}
	panic("no field tagged " + name + " in " + t.String())
}

func goUnion(s *schema.Schema, v reflect.Value) any {
	if t, nullIdx, ok := s.OptionalOf(); ok {
		if v.IsNil() {
			return unionVal{Index: nullIdx, Value: nil}
		}
		if v.Kind() == reflect.Pointer && t.Kind != schema.Record && t.Logical != schema.LogicalDecimal {
			v = v.Elem()
		}
		return unionVal{Index: 1 - nullIdx, Value: goNorm(t, v)}
	}
	if len(s.Branches) == 1 {
		return unionVal{Index: 0, Value: goNorm(s.Branches[0], v)}
	}
	// A sealed interface: find the branch by the dynamic type's name.
	if v.IsNil() {
		for i, b := range s.Branches {
			if b.Kind == schema.Null {
				return unionVal{Index: i, Value: nil}
			}
		}
		return "nil union"
	}
	iface := v.Type().Name()
	dv := v.Elem()
	dt := dv.Type()
	if dt.Kind() == reflect.Pointer {
		dt = dt.Elem()
	}
	for i, b := range s.Branches {
		if b.Kind != schema.Null && branchType(iface, b, dt) {
			return unionVal{Index: i, Value: goNorm(b, dv)}
		}
	}
	return "no branch for " + dv.Type().String()
}

// branchType reports whether dt, the dynamic type of a value of the union
// interface iface, is the Go type of branch b: for a named type, the type
// the generator names it (goTypeNames); for another, the interface's
// wrapper type named after the branch's kind, logical type or, for a fixed
// with a logical type, name (qualified when another branch has that name
// too, so only its end is compared).
func branchType(iface string, b *schema.Schema, dt reflect.Type) bool {
	fold := func(s string) string { return strings.ToLower(unseparated.Replace(s)) }
	name := dt.Name()
	switch {
	case b.Kind.IsNamed() && (b.Kind != schema.Fixed || b.Logical == ""):
		return name == goTypeNames()[b.Name]
	case b.Kind == schema.Fixed:
		return strings.HasPrefix(name, iface) && strings.HasSuffix(fold(name), fold(schema.ShortName(b.Name))) &&
			dt.ConvertibleTo(map[string]reflect.Type{
				schema.LogicalUUID: reflect.TypeFor[avrobin.UUID](), schema.LogicalDuration: reflect.TypeFor[avrobin.Duration](),
				schema.LogicalDecimal: reflect.TypeFor[big.Rat](),
			}[b.Logical])
	case b.Logical != "":
		return fold(name) == fold(iface+b.Logical)
	}
	return fold(name) == fold(iface+b.Kind.String())
}

// unseparated drops the separators of Avro names' words.
var unseparated = strings.NewReplacer("_", "", "-", "")

// goTypeNames returns the Go names of the corpus's named types, by full
// name, as the generator gives them.
var goTypeNames = sync.OnceValue(func() map[string]string {
	m, err := manifest.Load("../../testdata/corpus/manifest.json")
	if err != nil {
		panic(err)
	}
	names, err := codegen.TypeNames(m)
	if err != nil {
		panic(err)
	}
	return names
})
