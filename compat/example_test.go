package compat_test

import (
	"fmt"

	"github.com/lunchbot/eventkit/compat"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
)

func ExampleCheck() {
	v1 := schema.MustParse(`{"type":"record","name":"DeadlinePassed","fields":[
		{"name":"cafe_id","type":"long"}]}`)
	v2 := schema.MustParse(`{"type":"record","name":"DeadlinePassed","fields":[
		{"name":"cafe_id","type":"long"},
		{"name":"cafe_name","type":"string"}]}`)

	res, err := compat.Check(contract.BackwardTransitive, []*schema.Parsed{v1}, v2)
	if err != nil {
		panic(err)
	}
	fmt.Println("compatible:", res.Compatible)
	for _, p := range res.Problems {
		fmt.Println(p.Kind, p.Location, p.Direction)
		fmt.Println(p.Message)
	}
	// Output:
	// compatible: false
	// READER_FIELD_MISSING_DEFAULT_VALUE /fields/1 new-reads-old
	// field cafe_name: the new schema has this field but the old schema does not, and it has no default: consumers on the new schema could not read events written with the old schema. Give the new field a default (for an optional value: a union with "null" first and "default": null).
}

func ExampleReaderWriter() {
	reader := schema.MustParse(`["null","long"]`)
	writer := schema.MustParse(`["null","int","string"]`)
	for _, p := range compat.ReaderWriter(reader.Root, writer.Root) {
		fmt.Println(p.Kind, p.Location, p.AvroMessage)
	}
	// Output:
	// MISSING_UNION_BRANCH /2 reader union lacking writer type: STRING
}
