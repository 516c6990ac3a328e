// Package avrobin is the runtime of the code that eventctl generates: the
// Avro binary encoding of each type, a bounds-checked Reader, the Go types
// of the logical types that have no standard one (Date, UUID, Duration) and
// the errors generated code returns.
//
// Encoding appends to a caller's buffer and does not allocate. Decoding
// never panics and never allocates more than the input warrants: every
// length is checked against the bytes left before anything is allocated.
//
// # Choices
//
//   - Strings must be valid UTF-8, as the Avro specification says: the
//     Reader rejects invalid ones (ErrInvalidUTF8), as Python's avro does;
//     encoding does not check (for speed), Validate does.
//   - A boolean byte other than 0 or 1 is rejected (ErrBoolean).
//   - An int varint longer than 5 bytes or beyond 32 bits, a long varint
//     longer than 10 bytes, is ErrOverflow.
//   - Arrays and maps are written as one block with a positive count (no
//     byte size), maps in key order; blocks with a negative count and a byte
//     size, as Java and hamba/avro write them, are read.
//   - Timestamps are time.Time, local timestamps their wall clock in UTC,
//     times of day time.Duration, dates Date, decimals *big.Rat, UUIDs UUID,
//     durations Duration.
package avrobin
