package bench

// abBatch is how many messages the alternating benchmarks (PublishAB,
// PreOTel, PublishOTel) send or read in one go with one client before
// switching to the other.
const abBatch = 50_000

// alternate calls first and second in turn on batches of at most abBatch
// of total messages, first leading in one pair and second in the next, so
// that both see the same minutes of the shared machine. Each gets its
// batch's first message (an index into the events they cycle through) and
// size; it stops at the first error.
func alternate(total int, first, second func(from, n int) error) error {
	for sent, pair := 0, 0; sent < total; pair++ {
		n := min(abBatch, total-sent)
		a, b := first, second
		if pair%2 == 1 {
			a, b = b, a
		}
		if err := a(sent, n); err != nil {
			return err
		}
		if err := b(sent, n); err != nil {
			return err
		}
		sent += n
	}
	return nil
}
