package main

// make dev-up writes the dev stack's addresses to .devstack/env. eventctl
// takes the broker and the registry from there when nothing else names
// them, so that "make dev-up" then "make register" (or eventctl consume)
// talks to that stack without the file being sourced first.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// devstackEnvFile is where make dev-up writes the stack's variables,
// relative to the repository root.
var devstackEnvFile = filepath.Join(".devstack", "env")

// withDevstackEnv makes env.getenv fall back on the .devstack/env of
// env.dir (or of its nearest parent, up to the repository root) for the
// registry URL when the environment does not set it, and for the broker,
// with its security protocol, when neither KAFKA_BROKER_URL nor its alias
// is set. A flag still wins: it overrides whatever getenv returns.
func withDevstackEnv(env *environment) {
	path, vars, err := findDevstackEnv(env.dir)
	if err != nil {
		fmt.Fprintf(env.stderr, "eventctl: ignoring %s: %v\n", path, err)
		return
	}
	if vars == nil {
		return
	}
	getenv := env.getenv
	unset := func(k string) bool { return strings.TrimSpace(getenv(k)) == "" }
	fallback := map[string]string{}
	if unset(kafkaconfig.EnvBrokerURL) && unset(kafkaconfig.EnvBootstrapServers) {
		fallback[kafkaconfig.EnvBrokerURL] = vars[kafkaconfig.EnvBrokerURL]
		fallback[kafkaconfig.EnvSecurityProtocol] = vars[kafkaconfig.EnvSecurityProtocol]
	}
	if unset(registry.EnvURL) {
		fallback[registry.EnvURL] = vars[registry.EnvURL]
	}
	env.getenv = func(k string) string {
		if !unset(k) {
			return getenv(k)
		}
		return fallback[k]
	}
}

// findDevstackEnv reads the .devstack/env of dir or of its nearest parent,
// stopping at the repository root (the directory holding .git) or the
// file system's root. It returns nil variables when there is none.
func findDevstackEnv(dir string) (string, map[string]string, error) {
	for d := filepath.Clean(dir); ; {
		path := filepath.Join(d, devstackEnvFile)
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			return path, parseEnvFile(string(data)), nil
		case !errors.Is(err, fs.ErrNotExist):
			return path, nil, err
		}
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return "", nil, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", nil, nil
		}
		d = parent
	}
}

// parseEnvFile reads KEY=VALUE lines, as devstack writes them and as a
// shell would source them: blank lines and # comments skipped, an "export "
// prefix and quotes around the value allowed.
func parseEnvFile(text string) map[string]string {
	vars := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		vars[strings.TrimSpace(k)] = v
	}
	return vars
}
