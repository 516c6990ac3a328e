package consumer

import (
	"log/slog"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// committedTimeout bounds the request for the committed offsets of newly
// assigned partitions.
const committedTimeout = 10 * time.Second

// rebalance is the consumer's rebalance callback, on the poll goroutine.
// It returns having done its part; confluent-kafka-go then assigns or
// unassigns the partitions (incrementally, under cooperative-sticky).
func (r *run) rebalance(_ *kafka.Consumer, ev kafka.Event) error {
	r.statsDirty = true
	switch e := ev.(type) {
	case kafka.AssignedPartitions:
		r.conn.Healthy() // the coordinator answered (a revocation may be local: the session timed out)
		r.assigned(e.Partitions)
	case kafka.RevokedPartitions:
		r.revoked(e.Partitions)
	}
	return nil
}

// assigned takes partitions on. They start at their committed offsets
// (librdkafka's default); the offsets an earlier owner had finished above
// them, which the commit's metadata lists, are skipped.
func (r *run) assigned(tps []kafka.TopicPartition) {
	committed, err := r.kc.Committed(tps, int(committedTimeout.Milliseconds()))
	if err != nil {
		r.log.Warn("cannot read the committed offsets' metadata; finished messages above them will be handled again",
			slog.Any("error", err))
		committed = nil
	}
	r.sched.locked(func() {
		for i, tp := range tps {
			p := r.newPartition(*tp.Topic, tp.Partition)
			if i < len(committed) && committed[i].Error == nil && committed[i].Offset >= 0 {
				p.committed = int64(committed[i].Offset)
				if committed[i].Metadata != nil {
					p.committedMeta = *committed[i].Metadata
					p.skip = parseFinished(p.committed, p.committedMeta)
				}
			}
			r.parts[p.key()] = p
		}
	})
	r.log.Info("partitions assigned", slog.Any("partitions", partitionsOf(tps)))
	if r.cfg.OnAssign != nil {
		r.cfg.OnAssign(r.ctx, partitionsOf(tps))
	}
}

// revoked lets partitions go: no more of their messages are dispatched,
// their queued ones are dropped (the new owner reads them), the handler
// calls in flight are waited for (up to ShutdownGrace), and the finished
// offsets are committed before confluent-kafka-go unassigns them. When the
// assignment was lost (the group moved on without this member), nothing is
// committed: the new owner may have committed already.
func (r *run) revoked(tps []kafka.TopicPartition) {
	lost := r.kc.AssignmentLost()
	var ps []*partition
	r.sched.locked(func() {
		for _, tp := range tps {
			if p := r.parts[partKey{*tp.Topic, tp.Partition}]; p != nil {
				p.revoked = true
				ps = append(ps, p)
			}
		}
	})
	for _, p := range ps {
		p.held = nil
	}
	dropped := r.sched.drop(func(p *partition) bool { return p.revoked })
	inFlight := func() bool {
		for _, p := range ps {
			if p.running > 0 {
				return false
			}
		}
		return true
	}
	if !r.sched.wait(time.Now().Add(r.cfg.ShutdownGrace), inFlight) {
		r.log.Warn("revoked partitions still have handler calls in flight after the shutdown grace; their messages will be delivered again to the new owner")
	}
	if !lost {
		if err := r.commit(ps); err != nil {
			r.log.Warn("committing the revoked partitions' offsets", slog.Any("error", err))
		}
	}
	r.sched.locked(func() {
		for _, p := range ps {
			p.released = true
			delete(r.parts, p.key())
		}
	})
	r.log.Info("partitions revoked", slog.Any("partitions", partitionsOf(tps)), slog.Int("queued_dropped", dropped), slog.Bool("lost", lost))
	if r.cfg.OnRevoke != nil {
		r.cfg.OnRevoke(r.ctx, partitionsOf(tps))
	}
}

func partitionsOf(tps []kafka.TopicPartition) []Partition {
	out := make([]Partition, 0, len(tps))
	for _, tp := range tps {
		if tp.Topic != nil {
			out = append(out, Partition{Topic: *tp.Topic, Partition: tp.Partition})
		}
	}
	return out
}
