// Command eventctl is the project's command line: it generates Go code from
// the event contracts, checks schema compatibility, registers schemas,
// produces and consumes events, and lists and replays dead letters. The
// broker and registry come from the flags, else the environment, else the
// .devstack/env that make dev-up writes.
//
// Usage:
//
//	eventctl <command> [flags]
//
// Run "eventctl help" for the list of commands, "eventctl <command> -h" for
// the flags of one. Exit status: 0 on success, 1 when a check found problems
// (for example an incompatible schema), 2 on bad input or when the work could
// not be done.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Exit statuses.
const (
	exitOK       = 0
	exitProblems = 1
	exitBadInput = 2
)

// command is one subcommand of eventctl.
type command struct {
	name    string
	summary string
	// run executes the command with its arguments (after the command name)
	// and returns the exit status.
	run func(ctx context.Context, env *environment, args []string) int
}

// environment is what a command reads and writes, so tests can run commands
// in process.
type environment struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// dir is the working directory where .devstack/env is looked for;
	// empty (as in tests that do not set it) looks for none.
	dir string
}

var commands = map[string]command{}

// register adds a command; each command's file calls it from init.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("eventctl: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// Without a working directory eventctl still runs, without .devstack/env.
	dir, _ := os.Getwd()
	code := run(ctx, &environment{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, dir: dir}, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, env *environment, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.stdout)
		if len(args) == 0 {
			return exitBadInput
		}
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		msg := fmt.Sprintf("eventctl: unknown command %q", args[0])
		if hint := didYouMean(args[0], commandNames(), ""); hint != "" {
			msg += ": " + hint
		}
		fmt.Fprintln(env.stderr, msg)
		fmt.Fprintln(env.stderr, `Run "eventctl help" for the list of commands.`)
		return exitBadInput
	}
	if env.dir != "" {
		withDevstackEnv(env)
	}
	return c.run(ctx, env, args[1:])
}

// commandNames returns the names of the commands, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: eventctl <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "eventctl <command> -h" for a command's flags.`)
}

// fail prints "eventctl <cmd>: err" and returns exitBadInput.
func fail(env *environment, cmd string, err error) int {
	fmt.Fprintf(env.stderr, "eventctl %s: %v\n", cmd, err)
	return exitBadInput
}
