package itest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/childproc"
)

func TestMain(m *testing.M) { Main(m) }

// waitLimit bounds every wait for a server in these tests. It is a limit
// for giving up, not a performance assertion.
const waitLimit = 60 * time.Second

type record struct {
	Key, Value string
	Headers    map[string]string
}

func TestEnvironmentOverridesStartNothing(t *testing.T) {
	t.Setenv(EnvKafka, "kafka.example:9092")
	t.Setenv(EnvRegistry, "http://registry.example:8081/")
	if got := Broker(t); got != "kafka.example:9092" {
		t.Errorf("Broker = %q; want the value of %s", got, EnvKafka)
	}
	if got := Registry(t); got != "http://registry.example:8081" {
		t.Errorf("Registry = %q; want the value of %s without the trailing slash", got, EnvRegistry)
	}
}

func TestPortTakenIsReported(t *testing.T) {
	if testing.Short() {
		t.Skip("builds devstack")
	}
	b, err := binaries()
	if err != nil {
		t.Fatalf("itest: %v", err)
	}
	for _, flagName := range []string{"-kafka-port", "-registry-port"} {
		t.Run(flagName, func(t *testing.T) {
			ln, port := listenAny(t)
			defer ln.Close()
			args := []string{"run", "-kafka-port=0", "-registry-port=0", flagName + "=" + strconv.Itoa(port)}
			out, code := runStatus(t, b.devstack, args...)
			if code != 1 {
				t.Errorf("devstack %v exited %d; want 1\n%s", args, code, out)
			}
			for _, want := range []string{fmt.Sprintf("127.0.0.1:%d is taken", port), flagName} {
				if !strings.Contains(out, want) {
					t.Errorf("devstack %v output lacks %q:\n%s", args, want, out)
				}
			}
		})
	}
}

// TestNoOrphansWhenTestProcessDies runs this test binary again as a helper
// that starts a stack and is then killed with SIGKILL, as a test timeout or
// a crash would end it; devstack and the registry must go away with it.
func TestNoOrphansWhenTestProcessDies(t *testing.T) {
	if os.Getenv("ITEST_ORPHAN_HELPER") == "1" {
		s := Start(t, Options{InMemory: true})
		fmt.Printf("PIDS %d %d\n", s.p.cmd.Process.Pid, s.p.registryPID)
		time.Sleep(5 * time.Minute) // killed by the parent long before
		return
	}
	if testing.Short() {
		t.Skip("starts a stack")
	}
	if _, err := binaries(); err != nil { // build here, not in the helper
		t.Fatalf("itest: %v", err)
	}
	helper, pids := startOrphanHelper(t)
	devstackPID, registryPID := pids[0], pids[1]
	if !childproc.PIDAlive(devstackPID) || !childproc.PIDAlive(registryPID) {
		t.Fatalf("helper reported pids %d and %d, not both alive", devstackPID, registryPID)
	}
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	deadline := time.Now().Add(waitLimit)
	for (childproc.PIDAlive(devstackPID) || childproc.PIDAlive(registryPID)) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	for name, pid := range map[string]int{"devstack": devstackPID, "schema registry": registryPID} {
		if childproc.PIDAlive(pid) {
			t.Errorf("%s (pid %d) still runs %v after the test process was killed", name, pid, waitLimit)
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Kill()
			}
		}
	}
}
