package fiefhttp

import (
	"net/url"
	"strings"
)

// maxReturnPath bounds the return URL kept in a flow cookie.
const maxReturnPath = 1024

// isSafeReturnPath reports whether p is a path of this site that a browser
// cannot read as another origin: it starts with a single "/" and has no
// backslash (browsers read "/\evil" as "//evil"), no control character or
// space (browsers drop tabs and newlines, so "/\t/evil" would become
// "//evil"), no scheme, no host and no user info.
func isSafeReturnPath(p string) bool {
	if p == "" || len(p) > maxReturnPath || p[0] != '/' {
		return false
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return false
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	// A path segment such as "/%2F%2Fevil" is harmless (the browser keeps it
	// encoded), but one that decodes to a leading "//" is not worth the risk.
	return !strings.HasPrefix(u.Path, "//") && !strings.HasPrefix(u.Path, "/\\")
}
