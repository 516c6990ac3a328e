package codegen_test

import (
	"fmt"
	"strings"

	"github.com/lunchbot/eventkit/codegen"
	"github.com/lunchbot/eventkit/codegen/manifest"
)

func ExampleGenerate() {
	m, err := manifest.Parse("avro/manifest.json",
		[]byte(`{"go": {"package": "events", "output": "../events"},
		         "events": [{"type": "order.placed", "schema": "order.avsc", "topic": "orders", "key": "order_id"}]}`),
		func(name string) ([]byte, error) {
			return []byte(`{"type": "record", "name": "OrderPlaced", "namespace": "shop", "fields": [
				{"name": "order_id", "type": "string"},
				{"name": "note", "type": ["null", "string"], "default": null},
				{"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}`), nil
		})
	if err != nil {
		panic(err)
	}
	files, err := codegen.Generate(m)
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		fmt.Println(f.Name)
	}
	src := string(files[0].Source)
	start := strings.Index(src, "type OrderPlaced struct")
	fmt.Print(src[start : start+strings.Index(src[start:], "}\n")+2])
	// Output:
	// order.gen.go
	// contracts.gen.go
	// type OrderPlaced struct {
	// 	OrderID string `avro:"order_id"`
	//
	// 	// Default: null.
	// 	Note *string `avro:"note"`
	//
	// 	PlacedAt time.Time `avro:"placed_at"`
	// }
}
