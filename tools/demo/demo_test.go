package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckRecord(t *testing.T) {
	good := `{"topic":"lunch-bot.deadlines","partition":0,"offset":0,"schema_id":1,"key":"1","event":{}}`
	if err := checkRecord(good); err != nil {
		t.Errorf("checkRecord(%s) = %v", good, err)
	}
	for line, want := range map[string]string{
		`time=... level=INFO msg=hello`:                         "invalid character",
		`{"partition":0,"offset":0,"schema_id":1}`:              "no topic",
		`{"topic":"t","offset":0,"schema_id":1}`:                "no partition",
		`{"topic":"t","partition":0,"schema_id":1}`:             "no offset",
		`{"topic":"t","partition":0,"offset":3}`:                "no schema id",
		`{"topic":"t","partition":-1,"offset":3,"schema_id":1}`: "no partition",
	} {
		if err := checkRecord(line); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkRecord(%s) = %v, want %q", line, err, want)
		}
	}
}

// TestServiceEnv: the services get the demo stack's addresses and none of
// the caller's Kafka or registry settings, which may name a real cluster.
func TestServiceEnv(t *testing.T) {
	t.Setenv("KAFKA_BROKER_URL", "prod:9093")
	t.Setenv("KAFKA_SASL_PASSWORD", "secret")
	t.Setenv("SCHEMA_REGISTRY_TOKEN", "token")
	t.Setenv("CAFE_DEADLINES", "1=11:00")
	t.Setenv("LOG_LEVEL", "debug")
	t.Setenv("DEMO_TEST_KEPT", "yes")
	d := &demo{brokerURL: "127.0.0.1:1234", registryURL: "http://127.0.0.1:5678"}
	env := map[string][]string{}
	for _, kv := range d.serviceEnv("KAFKA_GROUP_ID=g") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = append(env[k], v)
	}
	want := map[string][]string{
		"KAFKA_BROKER_URL":    {"127.0.0.1:1234"},
		"SCHEMA_REGISTRY_URL": {"http://127.0.0.1:5678"},
		"LOG_LEVEL":           {"warn"},
		"KAFKA_GROUP_ID":      {"g"},
		"DEMO_TEST_KEPT":      {"yes"},
	}
	got := map[string][]string{}
	for k := range want {
		got[k] = env[k]
	}
	for _, k := range []string{"KAFKA_SASL_PASSWORD", "SCHEMA_REGISTRY_TOKEN", "CAFE_DEADLINES"} {
		if v, ok := env[k]; ok {
			got[k] = v
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("service environment (-want +got):\n%s", diff)
	}
}

func TestSplitList(t *testing.T) {
	if diff := cmp.Diff([]string{"1", "2", "x y"}, splitList(" 1,,2 , x y ,")); diff != "" {
		t.Error(diff)
	}
	if got := splitList(""); got != nil {
		t.Errorf("splitList(\"\") = %q", got)
	}
}

func TestBadFlags(t *testing.T) {
	var out, errOut strings.Builder
	if code := realMain([]string{"-cafes", "", "-tasks", ""}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "nothing to publish") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
	errOut.Reset()
	if code := realMain([]string{"extra"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "unexpected arguments") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}
