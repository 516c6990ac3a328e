package kafkaconfig_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
)

// TestSecurityJSONAndEveryVerbRedact: encoding/json and every fmt verb show
// no secret, including sensitive Properties held as plain strings. (%p of a
// Config value, which go vet reports as a wrong verb, is the exception:
// fmt then prints the fields raw, bypassing every method.)
func TestSecurityJSONAndEveryVerbRedact(t *testing.T) {
	c := kafkaconfig.Config{
		SecurityProtocol: "sasl_ssl", SASLMechanism: "SCRAM-SHA-512", SASLUsername: "u", SASLPassword: "pw-Tq2",
		Properties: map[string]any{"sasl.oauthbearer.client.secret": "cs-Tq2", "ssl.key.pem": "pem-Tq2", "linger.ms": 5},
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	var back map[string]string
	if err := json.Unmarshal(b, &back); err != nil || back["sasl.mechanism"] != "SCRAM-SHA-512" || back["linger.ms"] != "5" {
		t.Errorf("JSON %s does not describe the settings (%v)", b, err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%t"} {
		out += fmt.Sprintf(verb+"\n", c) + fmt.Sprintf(verb+"\n", &c)
	}
	for _, s := range []string{"pw-Tq2", "cs-Tq2", "pem-Tq2"} {
		if strings.Contains(out, s) {
			t.Errorf("secret %q shows in:\n%s", s, out)
		}
	}
}
