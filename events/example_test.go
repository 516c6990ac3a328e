package events_test

import (
	"fmt"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

func Example() {
	// A producer fills an event, validates it and encodes it into a
	// reused buffer.
	ev := events.NewDeadlinePassed() // Type is set to its const
	ev.CafeID = 42
	ev.Date = avrobin.Date{Year: 2026, Month: time.November, Day: 27}
	ev.Timestamp = time.Date(2026, 11, 27, 11, 30, 0, 0, time.UTC)
	if err := ev.Validate(); err != nil {
		panic(err)
	}
	buf := make([]byte, 0, 64)
	buf, err := ev.AppendAvro(buf[:0])
	if err != nil {
		panic(err)
	}
	key := ev.AppendKey(nil)
	c := ev.Contract()
	fmt.Printf("%s on %s, key %s, %d bytes\n", c.Type, c.Topic, key, len(buf))

	// A consumer decodes it.
	var got events.DeadlinePassed
	if err := got.UnmarshalAvro(buf); err != nil {
		panic(err)
	}
	fmt.Println(got.CafeID, got.Date, got.Timestamp.Format(time.RFC3339))
	// Output:
	// deadline.passed on lunch-bot.deadlines, key 42, 28 bytes
	// 42 2026-11-27 2026-11-27T11:30:00Z
}

func ExampleDeadlinePassed_Validate() {
	ev := events.NewDeadlinePassed()
	ev.Type = "deadline.missed"
	fmt.Println(ev.Validate())
	// Output: events.DeadlinePassed: field type: must be "deadline.passed" (the schema's const), is "deadline.missed"
}
