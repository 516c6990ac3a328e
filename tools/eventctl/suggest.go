package main

import "strings"

// "Did you mean" for misspelled commands, subcommands, flags and values.

// editDistance is the optimal string alignment distance of a and b: the
// fewest insertions, deletions, substitutions and swaps of two neighbouring
// characters that turn one into the other, so that a swap ("prodcue") counts
// one typo, not two.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Rows i-2, i-1 and i of the table of distances of ra[:i] and rb[:j].
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// closest returns the candidates word was probably meant to be, in their
// order: those nearest to it when at most a third of its length away (at
// least one edit), else those it is the start of (when it has at least two
// characters); none when nothing is that close. Case is ignored.
func closest(word string, candidates []string) []string {
	w := strings.ToLower(word)
	limit := max(1, len([]rune(w))/3)
	best, bestDist := []string(nil), limit+1
	for _, c := range candidates {
		d := editDistance(w, strings.ToLower(c))
		switch {
		case d < bestDist:
			best, bestDist = []string{c}, d
		case d == bestDist:
			best = append(best, c)
		}
	}
	if best != nil || len([]rune(w)) < 2 {
		return best
	}
	for _, c := range candidates {
		if strings.HasPrefix(strings.ToLower(c), w) {
			best = append(best, c)
		}
	}
	return best
}

// didYouMean returns "did you mean X?" (or "X or Y", "X, Y or Z") with each
// suggestion after prefix, or "" when closest finds none.
func didYouMean(word string, candidates []string, prefix string) string {
	found := closest(word, candidates)
	if len(found) == 0 {
		return ""
	}
	for i, f := range found {
		found[i] = prefix + f
	}
	list := found[0]
	if n := len(found); n > 1 {
		list = strings.Join(found[:n-1], ", ") + " or " + found[n-1]
	}
	return "did you mean " + list + "?"
}
