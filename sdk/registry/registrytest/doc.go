// Package registrytest is an in-process fake of the Confluent Schema
// Registry's REST API over real HTTP, for tests of code that talks to a
// registry: the SDK's client and everything built on it (sdk/serde,
// sdk/producer, sdk/consumer, eventctl, the benchmarks), and, through
// sdk/sdktest, services' own tests. It plays the part srfake plays for
// franz-go's pkg/sr.
//
// It answers with the registry's status codes, error codes and JSON:
//
//	POST /subjects/{subject}/versions                  register (409 when incompatible, 422 when invalid)
//	POST /subjects/{subject}                           look a schema up
//	GET  /schemas/ids/{id}                             a schema by id
//	GET  /subjects                                     the subjects
//	GET  /subjects/{subject}/versions                  a subject's versions
//	GET  /subjects/{subject}/versions/{version}        one version, "latest" or -1
//	GET  /config, PUT /config                          the global level (BACKWARD at start)
//	GET  /config/{subject}, PUT /config/{subject}      a subject's level (?defaultToGlobal=true)
//	POST /compatibility/subjects/{subject}/versions[/{version}|/latest]
//
// Every other path answers 404 with a registry error body. Ids are
// registry-wide: the same schema gets the same id under every subject, and
// registering a schema a subject already holds returns its id without a
// check. Two schemas are the same when their texts are the same JSON (white
// space and the order of object keys aside, as the Confluent registry
// compares them) and they have the same references.
//
// References ({name, subject, version}) are accepted on register, lookup and
// compatibility requests: they are stored with the schema, returned by GET
// /schemas/ids/{id}, GET /subjects/{subject}/versions/{version} and the
// lookup answer (the field omitted when empty), and a reference to a
// subject or version that does not exist is refused with 422 (error code
// 42201), as Confluent does.
//
// What decides whether a schema is valid and may follow a subject's
// versions is pluggable: WithCheck installs a Check, which gets the
// subject's level, the previous versions and the new schema, each with the
// texts of the schemas its references name (sdk/sdktest plugs in the
// project's parser and compatibility rules). Without one, any JSON text is
// a valid schema and the fake answers what SetVerdict says: compatible by
// default. The package imports no schema parser or compatibility checker,
// so that it stays light for the SDK's own tests.
//
// Tests can count the requests the fake received (Requests) and answer any
// request themselves to inject faults (SetIntercept).
//
// It is not a registry: only Avro (no schemaType other than AVRO), no
// DELETE, modes, contexts, metadata, rule sets or normalize, nothing
// persisted; requests are served one at a time. Integration tests use the
// real registry (internal/itest).
package registrytest
