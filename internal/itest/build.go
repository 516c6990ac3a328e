package itest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
)

// registryPkg is the schema registry's main package, a go tool of the
// tools/devstack module.
const registryPkg = "github.com/axonops/axonops-schema-registry/cmd/schema-registry"

// bins are the built devstack binaries and the repository they came from.
type bins struct {
	root     string // repository root
	devstack string // tools/devstack/bin/devstack
}

var built struct {
	once sync.Once
	b    bins
	err  error
}

// binaries builds tools/devstack/bin/{devstack,schema-registry} once per
// process. go build rewrites nothing that is up to date, and a file lock
// keeps test binaries of several packages from building at the same time.
func binaries() (bins, error) {
	built.once.Do(func() { built.b, built.err = build() })
	return built.b, built.err
}

func build() (bins, error) {
	root, err := repoRoot()
	if err != nil {
		return bins{}, err
	}
	modDir := filepath.Join(root, "tools", "devstack")
	binDir := filepath.Join(modDir, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return bins{}, fmt.Errorf("building devstack: %w", err)
	}
	unlock, err := lockFile(filepath.Join(binDir, ".build.lock"))
	if err != nil {
		return bins{}, fmt.Errorf("building devstack: locking %s: %w", binDir, err)
	}
	defer unlock()

	goBin, err := goCommand()
	if err != nil {
		return bins{}, err
	}
	// -mod=readonly: a -mod in GOFLAGS meant for the main module (vendor,
	// say) must not apply to this one.
	cmd := exec.Command(goBin, "build", "-mod=readonly", "-o", binDir+string(filepath.Separator), ".", registryPkg)
	cmd.Dir = modDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return bins{}, fmt.Errorf("building devstack (cd %s && go build -o bin/ . %s; it needs Go 1.26 and the module proxy or a filled module cache): %w\n%s",
			modDir, registryPkg, err, out)
	}
	return bins{root: root, devstack: filepath.Join(binDir, "devstack")}, nil
}

// repoRoot walks up from the working directory (a package directory under
// go test) to the directory holding tools/devstack/go.mod.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("itest: %w", err)
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "tools", "devstack", "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no tools/devstack/go.mod in %s or above it; run the tests inside the eventkit repository or set %s and %s", wd, EnvKafka, EnvRegistry)
		}
		dir = parent
	}
}

// goCommand finds the go command: on PATH, else in GOROOT.
func goCommand() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	// The GOROOT this binary was built with is the fallback: test binaries
	// run on the machine that built them.
	for _, root := range []string{os.Getenv("GOROOT"), runtime.GOROOT()} { //nolint:staticcheck // SA1019: see above
		if root == "" {
			continue
		}
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("building devstack: no go command on PATH or in GOROOT")
}

// manifestPath returns avro/manifest.json of the repository at root.
func manifestPath(root string) (string, error) {
	p := filepath.Join(root, "avro", "manifest.json")
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}
