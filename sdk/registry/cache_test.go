package registry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

func TestCachesAnswerWithoutRequests(t *testing.T) {
	fake := registrytest.NewServer(t)
	id := fake.Register("s-value", schemaV1)
	c := newClient(t, fastConfig(fake.URL()))
	ctx := ctx(t)
	for i := 0; i < 3; i++ {
		if got, _, err := c.LookupID(ctx, "s-value", schemaV1); err != nil || got != id {
			t.Fatalf("LookupID = %d, %v", got, err)
		}
		// The lookup answer carried the schema: no request for the id.
		if got, err := c.SchemaByID(ctx, id); err != nil || got.Text != schemaV1 {
			t.Fatalf("SchemaByID = %q, %v", got, err)
		}
		if got, err := c.Register(ctx, "s-value", schemaV1); err != nil || got != id {
			t.Fatalf("Register = %d, %v", got, err)
		}
	}
	if n := fake.Requests(); n != 1 {
		t.Errorf("the fake got %d requests, want 1", n)
	}
	st := c.Stats()
	if st.Requests != 1 || st.CacheMisses != 1 || st.CacheHits != 8 {
		t.Errorf("Stats = %+v, want 1 request, 1 miss, 8 hits", st)
	}
}

func TestCacheIsBounded(t *testing.T) {
	fake := registrytest.NewServer(t)
	var ids []int
	for i := 0; i < 3; i++ {
		ids = append(ids, fake.Register(fmt.Sprintf("s%d", i), fmt.Sprintf(`{"type":"fixed","name":"F%d","size":1}`, i)))
	}
	cfg := fastConfig(fake.URL())
	cfg.CacheSize = 2
	c := newClient(t, cfg)
	ctx := ctx(t)
	get := func(id int) {
		t.Helper()
		if _, err := c.SchemaByID(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	get(ids[0])
	get(ids[1])
	get(ids[0]) // hit: ids[0] gets a second chance, ids[1] has none
	get(ids[2]) // evicts ids[1]
	if n := fake.Requests(); n != 3 {
		t.Fatalf("after 0,1,0,2: %d requests, want 3", n)
	}
	get(ids[0]) // still cached
	get(ids[2]) // still cached
	if n := fake.Requests(); n != 3 {
		t.Fatalf("cached ids fetched again: %d requests, want 3", n)
	}
	get(ids[1]) // evicted: fetched again
	if n := fake.Requests(); n != 4 {
		t.Fatalf("evicted id: %d requests, want 4", n)
	}
}

func TestConcurrentMissesCollapsed(t *testing.T) {
	release := make(chan struct{})
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		<-release
		if r.Method == http.MethodPost {
			io.WriteString(w, `{"subject":"s","id":4,"version":2,"schema":"\"int\""}`)
			return
		}
		io.WriteString(w, `{"schema":"\"int\""}`)
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig(srv.URL))
	ctx := ctx(t)

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	var started sync.WaitGroup
	started.Add(2 * n)
	for i := 0; i < n; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			started.Done()
			if s, err := c.SchemaByID(ctx, 4); err != nil || s.Text != `"int"` {
				errs <- fmt.Errorf("SchemaByID = %q, %w", s, err)
			}
		}()
		go func() {
			defer wg.Done()
			started.Done()
			if id, v, err := c.LookupID(ctx, "s", schemaV1); err != nil || id != 4 || v != 2 {
				errs <- fmt.Errorf("LookupID = %d, %d, %w", id, v, err)
			}
		}()
	}
	started.Wait()
	// Give the goroutines time to join the two requests in flight; the
	// assertion below holds whatever the timing (late callers hit the
	// cache), this only makes the test meaningful.
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := hits.Load(); got != 2 {
		t.Errorf("server hits = %d, want 2 (one per key)", got)
	}
}

func TestLeaderGivingUpDoesNotFailOthers(t *testing.T) {
	first := make(chan struct{})
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			close(first)
			<-r.Context().Done()
			return
		}
		io.WriteString(w, `{"schema":"\"int\""}`)
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig(srv.URL))
	leaderCtx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() { _, err := c.SchemaByID(leaderCtx, 9); leaderErr <- err }()
	<-first
	followerErr := make(chan error, 1)
	go func() { _, err := c.SchemaByID(ctx(t), 9); followerErr <- err }()
	time.Sleep(20 * time.Millisecond) // let the follower join the flight
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: err = %v, want context.Canceled", err)
	}
	if err := <-followerErr; err != nil {
		t.Errorf("follower: err = %v, want success", err)
	}
}

// TestFaultLookupCacheIsBounded: the (subject, schema) → id cache holds
// CacheSize entries and evicts one not used lately (the id → schema
// cache is tested by TestCacheIsBounded).
func TestFaultLookupCacheIsBounded(t *testing.T) {
	fake := registrytest.NewServer(t)
	type sub struct{ subject, schema string }
	var subs []sub
	for i := range 3 {
		s := sub{fmt.Sprintf("s%d-value", i), fmt.Sprintf(`{"type":"fixed","name":"L%d","size":1}`, i)}
		fake.Register(s.subject, s.schema)
		subs = append(subs, s)
	}
	cfg := fastConfig(fake.URL())
	cfg.CacheSize = 2
	c := newClient(t, cfg)
	lookup := func(i int) {
		t.Helper()
		if _, _, err := c.LookupID(ctx(t), subs[i].subject, subs[i].schema); err != nil {
			t.Fatal(err)
		}
	}
	base := fake.Requests()
	for _, i := range []int{0, 1, 0, 2} { // 2 evicts 1, the one not used since it came
		lookup(i)
	}
	if n := fake.Requests() - base; n != 3 {
		t.Fatalf("after 0,1,0,2: %d requests, want 3", n)
	}
	lookup(0)
	lookup(2)
	if n := fake.Requests() - base; n != 3 {
		t.Fatalf("cached lookups asked again: %d requests, want 3", n)
	}
	lookup(1)
	if n := fake.Requests() - base; n != 4 {
		t.Fatalf("evicted lookup: %d requests, want 4", n)
	}
	if s := c.Stats(); s.CacheHits != 3 {
		t.Errorf("stats %+v, want 3 hits", s)
	}
}
