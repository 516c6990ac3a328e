package compat

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Independent implementations the table is checked against when they are
// installed: python3-avro 1.11 (a port of Java's SchemaCompatibility, from
// Debian's python3-avro) and Apache Avro Java 1.8.2 (Debian's libavro-java).

const debianPython = "/usr/bin/python3"

type pairJSON struct {
	Reader string `json:"reader"`
	Writer string `json:"writer"`
}

func casePairs(cases []rwCase) []pairJSON {
	out := make([]pairJSON, len(cases))
	for i, c := range cases {
		out[i] = pairJSON{c.reader, c.writer}
	}
	return out
}

type pyVerdict struct {
	Compatible bool     `json:"compatible"`
	Kinds      []string `json:"kinds"`
	Locations  []string `json:"locations"`
	Error      string   `json:"error"`
}

// locationSuffix reports whether java (a location as Java or its Python port
// reports it, restarted at "/" inside unions) is a token-wise suffix of ours.
func locationSuffix(ours, java string) bool {
	if java == "/" {
		return true
	}
	return ours == java || strings.HasSuffix(ours, java)
}

func TestCrossCheckPython(t *testing.T) {
	if err := exec.Command(debianPython, "-c", "import avro.compatibility").Run(); err != nil {
		t.Skipf("python3-avro not installed (%v); .ci/run installs it", err)
	}
	cases := allCases()
	in, _ := json.Marshal(casePairs(cases))
	cmd := exec.Command(debianPython, filepath.Join("testdata", "crosscheck.py"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("crosscheck.py: %v\n%s", err, stderr.String())
	}
	var verdicts []pyVerdict
	if err := json.Unmarshal(out, &verdicts); err != nil || len(verdicts) != len(cases) {
		t.Fatalf("crosscheck.py output (%d verdicts for %d cases): %v", len(verdicts), len(cases), err)
	}
	agree, known := 0, 0
	for i, c := range cases {
		v := verdicts[i]
		ours := ReaderWriter(mustParse(t, c.reader).Root, mustParse(t, c.writer).Root)
		if v.Error != "" {
			t.Errorf("%s: python3-avro failed: %s", c.name, v.Error)
			continue
		}
		if c.python != "" {
			known++
			if c.pythonVerdict && v.Compatible == (len(ours) == 0) {
				t.Errorf("%s: marked as a known difference (%s) but python3-avro now agrees; drop the mark", c.name, c.python)
			}
			continue
		}
		if v.Compatible != (len(ours) == 0) {
			t.Errorf("%s: python3-avro says compatible=%v, we found %v", c.name, v.Compatible, summary(ours))
			continue
		}
		kinds := map[string]bool{}
		for _, p := range ours {
			kinds[string(p.Kind)] = true
		}
		var ourKinds []string
		for k := range kinds {
			ourKinds = append(ourKinds, k)
		}
		sort.Strings(ourKinds)
		if diff := cmp.Diff(v.Kinds, ourKinds, cmp.Transformer("nilToEmpty", func(s []string) []string {
			if s == nil {
				return []string{}
			}
			return s
		})); diff != "" {
			t.Errorf("%s: kinds (-python +ours):\n%s", c.name, diff)
			continue
		}
		for _, loc := range v.Locations {
			found := false
			for _, p := range ours {
				found = found || locationSuffix(p.Location, loc)
			}
			if !found {
				t.Errorf("%s: python3-avro location %s matches none of ours %v", c.name, loc, summary(ours))
			}
		}
		agree++
	}
	t.Logf("python3-avro agrees on %d of %d cases (verdict, kinds, locations); %d known differences skipped", agree, len(cases), known)
}

// javaClasspath returns the classpath of Debian's libavro-java and its
// dependencies, or "" when they are not installed.
func javaClasspath() string {
	jars := []string{"avro.jar", "jackson-core-asl.jar", "jackson-mapper-asl.jar", "slf4j-api.jar", "slf4j-nop.jar"}
	for i, j := range jars {
		jars[i] = filepath.Join(javaDir, j)
		if _, err := os.Stat(jars[i]); err != nil {
			return ""
		}
	}
	return strings.Join(jars, ":")
}

func TestCrossCheckJava(t *testing.T) {
	cp := javaClasspath()
	javac, err := exec.LookPath("javac")
	if cp == "" || err != nil {
		t.Skip("libavro-java or javac not installed; .ci/run installs libavro-java")
	}
	dir := t.TempDir()
	src, err := filepath.Abs(filepath.Join("testdata", "CrossCheck.java"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(javac, "-nowarn", "-cp", cp, "-d", dir, src).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	cases := allCases()
	in, _ := json.Marshal(casePairs(cases))
	cmd := exec.Command("java", "-cp", cp+":"+dir, "CrossCheck")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java CrossCheck: %v\n%s", err, stderr.String())
	}
	var verdicts []struct {
		Compatible bool   `json:"compatible"`
		Error      string `json:"error"`
	}
	if err := json.Unmarshal(out, &verdicts); err != nil || len(verdicts) != len(cases) {
		t.Fatalf("CrossCheck output (%d verdicts for %d cases): %v\n%s", len(verdicts), len(cases), err, out)
	}
	agree, differ, errs := 0, 0, 0
	for i, c := range cases {
		v := verdicts[i]
		ours := len(ReaderWriter(mustParse(t, c.reader).Root, mustParse(t, c.writer).Root)) == 0
		switch {
		case v.Error != "":
			// Java threw: the Confluent registry catches that and reports the
			// pair incompatible.
			errs++
			t.Logf("%s: Avro Java 1.8.2 threw %s", c.name, v.Error)
			if ours {
				t.Errorf("%s: Avro Java 1.8.2 threw (%s) but we found the pair compatible", c.name, v.Error)
			}
		case c.java18 != "":
			differ++
			if v.Compatible == ours {
				t.Errorf("%s: marked as a 1.8/1.11 difference (%s) but Avro Java 1.8.2 agrees; drop the mark", c.name, c.java18)
			}
		case v.Compatible != ours:
			t.Errorf("%s: Avro Java 1.8.2 says compatible=%v, we say %v", c.name, v.Compatible, ours)
		default:
			agree++
		}
	}
	t.Logf("Avro Java 1.8.2 agrees on the verdict of %d of %d cases; %d threw (incompatible for the registry, and for us); %d differ as Avro 1.8 and 1.11 differ", agree, len(cases), errs, differ)
}

// javaDir is where Debian installs the jars of libavro-java and its
// dependencies.
const javaDir = "/usr/share/java"
