import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.codehaus.jackson.map.ObjectMapper;

/**
 * Prints Apache Avro Java's compatibility verdicts for reader/writer pairs.
 *
 * <p>Reads a JSON list of {"reader": text, "writer": text} on stdin and writes
 * a JSON list of {"compatible": bool} or {"error": text} to stdout. Built
 * against Debian's libavro-java by compat's TestCrossCheckJava.
 */
public class CrossCheck {
  public static void main(String[] args) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    @SuppressWarnings("unchecked")
    List<Map<String, String>> pairs = mapper.readValue(System.in, List.class);
    List<Object> out = new ArrayList<>();
    for (Map<String, String> p : pairs) {
      Map<String, Object> v = new java.util.LinkedHashMap<>();
      try {
        Schema reader = new Schema.Parser().parse(p.get("reader"));
        Schema writer = new Schema.Parser().parse(p.get("writer"));
        SchemaCompatibility.SchemaPairCompatibility c =
            SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        v.put("compatible", c.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
      } catch (Exception e) {
        v.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      out.add(v);
    }
    mapper.writeValue(System.out, out);
  }
}
