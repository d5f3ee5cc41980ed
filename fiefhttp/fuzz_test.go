package fiefhttp

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// The fuzz targets of the request parsing of the middleware and of the
// callback, as an attacker's browser reaches them. See SECURITY.md at the
// module root for how long they ran and what they found.

// FuzzTokenGetters feeds arbitrary Authorization and Cookie headers to the
// getter chain of a web application (header first, then the session
// cookie): no panic; an error is always ErrMalformedToken (hence
// fief.ErrInvalidToken) with no token; a token never carries a byte that
// could end a header or a cookie (control characters, ';', '"', '\').
func FuzzTokenGetters(f *testing.F) {
	for _, s := range [][2]string{
		{"Bearer abc.def.ghi", ""},
		{"", "fiefhttp_session=abc.def.ghi"},
		{"", "fiefhttp_session=abc; fiefhttp_session=def"},
		{"", `fiefhttp_session="abc.def"`},
		{"Bearer", "fiefhttp_session=abc"},
		{"Basic dXNlcjpwYXNz", "fiefhttp_session=abc"},
		{"Bearer a\r\nX: y", "a=b; fiefhttp_session=c\x00d"},
		{"", "fiefhttp_session=a b;c"},
	} {
		f.Add(s[0], s[1])
	}
	get := FirstOf(AuthorizationHeader(""), Cookie(DefaultSessionCookieName))
	f.Fuzz(func(t *testing.T, authorization, cookie string) {
		r := httptest.NewRequest("GET", "/", nil)
		if authorization != "" {
			r.Header["Authorization"] = []string{authorization}
		}
		if cookie != "" {
			r.Header["Cookie"] = []string{cookie}
		}
		tok, err := get(r)
		if err != nil {
			if tok != "" || !errors.Is(err, ErrMalformedToken) || !errors.Is(err, fief.ErrInvalidToken) {
				t.Fatalf("token %q with error %v", tok, err)
			}
			return
		}
		for i := 0; i < len(tok); i++ {
			if c := tok[i]; c < 0x20 || c == 0x7f || c == ';' || c == '"' || c == '\\' {
				t.Fatalf("token %q holds %q", tok, c)
			}
		}
		if tok != "" && !strings.Contains(authorization, tok) && !strings.Contains(cookie, tok) {
			t.Fatalf("token %q is in neither header", tok)
		}
	})
}

// fuzzTransport plays Fief for the callback fuzz target: a discovery
// document, and a token endpoint that refuses every code.
type fuzzTransport struct{}

func (fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	status, body := http.StatusBadRequest, `{"error":"invalid_grant"}`
	if r.URL.Path == "/.well-known/openid-configuration" {
		status, body = http.StatusOK, `{"issuer":"https://fief.fuzz","authorization_endpoint":"http://fief.fuzz/authorize",`+
			`"token_endpoint":"http://fief.fuzz/api/token","userinfo_endpoint":"http://fief.fuzz/api/userinfo","jwks_uri":"http://fief.fuzz/.well-known/jwks.json"}`
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// FuzzCallback sends arbitrary query strings and Cookie headers to
// WebFlow.Callback. Whatever the input: no panic; an error page (400, 403 or
// 502), never a redirect nor a session cookie (no code can be exchanged);
// 502 (an exchange was tried) only for a state whose flow cookie is
// authentic; and Fief's error code, the only input the page shows, is
// HTML-escaped.
func FuzzCallback(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	key := bytes.Repeat([]byte{7}, 32)
	client, err := fief.New(fief.Config{
		BaseURL: "http://fief.fuzz", ClientID: "app", ClientSecret: "secret",
		HTTPClient: &http.Client{Transport: fuzzTransport{}},
		Clock:      func() time.Time { return now },
	})
	if err != nil {
		f.Fatal(err)
	}
	flow, err := NewWebFlow(client, WebConfig{BaseURL: "http://app.fuzz", CookieKeys: [][]byte{key}})
	if err != nil {
		f.Fatal(err)
	}
	const state = "c3RhdGUtb2YtdGhlLWZsb3ctMDEyMzQ1Njc4OQ"
	sealed := sealFlow(flow.seal.flow, flow.flowPrefix+state, flowData{Verifier: "verifier", Nonce: "nonce", Return: "/account", Expires: now.Add(time.Minute).Unix()})
	valid := flow.flowPrefix + state + "=" + sealed
	for _, s := range [][2]string{
		{"state=" + state + "&code=abc", valid},
		{"state=" + state + "&error=access_denied", valid},
		{"state=" + state + "&error=%3Cscript%3Ealert(1)%3C/script%3E", valid},
		{"state=" + state + "&code=abc&code=def&state=other", valid},
		{"state=" + state + "&code=abc", flow.flowPrefix + state + "=" + sealed[:len(sealed)-3]},
		{"state=" + state + "&code=abc", flow.flowPrefix + "other=" + sealed},
		{"state=" + state + "&code=abc", valid + "; " + valid},
		{"state=%00&code=abc", flow.flowPrefix + "%00=x"},
		{"state=" + state, valid},
		{"code=abc", valid},
		{"%zz", ""},
		{"", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, query, cookie string) {
		r := httptest.NewRequest("GET", "/auth-callback", nil)
		r.URL.RawQuery = query
		if cookie != "" {
			r.Header["Cookie"] = []string{cookie}
		}
		w := httptest.NewRecorder()
		flow.Callback(w, r)
		resp := w.Result()
		switch resp.StatusCode {
		case http.StatusBadRequest, http.StatusForbidden, http.StatusBadGateway:
		default:
			t.Fatalf("status %d", resp.StatusCode)
		}
		if loc := resp.Header.Get("Location"); loc != "" {
			t.Fatalf("redirected to %q", loc)
		}
		for _, c := range resp.Cookies() {
			if c.Name == flow.sessionName && c.Value != "" {
				t.Fatal("session cookie set")
			}
		}
		if resp.StatusCode == http.StatusBadGateway {
			q, _ := url.ParseQuery(query)
			s := q.Get("state")
			c, err := r.Cookie(flow.flowPrefix + s)
			if err != nil {
				t.Fatalf("exchange tried for state %q without its flow cookie", s)
			}
			if _, err := openFlow(flow.seal.flow, flow.flowPrefix+s, c.Value, now); err != nil {
				t.Fatalf("exchange tried for state %q with an inauthentic flow cookie: %v", s, err)
			}
		}
		body := w.Body.String()
		if i := strings.Index(body, `<code id="error-code">`); i >= 0 {
			shown := body[i+len(`<code id="error-code">`):]
			shown = shown[:strings.Index(shown, "</code>")]
			if strings.ContainsAny(shown, `<>"`) {
				t.Fatalf("error code shown unescaped: %q", shown)
			}
		}
	})
}
