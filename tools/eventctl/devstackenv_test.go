package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lunchbot/eventkit/internal/itest"
)

// devstackRepo makes a repository root with .git and .devstack/env holding
// envFile, and a directory two levels below it, which it returns with the
// root.
func devstackRepo(t *testing.T, envFile string) (root, sub string) {
	t.Helper()
	root = t.TempDir()
	sub = filepath.Join(root, "a", "b")
	for _, d := range []string{filepath.Join(root, ".git"), filepath.Join(root, ".devstack"), sub} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, ".devstack", "env"), []byte(envFile), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, sub
}

// The file as devstack writes it.
const devstackEnvText = "KAFKA_BROKER_URL=127.0.0.1:39092\nSCHEMA_REGISTRY_URL=http://127.0.0.1:38081\nDEVSTACK_PID=4242\nREGISTRY_PID=4243\nKAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT\n"

func TestDevstackEnvFallsBackOnlyForWhatIsUnset(t *testing.T) {
	_, sub := devstackRepo(t, devstackEnvText)
	lookup := func(vars map[string]string, key string) string {
		env := &environment{stderr: &bytes.Buffer{}, dir: sub, getenv: func(k string) string { return vars[k] }}
		withDevstackEnv(env)
		return env.getenv(key)
	}
	for _, c := range []struct {
		name string
		vars map[string]string
		key  string
		want string
	}{
		{"broker from the file", nil, "KAFKA_BROKER_URL", "127.0.0.1:39092"},
		{"its protocol with it", nil, "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"},
		{"registry from the file", nil, "SCHEMA_REGISTRY_URL", "http://127.0.0.1:38081"},
		{"nothing else", nil, "DEVSTACK_PID", ""},
		{"the variable wins", map[string]string{"SCHEMA_REGISTRY_URL": "http://r:1"}, "SCHEMA_REGISTRY_URL", "http://r:1"},
		{"the broker's too", map[string]string{"KAFKA_BROKER_URL": "b:1"}, "KAFKA_BROKER_URL", "b:1"},
		{"and then not the file's protocol", map[string]string{"KAFKA_BROKER_URL": "b:1"}, "KAFKA_SECURITY_PROTOCOL", ""},
		{"the alias counts as set", map[string]string{"KAFKA_BOOTSTRAP_SERVERS": "b:2"}, "KAFKA_BROKER_URL", ""},
		{"blank counts as unset", map[string]string{"SCHEMA_REGISTRY_URL": " "}, "SCHEMA_REGISTRY_URL", "http://127.0.0.1:38081"},
		{"the other stays the file's", map[string]string{"KAFKA_BROKER_URL": "b:1"}, "SCHEMA_REGISTRY_URL", "http://127.0.0.1:38081"},
	} {
		if got := lookup(c.vars, c.key); got != c.want {
			t.Errorf("%s: %s = %q, want %q", c.name, c.key, got, c.want)
		}
	}
}

func TestDevstackEnvIsLookedForUpToTheRepositoryRoot(t *testing.T) {
	root, sub := devstackRepo(t, "export SCHEMA_REGISTRY_URL='http://127.0.0.1:1'\n# a comment\n\n")
	for _, dir := range []string{root, sub} {
		path, vars, err := findDevstackEnv(dir)
		if err != nil || path != filepath.Join(root, ".devstack", "env") || vars["SCHEMA_REGISTRY_URL"] != "http://127.0.0.1:1" || len(vars) != 1 {
			t.Errorf("from %s: %s, %v, %v", dir, path, vars, err)
		}
	}
	// A .devstack above the repository root is another project's.
	inner := filepath.Join(root, "vendor", "other")
	if err := os.MkdirAll(filepath.Join(inner, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if path, vars, err := findDevstackEnv(inner); path != "" || vars != nil || err != nil {
		t.Errorf("beyond the root: %q, %v, %v", path, vars, err)
	}
}

// TestDevstackEnvNamesTheRegistry: with no variable set, eventctl talks to
// the registry .devstack/env names; a variable or a flag still wins.
func TestDevstackEnvNamesTheRegistry(t *testing.T) {
	_, sub := devstackRepo(t, "SCHEMA_REGISTRY_URL=http://127.0.0.1:2\n")
	manifest := regManifest(t, t.TempDir(), regEvent{typ: "a", topic: "t", file: "a.avsc", schema: regOrderV1})
	for _, c := range []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"from the file", nil, nil, "eventctl register: cannot read previous schema versions: registry http://127.0.0.1:2, subject \"t-value\""},
		{"the variable wins", map[string]string{"SCHEMA_REGISTRY_URL": "http://127.0.0.1:3"}, nil, "eventctl register: cannot read previous schema versions: registry http://127.0.0.1:3, subject \"t-value\""},
		{"the flag wins", map[string]string{"SCHEMA_REGISTRY_URL": "http://127.0.0.1:3"}, []string{"--registry", "http://127.0.0.1:1"}, "eventctl register: cannot read previous schema versions: registry http://127.0.0.1:1, subject \"t-value\""},
	} {
		var stdout, stderr bytes.Buffer
		env := &environment{stdin: bytes.NewReader(nil), stdout: &stdout, stderr: &stderr, dir: sub, getenv: func(k string) string { return c.vars[k] }}
		code := run(context.Background(), env, append([]string{"register", "--manifest", manifest, "--dry-run"}, c.args...))
		if code != exitBadInput || !bytes.HasPrefix(stderr.Bytes(), []byte(c.want)) {
			t.Errorf("%s: exit %d, want 2 and stderr starting %q:\n%s", c.name, code, c.want, stderr.String())
		}
	}
}

// TestDevstackEnvServesRegisterAndCompat: make register and make compat
// (eventctl register, eventctl compat check --registry-from-env) work
// against the stack .devstack/env names, with nothing in the environment.
func TestDevstackEnvServesRegisterAndCompat(t *testing.T) {
	url := itest.Registry(t)
	_, sub := devstackRepo(t, "KAFKA_BROKER_URL=127.0.0.1:1\nSCHEMA_REGISTRY_URL="+url+"\n")
	order := regEvent{typ: "order.placed", topic: regTopic(t, "orders"), file: "order.avsc", schema: regOrderV1}
	manifest := regManifest(t, t.TempDir(), order)
	runIn := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		env := &environment{stdin: bytes.NewReader(nil), stdout: &stdout, stderr: &stderr, dir: sub, getenv: func(string) string { return "" }}
		code := run(context.Background(), env, args)
		return code, stdout.String(), stderr.String()
	}
	code, out, errOut := runIn("register", "--manifest", manifest)
	if want := order.subject() + ": registered: version 1, id "; code != exitOK || !bytes.HasPrefix([]byte(out), []byte(want)) {
		t.Errorf("register: exit %d, want 0 and %q...\n%s%s", code, want, out, errOut)
	}
	if want := "eventctl register: 1 subject at " + url + ": 1 schema registered, 1 level set, 0 unchanged\n"; errOut != want {
		t.Errorf("register said %q, want %q", errOut, want)
	}
	code, out, errOut = runIn("compat", "check", "--manifest", manifest, "--git=false", "--registry-from-env")
	if code != exitOK {
		t.Errorf("compat check --registry-from-env: exit %d\n%s%s", code, out, errOut)
	}
}
