package registrytest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// Register puts schema under subject, without references, and returns its
// id. It asks no Check and no verdict: it is a test's setup, what the
// registry already holds.
func (s *Server) Register(subject, schema string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _, _ := s.registerLocked(subject, Schema{Text: schema}, false)
	return id
}

// RegisterSchema registers schema under subject as POST
// /subjects/{subject}/versions does, references and Check included, and
// returns its id and version. Its error is a *registry.Error matching
// registry.ErrInvalidSchema (an invalid schema, or a reference to a
// subject or version that does not exist) or registry.ErrIncompatible.
func (s *Server) RegisterSchema(subject string, schema Schema) (id, version int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, version, apiErr := s.registerLocked(subject, schema, true)
	if apiErr != nil {
		return 0, 0, apiErr
	}
	return id, version, nil
}

// Versions returns the ids of subject's versions, oldest first.
func (s *Server) Versions(subject string) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.subjects[subject])
}

// registerLocked registers schema under subject, asking the Check when
// checked is set.
func (s *Server) registerLocked(subject string, schema Schema, checked bool) (id, version int, apiErr *registry.Error) {
	key := identity(schema)
	if id, ok := s.ids[key]; ok {
		if v := slices.Index(s.subjects[subject], id); v >= 0 {
			return id, v + 1, nil // already there: no check, as the registry does
		}
	}
	resolved, apiErr := s.resolveLocked(schema)
	if apiErr != nil {
		return 0, 0, apiErr
	}
	if checked {
		reasons, apiErr := s.checkLocked(CheckInput{Subject: subject, Level: s.levelLocked(subject), Previous: s.previousLocked(subject, 1, len(s.subjects[subject])), Schema: resolved})
		if apiErr != nil {
			return 0, 0, apiErr
		}
		if len(reasons) > 0 {
			return 0, 0, &registry.Error{StatusCode: http.StatusConflict, Code: registry.CodeIncompatible,
				Message: fmt.Sprintf("Schema being registered is incompatible with an earlier schema for subject %q, details: [%s]", subject, strings.Join(reasons, ", "))}
		}
	}
	id, ok := s.ids[key]
	if !ok {
		id = s.nextID
		s.nextID++
		s.ids[key] = id
		s.schemas[id] = &resolved
	}
	s.subjects[subject] = append(s.subjects[subject], id)
	return id, len(s.subjects[subject]), nil
}

// lookupLocked returns the version of subject that is schema, 0 for none.
func (s *Server) lookupLocked(subject string, schema Schema) (id, version int) {
	id, ok := s.ids[identity(schema)]
	if v := slices.Index(s.subjects[subject], id); ok && v >= 0 {
		return id, v + 1
	}
	return 0, 0
}

// resolveLocked finds the schemas schema's references name, and theirs in
// turn. A reference to a subject or version that does not exist makes the
// schema invalid, as in Confluent's registry.
func (s *Server) resolveLocked(schema Schema) (Resolved, *registry.Error) {
	out := Resolved{Schema: schema}
	seen := map[string]bool{}
	add := func(r Referenced) {
		key := r.Subject + "\x00" + strconv.Itoa(r.Version)
		if !seen[key] {
			seen[key] = true
			out.Referenced = append(out.Referenced, r)
		}
	}
	for _, ref := range schema.References {
		ids, ok := s.subjects[ref.Subject]
		switch {
		case !ok:
			return Resolved{}, invalid(fmt.Errorf("reference %q names subject %q, which does not exist", ref.Name, ref.Subject))
		case ref.Version < 1 || ref.Version > len(ids):
			return Resolved{}, invalid(fmt.Errorf("reference %q names version %d of subject %q, which does not exist", ref.Name, ref.Version, ref.Subject))
		}
		dep := s.schemas[ids[ref.Version-1]]
		for _, r := range dep.Referenced { // its own references, resolved when it was registered
			add(r)
		}
		add(Referenced{Reference: ref, Text: dep.Text})
	}
	return out, nil
}

// checkLocked asks the Check about in: the reasons it gives, or the 422 of
// an invalid schema.
func (s *Server) checkLocked(in CheckInput) ([]string, *registry.Error) {
	if s.check == nil {
		return nil, nil
	}
	reasons, err := s.check(in)
	if err != nil {
		return nil, invalid(err)
	}
	return reasons, nil
}

// previousLocked returns versions first to last of subject.
func (s *Server) previousLocked(subject string, first, last int) []Version {
	var out []Version
	ids := s.subjects[subject]
	for v := first; v <= last; v++ {
		out = append(out, Version{Version: v, ID: ids[v-1], Resolved: *s.schemas[ids[v-1]]})
	}
	return out
}

// levelLocked is the level that applies to subject.
func (s *Server) levelLocked(subject string) contract.Compatibility {
	if l, ok := s.levels[subject]; ok {
		return l
	}
	return s.global
}

func invalid(err error) *registry.Error {
	return &registry.Error{StatusCode: http.StatusUnprocessableEntity, Code: registry.CodeInvalidSchema, Message: "Invalid schema: " + err.Error()}
}
