package main

import (
	"context"
	"flag"
	"fmt"
	"math"

	"github.com/lunchbot/eventkit/internal/avrojson"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/wire"
)

func init() {
	register(command{
		name:    "encode",
		summary: "turn one JSON event into wire bytes",
		run:     runEncode,
	})
}

const encodeAbout = `
Reads one JSON value (plain, or Avro's JSON encoding) from FILE or standard
input, checks it against a schema, and writes its bytes to standard output:
with --subject, the subject's latest schema in the registry, framed in the
Confluent wire format with that schema's id; with --schema FILE.avsc --id N,
that schema framed with id N, no registry used; with --schema alone, the
bare Avro body. Never registers a schema.

Exit status: 0 written; 1 the JSON is not a value of the schema; 2 bad
flags, an unreadable file, or the registry cannot be used.`

func runEncode(ctx context.Context, env *environment, args []string) int {
	c := consoleFlags{env: env}
	fs := flag.NewFlagSet("eventctl encode", flag.ContinueOnError)
	consoleAddRegistryFlag(fs, &c)
	subject := fs.String("subject", "", "encode with the latest schema of this registry `subject`")
	schemaFile := fs.String("schema", "", "encode with this schema `FILE` (.avsc) instead of the registry's")
	id := fs.Int64("id", 0, "the schema `id` to frame the value with, with --schema (without it: a bare Avro body)")
	avroJSON := fs.Bool("avro-json", false, "read dates and timestamps as Avro's JSON encoding writes them (day and unit counts), and decimals (their bytes), and wrapped unions first")
	if code, ok := parseFlags(env, fs, args, 1, commandHelp{usage: "eventctl encode (--subject SUBJECT | --schema FILE.avsc [--id N]) [--avro-json] [FILE] > message.bin", about: encodeAbout}); !ok {
		return code
	}
	switch {
	case (*subject == "") == (*schemaFile == ""):
		fmt.Fprintln(env.stderr, "eventctl encode: pass either --subject (schema from the registry) or --schema FILE.avsc")
		return exitBadInput
	case *id != 0 && *schemaFile == "":
		fmt.Fprintln(env.stderr, "eventctl encode: --id goes with --schema; with --subject the id is the registry's")
		return exitBadInput
	case *id < 0 || *id > math.MaxUint32:
		fmt.Fprintf(env.stderr, "eventctl encode: --id %d is out of range (1..%d)\n", *id, uint32(math.MaxUint32))
		return exitBadInput
	}
	data, err := consoleReadInput(env, fs.Arg(0))
	if err != nil {
		return fail(env, "encode", err)
	}
	var s *schema.Schema
	var out []byte
	if *schemaFile != "" {
		p, err := consoleSchemaFile(*schemaFile)
		if err != nil {
			return fail(env, "encode", err)
		}
		s = p.Root
		if *id != 0 {
			out = wire.AppendHeader(out, uint32(*id))
		}
	} else {
		reg, err := c.openRegistry()
		if err != nil {
			return fail(env, "encode", err)
		}
		latest, p, err := reg.latest(ctx, *subject)
		if err != nil {
			return fail(env, "encode", err)
		}
		s = p.Root
		out = wire.AppendHeader(out, uint32(latest.ID))
	}
	opts := avrojson.Options{AvroJSONHint: "--avro-json"}
	if *avroJSON {
		opts.Style = avrojson.AvroJSON
	}
	out, err = avrojson.AppendEncode(out, s, data, opts)
	if err != nil {
		fmt.Fprintf(env.stderr, "eventctl encode: %v\n", err)
		return exitProblems
	}
	if _, err := env.stdout.Write(out); err != nil {
		return fail(env, "encode", err)
	}
	return exitOK
}
