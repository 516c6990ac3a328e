package registry

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/riferrei/srclient"

	"github.com/lunchbot/eventkit/sdk/contract"
)

// sr returns a srclient client whose requests go through the attempt (and
// so carry its context and credentials). srclient's own caches are off:
// they are unbounded and never expire "latest" (srclient #47); so is its
// codec creation (off by default), which cannot compile a schema that uses
// a reference's types (srclient #52).
func (a *attempt) sr() *srclient.SchemaRegistryClient {
	c := srclient.NewSchemaRegistryClient(a.baseURL, srclient.WithClient(a.httpClient()))
	c.CachingEnabled(false)
	c.CodecCreationEnabled(false)
	return c
}

// identity is the cache key of a schema with its references: a schema
// registered with references is another schema than the same text without.
func identity(subject, schema string, refs []Reference) lookupKey {
	h := sha256.New()
	h.Write([]byte(schema))
	for _, r := range refs {
		h.Write([]byte("\x00" + r.Name + "\x00" + r.Subject + "\x00" + strconv.Itoa(r.Version)))
	}
	k := lookupKey{subject: subject}
	h.Sum(k.schema[:0])
	return k
}

func toSR(refs []Reference) []srclient.Reference {
	out := make([]srclient.Reference, len(refs))
	for i, r := range refs {
		out[i] = srclient.Reference(r)
	}
	return out
}

func fromSR(refs []srclient.Reference) []Reference {
	if len(refs) == 0 {
		return nil
	}
	out := make([]Reference, len(refs))
	for i, r := range refs {
		out[i] = Reference(r)
	}
	return out
}

// schemaBody is the body of a request that carries a schema.
func schemaBody(schema string, refs []Reference) ([]byte, error) {
	return json.Marshal(struct {
		Schema     string      `json:"schema"`
		References []Reference `json:"references,omitempty"`
	}{schema, refs})
}

// LookupID implements Client. Answers are cached (bounded, LRU) and
// concurrent lookups of the same schema share one request.
func (c *HTTPClient) LookupID(ctx context.Context, subject, schema string, refs ...Reference) (id, version int, err error) {
	key := identity(subject, schema, refs)
	if v, ok := c.lookups.Get(key); ok && v.version > 0 {
		c.hits.Add(1)
		return v.id, v.version, nil
	}
	c.misses.Add(1)
	v, err := c.idCalls.Do(ctx, "lookup\x00"+subject+"\x00"+string(key.schema[:]), func(ctx context.Context) (lookupVal, error) {
		var v lookupVal
		var got Schema
		err := c.call(ctx, "look up schema under subject "+strconv.Quote(subject), func(a *attempt) error {
			s, err := a.sr().LookupSchema(subject, schema, srclient.Avro, toSR(refs)...)
			if err != nil {
				return err
			}
			v, got = lookupVal{id: s.ID(), version: s.Version()}, Schema{ID: s.ID(), Text: s.Schema(), References: fromSR(s.References())}
			return nil
		})
		if err != nil {
			return v, err
		}
		if v.id <= 0 || v.version <= 0 {
			return v, fmt.Errorf("registry: look up schema under subject %q: %w: id %d, version %d", subject, ErrBadResponse, v.id, v.version)
		}
		c.lookups.Put(key, v)
		if got.Text != "" {
			c.ids.Put(v.id, got)
		}
		return v, nil
	})
	if err != nil {
		return 0, 0, wrapCtx(err, "look up schema under subject "+strconv.Quote(subject))
	}
	return v.id, v.version, nil
}

// Register implements Client. It is done over net/http rather than
// srclient, whose CreateSchema follows the POST with a second request (GET
// /schemas/ids/{id}) that the answer makes unnecessary. Answers are cached
// as LookupID's are.
func (c *HTTPClient) Register(ctx context.Context, subject, schema string, refs ...Reference) (int, error) {
	key := identity(subject, schema, refs)
	if v, ok := c.lookups.Get(key); ok {
		c.hits.Add(1)
		return v.id, nil
	}
	c.misses.Add(1)
	body, err := schemaBody(schema, refs)
	if err != nil {
		return 0, err
	}
	op := "register schema under subject " + strconv.Quote(subject)
	v, err := c.idCalls.Do(ctx, "register\x00"+subject+"\x00"+string(key.schema[:]), func(ctx context.Context) (lookupVal, error) {
		var out struct {
			ID int `json:"id"`
		}
		err := c.call(ctx, op, func(a *attempt) error {
			return a.do(http.MethodPost, "/subjects/"+url.PathEscape(subject)+"/versions", body, &out)
		})
		if err != nil {
			return lookupVal{}, err
		}
		if out.ID <= 0 {
			return lookupVal{}, fmt.Errorf("registry: %s: %w: id %d", op, ErrBadResponse, out.ID)
		}
		v := lookupVal{id: out.ID}
		if old, ok := c.lookups.Get(key); ok && old.id == v.id {
			v.version = old.version
		}
		c.lookups.Put(key, v)
		return v, nil
	})
	if err != nil {
		return 0, wrapCtx(err, op)
	}
	return v.id, nil
}

// SchemaByID implements Client. Answers are cached (bounded, LRU) and
// concurrent fetches of the same id share one request.
func (c *HTTPClient) SchemaByID(ctx context.Context, id int) (Schema, error) {
	if s, ok := c.ids.Get(id); ok {
		c.hits.Add(1)
		return s, nil
	}
	c.misses.Add(1)
	op := "fetch schema id " + strconv.Itoa(id)
	if id <= 0 {
		// The registry hands out positive ids only; do not ask.
		return Schema{}, fmt.Errorf("registry: %s: %w", op, ErrSchemaNotFound)
	}
	s, err := c.getCalls.Do(ctx, "id\x00"+strconv.Itoa(id), func(ctx context.Context) (Schema, error) {
		var got Schema
		err := c.call(ctx, op, func(a *attempt) error {
			s, err := a.sr().GetSchema(id)
			if err != nil {
				return err
			}
			got = Schema{ID: id, Text: s.Schema(), References: fromSR(s.References())}
			return nil
		})
		if err != nil {
			return Schema{}, err
		}
		if got.Text == "" {
			return Schema{}, fmt.Errorf("registry: %s: %w: empty schema", op, ErrBadResponse)
		}
		c.ids.Put(id, got)
		return got, nil
	})
	if err != nil {
		return Schema{}, wrapCtx(err, op)
	}
	return s, nil
}

// Versions implements Client. It is not cached.
func (c *HTTPClient) Versions(ctx context.Context, subject string) ([]int, error) {
	var out []int
	err := c.call(ctx, "list versions of subject "+strconv.Quote(subject), func(a *attempt) error {
		v, err := a.sr().GetSchemaVersions(subject)
		out = v
		return err
	})
	return out, err
}

// SchemaByVersion implements Client. A version named by number is cached
// (bounded, LRU): it does not change, and fetching the schemas a schema
// references asks for the same versions again and again. Latest is not.
func (c *HTTPClient) SchemaByVersion(ctx context.Context, subject string, version int) (Schema, error) {
	if version <= 0 && version != Latest {
		return Schema{}, fmt.Errorf("registry: fetch subject %q version %d: %w", subject, version, ErrVersionNotFound)
	}
	key := versionKey{subject: subject, version: version}
	if version != Latest {
		if s, ok := c.versions.Get(key); ok {
			c.hits.Add(1)
			return s, nil
		}
		c.misses.Add(1)
	}
	var out Schema
	err := c.call(ctx, fmt.Sprintf("fetch subject %q version %s", subject, versionString(version)), func(a *attempt) error {
		var s *srclient.Schema
		var err error
		if version == Latest {
			s, err = a.sr().GetLatestSchema(subject)
		} else {
			s, err = a.sr().GetSchemaByVersion(subject, version)
		}
		if err != nil {
			return err
		}
		out = Schema{Subject: subject, ID: s.ID(), Version: s.Version(), Text: s.Schema(), References: fromSR(s.References())}
		return nil
	})
	if err == nil && out.ID > 0 && out.Text != "" {
		c.ids.Put(out.ID, Schema{ID: out.ID, Text: out.Text, References: out.References})
		if version != Latest {
			c.versions.Put(key, out)
		}
	}
	return out, err
}

func versionString(v int) string {
	if v == Latest {
		return "latest"
	}
	return strconv.Itoa(v)
}

// Compatibility implements Client.
func (c *HTTPClient) Compatibility(ctx context.Context, subject string) (contract.Compatibility, error) {
	var level contract.Compatibility
	op := "get compatibility of subject " + strconv.Quote(subject)
	err := c.call(ctx, op, func(a *attempt) error {
		l, err := a.sr().GetCompatibilityLevel(subject, true)
		if err != nil {
			return err
		}
		level, err = contract.ParseCompatibility(string(*l))
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadResponse, err)
		}
		return nil
	})
	return level, err
}

// SetCompatibility implements Client.
func (c *HTTPClient) SetCompatibility(ctx context.Context, subject string, level contract.Compatibility) error {
	op := fmt.Sprintf("set compatibility of subject %q to %s", subject, level)
	if _, err := contract.ParseCompatibility(string(level)); err != nil {
		return fmt.Errorf("registry: %s: %w", op, err)
	}
	return c.call(ctx, op, func(a *attempt) error {
		_, err := a.sr().ChangeSubjectCompatibilityLevel(subject, srclient.CompatibilityLevel(level))
		return err
	})
}

// SubjectCompatibility implements Client. It is done over net/http rather
// than srclient, whose GetCompatibilityLevel drops the answer's error code
// (needed to tell "no level of its own" from other 404s).
func (c *HTTPClient) SubjectCompatibility(ctx context.Context, subject string) (contract.Compatibility, bool, error) {
	var out struct {
		Level string `json:"compatibilityLevel"`
		// Some registries answer with "compatibility" instead.
		Compatibility string `json:"compatibility"`
	}
	op := "get the compatibility level set on subject " + strconv.Quote(subject)
	err := c.call(ctx, op, func(a *attempt) error {
		out.Level, out.Compatibility = "", ""
		return a.do(http.MethodGet, "/config/"+url.PathEscape(subject), nil, &out)
	})
	var re *Error
	if errors.As(err, &re) && re.StatusCode == http.StatusNotFound && (re.Code == codeSubjectLevelNotFound || re.Code == CodeSubjectNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	s := out.Level
	if s == "" {
		s = out.Compatibility
	}
	level, err := contract.ParseCompatibility(s)
	if err != nil {
		return "", false, fmt.Errorf("registry: %s: %w: %w", op, ErrBadResponse, err)
	}
	return level, true, nil
}

// codeSubjectLevelNotFound is the registry's error code for a subject with
// no compatibility level of its own.
const codeSubjectLevelNotFound = 40408

// CheckCompatibility implements Client. It is done over net/http rather
// than srclient, whose IsSchemaCompatible cannot ask for (nor return) the
// registry's reasons.
func (c *HTTPClient) CheckCompatibility(ctx context.Context, subject, schema string, refs ...Reference) (bool, []string, error) {
	return c.checkCompatibility(ctx, subject, schema, refs, "/versions/latest", "check compatibility with the latest version of subject "+strconv.Quote(subject))
}

// CheckCompatibilityAll implements Client.
func (c *HTTPClient) CheckCompatibilityAll(ctx context.Context, subject, schema string, refs ...Reference) (bool, []string, error) {
	ok, reasons, err := c.checkCompatibility(ctx, subject, schema, refs, "/versions", "check compatibility with the versions of subject "+strconv.Quote(subject))
	if errors.Is(err, ErrSubjectNotFound) {
		return true, nil, nil
	}
	return ok, reasons, err
}

// checkCompatibility posts schema to
// /compatibility/subjects/{subject}{versions}?verbose=true.
func (c *HTTPClient) checkCompatibility(ctx context.Context, subject, schema string, refs []Reference, versions, op string) (bool, []string, error) {
	body, err := schemaBody(schema, refs)
	if err != nil {
		return false, nil, err
	}
	var out struct {
		IsCompatible *bool    `json:"is_compatible"`
		Messages     []string `json:"messages"`
	}
	err = c.call(ctx, op, func(a *attempt) error {
		out.IsCompatible, out.Messages = nil, nil
		if err := a.do(http.MethodPost, "/compatibility/subjects/"+url.PathEscape(subject)+versions+"?verbose=true", body, &out); err != nil {
			return err
		}
		if out.IsCompatible == nil {
			return fmt.Errorf("%w: no is_compatible in the answer", ErrBadResponse)
		}
		return nil
	})
	if err != nil {
		return false, nil, err
	}
	if *out.IsCompatible {
		return true, nil, nil
	}
	return false, out.Messages, nil
}

// wrapCtx names the operation on a bare context error (a caller that
// stopped waiting for a shared request).
func wrapCtx(err error, op string) error {
	if err == context.Canceled || err == context.DeadlineExceeded { //nolint:errorlint // only a bare one lacks the operation's name
		return fmt.Errorf("registry: %s: %w", op, err)
	}
	return err
}
