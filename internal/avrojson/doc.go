// Package avrojson turns the Avro binary encoding of a value into JSON and
// back, driven by the project's schema model (package schema). It works for
// any schema, so console tools can read and write data whose schema they
// fetched from a registry, not only the project's own events.
//
// # Two styles
//
// [Plain] is JSON a person or a script reads: records as objects with the
// schema's field names, unions as their bare value, logical types in a
// readable form:
//
//	date                          "2026-11-27"
//	time-millis, time-micros      "11:45:00.000", "11:45:00.000000"
//	timestamp-millis/micros/nanos "2026-11-27T11:45:00.000000Z" (RFC 3339, UTC,
//	                              always the 3, 6 or 9 fraction digits of the type)
//	local-timestamp-*             "2026-11-27T11:45:00.000000" (no zone)
//	decimal                       "12.34" (a string: exact, never a float)
//	uuid (string or fixed 16)     "0b5a3b2e-4d9c-4e55-9b43-3b1a8d0f6a01"
//	duration (fixed 12)           {"months":1,"days":2,"milliseconds":3}
//
// A date or a timestamp beyond the years 0 to 9999 takes a sign and as many
// year digits as it needs, as ISO 8601 writes expanded years
// ("+294247-01-10T04:00:54.775807Z", "-0044-03-15"), so that every value
// has its text. A time of day past 24h, which has none, is written as its
// number of milliseconds or microseconds.
//
// [AvroJSON] is the JSON encoding of the Avro specification, as Apache Avro's
// JsonEncoder writes it: a union value other than null is wrapped as
// {"branch name": value} with the branch's full name ("long", "string",
// "array", "map", or a named type's full name "lunchbot.events.Order"), and
// logical types are written as their underlying values (a date as its day
// number, a decimal as its bytes).
//
// In both styles bytes and fixed values are strings whose characters U+0000
// to U+00FF stand for the bytes 0 to 255 (ISO-8859-1, as the specification
// says), written with \u00XX escapes beyond printable ASCII. The choice over
// base64 is deliberate: a bytes value reads the same in both styles, and so
// Encode never has to guess whether a string is base64. Floats and doubles
// that JSON numbers cannot hold are the strings "NaN", "Infinity" and
// "-Infinity", as Apache Avro (through Jackson) writes them.
//
// # Encoding
//
// Encode reads either style: wherever the JSON type tells them apart (a
// readable string or a number, a wrapped or bare union value, a duration
// object or a 12-character string) both are accepted. A union value in plain
// JSON goes to the first branch, in schema order, that it fits. Two
// exceptions: decimals, which both styles write as strings of different
// meaning ("12.34" against the characters of the unscaled bytes); and dates
// and timestamps, for which the plain style refuses a bare number, too easily
// meant otherwise (20261203 for a date, Unix seconds for a
// timestamp-micros), that the Avro JSON style reads as a count of days or of
// the type's unit. Options.Style says which Encode expects, and also which
// union form it tries first. A schema's defaults, in Avro's JSON encoding,
// are read in either style.
//
// A record's missing field takes its default; a missing field without one, an
// unknown field, a value of the wrong type, an integer out of range, a
// decimal with more digits than its precision or scale allows, a timestamp
// more precise than its type or beyond its range, all fail with an *Error
// that names the place as a JSON Pointer:
//
//	/cafe_id: expected long, got string "x"
//
// With Options.Validate, Encode also refuses what the generated Validate
// refuses of the same value in Go, by the same rules (schema.RulesOf) and
// with the same avrobin checks: a field that differs from its "const", an
// empty required string, an unset timestamp (0001-01-01T00:00:00Z, which is
// Go's zero time.Time, where the schema gives no default), a time of day
// outside a day. The error then matches avrobin's (errors.Is(err,
// avrobin.ErrUnset), ...), and Error.Field names the place as generated
// code's errors do ("lines[2].timestamp"). eventctl produce validates.
//
// # Decoding
//
// Decode never panics and allocates in proportion to its input: every length
// is checked against the bytes that remain before anything is allocated,
// array and map blocks with a byte size (as Java writes them) are read and
// the size checked, nesting is bounded by MaxDepth, and arrays of items that
// take no bytes at all (null, an empty record) are bounded by
// MaxZeroSizeItems. Strings must be valid UTF-8. Bytes left over after the
// value are an error: they usually mean the data was written with another
// schema.
//
// # Round trips
//
// Decode then Encode in the Avro JSON style gives back the same bytes for any
// value written canonically (one block per array and map, minimal varints and
// decimals, the quiet NaN without payload), as Avro libraries write it. In
// plain JSON it does too, whatever the year of a date or a timestamp, except
// for unions whose branches plain JSON cannot tell apart (["int","long"], a string and an enum, a record and a map): a
// bare value goes to the first branch it fits, so write such values in the
// Avro JSON style. Encode refuses a few things the bytes can hold, so Decode
// then Encode fails for them: a decimal with more digits than its precision,
// or with no bytes at all (which Java cannot read), a uuid string that is not
// a UUID, a map with a key twice.
//
// The Avro JSON style is checked against Apache Avro Java's JsonEncoder and
// JsonDecoder, and the plain style's dates, times, timestamps and decimals
// against python3-avro, in this package's tests.
package avrojson
