package codegen

import (
	"fmt"
	"sort"

	"github.com/lunchbot/eventkit/internal/schema"
)

// nameFields gives the fields of record rec their Go names: each its name
// in Go, or, when that is a method of generated records or an earlier
// field's, that with the suffix Field (then a number).
func (tm *typeMap) nameFields(rec *schema.Schema) {
	taken := map[string]bool{}
	for _, m := range recordMethods {
		taken[m] = true
	}
	if tm.nm.events[rec.Name] {
		for _, m := range eventMethods {
			taken[m] = true
		}
	}
	byGo := map[string]string{} // the fields so far, by their Go names
	for _, f := range rec.Fields {
		natural := goName(f.Name)
		tm.fields[f] = freeName(natural, "Field", taken)
		byGo[tm.fields[f]] = f.Name
		switch other, dup := byGo[natural]; {
		case tm.fields[f] == natural:
		case dup:
			tm.fieldNotes[f] = fmt.Sprintf("Not %s, which is field %s.", natural, other)
		default:
			tm.fieldNotes[f] = fmt.Sprintf("Not %s, which is a method.", natural)
		}
	}
}

// nameSymbols names the constants of the symbols of enum e: the type's
// name and the symbol's in Go, or, when an earlier symbol has that name,
// that with the suffix Symbol (then a number).
func (tm *typeMap) nameSymbols(e *schema.Schema) {
	name := tm.names[e]
	taken := map[string]bool{name: true, enumSymbolsVar(name): true, "Parse" + name: true}
	names := make([]string, len(e.Symbols))
	for i, sym := range e.Symbols {
		names[i] = freeName(name+goName(sym), "Symbol", taken)
	}
	tm.symbols[e] = names
}

// symbol returns the name of the constant of symbol sym of enum e.
func (tm *typeMap) symbol(e *schema.Schema, sym string) string {
	for i, s := range e.Symbols {
		if s == sym {
			return tm.symbols[e][i]
		}
	}
	panic("codegen: no symbol " + sym + " in enum " + e.Name)
}

// enumSymbolsVar names the array of an enum's symbols.
func enumSymbolsVar(name string) string { return lowerFirst(name) + "Symbols" }

// recordIdents returns the identifiers a record's code defines whatever its
// fields: the type, its constructor and its name's constant.
func (tm *typeMap) recordIdents(rec *schema.Schema) []string {
	name := tm.names[rec]
	return []string{name, "New" + name, tm.typeNameConst(rec)}
}

// eventIdents returns the identifiers that named type n defines as the
// record of an event (its contract variable), in the event's file.
func (tm *typeMap) eventIdents(n *schema.Schema) []string {
	if n.Kind == schema.Record && tm.nm.events[n.Name] {
		return []string{contractVar(tm.names[n])}
	}
	return nil
}

// identsOf returns the package-level identifiers the code of named type n
// defines, but for those of an event's (eventIdents).
func (tm *typeMap) identsOf(n *schema.Schema) []string {
	name := tm.names[n]
	switch n.Kind {
	case schema.Record:
		ids := tm.recordIdents(n)
		for _, f := range n.Fields {
			if c, ok := tm.consts[f]; ok {
				ids = append(ids, c)
			}
		}
		for _, u := range tm.unionsOf(n) {
			ids = append(ids, u.name)
			for _, br := range u.branches {
				if br.wrapper != "" {
					ids = append(ids, br.wrapper)
				}
			}
		}
		return ids
	case schema.Enum:
		return append(append([]string{name}, tm.symbols[n]...), enumSymbolsVar(name), "Parse"+name)
	}
	return []string{name}
}

// unionsOf returns the union interfaces of the fields of record rec, by
// name.
func (tm *typeMap) unionsOf(rec *schema.Schema) []*unionType {
	var unions []*unionType
	for _, u := range tm.unions {
		if u.record == rec {
			unions = append(unions, u)
		}
	}
	sort.Slice(unions, func(i, j int) bool { return unions[i].name < unions[j].name })
	return unions
}
