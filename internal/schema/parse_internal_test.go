package schema

import (
	"strings"
	"testing"
)

// TestHambaParseRecovers feeds hamba/avro a schema it panics on (Parse's
// own checks refuse it first) and checks the panic comes back as an error.
func TestHambaParseRecovers(t *testing.T) {
	text := `{"type":"record","name":"R","fields":[{"name":"next","type":"R","default":{}}]}`
	_, err := hambaParse(text, nil)
	if err == nil || !strings.Contains(err.Error(), "the Avro library failed") {
		t.Errorf("hambaParse = %v, want the recovered panic", err)
	}
	if _, err := Parse(text); err == nil || !strings.Contains(err.Error(), "nests too deeply") {
		t.Errorf("Parse = %v, want the default refused by Parse's own checks", err)
	}
}
