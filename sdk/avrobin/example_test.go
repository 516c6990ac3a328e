package avrobin_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/lunchbot/eventkit/sdk/avrobin"
)

func Example() {
	// Encode a long, a string and a date into a reused buffer...
	buf := make([]byte, 0, 64)
	buf = avrobin.AppendLong(buf, 42)
	buf = avrobin.AppendString(buf, "deadline.passed")
	buf, err := avrobin.AppendDate(buf, avrobin.Date{Year: 2026, Month: time.November, Day: 27})
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", buf)

	// ...and read them back.
	r := avrobin.NewReader(buf)
	id, _ := r.ReadLong()
	typ, _ := r.ReadString()
	day, _ := r.ReadDate()
	fmt.Println(id, typ, day, r.Len())
	// Output:
	// 54 1e 64 65 61 64 6c 69 6e 65 2e 70 61 73 73 65 64 e0 c4 02
	// 42 deadline.passed 2026-11-27 0
}

func ExampleReader_ReadString() {
	// Six bytes that claim a 1 GiB string: an error, nothing allocated.
	r := avrobin.NewReader([]byte{0x80, 0x80, 0x80, 0x80, 0x08, 'x'})
	_, err := r.ReadString()
	fmt.Println(err, errors.Is(err, avrobin.ErrTruncated))
	// Output: truncated input true
}

func ExampleDate() {
	d := avrobin.DateOf(time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC))
	days, _ := d.Days()
	fmt.Println(d, days, avrobin.DateFromDays(days+5), d.Time().Format(time.RFC3339))
	// Output: 2026-11-27 20784 2026-12-02 2026-11-27T00:00:00Z
}
