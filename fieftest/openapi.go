package fieftest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"regexp"
)

// openAPIPath is where Fief publishes the admin API's OpenAPI document,
// relative to adminPrefix. FastAPI serves it without the admin key: the
// key is a dependency of the routers, not of the application.
const openAPIPath = "/openapi.json"

// The admin API's OpenAPI documents, as real Fief servers of each version
// served them at GET /admin/api/openapi.json (compact JSON, members in
// their order), with one change: the 0.30.0 document has no
// "additionalProperties": true on UserRead.fields. The server recorded ran
// pydantic 2.13, which writes that member from pydantic 2.11 on; Fief
// 0.30.0 pins pydantic 2.9.2, whose document does not have it, so it is an
// artifact of the recording, not part of Fief's document.
var (
	//go:embed openapi/admin-0.30.0.json
	openAPI030 []byte
	//go:embed openapi/admin-0.26.3.json
	openAPI026 []byte
)

// openAPIDoc is a document split around the defaults of its second
// server's variables, which Fief takes from its FIEF_DOMAIN setting.
type openAPIDoc struct {
	head, middle, tail []byte // before the scheme's default, between it and the host's, after the host's
}

var (
	openAPIDoc030 = splitOpenAPI(openAPI030)
	openAPIDoc026 = splitOpenAPI(openAPI026)
)

// The members, in the embedded documents, that hold the defaults of the
// "{scheme}://{host}/admin/api" server's variables.
const (
	openAPISchemeDefault = `"scheme":{"enum":["http","https"],"default":`
	openAPIHostDefault   = `"host":{"default":`
)

// splitOpenAPI cuts an embedded document around the values of the scheme
// and host defaults. The documents are part of the package: a document
// without exactly one of each is a bug of the package, hence the panic.
func splitOpenAPI(doc []byte) openAPIDoc {
	cut := func(b []byte, marker string) (before, after []byte) {
		if n := bytes.Count(b, []byte(marker)); n != 1 {
			panic(fmt.Sprintf("fieftest: the embedded OpenAPI document has %d %s members", n, marker))
		}
		i := bytes.Index(b, []byte(marker)) + len(marker)
		// The value is a string without escapes: skip its two quotes.
		end := i + 1 + bytes.IndexByte(b[i+1:], '"') + 1
		return b[:i], b[end:]
	}
	head, rest := cut(doc, openAPISchemeDefault)
	middle, tail := cut(rest, openAPIHostDefault)
	return openAPIDoc{head: head, middle: middle, tail: tail}
}

// render returns the document with the server variables' defaults of a
// Fief whose FIEF_DOMAIN is domain.
func (d openAPIDoc) render(domain string) []byte {
	scheme := "https"
	if fiefIsLocalhost(domain) {
		scheme = "http"
	}
	var b bytes.Buffer
	b.Grow(len(d.head) + len(d.middle) + len(d.tail) + len(domain) + 16)
	b.Write(d.head)
	b.Write(pyJSONString(scheme))
	b.Write(d.middle)
	b.Write(pyJSONString(domain))
	b.Write(d.tail)
	return b.Bytes()
}

// pyJSONString encodes s as Starlette's JSONResponse does: raw UTF-8, and
// no HTML escaping, unlike json.Marshal.
func pyJSONString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// fiefLocalhostHost is the pattern of Fief's is_localhost for a host name,
// matched at the start of the domain (Python's re.match), port included.
var fiefLocalhostHost = regexp.MustCompile(`(?i)^([^.]+\.)?localhost`)

// fiefIsLocalhost is Fief's is_localhost, which chooses the default scheme
// of the document's server: a private IPv4 address (without a port, as
// Python's ipaddress.IPv4Address reads it), or a name starting with
// "localhost" or "label.localhost". So "127.0.0.1:8000" is not local (the
// port makes it no address) and "localhost:8000" is. Python's is_private
// also lists a few documentation and reserved ranges, which no test server
// uses; the ranges here are those of netip.
func fiefIsLocalhost(domain string) bool {
	if a, err := netip.ParseAddr(domain); err == nil && a.Is4() {
		return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified()
	}
	return fiefLocalhostHost.MatchString(domain)
}

// serveOpenAPI answers GET /admin/api/openapi.json with the document of
// the version the server answers as. As in Fief, it needs no admin key.
func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// Starlette's Route (not FastAPI's APIRoute) serves HEAD too.
		w.Header().Set("Allow", "GET, HEAD")
		writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	s.mu.Lock()
	doc := openAPIDoc030
	if s.legacyLocked() {
		doc = openAPIDoc026
	}
	domain := s.cfg.domain
	if !s.started {
		domain = s.Domain
	}
	s.mu.Unlock()
	if domain == "" {
		// Mounted in another server without a Domain: the host the
		// request reached.
		domain = r.Host
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(doc.render(domain))
}
