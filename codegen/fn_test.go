package codegen

import "testing"

// TestTmpNamesNest checks that a temporary's name is not taken by one in
// its scope, and is free again once its scope has ended.
func TestTmpNamesNest(t *testing.T) {
	f := &fn{names: map[string]int{}}
	outer := f.tmp("v")
	inner := f.tmp("v")
	if outer != "v" || inner != "v2" {
		t.Fatalf("nested temporaries: %q, %q; want v, v2", outer, inner)
	}
	f.done("v")
	if again := f.tmp("v"); again != "v2" {
		t.Errorf("after the inner scope: %q, want v2", again)
	}
	f.done("v", "v")
	if fresh := f.tmp("v"); fresh != "v" {
		t.Errorf("after both scopes: %q, want v", fresh)
	}
	if got := f.tmp("k"); got != "k" {
		t.Errorf("another base: %q, want k", got)
	}
}

func TestParen(t *testing.T) {
	for in, want := range map[string]string{"*p": "(*p)", "x.Field": "x.Field", "v": "v"} {
		if got := paren(in); got != want {
			t.Errorf("paren(%q) = %q, want %q", in, got, want)
		}
	}
}
