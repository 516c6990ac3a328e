// Package producer publishes typed events to Kafka: each event is validated,
// encoded in the Confluent wire format against the schema its contract
// carries, and produced to its contract's topic, keyed by its key field,
// with CloudEvents headers.
//
//	cfg, err := producer.ConfigFromEnv() // KAFKA_BROKER_URL, SCHEMA_REGISTRY_URL, ...
//	cfg.Name = "lunch-api"
//	p, err := producer.New(ctx, cfg, events.DeadlinePassedContract)
//	defer p.Close(ctx)
//
//	e := events.NewDeadlinePassed()
//	e.CafeID, e.Date, e.Timestamp = 42, avrobin.DateOf(now), now
//	d, err := p.Publish(ctx, e) // waits for Kafka's acknowledgement
//
// New resolves the schema id of every contract it is given (so that a
// missing subject fails at start and no publish calls the registry) and
// checks that a broker answers within kafkaconfig.Config.ConnectTimeout,
// failing with an error matching kafkaconfig.ErrUnreachable that says what
// it tried. Close flushes. Publish waits for Kafka's acknowledgement, never
// longer than its context; PublishAsync hands it to a callback. An event
// that fails its Validate is refused before anything is sent
// (ErrInvalidEvent).
//
// Delivery is idempotent (enable.idempotence=true, acks=all): librdkafka
// retries without duplicating or reordering, until Config.DeliveryTimeout.
//
// # Headers
//
// By default (HeadersFull) every message carries the CloudEvents
// binary-mode headers (see package cloudevents): ce_specversion "1.0",
// ce_id (a UUIDv7), ce_source (Config.Name), ce_type (the contract's event
// type), content-type "application/avro" (the value is in the Confluent
// wire format), ce_dataschema (the writer schema's URL in the registry,
// which carries its id), and the trace context (traceparent, tracestate,
// baggage) when the context carries one. Config.Headers chooses a smaller
// profile for throughput-bound services: HeadersMinimal or HeadersNone
// (see HeaderProfile for what each keeps working).
//
// # Logs
//
// Publishes are logged to Config.Logger: successes and refused events
// (which the caller has as an error) at debug level, failed deliveries at
// error level with their type, key and id. An event's fields appear only
// when it describes itself to slog (generated events do), never as a %v
// of the whole event; Config.OmitEventBodies leaves them out of every
// line. librdkafka's own logs go to the same logger, its repeated
// connection errors summarized: one warning when the brokers stop
// answering, a count while they stay down, one line when they answer
// again.
//
// # Traces and metrics
//
// A span per publish and the messaging metrics go to the OpenTelemetry
// providers of Config (the global ones by default); with none installed
// they cost nothing. The README's Observability section lists them.
//
// # Configuration
//
// Config.Kafka reads the brokers and credentials from code or from the
// environment (package kafkaconfig: KAFKA_BROKER_URL, KAFKA_SECURITY_PROTOCOL,
// KAFKA_SASL_*, KAFKA_SSL_CA_LOCATION, KAFKA_CONNECT_TIMEOUT); any librdkafka
// property can be set in Config.Kafka.Properties.
package producer
