package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/lunchbot/eventkit/sdk/consumer"
)

func init() {
	register(command{
		name:    "dlq",
		summary: "list a topic's dead letters, and replay them to their topic",
		run:     runDLQ,
	})
}

var dlqHelp = commandHelp{
	usage: `eventctl dlq list --topic TOPIC [filters] [--format text|json]
eventctl dlq replay --topic TOPIC [filters] [--dry-run]`,
	about: dlqAbout,
}

const dlqAbout = `
Dead letters are the messages eventkit's consumer gave up on, in the topic's
dead-letter topic (TOPIC.dlq): the original key, value and headers plus the
dlq.* headers that say why (dlq.reason, dlq.error, dlq.topic, dlq.partition,
dlq.offset, dlq.timestamp, dlq.group, dlq.consumer, dlq.attempts). --topic
is the original topic, or the dead-letter topic itself (a name ending in
.dlq). Both commands read the dead-letter topic from its beginning to its
end as they find it, partition by partition, in offset order.

list prints each dead letter on one line: its place (TOPIC.dlq/PARTITION/
OFFSET), when it was dead-lettered, the reason, where it came from, the
attempts, group, key, event type and id, the error, and the event decoded
with its writer schema from the registry, or why it could not be decoded
(the listing goes on). --format json prints one JSON object per line:
  {"dlq", "dlq_topic", "dlq_partition", "dlq_offset", "dead_lettered_at",
   "reason", "error", "topic", "partition", "offset", "timestamp",
   "attempts", "group", "consumer", "key", "event_id", "event_type",
   "schema_id", "event", "decode_error", "replayed_from"}
where timestamp is the original message's, event is null when it was not
decoded (decode_error says why), and replayed_from names the dead letter a
replayed message came from when it failed again.

replay produces the selected dead letters back to their original topic (the
dlq.topic header) with their original key, value and headers, without the
dlq.* headers, plus dlq.replayed-from = "TOPIC.dlq/PARTITION/OFFSET", the
dead letter it came from; partitioned by key as the SDK's producer does. A
dead letter is replayed once: before producing, replay reads the original
topic for the dlq.replayed-from headers of earlier replays (from an hour
before the oldest selected dead letter, a margin for clocks that disagree,
as a replayed message is younger than its dead letter) and skips those, and
the dead letters of a message already replayed through another dead letter
(the consumer dead-letters a message twice when it stops between that and
committing). Nothing else is stored, so a replay that stops between
producing and printing leaves nothing to undo: the next run finds what was
produced. Its limits: the mark lives as long as the original topic keeps the
replayed message (retention); and two replays of one topic at the same time
can both produce a dead letter. --dry-run says what would be replayed and
produces nothing.

Filters (all must match): --reason, --since and --until (when it was
dead-lettered: a time like 2026-11-27T11:45:00Z, a date like 2026-11-27,
UTC, or a duration ago like 2h; --until is exclusive), --key, --type (the
ce_type header), --partition and --offsets FROM-TO (of the dead-letter
topic, inclusive; FROM- or -TO leave an end open), --max N (the first N).

Exit status: 0 done (replay: every selected dead letter is replayed, now or
before); 1 no dead letter matched, or some could not be replayed (each is
named on standard error); 2 bad flags, no such topic, or Kafka cannot be
used (replay needs no registry; list decodes with it when it can).`

// dlqOptions are the flags list and replay share.
type dlqOptions struct {
	consoleFlags
	topic  string
	filter dlqFilter
	// filterFlags keeps the filters as given until they are parsed.
	filterFlags dlqFilterFlags
}

// dlqTopic is the dead-letter topic --topic names.
func (o *dlqOptions) dlqTopic() string {
	// The consumer's default naming: DefaultDeadLetterTopic of no topic is
	// its suffix.
	if strings.HasSuffix(o.topic, consumer.DefaultDeadLetterTopic("")) {
		return o.topic
	}
	return consumer.DefaultDeadLetterTopic(o.topic)
}

// flagSet defines the flags list and replay share.
func (o *dlqOptions) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("eventctl dlq "+name, flag.ContinueOnError)
	consoleAddKafkaFlags(fs, &o.consoleFlags)
	fs.StringVar(&o.topic, "topic", "", "the original `topic`, or its dead-letter topic (ending in .dlq) (required)")
	o.filterFlags.define(fs)
	return fs
}

// parse parses args and the filters; ok is false with the exit status when
// the command should stop.
func (o *dlqOptions) parse(fs *flag.FlagSet, args []string) (int, bool) {
	if code, ok := parseFlags(o.env, fs, args, 0, dlqHelp); !ok {
		return code, false
	}
	if o.topic == "" {
		fmt.Fprintf(o.env.stderr, "%s: --topic is required\n", fs.Name())
		fs.Usage()
		return exitBadInput, false
	}
	f, err := o.filterFlags.parse()
	if err != nil {
		fmt.Fprintf(o.env.stderr, "%s: %v\n", fs.Name(), err)
		return exitBadInput, false
	}
	o.filter = f
	return exitOK, true
}

func runDLQ(ctx context.Context, env *environment, args []string) int {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "list":
		return runDLQList(ctx, env, args[1:])
	case "replay":
		return runDLQReplay(ctx, env, args[1:])
	case "-h", "--help", "help":
		dlqHelp.printHelp(env.stdout, flag.NewFlagSet("eventctl dlq", flag.ContinueOnError))
		fmt.Fprintln(env.stdout, "\nRun \"eventctl dlq list -h\" or \"eventctl dlq replay -h\" for the flags of each.")
		return exitOK
	}
	return unknownSubcommand(env, "dlq", sub, []string{"list", "replay"}, dlqHelp)
}
