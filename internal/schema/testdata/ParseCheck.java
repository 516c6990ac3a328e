import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.codehaus.jackson.map.ObjectMapper;

/**
 * Prints whether Apache Avro Java accepts each schema.
 *
 * <p>Reads a JSON list of schema texts on stdin and writes a JSON list of
 * {"valid": true} or {"valid": false, "error": text} to stdout. Defaults are
 * validated, as Avro 1.9 and later always do. Built against Debian's
 * libavro-java (1.8.2) by schema's TestParseCrossCheckJava.
 */
public class ParseCheck {
  public static void main(String[] args) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    @SuppressWarnings("unchecked")
    List<String> texts = mapper.readValue(System.in, List.class);
    List<Object> out = new ArrayList<>();
    for (String t : texts) {
      Map<String, Object> v = new java.util.LinkedHashMap<>();
      try {
        new Schema.Parser().setValidateDefaults(true).parse(t);
        v.put("valid", true);
      } catch (Throwable e) {
        v.put("valid", false);
        v.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      out.add(v);
    }
    mapper.writeValue(System.out, out);
  }
}
