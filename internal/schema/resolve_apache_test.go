package schema_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lunchbot/eventkit/internal/schema"
)

// pythonResolve is run by /usr/bin/python3 (Debian's python3-avro): for each
// case it reads the writer bytes with the writer and reader schemas and
// writes the value back with the reader schema.
const pythonResolve = `
import io, json, sys
import avro.io, avro.schema
out = []
for c in json.load(sys.stdin):
    try:
        w = avro.schema.parse(c["writer"])
        r = avro.schema.parse(c["reader"])
        v = avro.io.DatumReader(w, r).read(avro.io.BinaryDecoder(io.BytesIO(bytes.fromhex(c["src"]))))
        buf = io.BytesIO()
        avro.io.DatumWriter(r).write(v, avro.io.BinaryEncoder(buf))
        out.append({"out": buf.getvalue().hex()})
    except Exception as e:
        out.append({"error": repr(e)})
json.dump(out, sys.stdout)
`

// TestResolverAgreesWithApacheAvroPython checks the resolver's bytes against
// Apache Avro's Python implementation, an independent reading of the
// specification.
func TestResolverAgreesWithApacheAvroPython(t *testing.T) {
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skip("no /usr/bin/python3 (install python3-avro)")
	}
	if err := exec.Command(python, "-c", "import avro.io").Run(); err != nil {
		t.Skip("python3-avro is not installed")
	}
	type pyCase struct {
		Writer string `json:"writer"`
		Reader string `json:"reader"`
		Src    string `json:"src"`
	}
	var cases []pyCase
	var used []resolveCase
	for _, tc := range resolveCases {
		if tc.noPython != "" {
			continue
		}
		cases = append(cases, pyCase{tc.writer, tc.reader, hex.EncodeToString(marshal(t, tc.writer, tc.in))})
		used = append(used, tc)
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command(python, "-c", pythonResolve)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stderr = os.Stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var results []struct {
		Out   string `json:"out"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(raw, &results); err != nil || len(results) != len(cases) {
		t.Fatalf("python answered %s (%v)", raw, err)
	}
	for i, tc := range used {
		if results[i].Error != "" {
			t.Errorf("%s: python: %s", tc.name, results[i].Error)
			continue
		}
		res, err := schema.NewResolver(schema.MustParse(tc.writer), schema.MustParse(tc.reader))
		if err != nil {
			t.Errorf("%s: NewResolver: %v", tc.name, err)
			continue
		}
		src, _ := hex.DecodeString(cases[i].Src)
		got, err := res.Transcode(nil, src)
		if err != nil {
			t.Errorf("%s: Transcode: %v", tc.name, err)
			continue
		}
		if hex.EncodeToString(got) != results[i].Out {
			t.Errorf("%s: Transcode = %x, Apache Avro (Python) = %s", tc.name, got, results[i].Out)
		}
	}
	t.Logf("%d cases agree with Apache Avro for Python", len(used))
}

// javaResolve is Apache Avro Java's counterpart of pythonResolve: each input
// line is "writer-base64 reader-base64 src-hex", each output line the hex of
// the value read with both schemas and written with the reader's, or "ERR"
// and the exception.
const javaResolve = `
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.*;
import java.io.*;
import java.util.Base64;

public class Resolve {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        String line;
        while ((line = in.readLine()) != null) {
            String[] p = line.split(" ", -1);
            try {
                Schema w = new Schema.Parser().parse(new String(Base64.getDecoder().decode(p[0]), "UTF-8"));
                Schema r = new Schema.Parser().parse(new String(Base64.getDecoder().decode(p[1]), "UTF-8"));
                byte[] src = new byte[p[2].length() / 2];
                for (int i = 0; i < src.length; i++) src[i] = (byte) Integer.parseInt(p[2].substring(2 * i, 2 * i + 2), 16);
                Object v = new GenericDatumReader<Object>(w, r).read(null, DecoderFactory.get().binaryDecoder(src, null));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
                new GenericDatumWriter<Object>(r).write(v, enc);
                enc.flush();
                StringBuilder sb = new StringBuilder();
                for (byte b : out.toByteArray()) sb.append(String.format("%02x", b & 0xff));
                System.out.println(sb);
            } catch (Throwable e) {
                System.out.println("ERR " + e.toString().replace('\n', ' '));
            }
        }
    }
}
`

// TestResolverAgreesWithApacheAvroJava checks the resolver's bytes against
// Apache Avro Java (Debian's libavro-java, 1.8.2).
func TestResolverAgreesWithApacheAvroJava(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and runs Java")
	}
	var jars []string
	for _, j := range []string{"avro.jar", "jackson-core-asl.jar", "jackson-mapper-asl.jar", "slf4j-api.jar", "slf4j-nop.jar"} {
		p := filepath.Join(javaDir, j)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%s missing: install libavro-java", p)
		}
		jars = append(jars, p)
	}
	javac, err := exec.LookPath("javac")
	if err != nil {
		t.Skip("no javac")
	}
	cp := strings.Join(jars, ":")
	dir := t.TempDir()
	src := filepath.Join(dir, "Resolve.java")
	if err := os.WriteFile(src, []byte(javaResolve), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(javac, "-nowarn", "-cp", cp, "-d", dir, src).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	var input strings.Builder
	var used []resolveCase
	var srcs [][]byte
	for _, tc := range resolveCases {
		if tc.noJava != "" {
			continue
		}
		b := marshal(t, tc.writer, tc.in)
		fmt.Fprintf(&input, "%s %s %x\n", base64.StdEncoding.EncodeToString([]byte(tc.writer)), base64.StdEncoding.EncodeToString([]byte(tc.reader)), b)
		used = append(used, tc)
		srcs = append(srcs, b)
	}
	cmd := exec.Command("java", "-cp", cp+":"+dir, "Resolve")
	cmd.Stdin = strings.NewReader(input.String())
	cmd.Stderr = os.Stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("java: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != len(used) {
		t.Fatalf("java answered %d lines for %d cases:\n%s", len(lines), len(used), raw)
	}
	for i, tc := range used {
		if strings.HasPrefix(lines[i], "ERR") {
			t.Errorf("%s: java: %s", tc.name, lines[i])
			continue
		}
		res, err := schema.NewResolver(schema.MustParse(tc.writer), schema.MustParse(tc.reader))
		if err != nil {
			t.Errorf("%s: NewResolver: %v", tc.name, err)
			continue
		}
		got, err := res.Transcode(nil, srcs[i])
		if err != nil {
			t.Errorf("%s: Transcode: %v", tc.name, err)
			continue
		}
		if hex.EncodeToString(got) != lines[i] {
			t.Errorf("%s: Transcode = %x, Apache Avro (Java) = %s", tc.name, got, lines[i])
		}
	}
	t.Logf("%d cases agree with Apache Avro Java 1.8.2", len(used))
}
