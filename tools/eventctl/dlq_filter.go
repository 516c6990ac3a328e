package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lunchbot/eventkit/sdk/consumer"
)

// dlqReasons are the dlq.reason values the consumer writes.
var dlqReasons = []string{consumer.ReasonDecode, consumer.ReasonHandler, consumer.ReasonPanic, consumer.ReasonUnhandled}

// dlqFilterFlags are the filter flags as given.
type dlqFilterFlags struct {
	reason, since, until, key, typ, offsets string
	keySet                                  bool
	partition, max                          int
}

func (f *dlqFilterFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.reason, "reason", "", "only dead letters of this `reason`: "+strings.Join(dlqReasons, ", "))
	fs.StringVar(&f.since, "since", "", "only those dead-lettered at or after `WHEN` (2026-11-27T11:45:00Z, 2026-11-27 or 2h for two hours ago)")
	fs.StringVar(&f.until, "until", "", "only those dead-lettered before `WHEN` (as --since)")
	fs.Func("key", "only those with this message `key`", func(s string) error { f.key, f.keySet = s, true; return nil })
	fs.StringVar(&f.typ, "type", "", "only those of this event `type` (the ce_type header)")
	fs.IntVar(&f.partition, "partition", -1, "only those in `partition` P of the dead-letter topic; -1 for all")
	fs.StringVar(&f.offsets, "offsets", "", "only those at these offsets of the dead-letter topic, `FROM-TO` inclusive (FROM-, -TO or N)")
	fs.IntVar(&f.max, "max", 0, "at most `N` dead letters, the first that match; 0 for no limit")
}

// dlqFilter selects dead letters.
type dlqFilter struct {
	reason       string
	since, until time.Time
	key          *string
	typ          string
	partition    int32 // -1: any
	from, to     int64 // to -1: no end
	max          int
}

// parse checks the flags and turns them into a filter, against now for
// durations.
func (f *dlqFilterFlags) parse() (dlqFilter, error) {
	return f.parseAt(time.Now())
}

func (f *dlqFilterFlags) parseAt(now time.Time) (dlqFilter, error) {
	out := dlqFilter{reason: f.reason, typ: f.typ, partition: int32(f.partition), to: -1, max: f.max}
	if f.reason != "" && !slices.Contains(dlqReasons, f.reason) {
		msg := fmt.Sprintf("--reason %q: the consumer writes %s", f.reason, strings.Join(dlqReasons, ", "))
		if hint := didYouMean(f.reason, dlqReasons, ""); hint != "" {
			msg += "; " + hint
		}
		return out, errors.New(msg)
	}
	if f.keySet {
		out.key = &f.key
	}
	var err error
	if out.since, err = parseWhen("--since", f.since, now); err != nil {
		return out, err
	}
	if out.until, err = parseWhen("--until", f.until, now); err != nil {
		return out, err
	}
	if !out.since.IsZero() && !out.until.IsZero() && !out.since.Before(out.until) {
		return out, fmt.Errorf("--since %s is not before --until %s: nothing can match", f.since, f.until)
	}
	if f.partition < -1 {
		return out, fmt.Errorf("--partition %d: partitions are numbered from 0", f.partition)
	}
	if f.max < 0 {
		return out, fmt.Errorf("--max %d cannot be negative", f.max)
	}
	if f.offsets != "" {
		if out.from, out.to, err = parseOffsets(f.offsets); err != nil {
			return out, err
		}
	}
	return out, nil
}

// parseWhen reads a --since or --until value: a time in RFC 3339, one
// without a zone or a date (both UTC), or a duration before now.
func parseWhen(flagName, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%s %s: a duration counts back from now, so it cannot be negative", flagName, s)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q: want a time like 2026-11-27T11:45:00Z, a date like 2026-11-27 (UTC), or a duration ago like 2h", flagName, s)
}

// parseOffsets reads FROM-TO, FROM-, -TO or N.
func parseOffsets(s string) (from, to int64, err error) {
	bad := fmt.Errorf("--offsets %q: want FROM-TO (inclusive), FROM-, -TO or one offset N, with offsets from 0", s)
	a, b, isRange := strings.Cut(s, "-")
	num := func(t string, open int64) (int64, bool) {
		if t == "" {
			return open, isRange
		}
		n, err := strconv.ParseInt(t, 10, 64)
		return n, err == nil && n >= 0
	}
	from, okA := num(a, 0)
	to, okB := num(b, -1)
	if !isRange {
		to, okB = from, okA
	}
	if !okA || !okB || (a == "" && b == "") {
		return 0, 0, bad
	}
	if to >= 0 && to < from {
		return 0, 0, fmt.Errorf("--offsets %q: %d is before %d", s, to, from)
	}
	return from, to, nil
}

// match reports whether d passes the filter (--max aside).
func (f *dlqFilter) match(d *deadLetter) bool {
	switch {
	case f.reason != "" && d.reason != f.reason,
		f.typ != "" && d.eventType != f.typ,
		f.key != nil && string(d.msg.Key) != *f.key,
		f.partition >= 0 && d.msg.TopicPartition.Partition != f.partition,
		!f.since.IsZero() && d.deadLettered.Before(f.since),
		!f.until.IsZero() && !d.deadLettered.Before(f.until):
		return false
	}
	off := int64(d.msg.TopicPartition.Offset)
	return off >= f.from && (f.to < 0 || off <= f.to)
}
