package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// envClientChild holds the clientSpec (JSON) of a test binary started as a
// client process by the benchmarks that measure a client apart from the
// broker (PublishCPU, PreOTel): TestMain then serves that client's
// commands and nothing else.
const envClientChild = "BENCH_CLIENT_CHILD"

// clientSpec is the client a client process runs, against the broker and
// the registry of the benchmark's process.
type clientSpec struct {
	Brokers  string
	Registry string
	// Publisher is what publish commands use: "eventkit" (PublishAsync,
	// with the header profile Profile) or "raw" (Produce of pre-encoded
	// events, with the six CloudEvents headers if Headers, and each event
	// as the message's Opaque if Opaque). Consume commands use the SDK
	// consumer.
	Publisher       string
	Profile         string
	Headers, Opaque bool
	// NoCallback: the eventkit publisher publishes without callbacks.
	NoCallback bool
}

// clientCmd is a command to a client process, a JSON line on its standard
// input.
type clientCmd struct {
	// Op is "publish" (events From to From+N-1, of the env's events in
	// turn, each acknowledged) or "consume" (N deadline events from the
	// beginning of the topic, with a consumer in group Group).
	Op      string
	From, N int
	Group   string
}

// clientReply is a client process's answer, a JSON line on its standard
// output: first one with SDK set (the client is ready), then one per
// command with what it cost, from the first message to the N-th
// acknowledged or handled.
type clientReply struct {
	SDK  string `json:",omitempty"`
	Cost cost
}

// clientChild serves the commands of the client spec describes on
// standard input and output; it returns the process's exit status.
func clientChild(spec string) int {
	if err := serveClient(spec, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "client process:", err)
		return 1
	}
	return 0
}

func serveClient(specJSON string, in io.Reader, out io.Writer) error {
	var spec clientSpec
	if err := json.Unmarshal([]byte(specJSON), &spec); err != nil {
		return fmt.Errorf("%s: %w", envClientChild, err)
	}
	e, err := newClientEnv(spec.Registry)
	if err != nil {
		return err
	}
	publish, closePublisher, err := e.openPublisher(spec)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	err = enc.Encode(clientReply{SDK: sdkName})
	sc := bufio.NewScanner(in)
	for err == nil && sc.Scan() {
		var cmd clientCmd
		if err = json.Unmarshal(sc.Bytes(), &cmd); err != nil {
			break
		}
		var c cost
		switch cmd.Op {
		case "publish":
			c, err = measure(cmd.N, func() error { return publish(cmd.From, cmd.N) })
		case "consume":
			cfg := e.consumerConfig(spec.Brokers)
			cfg.GroupID = cmd.Group
			c, err = consumeCost(cfg, cmd.N)
		default:
			err = fmt.Errorf("unknown command %q", cmd.Op)
		}
		if err == nil {
			err = enc.Encode(clientReply{Cost: c})
		}
	}
	return errors.Join(err, sc.Err(), closePublisher())
}

// openPublisher starts the publisher of spec; publish sends events and
// waits for their acknowledgements.
func (e *brokerEnv) openPublisher(spec clientSpec) (publish func(from, n int) error, closePublisher func() error, err error) {
	ctx := context.Background()
	switch spec.Publisher {
	case "eventkit":
		cfg := e.producerConfig(spec.Brokers)
		if err := withHeaders(&cfg, spec.Profile); err != nil {
			return nil, nil, err
		}
		var logErrors atomic.Int64
		if spec.NoCallback {
			countLogErrors(&cfg, &logErrors)
		}
		p, err := e.openProducer(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		s := e.newSDKPublisher(p)
		s.noCallback, s.logErrors = spec.NoCallback, &logErrors
		return func(from, n int) error { return s.publish(ctx, from, n) }, func() error {
			n, err := p.Close(ctx)
			if err == nil && n != 0 {
				err = fmt.Errorf("%d undelivered", n)
			}
			if err != nil {
				return fmt.Errorf("closing the producer: %w", err)
			}
			return nil
		}, nil
	case "raw":
		var pending sync.WaitGroup
		var failed atomic.Int64
		kp, closeRaw, err := openRawProducer(spec.Brokers, &pending, &failed, spec.Opaque)
		if err != nil {
			return nil, nil, err
		}
		r := e.newRawPublisher(kp, &pending, spec.Headers, spec.Opaque)
		return func(from, n int) error {
			if err := r.publish(from, n); err != nil {
				return err
			}
			if f := failed.Swap(0); f > 0 {
				return fmt.Errorf("%d messages not delivered", f)
			}
			return nil
		}, closeRaw, nil
	case "":
		return func(int, int) error { return errors.New("no publisher") }, func() error { return nil }, nil
	}
	return nil, nil, fmt.Errorf("unknown publisher %q", spec.Publisher)
}
