// Package history supplies the previous versions of a schema that a new
// version is checked against: from git (Git, the schema file's history up to
// a reference) or from a schema registry (Registry, the versions registered
// under the schema's subject), through the same Source interface.
package history

import (
	"context"
	"errors"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// ErrSource is matched (errors.Is) by the errors of a Source that could not
// be read at all: not a git repository, an unknown reference, an
// unreachable registry. A schema without previous versions is not an error.
var ErrSource = errors.New("cannot read previous schema versions")

// Schema names a schema whose previous versions are wanted.
type Schema struct {
	// File is the path of the schema file, as the manifest gives it
	// (relative to the working directory, or absolute).
	File string
	// Subject is the schema-registry subject the schema is registered under.
	Subject string
	// References are the shared types the schema uses (its schema
	// references), each with those it uses in turn; nil for a schema that
	// defines every type it uses. Git reads their files beside the
	// schema's at each commit; a registry resolves the registered
	// versions' references and looks the schema up with references to
	// them.
	References []Reference
}

// Reference is a shared type a schema uses: a named type in a schema file
// of its own, registered under a subject of its own.
type Reference struct {
	// Name is the type's full name, the reference's name.
	Name string
	// File is its schema file, as the manifest gives it.
	File string
	// Subject is the subject it is registered under.
	Subject string
	// References are the shared types its own schema uses.
	References []Reference
}

// Dependencies returns the shared types of refs and, in turn, theirs, each
// once (by file), dependencies first: the order their schemas are parsed
// before the schema's.
func Dependencies(refs []Reference) []Reference {
	var out []Reference
	seen := map[string]bool{}
	var visit func(refs []Reference)
	visit = func(refs []Reference) {
		for _, r := range refs {
			if !seen[r.File] {
				seen[r.File] = true
				visit(r.References)
				out = append(out, r)
			}
		}
	}
	visit(refs)
	return out
}

// Version is one previous version of a schema.
type Version struct {
	// Number counts the versions from 1, oldest first (for a registry: the
	// subject's version number).
	Number int
	// Ref says where the version was found, for people: an abbreviated
	// commit hash for git, "id 42" for a registry.
	Ref string
	// ID is the registry's schema id, 0 for git.
	ID int
	// Schema is the parsed version.
	Schema *schema.Parsed
}

// Skipped is a previous version that was left out, with why.
type Skipped struct {
	// Ref is where it was found.
	Ref string
	// Reason says why it was left out.
	Reason string
}

// Versions is what a Source returns for a schema.
type Versions struct {
	// Versions are the previous versions, oldest first; empty for a schema
	// that is new.
	Versions []Version
	// Skipped are versions that were left out, such as a commit where the
	// file did not parse (it cannot have been registered).
	Skipped []Skipped
	// Where says what the versions were read from ("git history up to
	// origin/main (abc1234)", "registry https://...").
	Where string
	// Level is the compatibility level the source applies to the subject
	// (a registry's subject or global level); empty when the source has
	// none (git), and then the manifest's level applies.
	Level contract.Compatibility
	// Registered is set when the schema being checked is already one of
	// Versions (a registry's lookup found it under the subject):
	// registering it again changes nothing, so a registry would accept it
	// whatever the level.
	Registered *Version
	// References are the registry references the schema being checked
	// would be registered with, when a registry holds each of its shared
	// types as its file has it; Unregistered names the shared types it
	// does not hold so (a new version, to be registered first), and then
	// the registry cannot judge the schema yet.
	References   []registry.Reference
	Unregistered []string
}

// Source gives the previous versions of schemas.
//
// Git is the implementation for a repository; Registry reads the versions
// registered under Schema.Subject in a schema registry.
type Source interface {
	// Previous returns the versions of s before the one being checked,
	// oldest first. Errors that prevent reading any version match ErrSource.
	Previous(ctx context.Context, s Schema) (Versions, error)
}
