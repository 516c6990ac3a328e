package telemetry

import "github.com/confluentinc/confluent-kafka-go/v2/kafka"

// Carrier is a propagation.TextMapCarrier over a message's headers: Set
// appends (replacing a header of the same key), Get returns the last value
// of a key. Use a pointer, which the propagator keeps no longer than its
// call.
type Carrier struct {
	Headers []kafka.Header
}

// Get returns the value of the last header named key, "" for none.
func (c *Carrier) Get(key string) string {
	for i := len(c.Headers) - 1; i >= 0; i-- {
		if c.Headers[i].Key == key {
			return string(c.Headers[i].Value)
		}
	}
	return ""
}

// Set sets header key to value.
func (c *Carrier) Set(key, value string) {
	for i := range c.Headers {
		if c.Headers[i].Key == key {
			c.Headers[i].Value = []byte(value)
			return
		}
	}
	c.Headers = append(c.Headers, kafka.Header{Key: key, Value: []byte(value)})
}

// Keys returns the header keys.
func (c *Carrier) Keys() []string {
	out := make([]string, len(c.Headers))
	for i, h := range c.Headers {
		out[i] = h.Key
	}
	return out
}
