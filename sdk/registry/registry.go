// Package registry talks to a Confluent-compatible schema registry.
//
// Client is the SDK's own interface to a registry; the serializers in
// sdk/serde and the eventctl commands work on it. HTTPClient implements it
// over HTTP (through github.com/riferrei/srclient for the calls that library
// does right, and net/http for the rest) with what a service needs in
// production:
//
//   - the context's deadline and cancellation honoured on every call;
//   - ids and schemas cached both ways in bounded caches (id → schema,
//     (subject, schema, references) → id, and (subject, version) → schema
//     for versions named by number), and concurrent misses for the same id
//     or the same lookup collapsed into one request (versions are fetched
//     rarely, when references are resolved, and are not);
//   - schema references: sent on lookups, registrations and compatibility
//     checks, returned with every schema, and fetched with their own in
//     turn by ResolveReferences (srclient, whose codecs do not resolve
//     them, is used for the HTTP calls only);
//   - retries with jittered exponential backoff on 408, 429, 5xx and network
//     errors (dial and DNS included), none on other 4xx, each retry with its
//     full request body;
//   - failover between several registry URLs;
//   - basic or bearer authentication, TLS with a custom CA and client
//     certificates;
//   - bounded response sizes;
//   - errors matchable with errors.Is (ErrSubjectNotFound, ...) and
//     errors.As (*Error), which never carry a secret.
//
// Configure it from code with Config or from the environment with
// ConfigFromEnv (see there for the variables).
package registry

import (
	"context"

	"github.com/lunchbot/eventkit/sdk/contract"
)

// Latest names the latest version of a subject, passed as a version.
const Latest = -1

// Schema is one version of a subject, or the schema of an id.
type Schema struct {
	// Subject and Version say which version of which subject it is; empty
	// and 0 for a schema fetched by id (SchemaByID), which may be a version
	// of several subjects.
	Subject string
	Version int
	// ID is the registry-wide schema id, the one in the wire format.
	ID int
	// Text is the schema as the registry returns it.
	Text string
	// References are the schemas whose named types it uses, as registered
	// with it; nil for none. ResolveReferences fetches them.
	References []Reference
}

// Reference is a schema reference, as the registry's API writes it: the
// name the referencing schema uses (for Avro, by the registry's convention,
// the full name of the named type the referenced schema defines) and the
// subject and version that hold the referenced schema. A schema registered
// with references is another schema than the same text without them, and
// the registry refuses a reference to a subject or version it does not
// have.
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// Client is the SDK's interface to a schema registry. All methods honour the
// context's deadline and cancellation. Errors match the sentinel errors of
// this package (errors.Is) and, for an error answer of the registry, *Error
// (errors.As).
type Client interface {
	// LookupID returns the id and version of schema, with the references
	// refs, under subject (POST /subjects/{subject}). It fails with
	// ErrSubjectNotFound when the subject does not exist and
	// ErrSchemaNotFound when the schema is not registered under it (with
	// those references: the same text with other references is another
	// schema).
	LookupID(ctx context.Context, subject, schema string, refs ...Reference) (id, version int, err error)
	// Register registers schema, with the references refs, under subject
	// (POST /subjects/{subject}/versions) and returns its id; registering a
	// schema that is already there returns its id. It fails with
	// ErrIncompatible when the subject's compatibility level refuses the
	// schema and ErrInvalidSchema when the registry cannot parse it (or a
	// reference names a subject or version it does not have).
	Register(ctx context.Context, subject, schema string, refs ...Reference) (id int, err error)
	// SchemaByID returns the schema of id and its references (GET
	// /schemas/ids/{id}); Subject and Version are not set. It fails with
	// ErrSchemaNotFound for an unknown id.
	SchemaByID(ctx context.Context, id int) (Schema, error)
	// Versions returns the versions of subject in ascending order (GET
	// /subjects/{subject}/versions). It fails with ErrSubjectNotFound.
	Versions(ctx context.Context, subject string) ([]int, error)
	// SchemaByVersion returns one version of subject, with its
	// references, or the latest for version Latest (GET
	// /subjects/{subject}/versions/{version}). It fails with
	// ErrSubjectNotFound or ErrVersionNotFound. The latest version is never
	// cached.
	SchemaByVersion(ctx context.Context, subject string, version int) (Schema, error)
	// Compatibility returns the compatibility level that applies to subject:
	// its own, or the registry's global level when it has none (GET
	// /config/{subject}?defaultToGlobal=true).
	Compatibility(ctx context.Context, subject string) (contract.Compatibility, error)
	// SubjectCompatibility returns the compatibility level set on subject
	// itself (GET /config/{subject}, without defaultToGlobal). set is false,
	// with no error, when the subject has no level of its own and so
	// inherits the global level (the registry's 404 with error code 40408,
	// or 40401 for a subject it does not know).
	SubjectCompatibility(ctx context.Context, subject string) (level contract.Compatibility, set bool, err error)
	// SetCompatibility sets subject's compatibility level (PUT
	// /config/{subject}).
	SetCompatibility(ctx context.Context, subject string, level contract.Compatibility) error
	// CheckCompatibility asks the registry whether schema is compatible
	// with the latest version of subject, at the subject's level (POST
	// /compatibility/subjects/{subject}/versions/latest?verbose=true). When
	// it is not, reasons holds the registry's explanations. For a
	// *_TRANSITIVE level this is not what registering checks (see
	// CheckCompatibilityAll). For a subject the registry does not know, the
	// answer is the registry's: axonops-schema-registry answers compatible,
	// a registry answering 404 (error code 40401) makes it fail with
	// ErrSubjectNotFound; either way every schema is acceptable.
	CheckCompatibility(ctx context.Context, subject, schema string, refs ...Reference) (compatible bool, reasons []string, err error)
	// CheckCompatibilityAll asks the registry whether schema may be
	// registered under subject now: checked against the versions the
	// subject's level compares with, every version for a *_TRANSITIVE level
	// (POST /compatibility/subjects/{subject}/versions?verbose=true). When
	// it may not, reasons holds the registry's explanations. A subject the
	// registry does not know accepts every schema: compatible, with no
	// error, whether the registry answers so or with 404 (40401).
	CheckCompatibilityAll(ctx context.Context, subject, schema string, refs ...Reference) (compatible bool, reasons []string, err error)
}
