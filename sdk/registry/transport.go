package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const contentType = "application/vnd.schemaregistry.v1+json"

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// attempt is one try of a call against one URL. Its round tripper records
// what happened on the wire, which srclient's errors do not tell (it drops
// the HTTP status of an answer and mixes network errors with decoding
// errors).
type attempt struct {
	c       *HTTPClient
	ctx     context.Context
	baseURL string

	netErr     error  // the transport failed
	apiErr     *Error // the registry answered non-2xx
	tooLarge   bool
	retryAfter time.Duration
}

// RoundTrip sends req with the attempt's context and the client's
// credentials.
func (a *attempt) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(a.ctx)
	if a.c.auth != nil {
		r.Header.Set("Authorization", *a.c.auth)
	}
	r.Header.Set("Accept", contentType+", application/json")
	if r.Body != nil && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Header.Set("User-Agent", "eventkit-registry")
	a.c.requests.Add(1)
	resp, err := a.c.base.RoundTrip(r)
	if err != nil {
		a.netErr = err
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		a.apiErr = a.c.answerError(resp.StatusCode, body)
		a.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	}
	if resp.ContentLength > a.c.maxResponse {
		resp.Body.Close()
		a.tooLarge = true
		return nil, fmt.Errorf("%w: Content-Length %d exceeds %d bytes", ErrResponseTooLarge, resp.ContentLength, a.c.maxResponse)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: a.c.maxResponse, a: a}
	return resp, nil
}

// limitedBody fails a read past the limit with ErrResponseTooLarge.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
	a    *attempt
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		n, err := l.rc.Read(one[:])
		if n > 0 {
			l.a.tooLarge = true
			return 0, fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, l.a.c.maxResponse)
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	if err != nil && err != io.EOF {
		// The connection broke mid-answer: a network error, retried.
		l.a.netErr = err
	}
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }

// httpClient returns an http.Client whose requests go through the attempt.
// It follows no redirect: the credentials are for the registry's hosts only.
func (a *attempt) httpClient() *http.Client {
	return &http.Client{
		Transport:     a,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// do sends one request (the body is sent whole, on every attempt) and
// decodes a 2xx JSON answer into out (when out is not nil).
func (a *attempt) do(method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(a.ctx, method, a.baseURL+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if a.apiErr != nil {
		return a.apiErr
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A redirect not followed.
		a.apiErr = &Error{StatusCode: resp.StatusCode, Message: "redirect to " + resp.Header.Get("Location") + " not followed"}
		return a.apiErr
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	return nil
}

// answerError builds the error of a non-2xx answer.
func (c *HTTPClient) answerError(status int, body []byte) *Error {
	e := &Error{StatusCode: status}
	var payload struct {
		Code    int    `json:"error_code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &payload) == nil {
		e.Code, e.Message = payload.Code, payload.Message
	} else {
		e.Message = strings.TrimSpace(string(body))
	}
	if len(e.Message) > 1024 {
		e.Message = e.Message[:1024] + "..."
	}
	switch status {
	case http.StatusUnauthorized:
		e.hint = c.hint.unauthorized
	case http.StatusForbidden:
		e.hint = c.hint.forbidden
	}
	return e
}

func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}
