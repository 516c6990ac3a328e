package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// manifestTopics returns the distinct topics of avro/manifest.json's events,
// in file order. It reads only what it needs, so the manifest may grow other
// fields without breaking the stack.
func manifestTopics(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	var m struct {
		Events []struct {
			Topic string `json:"topic"`
		} `json:"events"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	seen := make(map[string]bool)
	var topics []string
	for _, e := range m.Events {
		if e.Topic == "" || seen[e.Topic] {
			continue
		}
		seen[e.Topic] = true
		topics = append(topics, e.Topic)
	}
	return topics, nil
}
