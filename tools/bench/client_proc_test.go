package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"
)

// clientProc is a client process: a test binary of this package (this one,
// or the one built against the SDK before OpenTelemetry) started with
// envClientChild, see clientChild.
type clientProc struct {
	bin    string
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Scanner
	stderr bytes.Buffer // read only once the process has ended
	sdk    string       // the sdkName it was built with
	ended  bool
}

// startClient starts bin as the client process of spec and waits until it
// is ready; it is stopped when b ends.
func startClient(b *testing.B, bin string, spec clientSpec) *clientProc {
	b.Helper()
	js, err := json.Marshal(spec)
	if err != nil {
		b.Fatal(err)
	}
	c := &clientProc{bin: bin, cmd: exec.Command(bin)}
	c.cmd.Env = append(os.Environ(), envClientChild+"="+string(js))
	c.cmd.Stderr = &c.stderr
	if c.in, err = c.cmd.StdinPipe(); err != nil {
		b.Fatal(err)
	}
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	c.out = bufio.NewScanner(out)
	if err := c.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := c.stop(); err != nil {
			b.Errorf("client process %s: %v\n%s", c.bin, err, c.stderr.String())
		}
	})
	c.sdk = c.reply(b).SDK
	return c
}

// do runs cmd in the client process and returns what it cost.
func (c *clientProc) do(b *testing.B, cmd clientCmd) cost {
	b.Helper()
	js, err := json.Marshal(cmd)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.in.Write(append(js, '\n')); err != nil {
		c.fail(b, err)
	}
	return c.reply(b).Cost
}

// batch returns a function that runs op on a batch of messages, adding
// its cost to total; consume batches read in a new group each.
func (c *clientProc) batch(b *testing.B, op string, total *cost) func(from, n int) error {
	return func(from, n int) error {
		cmd := clientCmd{Op: op, From: from, N: n}
		if op == "consume" {
			cmd.Group = newGroup()
		}
		total.add(c.do(b, cmd))
		return nil
	}
}

// reply reads the process's next answer.
func (c *clientProc) reply(b *testing.B) clientReply {
	b.Helper()
	if !c.out.Scan() {
		c.fail(b, c.out.Err())
	}
	var r clientReply
	if err := json.Unmarshal(c.out.Bytes(), &r); err != nil {
		c.fail(b, err)
	}
	return r
}

// fail ends the process and fails b with what it wrote on its standard
// error.
func (c *clientProc) fail(b *testing.B, err error) {
	b.Helper()
	werr := c.stop()
	b.Fatalf("client process %s: %v (%v)\n%s", c.bin, err, werr, c.stderr.String())
}

// stopWait bounds how long a client process has to end once its standard
// input is closed.
const stopWait = time.Minute

// stop closes the process's standard input, which ends it, and waits for
// it (killing it after stopWait).
func (c *clientProc) stop() error {
	if c.ended {
		return nil
	}
	c.ended = true
	c.in.Close()
	t := time.AfterFunc(stopWait, func() { _ = c.cmd.Process.Kill() })
	defer t.Stop()
	return c.cmd.Wait()
}
