package schema

// maxMinSize caps MinSize: a bound for counts against the bytes left, where
// a lower figure only admits more, never refuses a valid value.
const maxMinSize = 1 << 20

// MinSize returns the fewest bytes a value of s takes in Avro's binary
// encoding (at most 1 MiB): what bounds an array's or a map's item count by
// the bytes left, so that a length prefix cannot make a decoder allocate
// more than the data holds. memo, which may be nil, keeps records' sizes
// across calls; a record met again while its own size is being summed
// counts 0.
func MinSize(s *Schema, memo map[*Schema]int) int {
	if memo == nil {
		memo = map[*Schema]int{}
	}
	switch s.Kind {
	case Null:
		return 0
	case Float:
		return 4
	case Double:
		return 8
	case Fixed:
		return min(s.Size, maxMinSize)
	case Record:
		if n, ok := memo[s]; ok {
			return n
		}
		memo[s] = 0
		n := 0
		for _, f := range s.Fields {
			n = min(n+MinSize(f.Type, memo), maxMinSize)
		}
		memo[s] = n
		return n
	}
	return 1
}
