package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/lunchbot/eventkit/internal/avrojson"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/wire"
)

func init() {
	register(command{
		name:    "decode",
		summary: "turn one message's wire bytes into JSON",
		run:     runDecode,
	})
}

const decodeAbout = `
Reads one message value in the Confluent wire format (magic byte 0, a 4-byte
schema id, the Avro body) from FILE or standard input, fetches the schema by
its id from the registry (with the schemas its references name), names its
record type on standard error, and prints the value as JSON (plain by default,
Avro's JSON encoding with --avro-json). With --schema the input is a bare
Avro body (no wire header) decoded with that schema file; no registry is
used.

Exit status: 0 decoded; 1 the bytes are not a value of the schema; 2 bad
flags, an unreadable file, or the registry cannot be used.`

// consoleMaxInput bounds what decode and encode read.
const consoleMaxInput = 64 << 20

func runDecode(ctx context.Context, env *environment, args []string) int {
	c := consoleFlags{env: env}
	fs := flag.NewFlagSet("eventctl decode", flag.ContinueOnError)
	consoleAddRegistryFlag(fs, &c)
	schemaFile := fs.String("schema", "", "decode a bare Avro body with this schema `FILE` (.avsc) instead of a wire-format message")
	avroJSON := fs.Bool("avro-json", false, "print Avro's JSON encoding (unions wrapped, logical types as their underlying values)")
	if code, ok := parseFlags(env, fs, args, 1, commandHelp{usage: "eventctl decode [--schema FILE.avsc] [--avro-json] [FILE]", about: decodeAbout}); !ok {
		return code
	}
	data, err := consoleReadInput(env, fs.Arg(0))
	if err != nil {
		return fail(env, "decode", err)
	}
	opts := avrojson.Options{}
	if *avroJSON {
		opts.Style = avrojson.AvroJSON
	}
	var s *schema.Schema
	body := data
	if *schemaFile != "" {
		p, err := consoleSchemaFile(*schemaFile)
		if err != nil {
			return fail(env, "decode", err)
		}
		s = p.Root
	} else {
		id, b, err := wire.Parse(data)
		if err != nil {
			fmt.Fprintf(env.stderr, "eventctl decode: %v: the input is not a wire-format message (pass --schema FILE.avsc for a bare Avro body)\n", err)
			return exitProblems
		}
		body = b
		reg, err := c.openRegistry()
		if err != nil {
			return fail(env, "decode", err)
		}
		if s, err = newConsoleSchemas(reg).get(ctx, id); err != nil {
			return fail(env, "decode", err)
		}
		if s.Name != "" {
			// The record type, for a topic that carries several.
			fmt.Fprintf(env.stderr, "eventctl decode: schema id %d, record %s\n", id, s.Name)
		}
	}
	out, err := avrojson.Decode(s, body, opts)
	if err != nil {
		hint := ""
		if *schemaFile != "" {
			if id, b, werr := wire.Parse(data); werr == nil {
				if _, derr := avrojson.Decode(s, b, opts); derr == nil {
					hint = fmt.Sprintf(" (the input looks like a wire-format message with schema id %d; --schema takes a bare Avro body: drop the first 5 bytes, e.g. tail -c +6, or leave --schema out to use the registry)", id)
				}
			}
		}
		fmt.Fprintf(env.stderr, "eventctl decode: %v%s\n", err, hint)
		return exitProblems
	}
	if _, err := env.stdout.Write(append(out, '\n')); err != nil {
		fmt.Fprintf(env.stderr, "eventctl decode: writing to standard output: %v\n", err)
		return exitProblems
	}
	return exitOK
}

// consoleReadInput reads a named file, or standard input for "" or "-".
func consoleReadInput(env *environment, name string) ([]byte, error) {
	r := env.stdin
	if name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, consoleMaxInput+1))
	if err != nil {
		return nil, err
	}
	if len(data) > consoleMaxInput {
		return nil, fmt.Errorf("input larger than %d MiB", consoleMaxInput>>20)
	}
	return data, nil
}

// consoleSchemaFile reads and parses an .avsc file.
func consoleSchemaFile(name string) (*schema.Parsed, error) {
	text, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	p, err := schema.Parse(string(text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}
