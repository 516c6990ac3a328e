package registry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

func Example() {
	// A fake registry stands in for the real one here; a service would use
	// registry.ConfigFromEnv() (SCHEMA_REGISTRY_URL, ...).
	fake := registrytest.Start()
	defer fake.Close()

	client, err := registry.New(registry.Config{URLs: []string{fake.URL()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	const subject = "lunch-bot.deadlines-value"
	const schema = `{"type":"record","name":"DeadlinePassed","fields":[{"name":"cafe_id","type":"long"}]}`
	if _, _, err := client.LookupID(ctx, subject, schema); errors.Is(err, registry.ErrSubjectNotFound) {
		fmt.Println("not registered yet")
	}
	id, err := client.Register(ctx, subject, schema)
	if err != nil {
		fmt.Println(err)
		return
	}
	id2, version, err := client.LookupID(ctx, subject, schema)
	fmt.Println(id == id2, version, err)
	// Output:
	// not registered yet
	// true 1 <nil>
}

// ConfigFromEnv reads the registry's URL and credentials from the
// environment. (Not run: what the client finds depends on the
// environment.)
func ExampleConfigFromEnv() {
	cfg, err := registry.ConfigFromEnv()
	if err != nil {
		fmt.Println(err)
		return
	}
	client, err := registry.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = client // for serde.NewSerializer and serde.NewDeserializer
}
