// Package admincalls reads the request/answer pairs recorded against a real
// Fief v0.26.3 server's administration API (testdata/calls-v0.26.3.md), so
// that tests can replay them: against the admin client (does it send the
// recorded request and decode the recorded answer?) and against fieftest
// (does it answer the recorded request the same way?).
//
// [Load] parses the embedded record; [Replayable] keeps the calls worth
// replaying. A [Normalizer] makes two JSON documents comparable modulo ids
// and timestamps.
package admincalls

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

//go:embed testdata/calls-v0.26.3.md
var record []byte

//go:embed testdata/calls-v0.30.0.md
var record030 []byte

// The versions of Fief whose calls are recorded.
const (
	V026 = "0.26.3"
	V030 = "0.30.0"
)

// AdminKey is the admin API key of the recorded server.
const AdminKey = "rf-admin-api-key-0123456789abcdef"

// Prefix is the path under which the admin API lives on a Fief server.
const Prefix = "/admin/api"

// Call is one recorded request and its answer.
type Call struct {
	// Number and Title are the heading of the record ("12", "create user").
	Number int
	Title  string

	// Method is the HTTP method.
	Method string
	// Path is the request path, Prefix included ("/admin/api/users/").
	Path string
	// RawQuery is the request query, without "?" ("" when none).
	RawQuery string
	// Authorization is the Authorization header sent ("" when none).
	Authorization string
	// RequestBody is the compacted JSON body sent (nil when none).
	RequestBody []byte

	// Status is the HTTP status of the answer.
	Status int
	// ContentType is the answer's media type, without parameters ("" when
	// the answer had none, as for 204).
	ContentType string
	// ResponseBody is the answer body: compacted JSON for a JSON answer,
	// the text as recorded otherwise, nil when empty.
	ResponseBody []byte
}

// Query is RawQuery decoded.
func (c Call) Query() url.Values {
	q, _ := url.ParseQuery(c.RawQuery)
	return q
}

// Target is Path plus the query, as on the request line.
func (c Call) Target() string {
	if c.RawQuery == "" {
		return c.Path
	}
	return c.Path + "?" + c.RawQuery
}

// AdminAPI reports whether the call is to the admin API (the record also
// holds two calls to the user API).
func (c Call) AdminAPI() bool { return strings.HasPrefix(c.Path, Prefix+"/") }

// Replayable reports whether the call is a call to the admin API whose
// answer is Fief's own: the record's one 500, an artefact of the recording
// server's SQLite database ("database is locked"), is not.
func (c Call) Replayable() bool { return c.AdminAPI() && c.Status < 500 }

// String names the call, for test names: "12 create user".
func (c Call) String() string { return fmt.Sprintf("%d %s", c.Number, c.Title) }

// Load parses the embedded record of Fief 0.26.3.
func Load() ([]Call, error) { return Parse(record) }

// LoadVersion parses the embedded record of a Fief version (V026, V030).
func LoadVersion(v string) ([]Call, error) {
	switch v {
	case V026:
		return Parse(record)
	case V030:
		return Parse(record030)
	}
	return nil, fmt.Errorf("admincalls: no record of Fief %q", v)
}

// Replayable returns the replayable calls of the 0.26.3 record, in order.
func Replayable() ([]Call, error) { return ReplayableVersion(V026) }

// ReplayableVersion returns the replayable calls of a version's record, in
// order.
func ReplayableVersion(v string) ([]Call, error) {
	all, err := LoadVersion(v)
	if err != nil {
		return nil, err
	}
	var out []Call
	for _, c := range all {
		if c.Replayable() {
			out = append(out, c)
		}
	}
	return out, nil
}

var (
	headingRE = regexp.MustCompile(`^## (\d+)\. (.+)$`)
	statusRE  = regexp.MustCompile(`^→ \*\*(\d{3})\*\* \(([^,]+), (\d+) bytes\)$`)
)

// Parse reads a record in the markdown layout of testdata/calls-v0.26.3.md:
// a "## N. title" heading, a fenced request (request line, headers, blank
// line, JSON body), a "→ **STATUS** (type, N bytes)" line and, unless the
// answer is empty, a fenced answer body.
func Parse(md []byte) ([]Call, error) {
	p := &parser{sc: bufio.NewScanner(bytes.NewReader(md))}
	p.sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var calls []Call
	for p.next() {
		m := headingRE.FindStringSubmatch(p.line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		c, err := p.call(n, m[2])
		if err != nil {
			return nil, fmt.Errorf("admincalls: call %d (%s): %w", n, m[2], err)
		}
		calls = append(calls, c)
	}
	if err := p.sc.Err(); err != nil {
		return nil, fmt.Errorf("admincalls: %w", err)
	}
	if len(calls) == 0 {
		return nil, fmt.Errorf("admincalls: no call found")
	}
	return calls, nil
}

type parser struct {
	sc     *bufio.Scanner
	line   string
	lineNo int
}

func (p *parser) next() bool {
	if !p.sc.Scan() {
		return false
	}
	p.line = p.sc.Text()
	p.lineNo++
	return true
}

// skipBlank advances to the next non-blank line.
func (p *parser) skipBlank() bool {
	for p.next() {
		if strings.TrimSpace(p.line) != "" {
			return true
		}
	}
	return false
}

// fenced reads the lines of a fenced block whose opening line is current.
func (p *parser) fenced() ([]string, error) {
	if !strings.HasPrefix(p.line, "```") {
		return nil, fmt.Errorf("line %d: want a fenced block, got %q", p.lineNo, p.line)
	}
	var lines []string
	for p.next() {
		if p.line == "```" {
			return lines, nil
		}
		lines = append(lines, p.line)
	}
	return nil, fmt.Errorf("line %d: unterminated fenced block", p.lineNo)
}

func (p *parser) call(n int, title string) (Call, error) {
	c := Call{Number: n, Title: title}
	if !p.skipBlank() {
		return c, fmt.Errorf("no request")
	}
	req, err := p.fenced()
	if err != nil {
		return c, err
	}
	if err := c.readRequest(req); err != nil {
		return c, err
	}
	if !p.skipBlank() {
		return c, fmt.Errorf("no answer")
	}
	m := statusRE.FindStringSubmatch(p.line)
	if m == nil {
		return c, fmt.Errorf("line %d: want a status line, got %q", p.lineNo, p.line)
	}
	c.Status, _ = strconv.Atoi(m[1])
	size, _ := strconv.Atoi(m[3])
	if ct := strings.TrimSpace(strings.Split(m[2], ";")[0]); ct != "None" {
		c.ContentType = ct
	}
	if size == 0 {
		return c, nil
	}
	if !p.skipBlank() {
		return c, fmt.Errorf("no answer body")
	}
	body, err := p.fenced()
	if err != nil {
		return c, err
	}
	raw := []byte(strings.Join(body, "\n"))
	if c.ContentType == "application/json" {
		if raw, err = compact(raw); err != nil {
			return c, fmt.Errorf("answer body: %w", err)
		}
	}
	c.ResponseBody = raw
	return c, nil
}

func (c *Call) readRequest(lines []string) error {
	if len(lines) == 0 {
		return fmt.Errorf("empty request")
	}
	method, target, ok := strings.Cut(lines[0], " ")
	if !ok {
		return fmt.Errorf("bad request line %q", lines[0])
	}
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("bad request target %q: %w", target, err)
	}
	c.Method, c.Path, c.RawQuery = method, u.Path, u.RawQuery
	i := 1
	for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
		name, value, ok := strings.Cut(lines[i], ": ")
		switch {
		case ok && strings.EqualFold(name, "Authorization"):
			c.Authorization = value
		case strings.HasPrefix(lines[i], "(no "):
			// "(no Authorization header)": nothing sent.
		default:
			return fmt.Errorf("unexpected request header line %q", lines[i])
		}
	}
	if body := strings.TrimSpace(strings.Join(lines[min(i, len(lines)):], "\n")); body != "" {
		if c.RequestBody, err = compact([]byte(body)); err != nil {
			return fmt.Errorf("request body: %w", err)
		}
	}
	return nil
}

func compact(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
