package manifest

import "testing"

func TestLoadRepositoryManifest(t *testing.T) {
	m, err := Load("../../avro/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Events {
		t.Logf("%s %s %s %s %s %x", e.Type, e.Topic, e.Subject, e.Compatibility, e.Schema.Canonical(), e.Schema.CRC64())
	}
}
