package sdktest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lunchbot/eventkit/compat"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

// Registry is an in-process schema registry over real HTTP: the SDK's fake
// registry (sdk/registry/registrytest, which lists the endpoints) with the
// real registry's compatibility rules and parser plugged in.
//
// Schemas are parsed by the project's parser (schema.Parse, as strict as
// Avro Java) and new versions are checked with compat.Check at the
// subject's level (its own, else the global level), against the latest
// version or, for *_TRANSITIVE levels, every version: an incompatible
// schema is refused with 409 and the reasons, an invalid one with 422 and
// error code 42201. Ids are registry-wide and stable: the same schema gets
// the same id under every subject, and registering a schema a subject
// already holds returns its id without a check. Two schema texts are the
// same schema when they are the same JSON (white space and the order of
// object keys aside) with the same references, as the Confluent registry
// compares them (docs count; axonops-schema-registry ignores docs).
//
// Only Avro is supported. References are stored and returned, one to a
// subject or version that does not exist is refused, and a schema is parsed
// with the schemas its references name (and theirs in turn), as the
// Confluent registry parses it: a schema may use the named types of its
// references, and each version is compared with the previous ones resolved
// the same way. DELETE, modes, contexts and the other endpoints answer 404. It is safe for concurrent use: requests are served one at a
// time.
type Registry struct {
	srv *registrytest.Server
}

// NewRegistry starts a registry whose global level is BACKWARD (the
// Confluent default), stopped when t ends.
func NewRegistry(t testing.TB) *Registry {
	r := StartRegistry()
	t.Cleanup(r.Close)
	return r
}

// StartRegistry starts a registry as NewRegistry does, for code that has no
// testing.TB (a TestMain, an example); Close stops it.
func StartRegistry() *Registry {
	return &Registry{srv: registrytest.Start(registrytest.WithCheck(check))}
}

// URL returns the registry's base URL.
func (r *Registry) URL() string { return r.srv.URL() }

// Requests returns the number of HTTP requests the registry has received.
func (r *Registry) Requests() int64 { return r.srv.Requests() }

// Close stops the registry (it stops when the test ends anyway).
func (r *Registry) Close() { r.srv.Close() }

// SetGlobalCompatibility sets the level of subjects that have none of their
// own.
func (r *Registry) SetGlobalCompatibility(level contract.Compatibility) {
	r.srv.SetGlobalCompatibility(level)
}

// SetCompatibility sets subject's own level, as PUT /config/{subject} does.
func (r *Registry) SetCompatibility(subject string, level contract.Compatibility) {
	r.srv.SetCompatibility(subject, level)
}

// Register registers schema under subject as POST
// /subjects/{subject}/versions does, with the references refs, and returns
// its id and version. It fails with an error matching
// registry.ErrInvalidSchema or registry.ErrIncompatible.
func (r *Registry) Register(subject, schemaText string, refs ...registry.Reference) (id, version int, err error) {
	s := registrytest.Schema{Text: schemaText}
	for _, ref := range refs {
		s.References = append(s.References, registrytest.Reference(ref))
	}
	return r.srv.RegisterSchema(subject, s)
}

// registerReferences registers the schemas refs name, theirs first, and
// returns the registry references to them (registering one already there
// returns its version).
func (r *Registry) registerReferences(refs []contract.Reference) ([]registry.Reference, error) {
	var out []registry.Reference
	for _, ref := range refs {
		own, err := r.registerReferences(ref.References)
		if err != nil {
			return nil, err
		}
		_, version, err := r.Register(ref.Subject, ref.Schema, own...)
		if err != nil {
			return nil, fmt.Errorf("%s under %s: %w", ref.Name, ref.Subject, err)
		}
		out = append(out, registry.Reference{Name: ref.Name, Subject: ref.Subject, Version: version})
	}
	return out, nil
}

// Versions returns the ids of subject's versions, oldest first.
func (r *Registry) Versions(subject string) []int { return r.srv.Versions(subject) }

// check is the registry's verdict: in.Schema must parse, and follow
// in.Previous at in.Level by compat's rules. The reasons are in the
// Confluent registry's verbose style.
func check(in registrytest.CheckInput) ([]string, error) {
	next, err := parseResolved(in.Schema)
	if err != nil {
		return nil, err // the fake answers 422 with its text
	}
	if in.ValidateOnly || len(in.Previous) == 0 {
		return nil, nil
	}
	previous := make([]*schema.Parsed, len(in.Previous))
	for i, v := range in.Previous {
		// Every version was parsed when it was registered; one that was
		// put there unchecked and does not parse is a problem to report.
		if previous[i], err = parseResolved(v.Resolved); err != nil {
			return []string{fmt.Sprintf("{errorType:'UNKNOWN', description:'version %d does not parse: %s'}", v.Version, quote(err.Error()))}, nil
		}
	}
	res, err := compat.Check(in.Level, previous, next)
	if err != nil {
		return []string{fmt.Sprintf("{errorType:'UNKNOWN', description:'%s'}", quote(err.Error()))}, nil
	}
	if res.Compatible {
		return nil, nil
	}
	var out []string
	for _, p := range res.Problems {
		out = append(out, fmt.Sprintf("{errorType:'%s', description:'%s', location:'%s', oldSchemaVersion:%d, direction:'%s'}",
			p.Kind, quote(p.Message), p.Location, in.Previous[p.Version].Version, p.Direction))
	}
	return append(out, fmt.Sprintf("{compatibility:'%s'}", in.Level)), nil
}

// parseResolved parses a schema with the schemas its references name,
// which the fake lists dependencies first.
func parseResolved(r registrytest.Resolved) (*schema.Parsed, error) {
	refs := make([]schema.Reference, len(r.Referenced))
	for i, ref := range r.Referenced {
		refs[i] = schema.Reference{Name: ref.Name, Text: ref.Text}
	}
	return schema.ParseWithReferences(r.Text, refs)
}

// quote escapes the single quotes of a message in a verbose reason.
func quote(s string) string { return strings.ReplaceAll(s, "'", "\\'") }
