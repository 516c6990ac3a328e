package compat

import (
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// NamedTypeAt returns the innermost named type (record, enum or fixed) of
// root on the way to location, an Incompatibility's Location in the schema
// that read in its comparison (the new schema for NewReadsOld, the old one
// for OldReadsNew): the type a problem is in, such as a shared type that
// several schemas use. It returns root itself for a problem in root's own
// fields, and nil when location does not fit root.
func NamedTypeAt(root *schema.Schema, location string) *schema.Schema {
	var named *schema.Schema
	node := root
	segs := strings.Split(strings.Trim(location, "/"), "/")
	for i := 0; node != nil; i++ {
		if node.Kind.IsNamed() {
			named = node
		}
		if i >= len(segs) || segs[i] == "" {
			break
		}
		switch seg := segs[i]; {
		case seg == "fields" && node.Kind == schema.Record && i+2 < len(segs) && segs[i+2] == "type":
			n, err := strconv.Atoi(segs[i+1])
			if err != nil || n < 0 || n >= len(node.Fields) {
				return named
			}
			node, i = node.Fields[n].Type, i+2
		case seg == "items":
			node = node.Items
		case seg == "values":
			node = node.Values
		case node.Kind == schema.Union:
			n, err := strconv.Atoi(seg)
			if err != nil || n < 0 || n >= len(node.Branches) {
				return named
			}
			node = node.Branches[n]
		default:
			return named // "name", "size", "symbols", or the end of a field
		}
	}
	return named
}
