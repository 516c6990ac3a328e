// Package wire frames and unframes messages in the Confluent wire format: a
// magic byte 0, the schema id as a 4-byte big-endian unsigned integer, then
// the Avro binary body.
//
//	+-------+---------------+-----------------+
//	| 0x00  | id (4 bytes)  | Avro body ...   |
//	+-------+---------------+-----------------+
//
// The helpers neither allocate nor copy: AppendHeader appends five bytes to
// a caller's buffer and Parse returns a sub-slice of its input.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Magic is the first byte of every message in the Confluent wire format.
const Magic byte = 0

// HeaderSize is the length of the header: the magic byte and the schema id.
const HeaderSize = 5

var (
	// ErrTooShort is matched (errors.Is) by Parse's error for a message
	// shorter than the 5-byte header.
	ErrTooShort = errors.New("wire: message shorter than the 5-byte header")
	// ErrBadMagic is matched (errors.Is) by Parse's error for a message
	// whose first byte is not the magic byte 0: it was not written by a
	// Confluent-compatible serializer (plain JSON, a raw Avro body, or
	// another framing).
	ErrBadMagic = errors.New("wire: first byte is not the magic byte 0")
)

// AppendHeader appends the 5-byte header for schema id to dst and returns
// the extended slice.
func AppendHeader(dst []byte, id uint32) []byte {
	return append(dst, Magic, byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
}

// Parse splits a wire-format message into its schema id and its body. The
// body aliases msg. A message of exactly five bytes has an empty body, which
// is a valid encoding of some Avro types (an empty record, null). Errors
// match ErrTooShort or ErrBadMagic.
func Parse(msg []byte) (id uint32, body []byte, err error) {
	if len(msg) < HeaderSize {
		return 0, nil, fmt.Errorf("%w (got %d bytes)", ErrTooShort, len(msg))
	}
	if msg[0] != Magic {
		return 0, nil, fmt.Errorf("%w (got 0x%02x)", ErrBadMagic, msg[0])
	}
	return binary.BigEndian.Uint32(msg[1:HeaderSize]), msg[HeaderSize:], nil
}
