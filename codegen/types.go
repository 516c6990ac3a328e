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
	nm  *naming
	// names are the Go type names of records, enums and fixed without a
	// logical type.
	names map[*schema.Schema]string
	// fields are the Go names of record fields; fieldNotes say why one is
	// not the field's name in Go.
	fields     map[*schema.Field]string
	fieldNotes map[*schema.Field]string
	// symbols are the names of the constants of enums' symbols, in
	// symbol order.
	symbols map[*schema.Schema][]string
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
		switch {
		case s.Logical == schema.LogicalTimeMicros:
			return "time.Duration"
		case schema.IsTimestamp(s.Logical):
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

// analyze builds the type map of the named types reachable from root, whose
// Go names nm has.
func analyze(pkg string, root *schema.Schema, nm *naming) *typeMap {
	tm := &typeMap{
		pkg:        pkg,
		nm:         nm,
		names:      map[*schema.Schema]string{},
		fields:     map[*schema.Field]string{},
		fieldNotes: map[*schema.Field]string{},
		symbols:    map[*schema.Schema][]string{},
		unions:     map[*schema.Schema]*unionType{},
		ptrField:   map[*schema.Field]bool{},
		scc:        map[*schema.Schema]int{},
		recursive:  map[*schema.Schema]bool{},
		consts:     map[*schema.Field]string{},
	}
	named := schema.NamedTypes(root)
	for _, n := range named {
		if hasGoType(n) {
			tm.names[n] = nm.names[n.Name]
		}
	}
	var records []*schema.Schema
	for _, n := range named {
		switch n.Kind {
		case schema.Record:
			records = append(records, n)
		case schema.Enum:
			tm.nameSymbols(n)
		}
	}
	tm.findCycles(records)
	for _, rec := range records {
		tm.nameFields(rec)
		taken := map[string]bool{}
		for _, id := range append(tm.recordIdents(rec), tm.eventIdents(rec)...) {
			taken[id] = true
		}
		for _, f := range rec.Fields {
			if f.Type.Kind == schema.Record && valueReaches(f.Type, rec, map[*schema.Schema]bool{}) {
				tm.ptrField[f] = true
			}
			tm.nameUnions(f.Type, tm.names[rec]+tm.fields[f], rec, taken)
			if _, ok := constOf(f); ok && f.Type.Kind != schema.Enum {
				tm.consts[f] = freeName(lowerFirst(tm.names[rec])+tm.fields[f], "Const", taken)
			}
		}
	}
	return tm
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
// for one in its map; an interface or wrapper whose name the record's code
// has already takes a suffix (see freeName).
func (tm *typeMap) nameUnions(s *schema.Schema, name string, rec *schema.Schema, taken map[string]bool) {
	switch s.Kind {
	case schema.Array:
		tm.nameUnions(s.Items, name+"Item", rec, taken)
	case schema.Map:
		tm.nameUnions(s.Values, name+"Value", rec, taken)
	case schema.Union:
		if _, _, ok := optional(s); ok || len(s.Branches) <= 1 {
			for _, b := range s.Branches {
				tm.nameUnions(b, name, rec, taken)
			}
			return
		}
		name = freeName(name, "Union", taken)
		u := &unionType{name: name, marker: "is" + name, schema: s, record: rec}
		suffixes := branchSuffixes(s, tm)
		for i, b := range s.Branches {
			br := &branch{index: i, s: b}
			u.branches = append(u.branches, br)
			if isNull(b) {
				continue
			}
			tm.nameUnions(b, name+suffixes[i], rec, taken)
			if n, ok := tm.names[b]; ok {
				br.goType = n
				if b.Kind == schema.Record {
					br.goType = "*" + n
				}
				continue
			}
			br.wrapper = freeName(name+suffixes[i], "Branch", taken)
			br.underlying = tm.goType(b)
			br.goType = br.wrapper
			if isPtrType(br.underlying) {
				br.goType = "*" + br.wrapper
			}
		}
		tm.unions[s] = u
	}
}

// branchSuffixes names the wrapper types of a union's branches after their
// types: the kind or logical type, or for a fixed with a logical type its
// name, qualified by its namespace when another branch has that name in
// Go too.
func branchSuffixes(u *schema.Schema, tm *typeMap) []string {
	out := make([]string, len(u.Branches))
	byName := map[string][]string{}
	for i, b := range u.Branches {
		switch {
		case b.Kind == schema.Fixed && b.Logical != "":
			out[i] = goName(schema.ShortName(b.Name))
			byName[out[i]] = append(byName[out[i]], b.Name)
		case b.Logical != "":
			out[i] = goName(b.Logical)
		case hasGoType(b):
			out[i] = tm.names[b]
		default:
			out[i] = goName(b.Kind.String())
		}
	}
	for i, b := range u.Branches {
		if b.Kind == schema.Fixed && b.Logical != "" && len(byName[out[i]]) > 1 {
			if s := namespaceSuffixes(byName[out[i]])[b.Name]; s != "" {
				out[i] = goName(s + "." + schema.ShortName(b.Name))
			}
		}
	}
	return out
}

// qualified returns the package-qualified name of a Go type, for errors.
func (tm *typeMap) qualified(name string) string { return tm.pkg + "." + name }

// typeNameConst returns the name of the constant of record rec's qualified
// name, which its methods' errors use: "deadlinePassedTypeName".
func (tm *typeMap) typeNameConst(rec *schema.Schema) string {
	return lowerFirst(tm.names[rec]) + "TypeName"
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
