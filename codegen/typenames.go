package codegen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/internal/schema"
)

// naming is the Go names of the named types of a package: those of every
// schema of its manifest, so that a type defined in several schemas has one
// name, and no two types or generated identifiers share one.
type naming struct {
	// names are the Go type names by full Avro name, of the records,
	// enums and fixed without a logical type (the rest have none).
	names map[string]string
	// notes say, for the doc of a type whose name is not its short name
	// in Go, why.
	notes map[string]string
	// events are the full names of the events' records, which have a
	// contract variable.
	events map[string]bool
}

// hasGoType reports whether a named type is a Go type of its own: a fixed
// with a logical type is an avrobin.UUID, an avrobin.Duration or a
// *big.Rat.
func hasGoType(n *schema.Schema) bool {
	return n.Kind.IsNamed() && (n.Kind != schema.Fixed || n.Logical == "")
}

// kindSuffix is what a type's Go name takes when its name is taken.
func kindSuffix(n *schema.Schema) string {
	switch n.Kind {
	case schema.Record:
		return "Record"
	case schema.Enum:
		return "Enum"
	}
	return "Fixed"
}

// TypeNames returns the Go type name of every record, enum and fixed
// (without a logical type, which has none) of the schemas of m, by full
// Avro name: the names Generate gives them.
func TypeNames(m *manifest.Manifest) (map[string]string, error) {
	nm, err := nameTypes(m.Go.Package, m.Types, m.Events)
	if err != nil {
		return nil, &Error{File: m.Path, Problem: err.Error(), Err: err}
	}
	return nm.names, nil
}

// nameTypes names the named types of the shared types' and the events'
// schemas (the first definition of each full name stands for all). See the
// package doc.
func nameTypes(pkg string, types []*manifest.Type, events []*manifest.Event) (*naming, error) {
	nm := &naming{names: map[string]string{}, notes: map[string]string{}, events: map[string]bool{}}
	var defs []*schema.Schema
	roots := map[string]*schema.Schema{} // full name → a root whose schema defines it
	var all []*schema.Schema
	for _, t := range types {
		all = append(all, t.Schema.Root)
	}
	for _, ev := range events {
		nm.events[ev.Schema.Root.Name] = true
		all = append(all, ev.Schema.Root)
	}
	for _, root := range all {
		for _, n := range schema.NamedTypes(root) {
			if _, seen := roots[n.Name]; !seen && hasGoType(n) {
				roots[n.Name] = root
				defs = append(defs, n)
			}
		}
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	base, nsNotes := qualifiedNames(defs)
	for full, b := range base {
		nm.names[full] = b
	}

	// Names taken by another type's identifiers, or whose identifiers
	// another type takes: a suffix, then a number.
	tries := map[string]int{}
	renamed := map[string]string{}
	for round := 0; ; round++ {
		if round > 10*len(defs)+10 {
			return nil, fmt.Errorf("no distinct Go names found for the named types (a bug in eventctl generate)")
		}
		claims := nm.claims(pkg, defs, roots)
		ids := make([]string, 0, len(claims))
		for id := range claims {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		var losers []*schema.Schema
		why := map[*schema.Schema]string{}
		for _, id := range ids {
			cs := claims[id]
			sort.SliceStable(cs, func(i, j int) bool { return cs[i].before(cs[j]) })
			for _, c := range cs[1:] {
				if _, lost := why[c.def]; lost || c.def == cs[0].def {
					continue
				}
				if c.primary {
					why[c.def] = fmt.Sprintf("%s is %s", id, cs[0].describe())
				} else {
					why[c.def] = fmt.Sprintf("%s, which it would generate, is also %s", id, cs[0].describe())
				}
				losers = append(losers, c.def)
			}
		}
		if len(losers) == 0 {
			break
		}
		for _, d := range losers {
			tries[d.Name]++
			name := base[d.Name] + kindSuffix(d)
			if n := tries[d.Name]; n > 1 {
				name += strconv.Itoa(n)
			}
			nm.names[d.Name] = name
			renamed[d.Name] = fmt.Sprintf("Its Go name is not %s, as %s.", base[d.Name], why[d])
		}
	}
	for _, d := range defs {
		if note := strings.TrimSpace(nsNotes[d.Name] + " " + renamed[d.Name]); note != "" {
			nm.notes[d.Name] = note
		}
	}
	return nm, nil
}

// qualifiedNames returns the Go name of each of defs from its short name,
// qualified by the end of its namespace when that is the Go name of
// another's too, and the notes that say so.
func qualifiedNames(defs []*schema.Schema) (names, notes map[string]string) {
	names, notes = map[string]string{}, map[string]string{}
	groups := map[string][]string{}
	for _, d := range defs {
		g := goName(schema.ShortName(d.Name))
		groups[g] = append(groups[g], d.Name)
	}
	for g, fulls := range groups {
		suffixes := namespaceSuffixes(fulls)
		for _, full := range fulls {
			names[full] = g
			if s := suffixes[full]; s != "" {
				names[full] = goName(s + "." + schema.ShortName(full))
				notes[full] = fmt.Sprintf("Its Go name begins with the end of its namespace, %s, as other named types are %s in Go too: %s.",
					s, g, others(fulls, full))
			}
		}
	}
	return names, notes
}

// claims returns, for every identifier the types define under their
// current names, the types that define it.
func (nm *naming) claims(pkg string, defs []*schema.Schema, roots map[string]*schema.Schema) map[string][]claim {
	claims := map[string][]claim{"Contracts": {{}}}
	tms := map[*schema.Schema]*typeMap{}
	for _, d := range defs {
		root := roots[d.Name]
		if tms[root] == nil {
			tms[root] = analyze(pkg, root, nm)
		}
		for _, id := range append(tms[root].identsOf(d), tms[root].eventIdents(d)...) {
			claims[id] = append(claims[id], claim{def: d, primary: id == nm.names[d.Name]})
		}
	}
	return claims
}

// claim is a type's claim on a Go identifier: its name (primary) or one
// generated for it; the zero claim is the package's Contracts function.
type claim struct {
	def     *schema.Schema
	primary bool
}

// before orders the claims on one identifier, the one that keeps it
// first: the package's own, then an identifier generated for a type before
// a type's name (a type's identifiers follow from its name: the type named
// like one yields), then by full name.
func (c claim) before(o claim) bool {
	switch {
	case c.def == nil || o.def == nil:
		return c.def == nil && o.def != nil
	case c.primary != o.primary:
		return o.primary
	}
	return c.def.Name < o.def.Name
}

// describe says what the identifier is for the claim that keeps it.
func (c claim) describe() string {
	switch {
	case c.def == nil:
		return "the package's Contracts function"
	case c.primary:
		return "the Go name of " + c.def.Kind.String() + " " + c.def.Name
	}
	return "generated for " + c.def.Kind.String() + " " + c.def.Name
}

// others lists the names of list but full, the first three of them.
func others(list []string, full string) string {
	var out []string
	for _, o := range list {
		if o != full {
			out = append(out, o)
		}
	}
	if len(out) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(out[:3], ", "), len(out)-3)
	}
	return strings.Join(out, ", ")
}

// namespaceSuffixes returns, for each of the full names (distinct, of one
// short name), the shortest end of its namespace that the namespaces of
// the others (but those equal to it) do not end with: for
// com.example.geo.Address and com.example.shipping.Address, "geo" and
// "shipping"; for a.x.Id and b.x.Id, "a.x" and "b.x"; empty for the null
// namespace, or when all share the namespace.
func namespaceSuffixes(fulls []string) map[string]string {
	parts := map[string][]string{}
	longest := 0
	for _, f := range fulls {
		if ns := schema.Namespace(f); ns != "" {
			parts[f] = strings.Split(ns, ".")
		}
		longest = max(longest, len(parts[f]))
	}
	end := func(f string, k int) string {
		p := parts[f]
		return strings.Join(p[len(p)-min(k, len(p)):], ".")
	}
	out := map[string]string{}
	for _, f := range fulls {
		ns := schema.Namespace(f)
		apart := false // another namespace to tell f's from
		for _, o := range fulls {
			apart = apart || schema.Namespace(o) != ns
		}
		for k := 1; k <= longest && ns != "" && apart; k++ {
			distinct := true
			for _, o := range fulls {
				if schema.Namespace(o) != ns && end(o, k) == end(f, k) {
					distinct = false
					break
				}
			}
			if distinct {
				out[f] = end(f, k)
				break
			}
		}
		if _, ok := out[f]; !ok {
			out[f] = ""
		}
	}
	return out
}

// freeName returns base if taken says it is free, else base+suffix, else
// base+suffix and a number from 2; it marks the name taken.
func freeName(base, suffix string, taken map[string]bool) string {
	name := base
	for n := 1; taken[name]; n++ {
		name = base + suffix
		if n > 1 {
			name += strconv.Itoa(n)
		}
	}
	taken[name] = true
	return name
}
