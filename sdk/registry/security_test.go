package registry_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/lunchbot/eventkit/sdk/registry"
)

// TestSecurityEveryVerbRedacts: no fmt verb, not even one meant for
// numbers, and not encoding/json, shows the password or the token of a
// Config or a client.
func TestSecurityEveryVerbRedacts(t *testing.T) {
	basic := registry.Config{URLs: []string{"https://r.example"}, Username: "u", Password: "pw-Tq2"}
	token := registry.Config{URLs: []string{"https://r.example"}, Token: "tok-Tq2"}
	client, err := registry.New(token)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, v := range []any{basic, &basic, token, &token, client} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%t"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		if b, err := json.Marshal(v); err == nil {
			out.Write(b)
		}
	}
	for _, s := range []string{"pw-Tq2", "tok-Tq2"} {
		if strings.Contains(out.String(), s) {
			t.Errorf("secret %q shows in:\n%s", s, out.String())
		}
	}
	if !strings.Contains(out.String(), `basic auth as "u"`) {
		t.Errorf("the settings do not show:\n%s", out.String())
	}
}
