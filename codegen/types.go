package codegen

import (
	"fmt"
	"strconv"

	"github.com/lunchbot/eventkit/internal/schema"
)

// typeMap is what one schema file's code needs to know of its types: the Go
// names of its named types and unions, which record fields are pointers,
// which records are recursive.
type typeMap struct {
	pkg string
	// names are the Go type names of records, enums and fixed without a
	// logical type.
	names map[*schema.Schema]string
	// unions are the interfaces of unions that are not optional.
	unions map[*schema.Schema]*unionType
	// ptrField marks record fields of record type held by pointer, to break
	// a cycle of records containing each other by value.
	ptrField map[*schema.Field]bool
	// scc numbers the strongly connected components of the record graph;
	// recursive marks the records in a cycle.
	scc       map[*schema.Schema]int
	recursive map[*schema.Schema]bool
	// consts are the names of the constants of record fields' "const"
	// values, but for enums, whose symbols are constants already.
	consts map[*schema.Field]string
}

// unionType is the Go interface of a union that is neither optional
// (["null", T]) nor a single branch.
type unionType struct {
	name     string // "OrderPayment"
	marker   string // "isOrderPayment"
	schema   *schema.Schema
	record   *schema.Schema // the record whose field holds it
	branches []*branch
}

// branch is one branch of a union interface.
type branch struct {
	index int
	s     *schema.Schema
	// goType is the type stored in the interface: "*Card", "Suit",
	// "OrderPaymentString"; empty for null.
	goType string
	// wrapper is the defined type for a branch that is not a named type of
	// ours ("OrderPaymentString"), underlying its Go type ("string").
	wrapper, underlying string
}

// isNull reports whether s is the null type.
func isNull(s *schema.Schema) bool { return s.Kind == schema.Null }

// optional returns T and the index of null when s is ["null", T] or
// [T, "null"].
func optional(s *schema.Schema) (*schema.Schema, int, bool) { return s.OptionalOf() }

// goType returns the Go type of values of s in a position where records are
// held by value.
func (tm *typeMap) goType(s *schema.Schema) string {
	switch s.Kind {
	case schema.Null:
		return "struct{}"
	case schema.Boolean:
		return "bool"
	case schema.Int:
		switch s.Logical {
		case schema.LogicalDate:
			return "avrobin.Date"
		case schema.LogicalTimeMillis:
			return "time.Duration"
		}
		return "int32"
	case schema.Long:
		switch s.Logical {
		case schema.LogicalTimeMicros:
			return "time.Duration"
		case schema.LogicalTimestampMillis, schema.LogicalTimestampMicros, schema.LogicalTimestampNanos,
			schema.LogicalLocalTimestampMillis, schema.LogicalLocalTimestampMicros, schema.LogicalLocalTimestampNanos:
			return "time.Time"
		}
		return "int64"
	case schema.Float:
		return "float32"
	case schema.Double:
		return "float64"
	case schema.Bytes:
		if s.Logical == schema.LogicalDecimal {
			return "*big.Rat"
		}
		return "[]byte"
	case schema.String:
		if s.Logical == schema.LogicalUUID {
			return "avrobin.UUID"
		}
		return "string"
	case schema.Fixed:
		switch s.Logical {
		case schema.LogicalUUID:
			return "avrobin.UUID"
		case schema.LogicalDuration:
			return "avrobin.Duration"
		case schema.LogicalDecimal:
			return "*big.Rat"
		}
		return tm.names[s]
	case schema.Record, schema.Enum:
		return tm.names[s]
	case schema.Array:
		return "[]" + tm.goType(s.Items)
	case schema.Map:
		return "map[string]" + tm.goType(s.Values)
	case schema.Union:
		if t, _, ok := optional(s); ok {
			return tm.ptrTo(t)
		}
		if len(s.Branches) == 1 {
			return tm.goType(s.Branches[0])
		}
		return tm.unions[s].name
	}
	panic(fmt.Sprintf("codegen: no Go type for %s", s.Kind))
}

// ptrTo returns the Go type of an optional T: a pointer, or T itself when
// its Go type already is one (a decimal).
func (tm *typeMap) ptrTo(t *schema.Schema) string {
	g := tm.goType(t)
	if isPtrType(g) {
		return g
	}
	return "*" + g
}

func isPtrType(goType string) bool { return goType[0] == '*' }

// fieldType returns the Go type of a record field.
func (tm *typeMap) fieldType(f *schema.Field) string {
	if tm.ptrField[f] {
		return "*" + tm.goType(f.Type)
	}
	return tm.goType(f.Type)
}

// isRecordPtr reports whether a value of s in a slot of Go type goType is a
// record held by pointer.
func isRecord(s *schema.Schema) bool { return s.Kind == schema.Record }

// needsImport returns the import paths the Go type of s needs.
func (tm *typeMap) typeImports(s *schema.Schema, imp map[string]bool) {
	schema.Walk(s, func(n *schema.Schema) bool {
		g := ""
		switch n.Kind {
		case schema.Int, schema.Long, schema.Bytes, schema.String, schema.Fixed:
			g = tm.goType(n)
		}
		switch g {
		case "time.Duration", "time.Time":
			imp["time"] = true
		case "*big.Rat":
			imp["math/big"] = true
		case "avrobin.Date", "avrobin.UUID", "avrobin.Duration":
			imp[avrobinPath] = true
		}
		return true
	})
}

// minSize returns the fewest bytes a value of s takes.
func minSize(s *schema.Schema, visiting map[*schema.Schema]bool) int {
	switch s.Kind {
	case schema.Null:
		return 0
	case schema.Float:
		return 4
	case schema.Double:
		return 8
	case schema.Fixed:
		return s.Size
	case schema.Record:
		if visiting[s] {
			return 0
		}
		visiting[s] = true
		n := 0
		for _, f := range s.Fields {
			n += minSize(f.Type, visiting)
		}
		delete(visiting, s)
		return n
	}
	return 1
}

// analyze builds the type map of the named types reachable from root.
func analyze(pkg string, root *schema.Schema) (*typeMap, error) {
	tm := &typeMap{
		pkg:       pkg,
		names:     map[*schema.Schema]string{},
		unions:    map[*schema.Schema]*unionType{},
		ptrField:  map[*schema.Field]bool{},
		scc:       map[*schema.Schema]int{},
		recursive: map[*schema.Schema]bool{},
		consts:    map[*schema.Field]string{},
	}
	named := schema.NamedTypes(root)
	for _, n := range named {
		if n.Kind == schema.Fixed && n.Logical != "" {
			continue // a UUID, Duration or *big.Rat
		}
		tm.names[n] = goName(schema.ShortName(n.Name))
	}
	var records []*schema.Schema
	for _, n := range named {
		if n.Kind == schema.Record {
			records = append(records, n)
		}
	}
	tm.findCycles(records)
	for _, rec := range records {
		for _, f := range rec.Fields {
			if f.Type.Kind == schema.Record && valueReaches(f.Type, rec, map[*schema.Schema]bool{}) {
				tm.ptrField[f] = true
			}
			if err := tm.nameUnions(f.Type, tm.names[rec]+goName(f.Name), rec); err != nil {
				return nil, fmt.Errorf("record %s: field %s: %w", rec.Name, f.Name, err)
			}
			if _, ok := constOf(f); ok && f.Type.Kind != schema.Enum {
				tm.consts[f] = tm.constName(rec, f)
			}
		}
	}
	return tm, nil
}

// valueReaches reports whether record from holds record to by value,
// directly or through other records held by value.
func valueReaches(from, to *schema.Schema, seen map[*schema.Schema]bool) bool {
	if from == to {
		return true
	}
	if seen[from] {
		return false
	}
	seen[from] = true
	for _, f := range from.Fields {
		if f.Type.Kind == schema.Record && valueReaches(f.Type, to, seen) {
			return true
		}
	}
	return false
}

// refs returns the records a record refers to, through any type.
func refs(rec *schema.Schema) []*schema.Schema {
	var out []*schema.Schema
	var walk func(s *schema.Schema)
	walk = func(s *schema.Schema) {
		switch s.Kind {
		case schema.Record:
			out = append(out, s)
		case schema.Array:
			walk(s.Items)
		case schema.Map:
			walk(s.Values)
		case schema.Union:
			for _, b := range s.Branches {
				walk(b)
			}
		}
	}
	for _, f := range rec.Fields {
		walk(f.Type)
	}
	return out
}

// findCycles finds the strongly connected components of the record graph
// (Tarjan's algorithm) and marks the records in a cycle.
func (tm *typeMap) findCycles(records []*schema.Schema) {
	index := map[*schema.Schema]int{}
	low := map[*schema.Schema]int{}
	onStack := map[*schema.Schema]bool{}
	var stack []*schema.Schema
	next, comp := 0, 0
	var connect func(v *schema.Schema)
	connect = func(v *schema.Schema) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range refs(v) {
			if _, seen := index[w]; !seen {
				connect(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var members []*schema.Schema
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				tm.scc[w] = comp
				members = append(members, w)
				if w == v {
					break
				}
			}
			selfLoop := false
			for _, w := range refs(v) {
				selfLoop = selfLoop || w == v
			}
			if len(members) > 1 || selfLoop {
				for _, m := range members {
					tm.recursive[m] = true
				}
			}
			comp++
		}
	}
	for _, r := range records {
		if _, seen := index[r]; !seen {
			connect(r)
		}
	}
}

// sameCycle reports whether records a and b are in one cycle, so that
// calls between them count depth.
func (tm *typeMap) sameCycle(a, b *schema.Schema) bool {
	return tm.recursive[a] && tm.recursive[b] && tm.scc[a] == tm.scc[b]
}

// nameUnions names the union interfaces within the type of a field: name
// for the field's own union, name+"Item" for one in its array, name+"Value"
// for one in its map.
func (tm *typeMap) nameUnions(s *schema.Schema, name string, rec *schema.Schema) error {
	switch s.Kind {
	case schema.Array:
		return tm.nameUnions(s.Items, name+"Item", rec)
	case schema.Map:
		return tm.nameUnions(s.Values, name+"Value", rec)
	case schema.Union:
		if _, _, ok := optional(s); ok || len(s.Branches) <= 1 {
			for _, b := range s.Branches {
				if err := tm.nameUnions(b, name, rec); err != nil {
					return err
				}
			}
			return nil
		}
		u := &unionType{name: name, marker: "is" + name, schema: s, record: rec}
		suffixes := map[string]bool{}
		for i, b := range s.Branches {
			br := &branch{index: i, s: b}
			u.branches = append(u.branches, br)
			if isNull(b) {
				continue
			}
			if err := tm.nameUnions(b, name+unionSuffix(b, tm), rec); err != nil {
				return err
			}
			if n, ok := tm.names[b]; ok {
				br.goType = n
				if b.Kind == schema.Record {
					br.goType = "*" + n
				}
				continue
			}
			suffix := unionSuffix(b, tm)
			if suffixes[suffix] {
				return fmt.Errorf("union has two branches named %s", suffix)
			}
			suffixes[suffix] = true
			br.wrapper = name + suffix
			br.underlying = tm.goType(b)
			br.goType = br.wrapper
			if isPtrType(br.underlying) {
				br.goType = "*" + br.wrapper
			}
		}
		tm.unions[s] = u
	}
	return nil
}

// unionSuffix names the wrapper type of a union branch after its type.
func unionSuffix(b *schema.Schema, tm *typeMap) string {
	if b.Logical != "" {
		if b.Kind == schema.Fixed {
			return goName(schema.ShortName(b.Name))
		}
		return goName(b.Logical)
	}
	switch b.Kind {
	case schema.Record, schema.Enum, schema.Fixed:
		return tm.names[b]
	}
	return goName(b.Kind.String())
}

// qualified returns the package-qualified name of a Go type, for errors.
func (tm *typeMap) qualified(name string) string { return tm.pkg + "." + name }

// typeNameConst returns the name of the constant of record rec's qualified
// name, which its methods' errors use: "deadlinePassedTypeName".
func (tm *typeMap) typeNameConst(rec *schema.Schema) string {
	return lowerFirst(tm.names[rec]) + "TypeName"
}

// constName returns the name of the constant of the "const" of field f of
// record rec: "deadlinePassedType" for the field type of DeadlinePassed.
// A field that would take the name of the type name's constant takes
// another.
func (tm *typeMap) constName(rec *schema.Schema, f *schema.Field) string {
	name := lowerFirst(tm.names[rec]) + goName(f.Name)
	if name == tm.typeNameConst(rec) {
		name += "Const"
	}
	return name
}

// constRef returns the Go expression of the "const" of field f: its
// constant, or for an enum its symbol's.
func (tm *typeMap) constRef(f *schema.Field) string {
	if name, ok := tm.consts[f]; ok {
		return name
	}
	c, _ := constOf(f)
	return constLiteral(tm, f.Type, c)
}

// quote returns s as a Go string literal, raw when that reads better.
func quote(s string) string { return strconv.Quote(s) }
