package main

import (
	"fmt"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/kafkaclient"
	"github.com/lunchbot/eventkit/internal/redact"
)

// consoleProducer is a librdkafka producer of a console command, connected,
// with the client's last warning.
type consoleProducer struct {
	*kafka.Producer
	logs *consoleLogs
}

// openProducer makes a producer with the SDK producer's defaults
// (idempotent, and the Java client's partitioner, so that a key lands on
// the same partition whoever produces it) and checks that Kafka answers.
// timeout bounds each message's delivery.
func (c *consoleFlags) openProducer(clientID string, timeout time.Duration) (*consoleProducer, error) {
	kcfg, err := c.kafkaConfig()
	if err != nil {
		return nil, err
	}
	defaults := kafkaclient.ProducerDefaults(clientID)
	defaults["message.timeout.ms"] = int(timeout.Milliseconds())
	cm, err := kcfg.ConfigMap(defaults)
	if err != nil {
		return nil, err
	}
	p, err := kafka.NewProducer(&cm)
	if err != nil {
		return nil, fmt.Errorf("kafka producer: %w", redact.Error(err, kafkaclient.Secrets(cm)))
	}
	cp := &consoleProducer{Producer: p, logs: &consoleLogs{}}
	go cp.logs.drain(p.Logs())
	if _, err := p.GetMetadata(nil, false, int(consoleConnectTimeout.Milliseconds())); err != nil {
		p.Close()
		return nil, unreachableKafka(kcfg, kafkaclient.Secrets(cm), err, cp.logs)
	}
	return cp, nil
}
