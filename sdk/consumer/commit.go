package consumer

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// commitEvery commits the finished offsets every interval until the
// returned function is called.
func (r *run) commitEvery(interval time.Duration) (stop func()) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := r.commit(nil); err != nil {
					// A rebalance in progress, say: the next round or the
					// revocation commits.
					r.log.Warn("committing offsets", slog.Any("error", err))
				}
				r.recordLag()
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// commit commits, for each of the partitions (every assigned one that is
// not being revoked when only is nil), its commit point: the lowest
// unfinished offset, or the one after the last polled when all are done,
// with the offsets finished above it in the metadata. Partitions whose
// point did not move since the last commit are left out. It waits for the
// broker's answer. Commits are serialized (commitMu), so that a periodic
// commit taken before a revocation cannot reach the broker after the
// revocation's and move the offset back.
func (r *run) commit(only []*partition) error {
	r.commitMu.Lock()
	defer r.commitMu.Unlock()
	var tps []kafka.TopicPartition
	var ps []*partition
	r.sched.locked(func() {
		list := only
		if list == nil {
			for _, p := range r.parts {
				if !p.revoked {
					list = append(list, p)
				}
			}
		}
		for _, p := range list {
			point := p.offs.commitPoint()
			if point < 0 {
				continue // nothing polled yet
			}
			meta := p.offs.metadata()
			if point == p.committed && meta == p.committedMeta {
				continue
			}
			tp := p.tp()
			tp.Offset = kafka.Offset(point)
			tp.Metadata = &meta
			tps = append(tps, tp)
			ps = append(ps, p)
		}
	})
	if len(tps) == 0 {
		return nil
	}
	res, err := r.kc.CommitOffsets(tps)
	var ke kafka.Error
	if errors.As(err, &ke) && ke.Code() == kafka.ErrNoOffset {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("consumer: committing %d partitions: %w", len(tps), err)
	}
	var errs []error
	r.sched.locked(func() {
		for i, p := range ps {
			if i < len(res) && res[i].Error != nil {
				errs = append(errs, fmt.Errorf("%s/%d: %w", p.topic, p.id, res[i].Error))
				continue
			}
			p.committed, p.committedMeta = int64(tps[i].Offset), *tps[i].Metadata
		}
	})
	return errors.Join(errs...)
}
