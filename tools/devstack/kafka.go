package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var kafkaLogLevels = map[string]kfake.LogLevel{
	"none":  kfake.LogLevelNone,
	"error": kfake.LogLevelError,
	"warn":  kfake.LogLevelWarn,
	"info":  kfake.LogLevelInfo,
	"debug": kfake.LogLevelDebug,
}

// kafkaBroker is the in-process kfake cluster of one broker.
type kafkaBroker struct {
	cluster *kfake.Cluster
	addr    string
	// clientOpts let devstack's own client pass the broker's TLS and SASL.
	clientOpts []kgo.Opt
}

func (b *kafkaBroker) close() { b.cluster.Close() }

// startKafka starts a one-broker kfake cluster on 127.0.0.1, waits until it
// answers a metadata request over TCP, and creates topics that do not exist
// yet (also after a restart from -data, where seeding would be skipped).
func startKafka(ctx context.Context, cfg *config, topics []string, sec kafkaSecurity, log *slog.Logger) (*kafkaBroker, error) {
	opts := []kfake.Opt{
		kfake.Ports(cfg.kafkaPort),
		kfake.ClusterID("eventkit-devstack"),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(cfg.partitions),
		kfake.WithLogger(kfake.BasicLogger(os.Stderr, kafkaLogLevels[strings.ToLower(cfg.logLevel)])),
	}
	if dir := cfg.kafkaDir(); dir != "" {
		opts = append(opts, kfake.DataDir(dir))
	}
	opts = append(opts, sec.clusterOpts()...)
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("kafka broker: 127.0.0.1:%d is taken by another process (%w); stop it (another devstack? try make dev-down) or choose -kafka-port (0 picks a free port)",
				cfg.kafkaPort, errPortTaken)
		}
		return nil, fmt.Errorf("kafka broker: %w", err)
	}
	b := &kafkaBroker{cluster: cluster, addr: cluster.ListenAddrs()[0], clientOpts: sec.clientOpts()}
	if err := b.ready(ctx, cfg.timeout, topics, int32(cfg.partitions)); err != nil {
		b.close()
		return nil, err
	}
	log.Info("kafka broker ready", "addr", b.addr, "data", cfg.kafkaDir(), "topics", topics)
	return b, nil
}

// ready issues a metadata request through a real client until the broker
// answers, then creates the missing topics.
func (b *kafkaBroker) ready(ctx context.Context, timeout time.Duration, topics []string, partitions int32) error {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.addr)}, b.clientOpts...)...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		req := kmsg.NewPtrMetadataRequest()
		_, err := req.RequestWith(ctx, cl)
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kafka broker %s did not answer a metadata request within %v: %w", b.addr, timeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	if len(topics) == 0 {
		return nil
	}
	resps, err := kadm.NewClient(cl).CreateTopics(ctx, partitions, 1, nil, topics...)
	if err != nil {
		return fmt.Errorf("creating topics %v: %w", topics, err)
	}
	for _, r := range resps.Sorted() {
		if r.Err != nil && !errors.Is(r.Err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("creating topic %s: %w", r.Topic, r.Err)
		}
	}
	return nil
}
