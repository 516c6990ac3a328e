package serde

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// notFoundClient knows no schema id and counts the questions.
type notFoundClient struct {
	registry.Client
	calls int
}

func (c *notFoundClient) SchemaByID(context.Context, int) (registry.Schema, error) {
	c.calls++
	return registry.Schema{}, registry.ErrSchemaNotFound
}

func TestNotFoundExpires(t *testing.T) {
	client := &notFoundClient{}
	d := NewDeserializer(client, DeserializerConfig{NotFoundTTL: time.Second})
	now := time.Unix(1000, 0)
	d.now = func() time.Time { return now }
	msg := []byte{0, 0, 0, 0, 7}
	decode := func() {
		t.Helper()
		if _, err := d.Decode(context.Background(), msg, nopEvent{}); !errors.Is(err, registry.ErrSchemaNotFound) {
			t.Fatalf("err = %v", err)
		}
	}
	decode()
	now = now.Add(999 * time.Millisecond)
	decode()
	if client.calls != 1 {
		t.Fatalf("within the TTL: %d calls, want 1", client.calls)
	}
	now = now.Add(time.Millisecond)
	decode()
	if client.calls != 2 {
		t.Fatalf("after the TTL: %d calls, want 2", client.calls)
	}
}

type nopEvent struct{}

var nopContract = &contract.Contract{Type: "nop", Schema: `"null"`}

func (nopEvent) Contract() *contract.Contract          { return nopContract }
func (nopEvent) AppendAvro(dst []byte) ([]byte, error) { return dst, nil }
func (nopEvent) UnmarshalAvro([]byte) error            { return nil }
func (nopEvent) AppendKey(dst []byte) []byte           { return dst }
func (nopEvent) Validate() error                       { return nil }
