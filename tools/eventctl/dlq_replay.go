package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/consumer"
)

// dlqClockMargin is how much older than its dead letter a replayed message
// may look, when the clocks of the consumer that dead-lettered it and of
// the replay disagree: replay reads the original topic for earlier replays
// from that long before the oldest selected dead letter.
const dlqClockMargin = time.Hour

type dlqReplayOptions struct {
	dlqOptions
	dryRun  bool
	timeout time.Duration
}

func runDLQReplay(ctx context.Context, env *environment, args []string) int {
	o := dlqReplayOptions{dlqOptions: dlqOptions{consoleFlags: consoleFlags{env: env}}}
	fs := o.flagSet("replay")
	fs.BoolVar(&o.dryRun, "dry-run", false, "say what would be replayed; produce nothing")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "how long a replayed message may wait for Kafka's acknowledgement before it counts as not replayed")
	if code, ok := o.parse(fs, args); !ok {
		return code
	}
	if o.timeout <= 0 {
		return fail(env, "dlq replay", errors.New("--timeout must be positive"))
	}
	return o.run(ctx)
}

// dlqReplayItem is a selected dead letter and what becomes of it.
type dlqReplayItem struct {
	d *deadLetter
	// before is where an earlier replay put it; sameAs the dead letter of
	// the same message that is (or was) replayed instead.
	before, sameAs string
	// to is where this replay put it, err why it did not.
	to  string
	err error
}

func (o *dlqReplayOptions) run(ctx context.Context) int {
	c, err := o.openDLQConsumer()
	if err != nil {
		return fail(o.env, "dlq replay", err)
	}
	defer c.Close()
	var items []*dlqReplayItem
	read := 0
	err = o.readDeadLetters(ctx, c, func(d *deadLetter) bool {
		read++
		if o.filter.match(d) {
			items = append(items, &dlqReplayItem{d: d})
		}
		return o.filter.max == 0 || len(items) < o.filter.max
	})
	if err != nil {
		return fail(o.env, "dlq replay", o.interrupted(err))
	}
	if len(items) == 0 {
		fmt.Fprintln(o.env.stderr, "eventctl dlq replay: "+dlqNoneMatch(o.dlqTopic(), read)+"; nothing replayed")
		return exitProblems
	}
	replays, err := o.earlierReplays(ctx, c, items)
	if err != nil {
		return fail(o.env, "dlq replay", o.interrupted(err))
	}
	todo := planReplay(items, replays)
	if !o.dryRun && len(todo) > 0 {
		if err := o.produce(ctx, todo); err != nil {
			return fail(o.env, "dlq replay", err)
		}
	}
	return o.report(items, read)
}

// interrupted says that nothing was replayed when err is the context's.
func (o *dlqReplayOptions) interrupted(err error) error {
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted; nothing replayed")
	}
	return err
}

// earlierReplays reads the original topics of the items for the
// dlq.replayed-from headers of earlier replays, and returns where each
// dead letter named there was replayed to.
func (o *dlqReplayOptions) earlierReplays(ctx context.Context, c *consoleConsumer, items []*dlqReplayItem) (map[string]string, error) {
	// A replayed message is younger than its dead letter, so each topic is
	// read from its oldest selected dead letter on (less the margin).
	oldest := map[string]time.Time{}
	for _, it := range items {
		t := it.d.topic
		if t == "" {
			continue
		}
		if at, ok := oldest[t]; !ok || it.d.deadLettered.Before(at) {
			oldest[t] = it.d.deadLettered
		}
	}
	replays := map[string]string{}
	for topic, at := range oldest {
		parts, err := c.partitions(topic)
		if err != nil {
			return nil, fmt.Errorf("the original topic of the dead letters: %w", err)
		}
		since := kafka.Offset(at.Add(-dlqClockMargin).UnixMilli())
		times := make([]kafka.TopicPartition, len(parts))
		for i, p := range parts {
			times[i] = kafka.TopicPartition{Topic: &topic, Partition: p, Offset: since}
		}
		starts, err := c.OffsetsForTimes(times, int(consoleConnectTimeout.Milliseconds()))
		if err != nil {
			return nil, fmt.Errorf("the offsets of %s at %s: %w", topic, dlqWhen(at.Add(-dlqClockMargin)), err)
		}
		for _, s := range starts {
			if s.Error != nil {
				return nil, fmt.Errorf("the offset of %s/%d at %s: %w", topic, s.Partition, dlqWhen(at.Add(-dlqClockMargin)), s.Error)
			}
			if s.Offset < 0 {
				continue // nothing that young
			}
			err := c.readPartition(ctx, topic, s.Partition, int64(s.Offset), -1, func(m *kafka.Message) bool {
				if from := lastHeader(m.Headers, headerReplayedFrom); from != "" {
					if _, seen := replays[from]; !seen {
						replays[from] = messageID(m.TopicPartition)
					}
				}
				return true
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return replays, nil
}

// lastHeader returns the value of the last header named key, "" for none.
func lastHeader(hs []kafka.Header, key string) string {
	v := ""
	for _, h := range hs {
		if h.Key == key {
			v = string(h.Value)
		}
	}
	return v
}

// planReplay marks the items replayed before (by replays, dead letter →
// its replay), and those whose message is replayed through another dead
// letter, and returns the others, in order.
func planReplay(items []*dlqReplayItem, replays map[string]string) []*dlqReplayItem {
	// A message dead-lettered twice is replayed once: through the dead
	// letter replayed before, else the first.
	byOrigin := map[string]string{}
	for _, it := range items {
		if to, ok := replays[it.d.id]; ok {
			it.before = to
			if it.d.origin != "" && byOrigin[it.d.origin] == "" {
				byOrigin[it.d.origin] = it.d.id
			}
		}
	}
	var todo []*dlqReplayItem
	for _, it := range items {
		switch {
		case it.before != "":
		case it.d.topic == "":
			it.err = fmt.Errorf("no %s header: not a dead letter of eventkit's consumer, so its topic is not known", consumer.HeaderDLQTopic)
		case it.d.origin != "" && byOrigin[it.d.origin] != "":
			it.sameAs = byOrigin[it.d.origin]
		default:
			if it.d.origin != "" {
				byOrigin[it.d.origin] = it.d.id
			}
			todo = append(todo, it)
		}
	}
	return todo
}

// replayHeaders are a dead letter's headers without the dlq.* ones, and
// dlq.replayed-from naming it.
func replayHeaders(d *deadLetter) []kafka.Header {
	out := make([]kafka.Header, 0, len(d.msg.Headers))
	for _, h := range d.msg.Headers {
		if !strings.HasPrefix(h.Key, "dlq.") {
			out = append(out, h)
		}
	}
	return append(out, kafka.Header{Key: headerReplayedFrom, Value: []byte(d.id)})
}

// produce replays the items and waits for Kafka's acknowledgements, setting
// each item's to or err.
func (o *dlqReplayOptions) produce(ctx context.Context, todo []*dlqReplayItem) error {
	p, err := o.openProducer("eventctl-dlq", o.timeout)
	if err != nil {
		return err
	}
	defer p.Close()
	reports := make(chan kafka.Event, len(todo))
	sent := 0
	for i, it := range todo {
		msg := &kafka.Message{
			TopicPartition: kafka.TopicPartition{Topic: &it.d.topic, Partition: kafka.PartitionAny},
			Key:            it.d.msg.Key,
			Value:          it.d.msg.Value,
			Headers:        replayHeaders(it.d),
			Opaque:         i,
		}
		if it.err = produceQueued(p.Producer, msg, reports); it.err == nil {
			sent++
		}
	}
	deadline := time.NewTimer(o.timeout + 5*time.Second)
	defer deadline.Stop()
	for got := 0; got < sent; {
		select {
		case e := <-reports:
			m, ok := e.(*kafka.Message)
			if !ok {
				continue
			}
			got++
			it := todo[m.Opaque.(int)]
			if m.TopicPartition.Error != nil {
				it.err = fmt.Errorf("%w%s", m.TopicPartition.Error, p.logs.hint())
			} else {
				it.to = messageID(m.TopicPartition)
			}
		case <-deadline.C:
			noAck(todo, fmt.Sprintf("no acknowledgement from Kafka within %s%s", o.timeout+5*time.Second, p.logs.hint()))
			return nil
		case <-ctx.Done():
			// What is in flight still gets its report, or times out.
			ctx = context.Background()
		}
	}
	return nil
}

// noAck fails the items without a report: they may or may not be stored,
// and the next replay finds those that are.
func noAck(todo []*dlqReplayItem, why string) {
	for _, it := range todo {
		if it.to == "" && it.err == nil {
			it.err = errors.New(why + "; it may or may not have been replayed: the next replay finds out, and replays it only if not")
		}
	}
}

// report prints what became of each item, and a summary, and returns the
// exit status.
func (o *dlqReplayOptions) report(items []*dlqReplayItem, read int) int {
	w := o.env.stdout
	replayed, before, same, failed := 0, 0, 0, 0
	for _, it := range items {
		d := it.d
		what := " key=" + string(consoleKeyJSON(nil, d.msg.Key))
		if d.eventType != "" {
			what += " type=" + dlqTextValue(d.eventType)
		}
		if d.reason != "" {
			what += " reason=" + dlqTextValue(d.reason)
		}
		switch {
		case it.before != "":
			before++
			fmt.Fprintf(w, "already replayed %s to %s\n", d.id, it.before)
		case it.sameAs != "":
			same++
			fmt.Fprintf(w, "skipped %s: the same message (%s) as %s\n", d.id, d.origin, it.sameAs)
		case it.err != nil:
			failed++
			fmt.Fprintf(o.env.stderr, "eventctl dlq replay: %s: not replayed: %v\n", d.id, it.err)
		case o.dryRun:
			replayed++
			fmt.Fprintf(w, "would replay %s to %s%s\n", d.id, d.topic, what)
		default:
			replayed++
			fmt.Fprintf(w, "replayed %s to %s%s\n", d.id, it.to, what)
		}
	}
	verb := "replayed"
	if o.dryRun {
		verb = "would be replayed"
	}
	summary := fmt.Sprintf("eventctl dlq replay: %d of the %d dead letter(s) read from %s selected: %d %s, %d already replayed",
		len(items), read, o.dlqTopic(), replayed, verb, before)
	if same > 0 {
		summary += fmt.Sprintf(", %d skipped (the same message as another)", same)
	}
	if failed > 0 {
		summary += fmt.Sprintf(", %d not replayed", failed)
	}
	fmt.Fprintln(o.env.stderr, summary)
	if failed > 0 {
		return exitProblems
	}
	return exitOK
}
