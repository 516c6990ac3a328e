package corpus

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// TestMapsEncodeInKeyOrderWithoutAllocating encodes maps on both sides of
// the generated encoders' stack array (avrobin.SortedKeysBuffer): the
// entries come out in increasing key order, whatever the map's own order,
// and small maps cost no allocation.
func TestMapsEncodeInKeyOrderWithoutAllocating(t *testing.T) {
	for _, n := range []int{0, 1, 2, avrobin.SortedKeysBuffer, avrobin.SortedKeysBuffer + 1, 100} {
		labels := map[string]string{}
		for i := range n {
			// Keys whose insertion order is not their order.
			labels[fmt.Sprintf("k%03d", (i*37)%n)] = fmt.Sprint(i)
		}
		c := &Collections{Labels: labels, Address: SharedAddress{Street: "s", City: "c"}}
		out, err := c.AppendAvro(nil)
		if err != nil {
			t.Fatal(err)
		}
		// count, numbers, names, items and matrix are empty: the labels
		// map starts at byte 5.
		r := avrobin.NewReader(out[5:])
		got := map[string]string{}
		var order []string
		for {
			m, err := r.ReadBlockLen(len(order), 1)
			if err != nil {
				t.Fatalf("%d labels: %v", n, err)
			}
			if m == 0 {
				break
			}
			for range m {
				k, err1 := r.ReadString()
				v, err2 := r.ReadString()
				if err1 != nil || err2 != nil {
					t.Fatalf("%d labels: %v, %v", n, err1, err2)
				}
				got[k] = v
				order = append(order, k)
			}
		}
		if diff := cmp.Diff(labels, got); diff != "" {
			t.Errorf("%d labels (-want +got):\n%s", n, diff)
		}
		for i := 1; i < len(order); i++ {
			if order[i-1] >= order[i] {
				t.Errorf("%d labels: %q written before %q", n, order[i-1], order[i])
			}
		}
		back := &Collections{}
		if err := back.UnmarshalAvro(out); err != nil {
			t.Fatalf("%d labels: %v", n, err)
		}
		if diff := cmp.Diff(labels, back.Labels); n > 0 && diff != "" {
			t.Errorf("%d labels decoded (-want +got):\n%s", n, diff)
		}

		buf := make([]byte, 0, 4096)
		maybe := map[string]int64{"b": 2, "a": 1}
		c.MaybeLabels = &maybe
		c.Stock = map[string]Item{}
		if err := c.Validate(); err != nil {
			t.Fatalf("%d labels: %v", n, err)
		}
		encAllocs := testing.AllocsPerRun(20, func() { buf, _ = c.AppendAvro(buf[:0]) })
		valAllocs := testing.AllocsPerRun(20, func() { _ = c.Validate() })
		if n <= avrobin.SortedKeysBuffer && (encAllocs != 0 || valAllocs != 0) {
			t.Errorf("%d labels: AppendAvro allocates %.0f times, Validate %.0f, want 0", n, encAllocs, valAllocs)
		}
	}
}
