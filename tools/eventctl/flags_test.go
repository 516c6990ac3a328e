package main

import (
	"strings"
	"testing"
)

const consumeUsageLine = "usage: eventctl consume --topic TOPIC [--from-beginning] [--max N] [--group G] [--timeout D] [--avro-json]\n"

// TestMistakesGetShortAnswers: an unknown command or flag names the nearest
// one, and a bad flag prints its error and the usage line, not the whole
// help.
func TestMistakesGetShortAnswers(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"misspelled command", []string{"consum", "--topic", "t"},
			"eventctl: unknown command \"consum\": did you mean consume?\n" +
				"Run \"eventctl help\" for the list of commands.\n"},
		{"two commands as near", []string{"ecode"},
			"eventctl: unknown command \"ecode\": did you mean decode or encode?\n" +
				"Run \"eventctl help\" for the list of commands.\n"},
		{"nothing near", []string{"publish"},
			"eventctl: unknown command \"publish\"\n" +
				"Run \"eventctl help\" for the list of commands.\n"},
		{"misspelled flag", []string{"consume", "--topc", "t"},
			"eventctl consume: unknown flag --topc: did you mean --topic?\n" + consumeUsageLine},
		{"one dash, as typed", []string{"generate", "-manfest", "m.json"},
			"eventctl generate: unknown flag -manfest: did you mean -manifest?\n" +
				"usage: eventctl generate [-manifest file] [-out directory] [-check]\n"},
		{"with a value", []string{"register", "--dryrun=true"},
			"eventctl register: unknown flag --dryrun: did you mean --dry-run?\n" +
				"usage: eventctl register [--manifest avro/manifest.json] [--registry URL] [--dry-run] [--format text|json]\n"},
		{"no flag near", []string{"consume", "--zzzzzz"},
			"eventctl consume: unknown flag --zzzzzz\n" + consumeUsageLine},
		{"bad value", []string{"consume", "--topic", "t", "--max", "many"},
			"eventctl consume: invalid value \"many\" for flag -max: parse error\n" + consumeUsageLine},
		{"missing value", []string{"consume", "--topic"},
			"eventctl consume: flag needs an argument: -topic\n" + consumeUsageLine},
		{"missing required flag", []string{"consume"},
			"eventctl consume: --topic is required\n" + consumeUsageLine},
		{"stray argument", []string{"decode", "a", "b"},
			"eventctl decode: unexpected argument \"b\"\n" +
				"usage: eventctl decode [--schema FILE.avsc] [--avro-json] [FILE]\n"},
		{"misspelled subcommand", []string{"compat", "chek"},
			"eventctl compat: unknown subcommand \"chek\": did you mean check?\n" +
				"usage:\n" +
				"  eventctl compat check [--level LEVEL] [--ref SHARED.avsc ...] --old V1.avsc [--old V2.avsc ...] --new NEW.avsc\n" +
				"  eventctl compat check [--manifest avro/manifest.json] [--against REF] [--level LEVEL]\n" +
				"                        [--registry URL | --registry-from-env] [--registry-verdict] [--git=false]\n"},
		{"subcommand's flag", []string{"compat", "check", "--levl", "FULL"},
			"eventctl compat check: unknown flag --levl: did you mean --level?\n" +
				"usage:\n" +
				"  eventctl compat check [--level LEVEL] [--ref SHARED.avsc ...] --old V1.avsc [--old V2.avsc ...] --new NEW.avsc\n" +
				"  eventctl compat check [--manifest avro/manifest.json] [--against REF] [--level LEVEL]\n" +
				"                        [--registry URL | --registry-from-env] [--registry-verdict] [--git=false]\n"},
	} {
		code, out, errOut := consoleRun(t, nil, nil, c.args...)
		if code != exitBadInput || errOut != c.want || len(out) != 0 {
			t.Errorf("%s: exit %d, stderr\n%s\nwant exit 2 and\n%s", c.name, code, errOut, c.want)
		}
	}
}

// TestHelpFlagPrintsTheWholeHelp: -h still prints everything, and exits 0.
func TestHelpFlagPrintsTheWholeHelp(t *testing.T) {
	for _, args := range [][]string{{"consume", "-h"}, {"register", "--help"}, {"generate", "-h"}, {"compat", "check", "-h"}} {
		code, _, errOut := consoleRun(t, nil, nil, args...)
		lines := strings.Split(errOut, "\n")
		if code != exitOK || !strings.HasPrefix(errOut, "usage:") || !strings.Contains(errOut, "\nflags:\n  -") || len(lines) < 8 {
			t.Errorf("%q: exit %d, want 0 and the whole help:\n%s", args, code, errOut)
		}
	}
	code, out, _ := consoleRun(t, nil, nil, "compat", "--help")
	if code != exitOK || !strings.Contains(string(out), "\nflags:\n  -against REF\n") {
		t.Errorf("compat --help: exit %d, want 0 and the flags of compat check:\n%s", code, out)
	}
}
