package main

import (
	"slices"
	"testing"
)

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"consume", "consume", 0},
		{"consum", "consume", 1},   // a deletion
		{"consumee", "consume", 1}, // an insertion
		{"cansume", "consume", 1},  // a substitution
		{"prodcue", "produce", 1},  // a swap of neighbours
		{"kitten", "sitting", 3},
		{"ca", "abc", 3}, // no character swapped twice (optimal string alignment)
		{"größe", "grösse", 2},
	} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := editDistance(c.b, c.a); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d (symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	commands := []string{"compat", "consume", "decode", "dlq", "encode", "generate", "produce", "register"}
	for _, c := range []struct {
		word string
		want []string
	}{
		{"consum", []string{"consume"}},
		{"CONSUME", []string{"consume"}},
		{"prodcue", []string{"produce"}},
		{"ecode", []string{"decode", "encode"}}, // equally near: both, in order
		{"reg", []string{"register"}},           // the start of one
		{"co", []string{"compat", "consume"}},   // the start of two
		{"dql", []string{"dlq"}},
		{"c", nil},
		{"publish", nil},
		{"xyzzy", nil},
	} {
		if got := closest(c.word, commands); !slices.Equal(got, c.want) {
			t.Errorf("closest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	flags := []string{"topic", "max", "group", "from-beginning"}
	for _, c := range []struct {
		word, want string
	}{
		{"topc", "did you mean --topic?"},
		{"frombeginning", "did you mean --from-beginning?"},
		{"nothing-like-it", ""},
	} {
		if got := didYouMean(c.word, flags, "--"); got != c.want {
			t.Errorf("didYouMean(%q) = %q, want %q", c.word, got, c.want)
		}
	}
	if got := didYouMean("ecode", []string{"decode", "encode", "ecodes"}, ""); got != "did you mean decode, encode or ecodes?" {
		t.Errorf("three suggestions: %q", got)
	}
}
