// Package events holds the generated contracts of the orders example
// (examples/orders/avro/manifest.json): three events on one topic,
// "orders", keyed by order id and registered under
// TopicRecordNameStrategy subjects ("orders-com.example.orders.OrderPaid"),
// that share two types kept in schema files of their own and registered as
// schema references: Money and CafeRef, each generated once (money.gen.go,
// cafe_ref.gen.go) and used by every event that includes it.
//
// It is the example of the README's "Shared types and several events on one
// topic" and the tests' (a bot event shares no type); regenerate it with
// make generate.
package events
