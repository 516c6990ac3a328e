package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/avrojson"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/wire"
)

func init() {
	register(command{
		name:    "produce",
		summary: "publish events read as JSON lines, validated against the registry's schema",
		run:     runProduce,
	})
}

const produceAbout = `
Reads events from standard input, one JSON value per line (plain JSON with
the schema's field names, or Avro's JSON encoding), checks each against the
latest schema of the topic's subject, and publishes it in the Confluent wire
format (acks=all, idempotent). Blank lines are skipped.

The checks are those the generated Validate applies to a Go event before it
is published, with the same code: a field with a "const" must have it, a
string without a default must not be empty, a timestamp without a default
must be set (0001-01-01T00:00:00Z is Go's zero time, an unset one), a time of
day must fall within a day. In plain JSON a date is "YYYY-MM-DD" and a
timestamp an RFC 3339 string ("2026-11-27T11:45:00Z"); a bare number for
either is refused, as it is too easily meant otherwise. --avro-json reads
them as Avro's JSON encoding writes them: days since 1970-01-01, and
milliseconds, microseconds or nanoseconds since 1970.

The subject is --subject, else the manifest's subject when the topic is one
of the manifest's, else "<topic>-value" (TopicNameStrategy). A topic that
carries several record types (RecordNameStrategy or TopicRecordNameStrategy,
a subject per type) has several subjects in the manifest: each line goes
under the subject of the one record type whose latest schema it is a value
of (a line that fits none or several is refused, saying why), or all under
the one --type names. The schema and
its id come from the registry: produce never registers a schema. The key is
--key, else the --key-field (or the manifest's key field) of each event as
text, the key generated code gives it; else messages have no key.

All or nothing (the default): every line is read and checked before any is
sent. A bad line is reported with its line number and the reason, and then
nothing at all is sent, so a fixed file can simply be run again without
publishing its good lines twice. With --stream (for endless input, such as a
pipe from another program) each good line is sent as soon as it is read; bad
lines are reported and skipped.

Exit status: 0 all lines sent; 1 some lines refused, or not delivered; 2 bad
flags, or the broker or registry cannot be used.`

// produceLineMax bounds one input line.
const produceLineMax = 16 << 20

type produceOptions struct {
	consoleFlags
	topic, subject   string
	typ              string
	keyField, key    string
	keySet, avroJSON bool
	stream           bool
	timeout          time.Duration
}

type produceMsg struct {
	line       int
	key, value []byte
	target     *produceTarget
}

func runProduce(ctx context.Context, env *environment, args []string) int {
	o := produceOptions{consoleFlags: consoleFlags{env: env}}
	fs := flag.NewFlagSet("eventctl produce", flag.ContinueOnError)
	consoleAddKafkaFlags(fs, &o.consoleFlags)
	consoleAddRegistryFlag(fs, &o.consoleFlags)
	consoleAddManifestFlag(fs, &o.consoleFlags)
	fs.StringVar(&o.topic, "topic", "", "the `topic` to publish to (required)")
	fs.StringVar(&o.subject, "subject", "", "the registry `subject` whose latest schema the events must match (default: from the manifest, else <topic>-value)")
	fs.StringVar(&o.typ, "type", "", "on a topic of several record types, send every line as this `event` type of the manifest (or record full name) instead of picking each line's by its fields")
	fs.StringVar(&o.keyField, "key-field", "", "the top-level `field` whose value, as text, keys each message (default: the manifest's key field)")
	fs.Func("key", "the `key` of every message (instead of a key field)", func(s string) error { o.key, o.keySet = s, true; return nil })
	fs.BoolVar(&o.avroJSON, "avro-json", false, "read dates and timestamps as Avro's JSON encoding writes them (day and unit counts), and decimals (their bytes), and wrapped unions first")
	fs.BoolVar(&o.stream, "stream", false, "send each good line as it is read, skipping bad ones (default: check all lines first, send nothing if one is bad)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "how long a message may wait for delivery before it counts as failed")
	if code, ok := parseFlags(env, fs, args, 0, commandHelp{usage: "eventctl produce --topic TOPIC [--key-field FIELD | --key KEY] [--subject SUBJECT | --type TYPE] [--avro-json] [--stream] < events.jsonl", about: produceAbout}); !ok {
		return code
	}
	switch {
	case o.topic == "":
		fmt.Fprintln(env.stderr, "eventctl produce: --topic is required")
		fs.Usage()
		return exitBadInput
	case o.keySet && o.keyField != "":
		fmt.Fprintln(env.stderr, "eventctl produce: --key and --key-field exclude each other: pass one")
		return exitBadInput
	case o.timeout <= 0:
		fmt.Fprintln(env.stderr, "eventctl produce: --timeout must be positive")
		return exitBadInput
	}
	return o.run(ctx)
}

func (o *produceOptions) fail(err error) int { return fail(o.env, "produce", err) }

// produceTarget is a subject produce may send a line under, with its
// latest schema.
type produceTarget struct {
	consoleTarget
	latest  registry.Schema
	parsed  *schema.Parsed
	keyType *schema.Schema
	sent    int
}

func (o *produceOptions) run(ctx context.Context) int {
	env := o.env
	tgts, err := o.targets(o.topic, o.subject, o.keyField, o.typ)
	if err != nil {
		return o.fail(err)
	}
	reg, err := o.openRegistry()
	if err != nil {
		return o.fail(err)
	}
	var targets []*produceTarget
	for _, tgt := range tgts {
		if o.keySet {
			tgt.keyField = ""
		}
		pt := &produceTarget{consoleTarget: tgt}
		if pt.latest, pt.parsed, err = reg.latest(ctx, tgt.subject); err != nil {
			return o.fail(err)
		}
		if tgt.keyField != "" {
			if pt.keyType, err = consoleKeyKind(pt.parsed.Root, tgt.keyField); err != nil {
				return o.fail(fmt.Errorf("subject %q: %w", tgt.subject, err))
			}
		}
		targets = append(targets, pt)
	}
	style := avrojson.Plain
	if o.avroJSON {
		style = avrojson.AvroJSON
	}
	// encodeAs checks one line against one subject's schema and returns its
	// message.
	encodeAs := func(pt *produceTarget, n int, line []byte) (*produceMsg, error) {
		// Validate: the rules the generated Validate applies before a
		// service publishes.
		opts := avrojson.Options{Style: style, Validate: true, AvroJSONHint: "--avro-json"}
		body, err := avrojson.AppendEncode(wire.AppendHeader(nil, uint32(pt.latest.ID)), pt.parsed.Root, line, opts)
		if err != nil {
			return nil, err
		}
		m := &produceMsg{line: n, value: body, target: pt}
		switch {
		case o.keySet:
			m.key = []byte(o.key)
		case pt.keyType != nil:
			plain, err := avrojson.Decode(pt.parsed.Root, body[wire.HeaderSize:], avrojson.Options{})
			if err == nil {
				m.key, err = consoleKey(pt.keyType, pt.keyField, plain)
			}
			if err != nil {
				return nil, fmt.Errorf("key field %q: %w", pt.keyField, err)
			}
		}
		return m, nil
	}
	// encode picks the subject of a line: the one target, or on a topic of
	// several record types the one whose schema the line is a value of.
	encode := func(n int, line []byte) (*produceMsg, error) {
		if len(targets) == 1 {
			return encodeAs(targets[0], n, line)
		}
		var found []*produceMsg
		var why []string
		for _, pt := range targets {
			m, err := encodeAs(pt, n, line)
			if err != nil {
				why = append(why, fmt.Sprintf("as %s: %v", pt.typ, err))
				continue
			}
			found = append(found, m)
		}
		switch len(found) {
		case 1:
			return found[0], nil
		case 0:
			return nil, fmt.Errorf("not a value of any record type of topic %s (%s)", o.topic, strings.Join(why, "; "))
		}
		var types []string
		for _, m := range found {
			types = append(types, m.target.typ)
		}
		return nil, fmt.Errorf("a value of several record types of topic %s (%s): pass --type", o.topic, strings.Join(types, ", "))
	}

	p, err := o.openProducer("eventctl-produce", o.timeout)
	if err != nil {
		return o.fail(err)
	}
	defer p.Close()

	d := newProduceDelivery()
	go d.collect()
	send := func(m *produceMsg) error {
		msg := &kafka.Message{
			TopicPartition: kafka.TopicPartition{Topic: &o.topic, Partition: kafka.PartitionAny},
			Key:            m.key,
			Value:          m.value,
			Opaque:         m.line,
		}
		if err := produceQueued(p.Producer, msg, d.reports); err != nil {
			return err
		}
		d.sent()
		return nil
	}

	lines := produceReadLines(env, o.stream)
	refused, read, unsent := 0, 0, 0
	var held []*produceMsg
	var readErr error
	interrupted := false
loop:
	for {
		select {
		case <-ctx.Done():
			interrupted = true
			break loop
		case l, ok := <-lines:
			if !ok {
				break loop
			}
			if l.err != nil {
				readErr = l.err
				break loop
			}
			read++
			m, err := encode(l.n, l.text)
			if err != nil {
				refused++
				fmt.Fprintf(env.stderr, "eventctl produce: line %d: %v\n", l.n, err)
				continue
			}
			if !o.stream {
				held = append(held, m)
				continue
			}
			if err := send(m); err != nil {
				fmt.Fprintf(env.stderr, "eventctl produce: line %d: not sent: %v\n", l.n, err)
				unsent++
			} else {
				m.target.sent++
			}
		}
	}
	if readErr != nil {
		fmt.Fprintf(env.stderr, "eventctl produce: reading standard input: %v\n", readErr)
		if !o.stream {
			fmt.Fprintln(env.stderr, "eventctl produce: nothing was sent")
			return exitBadInput
		}
	}
	if !o.stream {
		switch {
		case interrupted:
			fmt.Fprintln(env.stderr, "eventctl produce: interrupted before the end of the input; nothing was sent")
			return exitProblems
		case refused > 0:
			fmt.Fprintf(env.stderr, "eventctl produce: %d of %d line(s) refused; nothing was sent. Fix them and run again, or pass --stream to send the good lines\n", refused, read)
			return exitProblems
		}
		for _, m := range held {
			if err := send(m); err != nil {
				fmt.Fprintf(env.stderr, "eventctl produce: line %d: not sent: %v\n", m.line, err)
				unsent++
			} else {
				m.target.sent++
			}
		}
	}
	delivered, failed := d.wait(ctx, o.timeout+5*time.Second, env, p.logs)
	failed += unsent
	fmt.Fprintf(env.stderr, "eventctl produce: %d message(s) delivered to %s (%s)", delivered, o.topic, produceSubjects(targets))
	if refused > 0 {
		fmt.Fprintf(env.stderr, "; %d line(s) refused", refused)
	}
	if failed > 0 {
		fmt.Fprintf(env.stderr, "; %d not delivered", failed)
	}
	fmt.Fprintln(env.stderr)
	if refused > 0 || failed > 0 || readErr != nil {
		return exitProblems
	}
	return exitOK
}

// produceQueued hands msg to the producer, waiting while its queue is
// full, with its delivery report to go to reports.
func produceQueued(p *kafka.Producer, msg *kafka.Message, reports chan kafka.Event) error {
	for {
		err := p.Produce(msg, reports)
		var kerr kafka.Error
		switch {
		case err == nil:
			return nil
		case errors.As(err, &kerr) && kerr.Code() == kafka.ErrQueueFull:
			p.Flush(100)
		case errors.As(err, &kerr) && kerr.Code() == kafka.ErrMsgSizeTooLarge:
			return fmt.Errorf("%w: the message is %d bytes, more than the client's message.max.bytes allows", err, len(msg.Key)+len(msg.Value))
		default:
			return err
		}
	}
}

// produceSubjects says which subjects the messages were sent under.
func produceSubjects(targets []*produceTarget) string {
	if len(targets) == 1 {
		pt := targets[0]
		return fmt.Sprintf("subject %q from %s, schema id %d, version %d", pt.subject, pt.from, pt.latest.ID, pt.latest.Version)
	}
	parts := make([]string, len(targets))
	for i, pt := range targets {
		parts[i] = fmt.Sprintf("%d sent as %s under subject %q (schema id %d, version %d)", pt.sent, pt.typ, pt.subject, pt.latest.ID, pt.latest.Version)
	}
	return "subjects by record type from " + targets[0].from + ": " + strings.Join(parts, ", ")
}

type produceLine struct {
	n    int
	text []byte
	err  error
}

// produceReadLines reads standard input in a goroutine (so that Ctrl-C is
// noticed while a read blocks), skipping blank lines.
func produceReadLines(env *environment, stream bool) <-chan produceLine {
	size := 1024
	if stream {
		size = 1
	}
	ch := make(chan produceLine, size)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(env.stdin)
		sc.Buffer(make([]byte, 64<<10), produceLineMax)
		n := 0
		for sc.Scan() {
			n++
			text := sc.Bytes()
			if len(trimSpace(text)) == 0 {
				continue
			}
			ch <- produceLine{n: n, text: append([]byte(nil), text...)}
		}
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				err = fmt.Errorf("line %d is longer than %d MiB", n+1, produceLineMax>>20)
			}
			ch <- produceLine{err: err}
		}
	}()
	return ch
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// produceDelivery counts messages handed to the producer and their delivery
// reports.
type produceDelivery struct {
	reports chan kafka.Event
	tick    chan struct{}

	mu                          sync.Mutex
	produced, delivered, failed int
	failures                    []string
}

func newProduceDelivery() *produceDelivery {
	return &produceDelivery{reports: make(chan kafka.Event, 1024), tick: make(chan struct{}, 1)}
}

func (d *produceDelivery) sent() {
	d.mu.Lock()
	d.produced++
	d.mu.Unlock()
}

func (d *produceDelivery) collect() {
	for e := range d.reports {
		m, ok := e.(*kafka.Message)
		if !ok {
			continue
		}
		d.mu.Lock()
		if m.TopicPartition.Error != nil {
			d.failed++
			line, _ := m.Opaque.(int)
			d.failures = append(d.failures, fmt.Sprintf("line %d: not delivered: %v", line, m.TopicPartition.Error))
		} else {
			d.delivered++
		}
		d.mu.Unlock()
		select {
		case d.tick <- struct{}{}:
		default:
		}
	}
}

// wait waits for the delivery report of every message sent, printing the
// failures, and returns the counts. Messages whose report did not come
// within limit count as failed.
func (d *produceDelivery) wait(ctx context.Context, limit time.Duration, env *environment, logs *consoleLogs) (delivered, failed int) {
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	printed := 0
	for {
		d.mu.Lock()
		for ; printed < len(d.failures); printed++ {
			fmt.Fprintf(env.stderr, "eventctl produce: %s%s\n", d.failures[printed], logs.hint())
		}
		done := d.delivered+d.failed >= d.produced
		delivered, failed = d.delivered, d.failed
		pending := d.produced - d.delivered - d.failed
		d.mu.Unlock()
		if done {
			return delivered, failed
		}
		select {
		case <-d.tick:
		case <-time.After(100 * time.Millisecond):
		case <-deadline.C:
			fmt.Fprintf(env.stderr, "eventctl produce: %d message(s) without a delivery report after %s; they may or may not have been delivered%s\n", pending, limit, logs.hint())
			return delivered, failed + pending
		case <-ctx.Done():
			// Interrupted: what is in flight still gets its report (or
			// times out), so keep waiting up to the limit.
			ctx = context.Background()
		}
	}
}
