package main

import (
	"strings"
	"testing"
)

// TestDLQBadInput: exit 2 and what was wrong, before any server is asked.
func TestDLQBadInput(t *testing.T) {
	usage := "usage:\n" +
		"  eventctl dlq list --topic TOPIC [filters] [--format text|json]\n" +
		"  eventctl dlq replay --topic TOPIC [filters] [--dry-run]\n"
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"dlq"}, usage},
		{"misspelled subcommand", []string{"dlq", "lst"}, "eventctl dlq: unknown subcommand \"lst\": did you mean list?\n" + usage},
		{"no topic", []string{"dlq", "list"}, "eventctl dlq list: --topic is required\n" + usage},
		{"misspelled flag", []string{"dlq", "replay", "--topic", "t", "--dryrun"}, "eventctl dlq replay: unknown flag --dryrun: did you mean --dry-run?\n" + usage},
		{"misspelled reason", []string{"dlq", "list", "--topic", "t", "--reason", "handlr"},
			"eventctl dlq list: --reason \"handlr\": the consumer writes decode, handler, panic, unhandled; did you mean handler?\n"},
		{"bad time", []string{"dlq", "replay", "--topic", "t", "--until", "2026-02-30"},
			"eventctl dlq replay: --until \"2026-02-30\": want a time like 2026-11-27T11:45:00Z, a date like 2026-11-27 (UTC), or a duration ago like 2h\n"},
		{"empty window", []string{"dlq", "list", "--topic", "t", "--since", "2026-11-28", "--until", "2026-11-27"},
			"eventctl dlq list: --since 2026-11-28 is not before --until 2026-11-27: nothing can match\n"},
		{"bad offsets", []string{"dlq", "list", "--topic", "t", "--offsets", "9-5"}, "eventctl dlq list: --offsets \"9-5\": 5 is before 9\n"},
		{"bad format", []string{"dlq", "list", "--topic", "t", "--format", "xml"}, "eventctl dlq list: unknown format \"xml\" (want text or json)\n"},
		{"bad timeout", []string{"dlq", "replay", "--topic", "t", "--timeout", "0s"}, "eventctl dlq replay: --timeout must be positive\n"},
	} {
		code, out, errOut := consoleRun(t, nil, nil, c.args...)
		if code != exitBadInput || errOut != c.want || len(out) != 0 {
			t.Errorf("%s: exit %d, stderr\n%s\nwant exit 2 and\n%s", c.name, code, errOut, c.want)
		}
	}
	code, out, _ := consoleRun(t, nil, nil, "dlq", "--help")
	if code != exitOK || !strings.Contains(string(out), "dlq.replayed-from") || !strings.HasSuffix(string(out), "\nRun \"eventctl dlq list -h\" or \"eventctl dlq replay -h\" for the flags of each.\n") {
		t.Errorf("dlq --help: exit %d\n%s", code, out)
	}
}

// TestDLQUnreachableKafka: exit 2, and where Kafka was looked for (list
// asks the same way).
func TestDLQUnreachableKafka(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the connection timeout")
	}
	for _, sub := range []string{"replay"} {
		code, _, errOut := consoleRun(t, nil, nil, "dlq", sub, "--topic", "t", "--bootstrap-servers", "127.0.0.1:1")
		want := "eventctl dlq " + sub + ": cannot reach Kafka at 127.0.0.1:1 within 10s: is the broker running? Point --bootstrap-servers or $KAFKA_BROKER_URL at it ("
		if code != exitBadInput || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("dlq %s: exit %d, stderr %q, want 2 and one line starting %q", sub, code, errOut, want)
		}
	}
}
