// Confluent's own JavaScript serde (@confluentinc/schemaregistry, whose Avro
// serde resolves schema references), run by interop_confluentjs_test.go
// against a real registry. It reads one JSON request on standard input and
// writes one JSON answer on standard output:
//
//   {"url", "serialize": [{"subject", "topic", "value"}], "deserialize": [{"topic", "hex"}]}
//   -> {"serialized": ["hex", ...], "deserialized": [value, ...]}
//
// Serializing uses the latest version of the given subject (with its
// references); deserializing fetches the writer schema by the id in the
// message, with its references.
const { SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType } = require('@confluentinc/schemaregistry');

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const req = JSON.parse(Buffer.concat(chunks).toString());
  const client = new SchemaRegistryClient({ baseURLs: [req.url] });
  const out = { serialized: [], deserialized: [] };
  for (const s of req.serialize || []) {
    const ser = new AvroSerializer(client, SerdeType.VALUE, {
      useLatestVersion: true,
      subjectNameStrategy: () => s.subject,
    });
    const buf = await ser.serialize(s.topic, s.value);
    out.serialized.push(buf.toString('hex'));
  }
  const de = new AvroDeserializer(client, SerdeType.VALUE, { subjectNameStrategy: () => '' });
  for (const d of req.deserialize || []) {
    const v = await de.deserialize(d.topic, Buffer.from(d.hex, 'hex'));
    out.deserialized.push(v);
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
