package avrojson_test

import (
	"fmt"

	"github.com/lunchbot/eventkit/internal/avrojson"
	"github.com/lunchbot/eventkit/internal/schema"
)

func Example() {
	p := schema.MustParse(`{"type":"record","name":"DeadlinePassed","namespace":"lunchbot.events","fields":[
	  {"name":"type","type":"string","default":"deadline.passed"},
	  {"name":"cafe_id","type":"long"},
	  {"name":"date","type":{"type":"int","logicalType":"date"}},
	  {"name":"timestamp","type":{"type":"long","logicalType":"timestamp-micros"}},
	  {"name":"note","type":["null","string"],"default":null}]}`)

	// Plain JSON in (the defaulted fields may be left out), Avro binary out.
	bin, err := avrojson.Encode(p.Root, []byte(`{"cafe_id":42,"date":"2026-11-27","timestamp":"2026-11-27T11:45:00Z","note":"late"}`), avrojson.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%x\n", bin)

	// And back, in both styles.
	plain, _ := avrojson.Decode(p.Root, bin, avrojson.Options{Style: avrojson.Plain})
	fmt.Println(string(plain))
	avro, _ := avrojson.Decode(p.Root, bin, avrojson.Options{Style: avrojson.AvroJSON})
	fmt.Println(string(avro))

	// Errors name the field.
	_, err = avrojson.Encode(p.Root, []byte(`{"cafe_id":"x","date":"2026-11-27","timestamp":0}`), avrojson.Options{})
	fmt.Println(err)
	// Output:
	// 1e646561646c696e652e70617373656454e0c402809cc6f092d0b00602086c617465
	// {"type":"deadline.passed","cafe_id":42,"date":"2026-11-27","timestamp":"2026-11-27T11:45:00.000000Z","note":"late"}
	// {"type":"deadline.passed","cafe_id":42,"date":20784,"timestamp":1795779900000000,"note":{"string":"late"}}
	// /cafe_id: expected long, got string "x"
}
