package main

import (
	"fmt"
	"sort"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/kafkaclient"
	"github.com/lunchbot/eventkit/internal/redact"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
)

// consoleConsumer is a librdkafka consumer of a console command, with what
// its messages need: the settings it was made from, their secrets, and the
// client's last warning.
type consoleConsumer struct {
	*kafka.Consumer
	cfg     kafkaconfig.Config
	secrets []string
	logs    *consoleLogs
}

// openConsumer makes a consumer from the environment and the flags, with
// props on top of the Kafka settings.
func (c *consoleFlags) openConsumer(props kafka.ConfigMap) (*consoleConsumer, error) {
	kcfg, err := c.kafkaConfig()
	if err != nil {
		return nil, err
	}
	props["go.logs.channel.enable"] = true
	cm, err := kcfg.ConfigMap(props)
	if err != nil {
		return nil, err
	}
	kc, err := kafka.NewConsumer(&cm)
	if err != nil {
		return nil, fmt.Errorf("kafka consumer: %w", redact.Error(err, kafkaclient.Secrets(cm)))
	}
	cc := &consoleConsumer{Consumer: kc, cfg: kcfg, secrets: kafkaclient.Secrets(cm), logs: &consoleLogs{}}
	go cc.logs.drain(kc.Logs())
	return cc, nil
}

// partitions returns the partitions of topic, in order, or an error that
// says why there are none: Kafka unreachable, or no such topic.
func (c *consoleConsumer) partitions(topic string) ([]int32, error) {
	md, err := c.GetMetadata(&topic, false, int(consoleConnectTimeout.Milliseconds()))
	if err != nil {
		return nil, unreachableKafka(c.cfg, c.secrets, err, c.logs)
	}
	tm, ok := md.Topics[topic]
	if !ok || tm.Error.Code() != kafka.ErrNoError || len(tm.Partitions) == 0 {
		reason := "no such topic"
		if ok && tm.Error.Code() != kafka.ErrNoError {
			reason = tm.Error.String()
		}
		servers := consoleServers(c.cfg)
		return nil, fmt.Errorf("topic %q on %s: %s (list the topics with: kcat -b %s -L)", topic, servers, reason, servers)
	}
	ids := make([]int32, len(tm.Partitions))
	for i, p := range tm.Partitions {
		ids[i] = p.ID
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// kafkaError is a Kafka error without the secrets of the settings.
func (c *consoleConsumer) kafkaError(err error) error {
	return fmt.Errorf("kafka: %w", redact.Error(err, c.secrets))
}
