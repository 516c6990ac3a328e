package serde

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

func TestCacheEvictsTheEntryNotUsedSinceTheHandPassed(t *testing.T) {
	c := newCache[int, string](3)
	c.put(1, "a")
	c.put(2, "b")
	c.put(3, "c")
	c.get(1) // 1 gets a second chance
	c.get(3)
	c.put(4, "d") // the hand skips 1, evicts 2
	if _, ok := c.get(2); ok {
		t.Errorf("2 was not evicted")
	}
	for _, k := range []int{1, 3, 4} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%d was evicted", k)
		}
	}
	if n := c.len(); n != 3 {
		t.Errorf("len = %d, want 3", n)
	}
	// Everything used: the hand goes round once and evicts where it started.
	c.put(5, "e")
	if n := c.len(); n != 3 {
		t.Errorf("len = %d after another put, want 3", n)
	}
	if v, ok := c.get(5); !ok || v != "e" {
		t.Errorf("get(5) = %q, %v", v, ok)
	}
	c.put(5, "f")
	if v, _ := c.get(5); v != "f" {
		t.Errorf("put on an existing key did not replace: %q", v)
	}
}

// notFoundClient knows no schema id and counts the questions.
type notFoundClient struct {
	registry.Client
	calls int
}

func (c *notFoundClient) SchemaByID(context.Context, int) (string, error) {
	c.calls++
	return "", registry.ErrSchemaNotFound
}

func TestNotFoundExpires(t *testing.T) {
	client := &notFoundClient{}
	d := NewDeserializer(client, WithNotFoundTTL(time.Second))
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
