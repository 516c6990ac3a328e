package codegen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// unionCode generates a union interface and its wrapper types.
func unionCode(tm *typeMap, u *unionType) string {
	var b strings.Builder
	var kinds []string
	null := false
	for _, br := range u.branches {
		if isNull(br.s) {
			null = true
			continue
		}
		kinds = append(kinds, br.goType)
	}
	text := fmt.Sprintf("%s is the union %s of %s. Its values are %s", u.name, unionText(u.schema), fieldOf(tm, u), strings.Join(kinds, ", "))
	if null {
		text += "; nil is null."
	} else {
		text += "; it must not be nil."
	}
	b.WriteString(comment(text, ""))
	fmt.Fprintf(&b, "type %s interface {\n\t%s()\n}\n\n", u.name, u.marker)
	for _, br := range u.branches {
		if isNull(br.s) {
			continue
		}
		if br.wrapper != "" {
			under := br.underlying
			if isPtrType(under) {
				under = under[1:]
			}
			b.WriteString(comment(fmt.Sprintf("%s is the %s branch of %s.", br.wrapper, unionText(br.s), u.name), ""))
			fmt.Fprintf(&b, "type %s %s\n\n", br.wrapper, under)
		}
		recvType := br.goType
		fmt.Fprintf(&b, "func (%s) %s() {}\n\n", recvType, u.marker)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// fieldOf names the field a union belongs to, for docs.
func fieldOf(tm *typeMap, u *unionType) string {
	for _, f := range u.record.Fields {
		found := false
		schema.Walk(f.Type, func(n *schema.Schema) bool {
			found = found || n == u.schema
			return !found && !n.Kind.IsNamed()
		})
		if found {
			return tm.names[u.record] + "." + tm.fields[f]
		}
	}
	return tm.names[u.record]
}

// unionText spells a schema briefly, for docs: `["null", "string", Card]`.
func unionText(s *schema.Schema) string {
	switch {
	case s.Kind == schema.Union:
		parts := make([]string, len(s.Branches))
		for i, b := range s.Branches {
			parts[i] = unionText(b)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case s.Kind.IsNamed():
		return schema.ShortName(s.Name)
	case s.Kind == schema.Array:
		return "array of " + unionText(s.Items)
	case s.Kind == schema.Map:
		return "map of " + unionText(s.Values)
	case s.Logical != "":
		return s.Logical
	}
	return strconv.Quote(s.Kind.String())
}
