package sdktest

import (
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// TestClusterServesAGroup: a consumer group on the cluster gets the
// message produced to it.
func TestClusterServesAGroup(t *testing.T) {
	c, err := NewCluster(1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	topic := "t"
	if err := c.CreateTopic(topic, 3, 1); err != nil {
		t.Fatal(err)
	}
	p, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": c.BootstrapServers()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	delivered := make(chan kafka.Event, 1)
	if err := p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Value: []byte("x")}, delivered); err != nil {
		t.Fatal(err)
	}
	if m := (<-delivered).(*kafka.Message); m.TopicPartition.Error != nil {
		t.Fatalf("not delivered: %v", m.TopicPartition.Error)
	}
	k, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": c.BootstrapServers(), "group.id": "g", "auto.offset.reset": "earliest"})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if err := k.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for time.Since(start) < 30*time.Second {
		if _, ok := k.Poll(50).(*kafka.Message); ok {
			// Reported, not asserted: the machine's speed varies.
			t.Logf("first message after %v (librdkafka's default initial rebalance delay is 3s)", time.Since(start))
			return
		}
	}
	t.Fatal("no message")
}

func TestClusterBrokerDownAndUp(t *testing.T) {
	c, err := NewCluster(2)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetBrokerDown(1); err != nil {
		t.Fatal(err)
	}
	if err := c.SetBrokerUp(1); err != nil {
		t.Fatal(err)
	}
	if err := c.SetRoundtripDuration(2, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := c.SetBrokerDown(9); err == nil {
		t.Error("a broker that does not exist went down")
	}
}
