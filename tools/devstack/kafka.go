package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
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

// kafkaBroker is the in-process kfake cluster of one or more brokers.
type kafkaBroker struct {
	cluster *kfake.Cluster
	// addr is the brokers' addresses, comma-separated (bootstrap.servers).
	addr  string
	addrs []string
	// clientOpts let devstack's own client pass the broker's TLS and SASL.
	clientOpts []kgo.Opt
}

func (b *kafkaBroker) close() { b.cluster.Close() }

// startKafka starts a kfake cluster of cfg.brokers brokers on 127.0.0.1, waits until it
// answers a metadata request over TCP, and creates topics that do not exist
// yet (also after a restart from -data, where seeding would be skipped).
func startKafka(ctx context.Context, cfg *config, topics []string, sec kafkaSecurity, log *slog.Logger) (*kafkaBroker, error) {
	opts := []kfake.Opt{
		kfake.Ports(cfg.kafkaPorts()...),
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
			return nil, fmt.Errorf("kafka broker: a port of %v is taken by another process (%w); stop it (another devstack? try make dev-down) or choose -kafka-port (0 picks free ports)",
				cfg.kafkaPorts(), errPortTaken)
		}
		return nil, fmt.Errorf("kafka broker: %w", err)
	}
	addrs := cluster.ListenAddrs()
	b := &kafkaBroker{cluster: cluster, addr: strings.Join(addrs, ","), addrs: addrs, clientOpts: sec.clientOpts()}
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
	cl, err := b.client()
	if err != nil {
		return err
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

// client returns a client of the cluster for devstack's own requests.
func (b *kafkaBroker) client() (*kgo.Client, error) {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.addrs...)}, b.clientOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka client: %w", err)
	}
	return cl, nil
}

// moveLeaders gives every partition of every topic a new leader: the
// broker after its current one, in node id order, so that each leader
// really changes (kfake's ShufflePartitionLeaders may draw the same one).
// kfake bumps each moved partition's leader epoch, as an election would;
// the data, the producer id sequences and the committed offsets are the
// cluster's, not a broker's, so nothing is lost or replayed, the way a
// clean leader change with every replica in sync behaves. It returns the
// number of partitions moved, each checked with LeaderFor.
func (b *kafkaBroker) moveLeaders(ctx context.Context, timeout time.Duration) (int, error) {
	if len(b.addrs) < 2 {
		return 0, errors.New("one broker: run with -brokers 2 or more to move partition leaders")
	}
	cl, err := b.client()
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req := kmsg.NewPtrMetadataRequest() // no topics: all of them
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return 0, fmt.Errorf("metadata request: %w", err)
	}
	nodes := make([]int32, 0, len(resp.Brokers))
	for _, br := range resp.Brokers {
		nodes = append(nodes, br.NodeID)
	}
	slices.Sort(nodes)
	if len(nodes) < 2 {
		return 0, fmt.Errorf("the metadata lists %d brokers", len(nodes))
	}
	moved := 0
	for _, t := range resp.Topics {
		if t.Topic == nil || t.ErrorCode != 0 {
			continue
		}
		for _, p := range t.Partitions {
			from := b.cluster.LeaderFor(*t.Topic, p.Partition)
			if from < 0 {
				continue // deleted since the metadata request
			}
			i, _ := slices.BinarySearch(nodes, from)
			to := nodes[(i+1)%len(nodes)]
			if err := b.cluster.MoveTopicPartition(*t.Topic, p.Partition, to); err != nil {
				return moved, fmt.Errorf("moving %s/%d from broker %d to %d: %w", *t.Topic, p.Partition, from, to, err)
			}
			if now := b.cluster.LeaderFor(*t.Topic, p.Partition); now != to {
				return moved, fmt.Errorf("moved %s/%d from broker %d to %d, but its leader is %d", *t.Topic, p.Partition, from, to, now)
			}
			moved++
		}
	}
	return moved, nil
}
