package fief

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// request is one back-channel call to Fief.
type request struct {
	op       string // for errors: "discovery", "token", ...
	method   string
	path     string // absolute path on the server, tenant prefix included
	bearer   string // access token for the user API
	form     url.Values
	jsonBody any
	// respHeader, when not nil, receives the headers of a 2xx answer.
	respHeader *http.Header
}

// do sends r and decodes a 2xx JSON answer into out. A transport failure or
// an undecodable 2xx answer is an ErrUnavailable; a non-2xx answer is a
// *ResponseError.
func (c *Client) do(ctx context.Context, r request, out any) error {
	req, err := c.newRequest(ctx, r)
	if err != nil {
		return err
	}
	resp, err := c.s.httpClient.Do(req)
	if err != nil {
		return unavailable(r.op, err)
	}
	defer resp.Body.Close()
	body, err := readCapped(resp.Body)
	if err != nil {
		return unavailable(r.op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newResponseError(r.op, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return unavailable(r.op, fmt.Errorf("malformed answer (HTTP %d, %s): %w", resp.StatusCode, describeBody(body), err))
	}
	if r.respHeader != nil {
		*r.respHeader = resp.Header
	}
	return nil
}

func (c *Client) newRequest(ctx context.Context, r request) (*http.Request, error) {
	var body io.Reader
	contentType := ""
	switch {
	case r.form != nil:
		body = strings.NewReader(r.form.Encode())
		contentType = "application/x-www-form-urlencoded"
	case r.jsonBody != nil:
		b, err := json.Marshal(r.jsonBody)
		if err != nil {
			return nil, fmt.Errorf("fief: %s: encoding the request: %w", r.op, err)
		}
		body = bytes.NewReader(b)
		contentType = "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.backURL(r.path), body)
	if err != nil {
		return nil, fmt.Errorf("fief: %s: %w", r.op, err)
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	return req, nil
}

var errTooLarge = fmt.Errorf("answer larger than %d bytes", MaxResponseSize)

// readCapped reads a body of at most MaxResponseSize bytes.
func readCapped(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if len(b) > MaxResponseSize {
		return nil, errTooLarge
	}
	return b, nil
}

func newResponseError(op string, status int, body []byte) *ResponseError {
	e := &ResponseError{Op: op, StatusCode: status, Body: truncate(string(body), 512)}
	var fields struct {
		Error  string          `json:"error"`
		Detail json.RawMessage `json:"detail"`
		Reason []string        `json:"reason"`
	}
	if json.Unmarshal(body, &fields) == nil {
		e.Code = fields.Error
		e.Reason = fields.Reason
		var detail string
		if json.Unmarshal(fields.Detail, &detail) == nil {
			e.Detail = detail
		}
	}
	return e
}

// describeBody names what a body looks like, for error messages, without
// echoing it whole.
func describeBody(b []byte) string {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "":
		return "empty body"
	case strings.HasPrefix(s, "<"):
		return "HTML or XML body"
	}
	return fmt.Sprintf("%d bytes", len(b))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
