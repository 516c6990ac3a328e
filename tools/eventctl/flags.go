package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// How every command parses its flags and talks about them: -h prints the
// whole help; a mistake prints the error and the usage line, short enough to
// see what went wrong without scrolling back past a page of flags.

// commandHelp is what a command says of itself: usage is its usage line
// (several lines for several forms, without "usage:"), about the text -h
// prints between it and the flags.
type commandHelp struct {
	usage string
	about string
}

// printUsage prints "usage: LINE", or "usage:" and the indented lines of
// several forms.
func (h commandHelp) printUsage(w io.Writer) {
	lines := strings.Split(strings.TrimSpace(h.usage), "\n")
	if len(lines) == 1 {
		fmt.Fprintln(w, "usage: "+lines[0])
		return
	}
	fmt.Fprintln(w, "usage:")
	for _, l := range lines {
		fmt.Fprintln(w, "  "+l)
	}
}

// printHelp prints the usage, the about text and the flags of fs.
func (h commandHelp) printHelp(w io.Writer, fs *flag.FlagSet) {
	h.printUsage(w)
	if about := strings.TrimSpace(h.about); about != "" {
		fmt.Fprintln(w)
		fmt.Fprintln(w, about)
	}
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "flags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// parseFlags parses args into fs. It stops (ok false, with the exit status)
// on -h, after printing the whole help to standard error (status 0); on a
// bad flag, after printing the error, the nearest flag when one is close,
// and the usage line (status 2); and on more than maxArgs arguments
// (status 2; a negative maxArgs leaves the arguments to the caller). Afterwards fs.Usage prints the usage line, for the command's
// own complaints about its flags.
func parseFlags(env *environment, fs *flag.FlagSet, args []string, maxArgs int, h commandHelp) (code int, ok bool) {
	// The flag package prints its error and calls Usage itself; it is kept
	// quiet so that the message can say more.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(env.stderr)
	fs.Usage = func() { h.printUsage(env.stderr) }
	switch {
	case errors.Is(err, flag.ErrHelp):
		h.printHelp(env.stderr, fs)
		return exitOK, false
	case err != nil:
		fmt.Fprintf(env.stderr, "%s: %s\n", fs.Name(), flagError(fs, args, err))
		fs.Usage()
		return exitBadInput, false
	case maxArgs >= 0 && fs.NArg() > maxArgs:
		fmt.Fprintf(env.stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(maxArgs))
		fs.Usage()
		return exitBadInput, false
	}
	return exitOK, true
}

// flagError rewords the flag package's "flag provided but not defined: -x"
// as "unknown flag --x: did you mean --y?", with the dashes the user typed;
// other errors stay as they are.
func flagError(fs *flag.FlagSet, args []string, err error) string {
	const undefined = "flag provided but not defined: -"
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, undefined)
	if !ok {
		return msg
	}
	dashes := "-"
	for _, a := range args {
		if a == "--"+name || strings.HasPrefix(a, "--"+name+"=") {
			dashes = "--"
			break
		}
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	msg = "unknown flag " + dashes + name
	if hint := didYouMean(name, names, dashes); hint != "" {
		msg += ": " + hint
	}
	return msg
}

// unknownSubcommand says that sub is none of subs, naming the nearest, and
// prints the usage; with no sub, only the usage. It returns exitBadInput.
func unknownSubcommand(env *environment, cmd, sub string, subs []string, h commandHelp) int {
	if sub != "" {
		msg := fmt.Sprintf("eventctl %s: unknown subcommand %q", cmd, sub)
		if hint := didYouMean(sub, subs, ""); hint != "" {
			msg += ": " + hint
		}
		fmt.Fprintln(env.stderr, msg)
	}
	h.printUsage(env.stderr)
	return exitBadInput
}
