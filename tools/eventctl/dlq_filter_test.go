package main

import (
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

func TestParseOffsets(t *testing.T) {
	for _, c := range []struct {
		in       string
		from, to int64
		err      string
	}{
		{in: "5", from: 5, to: 5},
		{in: "5-9", from: 5, to: 9},
		{in: "5-", from: 5, to: -1},
		{in: "-9", from: 0, to: 9},
		{in: "0-0", from: 0, to: 0},
		{in: "9-5", err: `--offsets "9-5": 5 is before 9`},
		{in: "-", err: `--offsets "-": want FROM-TO (inclusive), FROM-, -TO or one offset N, with offsets from 0`},
		{in: "x", err: `--offsets "x": want FROM-TO`},
		{in: "1-2-3", err: `--offsets "1-2-3": want FROM-TO`},
		{in: "--1", err: `--offsets "--1": want FROM-TO`},
	} {
		from, to, err := parseOffsets(c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.HasPrefix(err.Error(), c.err) {
				t.Errorf("%q: %d, %d, %v, want error %s", c.in, from, to, err, c.err)
			}
		case err != nil || from != c.from || to != c.to:
			t.Errorf("%q: %d, %d, %v, want %d, %d", c.in, from, to, err, c.from, c.to)
		}
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "", want: time.Time{}},
		{in: "2h", want: now.Add(-2 * time.Hour)},
		{in: "2026-11-27T11:45:00Z", want: time.Date(2026, 11, 27, 11, 45, 0, 0, time.UTC)},
		{in: "2026-11-27T11:45:00+01:00", want: time.Date(2026, 11, 27, 10, 45, 0, 0, time.UTC)},
		{in: "2026-11-27T11:45:00", want: time.Date(2026, 11, 27, 11, 45, 0, 0, time.UTC)},
		{in: "2026-11-27", want: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)},
		{in: "-2h", err: "--since -2h: a duration counts back from now, so it cannot be negative"},
		{in: "yesterday", err: `--since "yesterday": want a time like 2026-11-27T11:45:00Z, a date like 2026-11-27 (UTC), or a duration ago like 2h`},
	} {
		got, err := parseWhen("--since", c.in, now)
		switch {
		case c.err != "":
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: %v, %v, want error %s", c.in, got, err, c.err)
			}
		case err != nil || !got.Equal(c.want):
			t.Errorf("%q: %v, %v, want %v", c.in, got, err, c.want)
		}
	}
}

func TestDLQFilterMatches(t *testing.T) {
	topic := "t.dlq"
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	d := readDeadLetter(&kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 1, Offset: 7},
		Key:            []byte("42"),
		Timestamp:      at,
		Headers: []kafka.Header{
			{Key: "ce_type", Value: []byte("deadline.passed")},
			{Key: "dlq.reason", Value: []byte("decode")}, // an older one, before the consumer's own
			{Key: "dlq.reason", Value: []byte("handler")},
		},
	})
	key, other := "42", "43"
	for _, c := range []struct {
		name string
		f    dlqFilter
		want bool
	}{
		{"none", dlqFilter{partition: -1, to: -1}, true},
		{"reason, the last header's", dlqFilter{reason: "handler", partition: -1, to: -1}, true},
		{"another reason", dlqFilter{reason: "decode", partition: -1, to: -1}, false},
		{"type", dlqFilter{typ: "deadline.passed", partition: -1, to: -1}, true},
		{"another type", dlqFilter{typ: "daily_task", partition: -1, to: -1}, false},
		{"key", dlqFilter{key: &key, partition: -1, to: -1}, true},
		{"another key", dlqFilter{key: &other, partition: -1, to: -1}, false},
		{"since, inclusive", dlqFilter{since: at, partition: -1, to: -1}, true},
		{"since later", dlqFilter{since: at.Add(time.Millisecond), partition: -1, to: -1}, false},
		{"until, exclusive", dlqFilter{until: at, partition: -1, to: -1}, false},
		{"until later", dlqFilter{until: at.Add(time.Millisecond), partition: -1, to: -1}, true},
		{"partition", dlqFilter{partition: 1, to: -1}, true},
		{"another partition", dlqFilter{partition: 0, to: -1}, false},
		{"offsets around it", dlqFilter{partition: -1, from: 7, to: 7}, true},
		{"offsets after it", dlqFilter{partition: -1, from: 8, to: -1}, false},
		{"offsets before it", dlqFilter{partition: -1, from: 0, to: 6}, false},
	} {
		if got := c.f.match(d); got != c.want {
			t.Errorf("%s: match = %t, want %t", c.name, got, c.want)
		}
	}
}
