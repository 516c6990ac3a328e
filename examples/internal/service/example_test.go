package service_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
)

// A worker run with -max 2 stops after its second event.
func ExampleLimits() {
	ctx, counter := service.Limits{Max: 2, IdleTimeout: time.Minute}.Start(context.Background())
	defer counter.Stop()
	for i := 1; ctx.Err() == nil; i++ {
		fmt.Println("handled event", i) // the consumer's handler calls Done
		counter.Done()
	}
	fmt.Println("stopped:", counter.Err())
	// Output:
	// handled event 1
	// handled event 2
	// stopped: <nil>
}

func ExamplePrinter() {
	e := events.NewDailyTask()
	e.Type, e.Timestamp = "generate_recommendations", time.Date(2025, 12, 8, 5, 0, 0, 0, time.UTC)
	id, _ := cloudevents.ParseEventID("01a21de9-0de8-71ac-9636-227f30368e49")
	p := service.NewPrinter(os.Stdout)
	_ = p.Print(service.Record{Topic: "lunch-bot.daily-tasks", Partition: 2, Offset: 7, SchemaID: 2,
		EventID: id, EventType: "daily_task", Action: "ran", Event: service.DailyTask(e)})
	// Output:
	// {"topic":"lunch-bot.daily-tasks","partition":2,"offset":7,"schema_id":2,"key":"","event_id":"01a21de9-0de8-71ac-9636-227f30368e49","event_type":"daily_task","action":"ran","event":{"type":"generate_recommendations","timestamp":"2025-12-08T05:00:00Z"}}
}
