package service

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
)

// Record is the JSON line an example prints per event it published or
// consumed: where Kafka stored it, with which schema, and what was done.
type Record struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	SchemaID  int    `json:"schema_id"`
	// Key is the message key as text ("" for none).
	Key string `json:"key"`
	// EventID, EventType and Source are the CloudEvents headers ce_id,
	// ce_type and ce_source.
	EventID   cloudevents.EventID `json:"event_id"`
	EventType string              `json:"event_type"`
	Source    string              `json:"source,omitempty"`
	// Action is what the example did: published, notified, duplicate, ran,
	// ignored.
	Action string `json:"action"`
	// Event is the event's fields (DeadlinePassedJSON or DailyTaskJSON).
	Event any `json:"event"`
}

// DeadlinePassedJSON is the JSON form of a deadline.passed event, with the
// schema's field names.
type DeadlinePassedJSON struct {
	Type      string       `json:"type"`
	CafeID    int64        `json:"cafe_id"`
	Date      avrobin.Date `json:"date"`
	Timestamp time.Time    `json:"timestamp"`
}

// DeadlinePassed returns the JSON form of e.
func DeadlinePassed(e *events.DeadlinePassed) DeadlinePassedJSON {
	return DeadlinePassedJSON{Type: e.Type, CafeID: e.CafeID, Date: e.Date, Timestamp: e.Timestamp}
}

// DailyTaskJSON is the JSON form of a daily_task event, with the schema's
// field names.
type DailyTaskJSON struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
}

// DailyTask returns the JSON form of e.
func DailyTask(e *events.DailyTask) DailyTaskJSON {
	return DailyTaskJSON{Type: e.Type, Timestamp: e.Timestamp}
}

// Printer writes Records as JSON lines; it is safe for concurrent use.
type Printer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewPrinter returns a Printer writing to w.
func NewPrinter(w io.Writer) *Printer { return &Printer{w: w} }

// Print writes r as one line of JSON.
func (p *Printer) Print(r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding the record of %s/%d/%d: %w", r.Topic, r.Partition, r.Offset, err)
	}
	b = append(b, '\n')
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.w.Write(b); err != nil {
		return fmt.Errorf("printing the record of %s/%d/%d: %w", r.Topic, r.Partition, r.Offset, err)
	}
	return nil
}
