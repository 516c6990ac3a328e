package cloudevents_test

import (
	"context"
	"fmt"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
)

func ExampleWithTraceparent() {
	// A request handler continues the caller's trace in the events it
	// publishes: the traceparent header goes with them.
	ctx := cloudevents.WithTraceparent(context.Background(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	fmt.Println(cloudevents.TraceparentFrom(ctx))
	// Invalid values are ignored, as the W3C specification asks.
	fmt.Printf("%q\n", cloudevents.TraceparentFrom(cloudevents.WithTraceparent(context.Background(), "not-a-trace")))
	// Output:
	// 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
	// ""
}
