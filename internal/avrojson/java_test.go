package avrojson_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/avrojson"
)

// javaJSONCheck reads lines "schema(base64) avro(hex) json(base64)" and
// answers "A B": A is the base64 of the JSON Apache Avro's JsonEncoder
// writes for the binary value, B the hex of the binary its JsonDecoder reads
// from the given JSON (or "ERR:..." for either). Maps keep their order.
const javaJSONCheck = `
import java.io.*;
import java.util.*;
import org.apache.avro.Schema;
import org.apache.avro.generic.*;
import org.apache.avro.io.*;

public class JsonCheck {
    static class Ordered extends GenericDatumReader<Object> {
        Ordered(Schema s) { super(s); }
        @Override protected Object newMap(Object old, int size) { return new LinkedHashMap<Object, Object>(); }
    }
    static String err(Throwable e) { return "ERR:" + Base64.getEncoder().encodeToString(e.toString().getBytes()); }
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        String line;
        while ((line = in.readLine()) != null) {
            String[] p = line.split(" ", -1);
            Schema s = new Schema.Parser().parse(new String(Base64.getDecoder().decode(p[0]), "UTF-8"));
            byte[] src = new byte[p[1].length() / 2];
            for (int i = 0; i < src.length; i++) src[i] = (byte) Integer.parseInt(p[1].substring(2 * i, 2 * i + 2), 16);
            String json = new String(Base64.getDecoder().decode(p[2]), "UTF-8");
            String a, b;
            try {
                Object v = new Ordered(s).read(null, DecoderFactory.get().binaryDecoder(src, null));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                JsonEncoder enc = EncoderFactory.get().jsonEncoder(s, out);
                new GenericDatumWriter<Object>(s).write(v, enc);
                enc.flush();
                a = Base64.getEncoder().encodeToString(out.toByteArray());
            } catch (Throwable e) { a = err(e); }
            try {
                Object v = new Ordered(s).read(null, DecoderFactory.get().jsonDecoder(s, json));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
                new GenericDatumWriter<Object>(s).write(v, enc);
                enc.flush();
                StringBuilder sb = new StringBuilder();
                for (byte x : out.toByteArray()) sb.append(String.format("%02x", x & 0xff));
                b = sb.length() == 0 ? "-" : sb.toString();
            } catch (Throwable e) { b = err(e); }
            System.out.println(a + " " + b);
        }
    }
}
`

// runJava compiles and runs a Java program against Debian's libavro-java,
// skipping the test when it is not installed.
func runJava(t *testing.T, class, source, input string) string {
	t.Helper()
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
	src := filepath.Join(dir, class+".java")
	if err := os.WriteFile(src, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(javac, "-nowarn", "-cp", cp, "-d", dir, src).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	cmd := exec.Command("java", "-cp", cp+":"+dir, class)
	cmd.Stdin = strings.NewReader(input)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java: %v", err)
	}
	return string(out)
}

// sameJSON compares two JSON texts as values; numbers are equal when they
// are the same double, or the same float (Java writes a float with
// Float.toString, not always the shortest form).
func sameJSON(a, b []byte) string {
	parse := func(x []byte) (any, error) {
		d := json.NewDecoder(bytes.NewReader(x))
		d.UseNumber()
		var v any
		err := d.Decode(&v)
		return v, err
	}
	va, err := parse(a)
	if err != nil {
		return "first: " + err.Error()
	}
	vb, err := parse(b)
	if err != nil {
		return "second: " + err.Error()
	}
	return cmp.Diff(va, vb, cmp.Comparer(func(x, y json.Number) bool {
		if x == y {
			return true
		}
		fx, err1 := strconv.ParseFloat(string(x), 64)
		fy, err2 := strconv.ParseFloat(string(y), 64)
		return err1 == nil && err2 == nil && (fx == fy || float32(fx) == float32(fy) && !math.IsInf(float64(float32(fx)), 0))
	}))
}

// TestAvroJSONAgreesWithApacheAvroJava checks the Avro JSON style against
// Apache Avro Java's JsonEncoder and JsonDecoder (Debian's libavro-java,
// 1.8.2, which applies no logical types: it reads and writes the underlying
// values, as the Avro JSON style does): for each value, Java's JSON of our
// binary equals our JSON, and Java's binary of our JSON equals our binary.
// Values are the table of TestDecodeEveryType and random values of the
// kitchen-sink and ambiguous-union schemas. NaN and the infinities are left
// out: Java 1.8.2 writes them but cannot read them back.
func TestAvroJSONAgreesWithApacheAvroJava(t *testing.T) {
	type item struct {
		name   string
		schema string
		bin    []byte
		json   []byte
	}
	var items []item
	for _, c := range codecCases {
		if strings.Contains(c.plain, "NaN") || strings.Contains(c.plain, "Infinity") {
			continue
		}
		b := unhex(t, c.hex)
		js, err := avrojson.Decode(parse(t, c.schema), b, avrojson.Options{Style: avrojson.AvroJSON})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item{c.name, c.schema, b, js})
	}
	for _, text := range []string{kitchenSink, ambiguous} {
		s := parse(t, text)
		g := &gen{r: rand.New(rand.NewPCG(3, uint64(len(text)))), finite: true}
		for i := 0; i < 150; i++ {
			b := g.value(nil, s, 0)
			js, err := avrojson.Decode(s, b, avrojson.Options{Style: avrojson.AvroJSON})
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, item{fmt.Sprintf("random %s #%d", s.Name, i), text, b, js})
		}
	}
	var in strings.Builder
	for _, it := range items {
		fmt.Fprintf(&in, "%s %x %s\n", base64.StdEncoding.EncodeToString([]byte(it.schema)), it.bin, base64.StdEncoding.EncodeToString(it.json))
	}
	lines := strings.Split(strings.TrimSpace(runJava(t, "JsonCheck", javaJSONCheck, in.String())), "\n")
	if len(lines) != len(items) {
		t.Fatalf("java answered %d lines for %d values", len(lines), len(items))
	}
	for i, it := range items {
		a, b, _ := strings.Cut(lines[i], " ")
		if strings.HasPrefix(a, "ERR:") {
			msg, _ := base64.StdEncoding.DecodeString(a[4:])
			t.Errorf("%s: java could not write JSON of %x: %s", it.name, it.bin, msg)
		} else {
			javaJSON, _ := base64.StdEncoding.DecodeString(a)
			if diff := sameJSON(it.json, javaJSON); diff != "" {
				t.Errorf("%s: our JSON and Apache Avro's differ (-ours +java):\n%s\nours %s\njava %s", it.name, diff, it.json, javaJSON)
			}
		}
		switch {
		case strings.HasPrefix(b, "ERR:"):
			msg, _ := base64.StdEncoding.DecodeString(b[4:])
			t.Errorf("%s: java could not read our JSON %s: %s", it.name, it.json, msg)
		case b == "-" && len(it.bin) == 0:
			// the empty encoding (null)
		case b != hex.EncodeToString(it.bin):
			t.Errorf("%s: java read our JSON %s as %s, want %x", it.name, it.json, b, it.bin)
		}
	}
	t.Logf("%d values agree with Apache Avro Java 1.8.2 both ways", len(items))
}

// javaDir is where Debian installs the jars of libavro-java and its
// dependencies.
const javaDir = "/usr/share/java"
