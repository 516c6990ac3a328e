package registrytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	schema, ok := readSchema(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	id, _, apiErr := s.registerLocked(r.PathValue("subject"), schema, true)
	s.mu.Unlock()
	if apiErr != nil {
		writeAPIError(w, apiErr)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"id": id})
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	schema, ok := readSchema(w, r)
	if !ok {
		return
	}
	subject := r.PathValue("subject")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.subjects[subject]; !ok {
		subjectNotFound(w, subject)
		return
	}
	if _, v := s.lookupLocked(subject, schema); v > 0 {
		writeJSON(w, http.StatusOK, s.versionAnswerLocked(subject, v))
		return
	}
	// Not there: an invalid schema (a missing reference included) is the
	// registry's 422, as it parses what it looks up.
	resolved, apiErr := s.resolveLocked(schema)
	if apiErr == nil {
		_, apiErr = s.checkLocked(CheckInput{Subject: subject, Level: s.levelLocked(subject), Schema: resolved, ValidateOnly: true})
	}
	if apiErr != nil {
		writeAPIError(w, apiErr)
		return
	}
	WriteError(w, http.StatusNotFound, registry.CodeSchemaNotFound, "Schema not found")
}

func (s *Server) byID(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		WriteError(w, http.StatusBadRequest, registry.CodeInvalidSchema, "Invalid schema ID")
		return
	}
	s.mu.Lock()
	sch, ok := s.schemas[id]
	s.mu.Unlock()
	if !ok {
		WriteError(w, http.StatusNotFound, registry.CodeSchemaNotFound, "Schema not found")
		return
	}
	writeJSON(w, http.StatusOK, schemaAnswer{Schema: sch.Text, References: sch.References})
}

func (s *Server) listSubjects(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := make([]string, 0, len(s.subjects))
	for subject := range s.subjects {
		out = append(out, subject)
	}
	s.mu.Unlock()
	slices.Sort(out)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) versions(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	s.mu.Lock()
	ids, ok := s.subjects[subject]
	s.mu.Unlock()
	if !ok {
		subjectNotFound(w, subject)
		return
	}
	out := make([]int, len(ids))
	for i := range ids {
		out[i] = i + 1
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	n, ok := parseVersion(w, r.PathValue("version"))
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids, ok := s.subjects[subject]
	if !ok {
		subjectNotFound(w, subject)
		return
	}
	if n == 0 {
		n = len(ids)
	}
	if n > len(ids) {
		WriteError(w, http.StatusNotFound, registry.CodeVersionNotFound, fmt.Sprintf("Version %d not found.", n))
		return
	}
	writeJSON(w, http.StatusOK, s.versionAnswerLocked(subject, n))
}

func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	s.mu.Lock()
	defer s.mu.Unlock()
	level := s.global
	if subject != "" {
		l, ok := s.levels[subject]
		switch {
		case ok:
			level = l
		case r.URL.Query().Get("defaultToGlobal") != "true":
			WriteError(w, http.StatusNotFound, 40408, fmt.Sprintf("Subject '%s' does not have subject-level compatibility configured", subject))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"compatibilityLevel": string(level)})
}

func (s *Server) putConfig(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Compatibility string `json:"compatibility"`
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil || json.Unmarshal(data, &body) != nil {
		WriteError(w, http.StatusBadRequest, 42203, "Invalid request body")
		return
	}
	level, err := contract.ParseCompatibility(strings.ToUpper(body.Compatibility))
	if err != nil {
		WriteError(w, http.StatusUnprocessableEntity, 42203, "Invalid compatibility level: "+body.Compatibility)
		return
	}
	s.mu.Lock()
	if subject := r.PathValue("subject"); subject != "" {
		s.levels[subject] = level
	} else {
		s.global = level
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"compatibility": string(level)})
}

// compatibility answers whether a schema may be registered: against the
// versions the subject's level compares with (no version in the path), the
// latest version, or one version (compared with at the subject's level, as
// if it were the only one).
func (s *Server) compatibility(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	n := -1 // every version the level compares with
	if vs := r.PathValue("version"); vs != "" {
		var ok bool
		if n, ok = parseVersion(w, vs); !ok {
			return
		}
	}
	schema, ok := readSchema(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	resolved, apiErr := s.resolveLocked(schema)
	if apiErr != nil {
		writeAPIError(w, apiErr)
		return
	}
	in := CheckInput{Subject: subject, Level: s.levelLocked(subject), Schema: resolved}
	last := len(s.subjects[subject])
	switch {
	case n > last:
		// An invalid schema is refused before the missing version.
		in.ValidateOnly = true
		if _, apiErr := s.checkLocked(in); apiErr != nil {
			writeAPIError(w, apiErr)
			return
		}
		WriteError(w, http.StatusNotFound, registry.CodeVersionNotFound, fmt.Sprintf("Version %d not found", n))
		return
	case n > 0:
		in.Previous = s.previousLocked(subject, n, n)
	case n == 0 && last > 0:
		in.Previous = s.previousLocked(subject, last, last)
	default:
		in.Previous = s.previousLocked(subject, 1, last)
	}
	reasons, apiErr := s.checkLocked(in)
	if apiErr != nil {
		writeAPIError(w, apiErr)
		return
	}
	resp := map[string]any{"is_compatible": len(reasons) == 0}
	if r.URL.Query().Get("verbose") == "true" && len(reasons) > 0 {
		resp["messages"] = reasons
	}
	writeJSON(w, http.StatusOK, resp)
}
