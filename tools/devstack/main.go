// Command devstack runs the project's local development stack on 127.0.0.1:
// franz-go's kfake as a real TCP Kafka broker and axonops-schema-registry
// (a Confluent-API-compatible schema registry) as a child process.
//
// Usage:
//
//	devstack [run] [flags]          run in the foreground until Ctrl-C or SIGTERM
//	devstack up -state DIR [flags]  start in the background and wait until ready
//	devstack down -state DIR        stop a stack started with up
//
// When both servers answer (a Kafka metadata request and the registry's
// GET /subjects), run prints the endpoints and one line a script can parse:
//
//	KAFKA_BROKER_URL=127.0.0.1:9092 SCHEMA_REGISTRY_URL=http://127.0.0.1:8081 DEVSTACK_PID=… REGISTRY_PID=…
//
// (and POSTGRES_PID=… with -registry-storage postgres). With -ready-file it
// also writes these variables one per line, a file a shell can source.
//
// Exit status: 0 after a clean stop, 1 when the stack could not start or a
// server died, 2 for bad flags.
//
// This module needs Go 1.26 (kfake and the registry do); the main module
// never imports it and only runs its binaries.
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	os.Exit(realMain(os.Args[1:]))
}

func realMain(args []string) int {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runMain(args)
	case "up":
		return upMain(args)
	case "down":
		return downMain(args)
	case "help":
		usage()
		return 0
	default:
		fmt.Fprintf(os.Stderr, "devstack: unknown command %q\n", cmd)
		usage()
		return 2
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  devstack [run] [flags]          run broker and registry in the foreground (Ctrl-C stops both)
  devstack up -state DIR [flags]  start in the background, wait until ready, print endpoints
  devstack down -state DIR        stop the stack started by up

Run "devstack run -h" or "devstack up -h" for the flags.
`)
}
