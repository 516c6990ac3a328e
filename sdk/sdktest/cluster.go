package sdktest

/*
#include <stdlib.h>
#include <stdint.h>

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_conf_s rd_kafka_conf_t;
typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

rd_kafka_conf_t *rd_kafka_conf_new(void);
int rd_kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, char *errstr, size_t errstr_size);
void rd_kafka_conf_destroy(rd_kafka_conf_t *conf);
rd_kafka_t *rd_kafka_new(int type, rd_kafka_conf_t *conf, char *errstr, size_t errstr_size);
void rd_kafka_destroy(rd_kafka_t *rk);
rd_kafka_mock_cluster_t *rd_kafka_mock_cluster_new(rd_kafka_t *rk, int broker_cnt);
void rd_kafka_mock_cluster_destroy(rd_kafka_mock_cluster_t *mcluster);
const char *rd_kafka_mock_cluster_bootstraps(const rd_kafka_mock_cluster_t *mcluster);
int rd_kafka_mock_topic_create(rd_kafka_mock_cluster_t *mcluster, const char *topic, int partition_cnt, int replication_factor);
int rd_kafka_mock_broker_set_down(rd_kafka_mock_cluster_t *mcluster, int32_t broker_id);
int rd_kafka_mock_broker_set_up(rd_kafka_mock_cluster_t *mcluster, int32_t broker_id);
int rd_kafka_mock_broker_set_rtt(rd_kafka_mock_cluster_t *mcluster, int32_t broker_id, int rtt_ms);
void rd_kafka_mock_group_initial_rebalance_delay_ms(rd_kafka_mock_cluster_t *mcluster, int32_t delay_ms);
*/
import "C" //nolint:gocritic // dupImport mistakes cgo's "C" for a second import of unsafe

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
	"unsafe" //nolint:gocritic // see import "C"

	// confluent-kafka-go links librdkafka, whose functions this package
	// calls.
	_ "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Cluster is librdkafka's mock cluster, an in-process Kafka broker that
// speaks the protocol to any client, started the way a test kit needs it:
// quiet (confluent-kafka-go's NewMockCluster makes librdkafka print a
// CONFWARN line on every test) and with consumer groups that form at once
// (librdkafka's mock, like Kafka, waits 3 seconds for more members before a
// group's first rebalance). It keeps at most 5 MiB per partition.
//
// It calls librdkafka's C API, which confluent-kafka-go links into every
// program that imports it; the few functions are declared above rather
// than through librdkafka's headers, which live in confluent-kafka-go's
// module.
type Cluster struct {
	mu       sync.Mutex
	rk       *C.rd_kafka_t
	mcluster *C.rd_kafka_mock_cluster_t
	addrs    []string // the brokers' host:port
}

// NewCluster starts a mock cluster of brokers brokers (ids 1 to brokers).
// Close stops it.
func NewCluster(brokers int) (*Cluster, error) {
	errstr := (*C.char)(C.malloc(512))
	defer C.free(unsafe.Pointer(errstr))
	conf := C.rd_kafka_conf_new()
	for k, v := range map[string]string{
		// The handle only carries the cluster: it connects to nothing, and
		// its notices (no bootstrap.servers) are noise in a test's output.
		"log_level": "3",
	} {
		ck, cv := C.CString(k), C.CString(v)
		rc := C.rd_kafka_conf_set(conf, ck, cv, errstr, 512)
		C.free(unsafe.Pointer(ck))
		C.free(unsafe.Pointer(cv))
		if rc != 0 {
			C.rd_kafka_conf_destroy(conf)
			return nil, fmt.Errorf("mock cluster: %s=%s: %s", k, v, C.GoString(errstr))
		}
	}
	rk := C.rd_kafka_new(0 /* producer */, conf, errstr, 512)
	if rk == nil {
		C.rd_kafka_conf_destroy(conf)
		return nil, fmt.Errorf("mock cluster: %s", C.GoString(errstr))
	}
	mc := C.rd_kafka_mock_cluster_new(rk, C.int(brokers))
	if mc == nil {
		C.rd_kafka_destroy(rk)
		return nil, errors.New("mock cluster: librdkafka could not start it")
	}
	C.rd_kafka_mock_group_initial_rebalance_delay_ms(mc, 0)
	bootstraps := C.GoString(C.rd_kafka_mock_cluster_bootstraps(mc))
	return &Cluster{rk: rk, mcluster: mc, addrs: strings.Split(bootstraps, ",")}, nil
}

// BootstrapServers returns the brokers' addresses, "host:port,...".
func (c *Cluster) BootstrapServers() string { return strings.Join(c.addrs, ",") }

// call runs fn, a request to the cluster's thread, under the lock. The
// thread sometimes misses the wake-up of its request queue and serves it
// only when its poll times out, a second later; so while fn waits, call
// knocks at the brokers' ports, and a connection wakes the thread.
func (c *Cluster) call(fn func() C.int) C.int {
	c.mu.Lock()
	defer c.mu.Unlock()
	done := make(chan struct{})
	defer close(done)
	go c.knock(done)
	return fn()
}

func (c *Cluster) knock(done <-chan struct{}) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			for _, addr := range c.addrs {
				if conn, err := net.DialTimeout("tcp", addr, 50*time.Millisecond); err == nil {
					conn.Close()
				}
			}
		}
	}
}

// CreateTopic creates topic with partitions partitions.
func (c *Cluster) CreateTopic(topic string, partitions, replication int) error {
	ct := C.CString(topic)
	defer C.free(unsafe.Pointer(ct))
	return result(c.call(func() C.int {
		return C.rd_kafka_mock_topic_create(c.mcluster, ct, C.int(partitions), C.int(replication))
	}), "creating topic "+topic)
}

// SetBrokerDown makes broker id stop answering (its connections close).
func (c *Cluster) SetBrokerDown(id int) error {
	return result(c.call(func() C.int { return C.rd_kafka_mock_broker_set_down(c.mcluster, C.int32_t(id)) }), fmt.Sprintf("setting broker %d down", id))
}

// SetBrokerUp makes broker id answer again.
func (c *Cluster) SetBrokerUp(id int) error {
	return result(c.call(func() C.int { return C.rd_kafka_mock_broker_set_up(c.mcluster, C.int32_t(id)) }), fmt.Sprintf("setting broker %d up", id))
}

// SetRoundtripDuration delays broker id's answers by d.
func (c *Cluster) SetRoundtripDuration(id int, d time.Duration) error {
	return result(c.call(func() C.int {
		return C.rd_kafka_mock_broker_set_rtt(c.mcluster, C.int32_t(id), C.int(d.Milliseconds()))
	}), fmt.Sprintf("setting broker %d's round trip", id))
}

// Close stops the cluster.
func (c *Cluster) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mcluster == nil {
		return
	}
	C.rd_kafka_mock_cluster_destroy(c.mcluster)
	C.rd_kafka_destroy(c.rk)
	c.mcluster, c.rk = nil, nil
}

// result turns a librdkafka error code into an error.
func result(code C.int, what string) error {
	if code != 0 {
		return fmt.Errorf("mock cluster: %s: librdkafka error %d", what, int(code))
	}
	return nil
}
