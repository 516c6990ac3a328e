package avrobin

import "encoding/binary"

// Duration is the Go type of the Avro logical type "duration": a fixed of
// 12 bytes holding three little-endian unsigned 32-bit counts. The parts are
// independent (a month is not a number of days), so it is not a
// time.Duration.
type Duration struct {
	Months       uint32
	Days         uint32
	Milliseconds uint32
}

// AppendDuration appends d as an Avro duration (12 bytes).
func AppendDuration(dst []byte, d Duration) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, d.Months)
	dst = binary.LittleEndian.AppendUint32(dst, d.Days)
	return binary.LittleEndian.AppendUint32(dst, d.Milliseconds)
}

// ReadDuration reads an Avro duration.
func (r *Reader) ReadDuration() (Duration, error) {
	b, err := r.ReadFixedView(12)
	if err != nil {
		return Duration{}, err
	}
	return Duration{
		Months:       binary.LittleEndian.Uint32(b),
		Days:         binary.LittleEndian.Uint32(b[4:]),
		Milliseconds: binary.LittleEndian.Uint32(b[8:]),
	}, nil
}
