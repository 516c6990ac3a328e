package childproc_test

import (
	"fmt"
	"os/exec"

	"github.com/lunchbot/eventkit/internal/childproc"
)

// A child's output goes to a Tail, one stream each for stdout and stderr,
// to show its last lines when it fails.
func ExampleTail() {
	out := childproc.NewTail(2)
	cmd := exec.Command("sh", "-c", "echo one; echo two; printf three; exit 3")
	stdout, stderr := out.Stream(nil), out.Stream(nil)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	stdout.Flush()
	stderr.Flush()
	fmt.Printf("%v; its last lines:\n%s\n", err, out)
	// Output:
	// exit status 3; its last lines:
	// two
	// three
}

// LineWriter hands over each line of output as it completes.
func ExampleLineWriter() {
	w := childproc.NewLineWriter(func(line string) { fmt.Printf("[%s]\n", line) })
	fmt.Fprint(w, "partial ")
	fmt.Fprint(w, "line\nlast without newline")
	w.Flush()
	// Output:
	// [partial line]
	// [last without newline]
}

func ExampleParseReady() {
	kv, ok := childproc.ParseReady("KAFKA_BROKER_URL=127.0.0.1:9092 SCHEMA_REGISTRY_URL=http://127.0.0.1:8081 REGISTRY_PID=4242")
	fmt.Println(ok, kv["KAFKA_BROKER_URL"], kv["SCHEMA_REGISTRY_URL"], kv["REGISTRY_PID"])
	_, ok = childproc.ParseReady("level=WARN msg=starting")
	fmt.Println(ok)
	// Output:
	// true 127.0.0.1:9092 http://127.0.0.1:8081 4242
	// false
}
