package fiefhttp

import (
	"net/http"
	"net/textproto"
	"strings"
)

// cookieValue returns the value of the request's first valid cookie named
// name, as [http.Request.Cookie] reads it (one pair of double quotes
// stripped, a value with a byte RFC 6265 does not allow skipped), and
// false when there is none. Written here because Request.Cookie builds a
// Cookie and a slice per call and checks the value a byte at a time, which
// cost a signed-in page more than its session (a sealed cookie is 1 to 2
// KB); here the value is checked eight bytes at a time. Unlike
// Request.Cookie, it does not give up on a request carrying more cookies
// than GODEBUG's httpcookiemaxnum: that limit guards Request.Cookie's
// allocation per cookie, and nothing here is allocated.
func cookieValue(r *http.Request, name string) (string, bool) {
	if name == "" || !isCookieName(name) {
		return "", false
	}
	for _, line := range r.Header["Cookie"] {
		line = textproto.TrimString(line)
		var part string
		for len(line) > 0 {
			part, line, _ = strings.Cut(line, ";")
			part = textproto.TrimString(part)
			n, v, _ := strings.Cut(part, "=")
			if textproto.TrimString(n) != name {
				continue
			}
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if validCookieValue(v) {
				return v, true
			}
		}
	}
	return "", false
}

// validCookieValue reports whether every byte of v is one RFC 6265 (as
// net/http reads it) allows in a cookie value: 0x20 to 0x7e but '"', ';'
// and '\'. Eight bytes at a time: a byte below 0x20, above 0x7e, or equal
// to one of the three sets the top bit of its lane in one of the tests
// (exact tests, without false positives: see TestValidCookieValue).
func validCookieValue(v string) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(v); i += 8 {
		b := v[i : i+8]
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		below := (w - ones*0x20) &^ w       // a lane below 0x20 (with the top bit clear)
		above := (w + ones*(0x7f-0x7e)) | w // a lane above 0x7e, or with the top bit set
		q, sc, bs := w^(ones*'"'), w^(ones*';'), w^(ones*'\\')
		equal := (q-ones)&^q | (sc-ones)&^sc | (bs-ones)&^bs // a zero lane
		if (below|above|equal)&highs != 0 {
			return false
		}
	}
	for ; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e || c == '"' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// firstCookieValue returns the raw value of the first cookie named name,
// unchecked and quotes left in place, for a lookup in the verified-session
// cache only: the cache holds keys of values cookieValue returned, none of
// which has a quote or a byte cookieValue refuses, so a value found there
// is one cookieValue would return for this request (the first valid
// cookie of the name); any other goes on to cookieValue.
func firstCookieValue(r *http.Request, name string) string {
	for _, line := range r.Header["Cookie"] {
		var part string
		for len(line) > 0 {
			part, line, _ = strings.Cut(line, ";")
			n, v, _ := strings.Cut(textproto.TrimString(part), "=")
			if textproto.TrimString(n) == name {
				return v
			}
		}
	}
	return ""
}
