package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// envBacklogChild holds the backlogSpec (JSON) of a test binary started by
// BenchmarkConsumeBacklog to run its consumer: TestMain then runs that and
// nothing else.
const envBacklogChild = "BENCH_BACKLOG_CHILD"

// backlogSpec is what the child process consumes, and how.
type backlogSpec struct {
	Brokers     string
	Registry    string
	Group       string
	Concurrency int
	Handling    time.Duration // each handler call sleeps this long
	Properties  map[string]string
	Sample      time.Duration // how long to sample after the consumer starts
	Every       time.Duration // how often
}

// backlogResult is what the child process measured, printed as the last
// line of its standard output.
type backlogResult struct {
	PeakHeap, PeakRSS, StartRSS uint64 // bytes
	PeakInFlight                int
	Handled                     int64
	Samples                     int
}

// max keeps the largest of each figure of r and o.
func (r *backlogResult) max(o backlogResult) {
	r.PeakHeap, r.PeakRSS, r.StartRSS = max(r.PeakHeap, o.PeakHeap), max(r.PeakRSS, o.PeakRSS), max(r.StartRSS, o.StartRSS)
	r.PeakInFlight, r.Handled, r.Samples = max(r.PeakInFlight, o.PeakInFlight), max(r.Handled, o.Handled), max(r.Samples, o.Samples)
}

// backlogChild runs the consumer that spec describes, samples its memory
// and prints the result; it returns the process's exit status.
func backlogChild(spec string) int {
	res, err := consumeBacklog(spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backlog consumer:", err)
		return 1
	}
	out, err := json.Marshal(res)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backlog consumer:", err)
		return 1
	}
	fmt.Println(string(out))
	return 0
}

func consumeBacklog(specJSON string) (backlogResult, error) {
	var spec backlogSpec
	if err := json.Unmarshal([]byte(specJSON), &spec); err != nil {
		return backlogResult{}, fmt.Errorf("%s: %w", envBacklogChild, err)
	}
	client, err := registry.New(registry.Config{URLs: []string{spec.Registry}})
	if err != nil {
		return backlogResult{}, err
	}
	props := map[string]any{}
	for k, v := range spec.Properties {
		props[k] = v
	}
	var handled atomic.Int64
	c, err := consumer.New(consumer.Config{
		Kafka:             kafkaconfig.Config{BootstrapServers: spec.Brokers, Properties: props},
		Deserializer:      serde.NewDeserializer(client, serde.DeserializerConfig{}),
		GroupID:           spec.Group,
		Name:              "bench-backlog",
		Logger:            quiet,
		DisableDeadLetter: true,
		Concurrency:       spec.Concurrency,
	}, consumer.Handle(func(context.Context, *events.DeadlinePassed, consumer.Message) error {
		time.Sleep(spec.Handling)
		handled.Add(1)
		return nil
	}))
	if err != nil {
		return backlogResult{}, err
	}
	var res backlogResult
	if res.StartRSS, err = residentSet(); err != nil {
		return backlogResult{}, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- c.Run(ctx) }()
	tick := time.NewTicker(spec.Every)
	defer tick.Stop()
	var ms runtime.MemStats
	for end := time.Now().Add(spec.Sample); time.Now().Before(end); {
		select {
		case err := <-ran:
			cancel()
			return backlogResult{}, fmt.Errorf("Run returned while sampling: %w", err)
		case <-tick.C:
		}
		runtime.ReadMemStats(&ms)
		rss, err := residentSet()
		if err != nil {
			cancel()
			return backlogResult{}, err
		}
		res.PeakHeap, res.PeakRSS = max(res.PeakHeap, ms.HeapInuse), max(res.PeakRSS, rss)
		res.PeakInFlight = max(res.PeakInFlight, c.Stats().InFlight)
		res.Samples++
	}
	res.Handled = handled.Load()
	cancel()
	if err := <-ran; err != nil {
		return backlogResult{}, err
	}
	return res, nil
}

// residentSet returns the process's resident set size: VmRSS of
// /proc/self/status.
func residentSet() (uint64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte("kB")))), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/self/status: VmRSS %q: %w", rest, err)
		}
		return kb << 10, nil
	}
	return 0, errors.New("/proc/self/status has no VmRSS line")
}
