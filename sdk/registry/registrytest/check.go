package registrytest

import "github.com/lunchbot/eventkit/sdk/contract"

// Check decides, in place of a registry's parser and compatibility rules,
// whether a schema is valid and may follow a subject's versions. It returns
// the reasons the schema may not follow in.Previous at in.Level (the
// compatibility endpoints' verbose messages; none when it may), or an error
// when the schema is not valid: the fake answers that with 422 and error
// code 42201, the error's text in the message.
//
// The fake calls it with its lock held: one call at a time, and it must not
// call the fake.
type Check func(in CheckInput) (reasons []string, err error)

// CheckInput is what a Check decides on.
type CheckInput struct {
	// Subject is the subject the schema is registered under, checked
	// against or looked up in.
	Subject string
	// Level is the subject's compatibility level: its own, else the global
	// one.
	Level contract.Compatibility
	// Previous are the versions to compare with, oldest first: every
	// version of the subject when a schema is registered or checked against
	// all versions (the Check picks those Level compares with: the latest,
	// or every one for a *_TRANSITIVE level), else the one version a
	// compatibility request names (latest included). Empty for a subject
	// with no version, and with ValidateOnly.
	Previous []Version
	// Schema is the new schema.
	Schema Resolved
	// ValidateOnly is set when only whether the schema is valid matters
	// (a lookup that found nothing, a compatibility request naming a
	// version that does not exist): reasons are ignored.
	ValidateOnly bool
}

// Version is one version of a subject.
type Version struct {
	// Version is its number, from 1.
	Version int
	// ID is the schema's id.
	ID int
	Resolved
}

// verdictCheck is the Check SetVerdict installs: every schema is valid, and
// fn's answer is the same whichever versions are compared with.
func verdictCheck(fn func(subject, schema string) []string) Check {
	return func(in CheckInput) ([]string, error) {
		if in.ValidateOnly {
			return nil, nil
		}
		return fn(in.Subject, in.Schema.Text), nil
	}
}
