package registrytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/lunchbot/eventkit/sdk/registry"
)

// maxBody bounds what the fake reads of a request.
const maxBody = 16 << 20

// versionAnswer is a subject's version, as GET
// /subjects/{subject}/versions/{version} and lookups answer it.
type versionAnswer struct {
	Subject    string      `json:"subject"`
	ID         int         `json:"id"`
	Version    int         `json:"version"`
	Schema     string      `json:"schema"`
	References []Reference `json:"references,omitempty"`
}

// schemaAnswer is GET /schemas/ids/{id}'s answer.
type schemaAnswer struct {
	Schema     string      `json:"schema"`
	References []Reference `json:"references,omitempty"`
}

func (s *Server) versionAnswerLocked(subject string, version int) versionAnswer {
	id := s.subjects[subject][version-1]
	sch := s.schemas[id]
	return versionAnswer{Subject: subject, ID: id, Version: version, Schema: sch.Text, References: sch.References}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError writes a registry error answer.
func WriteError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"error_code": code, "message": message})
}

// writeAPIError writes err, a *registry.Error, as the registry would.
func writeAPIError(w http.ResponseWriter, err error) {
	var e *registry.Error
	if !errors.As(err, &e) {
		e = &registry.Error{StatusCode: http.StatusInternalServerError, Code: 50001, Message: err.Error()}
	}
	WriteError(w, e.StatusCode, e.Code, e.Message)
}

func subjectNotFound(w http.ResponseWriter, subject string) {
	WriteError(w, http.StatusNotFound, registry.CodeSubjectNotFound, fmt.Sprintf("Subject '%s' not found.", subject))
}

// readSchema decodes a {"schema", "schemaType", "references"} body.
func readSchema(w http.ResponseWriter, r *http.Request) (Schema, bool) {
	var body struct {
		Schema     string      `json:"schema"`
		SchemaType string      `json:"schemaType"`
		References []Reference `json:"references"`
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil || json.Unmarshal(data, &body) != nil {
		WriteError(w, http.StatusBadRequest, registry.CodeInvalidSchema, "Invalid request body")
		return Schema{}, false
	}
	switch {
	case body.Schema == "":
		WriteError(w, http.StatusUnprocessableEntity, registry.CodeInvalidSchema, "Empty schema")
		return Schema{}, false
	case body.SchemaType != "" && body.SchemaType != "AVRO":
		WriteError(w, http.StatusUnprocessableEntity, registry.CodeInvalidSchema, "Invalid schema type: "+body.SchemaType+" (this registry knows AVRO only)")
		return Schema{}, false
	case !json.Valid([]byte(body.Schema)):
		WriteError(w, http.StatusUnprocessableEntity, registry.CodeInvalidSchema, "Invalid schema: not JSON")
		return Schema{}, false
	}
	return Schema{Text: body.Schema, References: body.References}, true
}

// parseVersion reads a version path segment: a positive number, "latest" or
// -1 (latest, 0 returned).
func parseVersion(w http.ResponseWriter, s string) (int, bool) {
	if s == "latest" || s == "-1" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		WriteError(w, http.StatusUnprocessableEntity, 42202, fmt.Sprintf("The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", s))
		return 0, false
	}
	return n, true
}
