package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// python is Debian's interpreter, which python3-avro installs into.
const python = "/usr/bin/python3"

// needPython skips the test when Apache Avro for Python is missing, but
// fails it on CI (CI=true), which installs it.
func needPython(t *testing.T) {
	t.Helper()
	if out, err := exec.Command(python, "-c", "import avro").CombinedOutput(); err != nil {
		msg := fmt.Sprintf("Apache Avro for Python is missing (%v: %s); apt-get install python3-avro", err, bytes.TrimSpace(out))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

type pyRequest struct {
	Schema       string   `json:"schema"`
	Mode         string   `json:"mode"`
	Write        []any    `json:"write,omitempty"`
	Read         [][]byte `json:"read,omitempty"`
	WriterSchema string   `json:"writer_schema,omitempty"`
}

type pyResult struct {
	Data  []byte          `json:"data"`
	Value json.RawMessage `json:"value"`
	Error string          `json:"error"`
}

type pyResponse struct {
	Written []pyResult `json:"written"`
	Read    []pyResult `json:"read"`
}

// runPython runs testdata/avro_json.py on a request.
func runPython(t *testing.T, req pyRequest) pyResponse {
	t.Helper()
	resps, err := runPythonBatch([]pyRequest{req})
	if err != nil {
		t.Fatal(err)
	}
	resp := resps[0]
	if len(resp.Written) != len(req.Write) || len(resp.Read) != len(req.Read) {
		t.Fatalf("avro_json.py answered %d writes, %d reads for %d, %d", len(resp.Written), len(resp.Read), len(req.Write), len(req.Read))
	}
	return resp
}

// runPythonBatch runs testdata/avro_json.py once on several requests.
func runPythonBatch(reqs []pyRequest) ([]pyResponse, error) {
	in, err := json.Marshal(reqs)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, "testdata/avro_json.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("avro_json.py: %w\n%s", err, stderr.Bytes())
	}
	var resps []pyResponse
	if err := json.Unmarshal(out, &resps); err != nil {
		return nil, fmt.Errorf("avro_json.py output: %w", err)
	}
	if len(resps) != len(reqs) {
		return nil, fmt.Errorf("avro_json.py answered %d requests of %d", len(resps), len(reqs))
	}
	return resps, nil
}
