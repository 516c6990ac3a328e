package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lunchbot/eventkit/internal/avrojson"
)

type dlqListOptions struct {
	dlqOptions
	format string
}

func runDLQList(ctx context.Context, env *environment, args []string) int {
	o := dlqListOptions{dlqOptions: dlqOptions{consoleFlags: consoleFlags{env: env}}}
	fs := o.flagSet("list")
	consoleAddRegistryFlag(fs, &o.consoleFlags)
	fs.StringVar(&o.format, "format", "text", "output `FORMAT`: text (one line each) or json (one object per line)")
	if code, ok := o.parse(fs, args); !ok {
		return code
	}
	if o.format != "text" && o.format != "json" {
		return fail(env, "dlq list", fmt.Errorf("unknown format %q (want text or json)", o.format))
	}
	return o.run(ctx)
}

func (o *dlqListOptions) run(ctx context.Context) int {
	reg, err := o.openRegistry()
	if err != nil {
		return fail(o.env, "dlq list", err)
	}
	c, err := o.openDLQConsumer()
	if err != nil {
		return fail(o.env, "dlq list", err)
	}
	defer c.Close()
	dec := &dlqDecoder{schemas: newConsoleSchemas(reg)}
	out := bufio.NewWriter(o.env.stdout)
	defer out.Flush()
	read, listed := 0, 0
	var writeErr error
	err = o.readDeadLetters(ctx, c, func(d *deadLetter) bool {
		read++
		if !o.filter.match(d) {
			return true
		}
		listed++
		e := newDLQEntry(ctx, d, dec)
		if o.format == "json" {
			b, _ := json.Marshal(e) // plain strings and numbers, and JSON already checked
			_, _ = out.Write(append(b, '\n'))
		} else {
			_, _ = out.WriteString(e.text() + "\n")
		}
		if writeErr = out.Flush(); writeErr != nil {
			return false
		}
		return o.filter.max == 0 || listed < o.filter.max
	})
	switch {
	case writeErr != nil:
		return fail(o.env, "dlq list", fmt.Errorf("writing to standard output: %w", writeErr))
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(o.env.stderr, "eventctl dlq list: interrupted after %d dead letter(s) listed\n", listed)
		return exitProblems
	case err != nil:
		return fail(o.env, "dlq list", err)
	case listed == 0:
		fmt.Fprintln(o.env.stderr, "eventctl dlq list: "+dlqNoneMatch(o.dlqTopic(), read))
		return exitProblems
	}
	return exitOK
}

// dlqNoneMatch says that nothing matched, of how many.
func dlqNoneMatch(topic string, read int) string {
	if read == 0 {
		return "no dead letters in " + topic
	}
	return fmt.Sprintf("none of the %d dead letter(s) read from %s matches", read, topic)
}

// dlqDecoder decodes dead letters' values, and stops asking the registry
// once it cannot be used at all.
type dlqDecoder struct {
	schemas *consoleSchemas
	down    error
}

// decode returns the value as plain JSON and its schema id (0 when the
// value has no wire header), or why it cannot.
func (dd *dlqDecoder) decode(ctx context.Context, value []byte) (json.RawMessage, uint32, error) {
	if value == nil {
		return nil, 0, errors.New("no value (a tombstone)")
	}
	if dd.down != nil {
		return nil, 0, dd.down
	}
	b, w, err := appendDecodedValue(ctx, nil, value, dd.schemas, avrojson.Plain)
	if errors.Is(err, errConsoleRegistryDown) {
		dd.down = err
	}
	if err != nil {
		return nil, w.id, err
	}
	return b, w.id, nil
}

// dlqEntry is one dead letter as list prints it; its JSON is the json
// format.
type dlqEntry struct {
	DLQ            string          `json:"dlq"`
	DLQTopic       string          `json:"dlq_topic"`
	DLQPartition   int32           `json:"dlq_partition"`
	DLQOffset      int64           `json:"dlq_offset"`
	DeadLetteredAt string          `json:"dead_lettered_at"`
	Reason         string          `json:"reason"`
	Error          string          `json:"error"`
	Topic          string          `json:"topic"`
	Partition      *int32          `json:"partition"`
	Offset         *int64          `json:"offset"`
	Timestamp      *string         `json:"timestamp"`
	Attempts       *int            `json:"attempts"`
	Group          string          `json:"group"`
	Consumer       string          `json:"consumer"`
	Key            json.RawMessage `json:"key"`
	EventID        string          `json:"event_id"`
	EventType      string          `json:"event_type"`
	SchemaID       *uint32         `json:"schema_id"`
	Event          json.RawMessage `json:"event"`
	DecodeError    string          `json:"decode_error,omitempty"`
	ReplayedFrom   string          `json:"replayed_from,omitempty"`
}

// dlqTimeLayout is RFC 3339 in UTC with milliseconds, Kafka's precision.
const dlqTimeLayout = "2006-01-02T15:04:05.000Z07:00"

func newDLQEntry(ctx context.Context, d *deadLetter, dec *dlqDecoder) *dlqEntry {
	tp := d.msg.TopicPartition
	e := &dlqEntry{
		DLQ: d.id, DLQTopic: *tp.Topic, DLQPartition: tp.Partition, DLQOffset: int64(tp.Offset),
		DeadLetteredAt: dlqWhen(d.deadLettered),
		Reason:         d.reason, Error: d.errText, Topic: d.topic,
		Group: d.group, Consumer: d.consumer,
		Key:     consoleKeyJSON(nil, d.msg.Key),
		EventID: d.eventID, EventType: d.eventType, ReplayedFrom: d.replayedFrom,
	}
	if d.partition >= 0 {
		e.Partition = &d.partition
	}
	if d.offset >= 0 {
		e.Offset = &d.offset
	}
	if !d.timestamp.IsZero() {
		ts := dlqWhen(d.timestamp)
		e.Timestamp = &ts
	}
	if d.attempts >= 0 {
		e.Attempts = &d.attempts
	}
	event, id, err := dec.decode(ctx, d.msg.Value)
	if id != 0 {
		e.SchemaID = &id
	}
	if err != nil {
		e.DecodeError = err.Error()
	} else {
		e.Event = event
	}
	if e.Event == nil {
		e.Event = json.RawMessage("null")
	}
	return e
}

// text is the entry's line in the text format:
//
//	DLQ/P/O TIME reason=R from=T/P/O attempts=N group=G consumer=C key=K type=T event_id=I error="..." event={...}
//
// with undecoded="why" instead of event, and replayed_from=... last when
// set; pairs whose value is unknown are left out.
func (e *dlqEntry) text() string {
	var b strings.Builder
	b.WriteString(e.DLQ + " " + e.DeadLetteredAt)
	pair := func(k, v string) {
		if v != "" {
			b.WriteString(" " + k + "=" + dlqTextValue(v))
		}
	}
	pair("reason", e.Reason)
	if e.Topic != "" && e.Partition != nil && e.Offset != nil {
		pair("from", e.Topic+"/"+strconv.Itoa(int(*e.Partition))+"/"+strconv.FormatInt(*e.Offset, 10))
	} else {
		pair("from", e.Topic)
	}
	if e.Attempts != nil {
		pair("attempts", strconv.Itoa(*e.Attempts))
	}
	pair("group", e.Group)
	pair("consumer", e.Consumer)
	b.WriteString(" key=" + string(e.Key))
	pair("type", e.EventType)
	pair("event_id", e.EventID)
	b.WriteString(" error=" + strconv.Quote(e.Error))
	if e.DecodeError != "" {
		b.WriteString(" undecoded=" + strconv.Quote(e.DecodeError))
	} else {
		b.WriteString(" event=" + string(e.Event))
	}
	pair("replayed_from", e.ReplayedFrom)
	return b.String()
}

// dlqTextValue is v as it is, or quoted when it has spaces, quotes or
// other characters that would blur where it ends.
func dlqTextValue(v string) string {
	for _, r := range v {
		if r <= ' ' || r == '"' || r == '=' || r == '\\' || r > '~' {
			return strconv.Quote(v)
		}
	}
	return v
}

// dlqWhen formats a time as list prints it.
func dlqWhen(t time.Time) string { return t.UTC().Format(dlqTimeLayout) }
