package serde_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
	"github.com/lunchbot/eventkit/sdk/serde"
)

func Example() {
	// A fake registry stands in for the real one; CI would have registered
	// the schemas (eventctl register).
	fake := registrytest.Start()
	defer fake.Close()
	fake.Register(orderV1Contract.Subject, orderV1Contract.Schema)

	client, err := registry.New(registry.Config{URLs: []string{fake.URL()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// Producer side: resolve the ids at start-up, then encode without
	// registry calls or allocations into a reused buffer.
	ser := serde.NewSerializer(client)
	if err := ser.Warm(ctx, orderV1Contract); err != nil {
		fmt.Println("cannot publish:", err)
		return
	}
	buf := make([]byte, 0, 256)
	buf, id, err := ser.Append(ctx, buf[:0], &orderV1{ID: 7, Name: "pelmeni"})
	fmt.Printf("schema id %d, message % x, err %v\n", id, buf, err)

	// Consumer side: a reader of a newer version gets the defaults.
	des := serde.NewDeserializer(client)
	var e orderV2
	_, err = des.Decode(ctx, buf, &e)
	fmt.Printf("%d %s qty=%d note=%v err=%v\n", e.ID, e.Name, e.Qty, e.Note, err)
	// Output:
	// schema id 1, message 00 00 00 00 01 0e 0e 70 65 6c 6d 65 6e 69, err <nil>
	// 7 pelmeni qty=1 note=<nil> err=<nil>
}
