package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/avrojson"
	"github.com/lunchbot/eventkit/sdk/wire"
)

func init() {
	register(command{
		name:    "consume",
		summary: "print a topic's events as JSON lines, decoded with the registry's schemas",
		run:     runConsume,
	})
}

const consumeAbout = `
Prints each message of a topic as one JSON line:

  {"topic":"t","partition":0,"offset":7,"key":"42","schema_id":3,"record":"com.example.orders.OrderPaid","value":{...}}

The value is decoded with its writer schema, fetched by the id the message
carries from the registry, with the schemas its references name (and kept
for the run); "record" is that schema's full name, which tells the record
types of a topic that carries several apart: plain JSON by default,
Avro's JSON encoding with --avro-json. The key is null, or a string (the
key's text, or its bytes as characters \u0000-\u00ff when it is not UTF-8).
A tombstone (no value) prints "schema_id":null,"value":null.

A message that cannot be decoded (not in the wire format, an unknown schema
id, truncated) is reported on standard error with its topic, partition,
offset and the reason, and skipped.

Without --group every partition is assigned and no offset is committed; with
--group the consumer joins the group and commits the offsets of the messages
it printed. --from-beginning starts at the earliest offset (without a group,
or for a group with no committed offsets); otherwise only new messages are
read. Ctrl-C stops cleanly.

Exit status: 0 done; 1 some messages were skipped; 2 bad flags, or the
broker or registry cannot be used.`

type consumeOptions struct {
	consoleFlags
	topic         string
	fromBeginning bool
	max           int
	group         string
	timeout       time.Duration
	avroJSON      bool
}

func runConsume(ctx context.Context, env *environment, args []string) int {
	o := consumeOptions{consoleFlags: consoleFlags{env: env}}
	fs := flag.NewFlagSet("eventctl consume", flag.ContinueOnError)
	consoleAddKafkaFlags(fs, &o.consoleFlags)
	consoleAddRegistryFlag(fs, &o.consoleFlags)
	fs.StringVar(&o.topic, "topic", "", "the `topic` to read (required)")
	fs.BoolVar(&o.fromBeginning, "from-beginning", false, "start at the earliest offset instead of the end")
	fs.IntVar(&o.max, "max", 0, "stop after `N` messages (printed or skipped); 0 for no limit")
	fs.StringVar(&o.group, "group", "", "consume as a member of consumer `group` G and commit offsets (default: assign every partition, commit nothing)")
	fs.DurationVar(&o.timeout, "timeout", 0, "stop when no message has come for this long; 0 waits until Ctrl-C")
	fs.BoolVar(&o.avroJSON, "avro-json", false, "print values in Avro's JSON encoding (unions wrapped, logical types as their underlying values)")
	if code, ok := parseFlags(env, fs, args, 0, commandHelp{usage: "eventctl consume --topic TOPIC [--from-beginning] [--max N] [--group G] [--timeout D] [--avro-json]", about: consumeAbout}); !ok {
		return code
	}
	switch {
	case o.topic == "":
		fmt.Fprintln(env.stderr, "eventctl consume: --topic is required")
		fs.Usage()
		return exitBadInput
	case o.max < 0 || o.timeout < 0:
		fmt.Fprintln(env.stderr, "eventctl consume: --max and --timeout cannot be negative")
		return exitBadInput
	}
	return o.run(ctx)
}

func (o *consumeOptions) fail(err error) int { return fail(o.env, "consume", err) }

func (o *consumeOptions) run(ctx context.Context) int {
	env := o.env
	reg, err := o.openRegistry()
	if err != nil {
		return o.fail(err)
	}
	reset := "latest"
	if o.fromBeginning {
		reset = "earliest"
	}
	group := o.group
	if group == "" {
		// librdkafka wants a group id even to assign partitions; nothing is
		// committed under it.
		group = "eventctl-consume"
	}
	c, err := o.openConsumer(kafka.ConfigMap{
		"group.id":                 group,
		"client.id":                "eventctl-consume",
		"enable.auto.commit":       o.group != "",
		"enable.auto.offset.store": false,
		"auto.offset.reset":        reset,
	})
	if err != nil {
		return o.fail(err)
	}
	defer c.Close()
	partitions, err := c.partitions(o.topic)
	if err != nil {
		return o.fail(err)
	}
	if o.group == "" {
		start := kafka.OffsetEnd
		if o.fromBeginning {
			start = kafka.OffsetBeginning
		}
		parts := make([]kafka.TopicPartition, len(partitions))
		for i, p := range partitions {
			parts[i] = kafka.TopicPartition{Topic: &o.topic, Partition: p, Offset: start}
		}
		if err := c.Assign(parts); err != nil {
			return o.fail(fmt.Errorf("assign the partitions of %q: %w", o.topic, err))
		}
	} else if err := c.Subscribe(o.topic, nil); err != nil {
		return o.fail(fmt.Errorf("subscribe to %q as group %q: %w", o.topic, o.group, err))
	}

	out := bufio.NewWriter(env.stdout)
	defer out.Flush()
	schemas := newConsoleSchemas(reg)
	style := avrojson.Plain
	if o.avroJSON {
		style = avrojson.AvroJSON
	}
	seen, skipped, warned := 0, 0, false
	last := time.Now()
	var line []byte
	for ctx.Err() == nil && (o.max == 0 || seen < o.max) {
		ev := c.Poll(200)
		switch e := ev.(type) {
		case *kafka.Message:
			seen++
			last = time.Now()
			var err error
			line, err = o.format(ctx, line[:0], e, schemas, style)
			if err != nil {
				if errors.Is(err, errConsoleRegistryDown) {
					out.Flush()
					return o.fail(err)
				}
				skipped++
				out.Flush()
				fmt.Fprintf(env.stderr, "eventctl consume: %s/%d/%d: skipped: %v\n", o.topic, e.TopicPartition.Partition, e.TopicPartition.Offset, err)
			} else {
				_, _ = out.Write(line) // a bufio.Writer keeps its error: Flush reports it
				if err := out.Flush(); err != nil {
					return o.fail(fmt.Errorf("writing to standard output: %w", err))
				}
			}
			if o.group != "" {
				if _, err := c.StoreMessage(e); err != nil {
					fmt.Fprintf(env.stderr, "eventctl consume: store the offset of %s/%d/%d: %v\n", o.topic, e.TopicPartition.Partition, e.TopicPartition.Offset, err)
				}
			}
		case kafka.Error:
			if e.IsFatal() {
				out.Flush()
				return o.fail(c.kafkaError(e))
			}
			if e.Code() == kafka.ErrAllBrokersDown && !warned {
				warned = true
				fmt.Fprintf(env.stderr, "eventctl consume: %v%s (still trying; Ctrl-C stops)\n", e, c.logs.hint())
			}
		case nil:
			if o.timeout > 0 && time.Since(last) >= o.timeout {
				return consumeStatus(skipped)
			}
		}
	}
	return consumeStatus(skipped)
}

func consumeStatus(skipped int) int {
	if skipped > 0 {
		return exitProblems
	}
	return exitOK
}

// format appends the JSON line of a message, or says why it cannot.
func (o *consumeOptions) format(ctx context.Context, dst []byte, m *kafka.Message, schemas *consoleSchemas, style avrojson.Style) ([]byte, error) {
	dst = append(dst, `{"topic":`...)
	topic, _ := json.Marshal(*m.TopicPartition.Topic)
	dst = append(dst, topic...)
	dst = append(dst, `,"partition":`...)
	dst = strconv.AppendInt(dst, int64(m.TopicPartition.Partition), 10)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, int64(m.TopicPartition.Offset), 10)
	dst = append(dst, `,"key":`...)
	dst = consoleKeyJSON(dst, m.Key)
	if m.Value == nil {
		return append(dst, `,"schema_id":null,"value":null}`+"\n"...), nil
	}
	value, w, err := appendDecodedValue(ctx, nil, m.Value, schemas, style)
	if err != nil {
		return dst, err
	}
	dst = append(dst, `,"schema_id":`...)
	dst = strconv.AppendUint(dst, uint64(w.id), 10)
	if w.record != "" {
		dst = append(dst, `,"record":`...)
		name, _ := json.Marshal(w.record)
		dst = append(dst, name...)
	}
	dst = append(dst, `,"value":`...)
	dst = append(dst, value...)
	return append(dst, "}\n"...), nil
}

// writerSchema names the schema a message value was written with.
type writerSchema struct {
	id     uint32
	record string // the record's full name; empty when the schema is not a record
}

// appendDecodedValue appends the JSON of a wire-format message value,
// decoded with its writer schema, and says which schema that was; or says
// why it cannot (an error wrapping errConsoleRegistryDown when the registry
// cannot be used at all).
func appendDecodedValue(ctx context.Context, dst, value []byte, schemas *consoleSchemas, style avrojson.Style) ([]byte, writerSchema, error) {
	id, body, err := wire.Parse(value)
	if err != nil {
		return dst, writerSchema{}, fmt.Errorf("%w: the value is not in the Confluent wire format (written without the registry's serializer? Read it raw with kcat)", err)
	}
	w := writerSchema{id: id}
	s, err := schemas.get(ctx, id)
	if err != nil {
		return dst, w, err
	}
	w.record = s.Name
	dst, err = avrojson.AppendDecode(dst, s, body, avrojson.Options{Style: style})
	if err != nil {
		return dst, w, fmt.Errorf("cannot decode the value with schema id %d: %w", id, err)
	}
	return dst, w, nil
}
