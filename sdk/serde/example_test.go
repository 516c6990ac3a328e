package serde_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
	"github.com/lunchbot/eventkit/sdk/serde"
)

func Example() {
	// A fake registry stands in for the real one; CI would have registered
	// the schema (eventctl register).
	fake := registrytest.Start()
	defer fake.Close()
	contract := events.DeadlinePassedContract
	fake.Register(contract.Subject, contract.Schema)

	client, err := registry.New(registry.Config{URLs: []string{fake.URL()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// Producer side: resolve the ids at start-up, then encode without
	// registry calls or allocations into a reused buffer.
	ser := serde.NewSerializer(client, serde.SerializerConfig{})
	if err := ser.Warm(ctx, contract); err != nil {
		fmt.Println("cannot publish:", err)
		return
	}
	e := events.NewDeadlinePassed()
	e.CafeID = 12
	e.Date = avrobin.Date{Year: 2026, Month: time.November, Day: 27}
	e.Timestamp = time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)
	buf := make([]byte, 0, 256)
	buf, id, err := ser.Append(ctx, buf[:0], e)
	fmt.Printf("schema id %d, header % x, %d bytes, err %v\n", id, buf[:5], len(buf), err)

	// Consumer side.
	des := serde.NewDeserializer(client, serde.DeserializerConfig{})
	var got events.DeadlinePassed
	_, err = des.Decode(ctx, buf, &got)
	fmt.Println(got.Type, got.CafeID, got.Date, got.Timestamp, err)
	// Output:
	// schema id 1, header 00 00 00 00 01, 33 bytes, err <nil>
	// deadline.passed 12 2026-11-27 2026-11-27 11:00:00 +0000 UTC <nil>
}

func ExampleDeserializer_Decode_resolution() {
	// A message written with version 1 of a schema, read by code generated
	// from version 2, which added fields with defaults.
	fake := registrytest.Start()
	defer fake.Close()
	idV1 := fake.Register("orders-value", orderV1Schema)
	client, err := registry.New(registry.Config{URLs: []string{fake.URL()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	msg, _ := (&orderV1{ID: 7, Name: "pelmeni"}).AppendAvro(wireHeader(idV1))

	var e orderV2
	_, err = serde.NewDeserializer(client, serde.DeserializerConfig{}).Decode(context.Background(), msg, &e)
	fmt.Printf("%d %s qty=%d note=%v err=%v\n", e.ID, e.Name, e.Qty, e.Note, err)
	// Output:
	// 7 pelmeni qty=1 note=<nil> err=<nil>
}
