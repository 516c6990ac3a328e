package childproc

import (
	"bytes"
	"strings"
	"sync"
)

// LineWriter is an io.Writer that calls a function with each complete line
// written to it, without its newline, in order. A line may arrive in
// several writes; Flush hands over a last line that no newline ended. It is
// safe for concurrent use; the function runs with the writer locked, so it
// must not write to the same LineWriter.
type LineWriter struct {
	mu      sync.Mutex
	fn      func(line string)
	partial []byte
}

// NewLineWriter returns a LineWriter that calls fn with each line.
func NewLineWriter(fn func(line string)) *LineWriter {
	return &LineWriter{fn: fn}
}

// Write splits b into lines, keeping an unterminated end for the next
// Write or Flush. It never fails.
func (w *LineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, b...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := string(w.partial[:i])
		w.partial = w.partial[i+1:]
		w.fn(line)
	}
}

// Flush hands over the unterminated last line, if any. Call it once the
// writing side is done, e.g. after exec.Cmd.Wait.
func (w *LineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) > 0 {
		w.fn(string(w.partial))
		w.partial = nil
	}
}

// Tail keeps the last lines written to any of its streams, to show in an
// error message when a child fails. It is safe for concurrent use.
type Tail struct {
	max   int
	mu    sync.Mutex
	lines []string
}

// NewTail returns a Tail that keeps the last n lines (none when n is 0 or
// less).
func NewTail(n int) *Tail {
	return &Tail{max: max(n, 0)}
}

// Stream returns a writer for one output stream of a child, such as
// exec.Cmd's Stdout or Stderr. Each stream keeps its own unterminated line,
// so that lines of two streams written at the same time do not mix. When
// also is not nil it is called with each line too. The writer's Flush adds
// an unterminated last line.
func (t *Tail) Stream(also func(line string)) *LineWriter {
	return NewLineWriter(func(line string) {
		t.Add(line)
		if also != nil {
			also(line)
		}
	})
}

// Add adds one line, dropping the oldest beyond the Tail's maximum.
func (t *Tail) Add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

// Last returns the last n lines kept (fewer when fewer are kept), joined by
// newlines, without a final newline.
func (t *Tail) Last(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := t.lines
	if len(lines) > n {
		lines = lines[len(lines)-max(n, 0):]
	}
	return strings.Join(lines, "\n")
}

// String returns every line kept, as Last does.
func (t *Tail) String() string { return t.Last(t.max) }
