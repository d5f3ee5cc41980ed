package security_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
)

// TestInjectedHeaders sends crafted Authorization and Cookie headers to the
// middleware. A header that does not hold exactly one well-formed token of
// the expected scheme is refused (401); nothing from the request is echoed
// into the response headers.
func TestInjectedHeaders(t *testing.T) {
	e := newEnv(t)
	good := e.token(fieftest.TokenOptions{})
	forged := segments(good)[0] + "." + segments(good)[1] + "." + b64([]byte("not a signature"))
	for _, tc := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"control: Bearer token", http.Header{"Authorization": {"Bearer " + good}}, 200},
		{"scheme in lower case (RFC 7235: case-insensitive)", http.Header{"Authorization": {"bearer " + good}}, 200},
		{"CR LF and an injected header after the token", http.Header{"Authorization": {"Bearer " + good + "\r\nX-Injected: 1"}}, 401},
		{"two Authorization headers, genuine first", http.Header{"Authorization": {"Bearer " + good, "Bearer " + forged}}, 401},
		{"two Authorization headers, forged first", http.Header{"Authorization": {"Bearer " + forged, "Bearer " + good}}, 401},
		{"two tokens joined by a comma", http.Header{"Authorization": {"Bearer " + good + ", Bearer " + forged}}, 401},
		{"two spaces after the scheme", http.Header{"Authorization": {"Bearer  " + good}}, 401},
		{"tab after the scheme", http.Header{"Authorization": {"Bearer\t" + good}}, 401},
		{"NUL after the token", http.Header{"Authorization": {"Bearer " + good + "\x00"}}, 401},
		{"token in quotes", http.Header{"Authorization": {`Bearer "` + good + `"`}}, 401},
		{"scheme without token", http.Header{"Authorization": {"Bearer"}}, 401},
		{"Basic scheme: no bearer token", http.Header{"Authorization": {"Basic " + good}}, 401},
		{"token with a parameter", http.Header{"Authorization": {"Bearer " + good + ";admin=1"}}, 401},
	} {
		t.Run("header/"+tc.name, func(t *testing.T) {
			checkInjected(t, authHandler(e.client, fiefhttp.AuthorizationHeader("Bearer"), fief.Requirements{}), tc.header, tc.want)
		})
	}
	for _, tc := range []struct {
		name   string
		cookie string
		want   int
	}{
		{"control: session cookie", "session=" + good, 200},
		{"duplicate session cookie, forged first: the first is used", "session=" + forged + "; session=" + good, 401},
		{"duplicate session cookie, genuine first: the first is used", "session=" + good + "; session=" + forged, 200},
		{"token cut by a semicolon", "session=" + good[:20] + ";" + good[20:], 401},
		{"CR LF and a Set-Cookie after the token", "session=" + forged + "\r\nSet-Cookie: session=x", 401},
		{"cookie of another name", "fief_session=" + good, 401},
		{"empty session cookie", "session=", 401},
	} {
		t.Run("cookie/"+tc.name, func(t *testing.T) {
			checkInjected(t, authHandler(e.client, fiefhttp.Cookie("session"), fief.Requirements{}), http.Header{"Cookie": {tc.cookie}}, tc.want)
		})
	}
}

func checkInjected(t *testing.T, h http.Handler, header http.Header, want int) {
	t.Helper()
	r := httptest.NewRequest("GET", "/protected", nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != want {
		t.Errorf("status %d, want %d", w.Code, want)
	}
	for k, vs := range w.Header() {
		if k == "X-Injected" || k == "Set-Cookie" {
			t.Errorf("response has an injected %s header: %q", k, vs)
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n") {
				t.Errorf("response header %s holds CR or LF: %q", k, v)
			}
		}
	}
}

// TestInjectedHeadersOnTheWire sends raw requests to a real server running
// the middleware: net/http itself refuses what cannot be a header, and what
// it lets through the middleware refuses.
func TestInjectedHeadersOnTheWire(t *testing.T) {
	e := newEnv(t)
	good := e.token(fieftest.TokenOptions{})
	srv := httptest.NewServer(authHandler(e.client, nil, fief.Requirements{}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name    string
		headers string
		want    int
	}{
		{"control", "Authorization: Bearer " + good + "\r\n", 200},
		{"obsolete line folding: joined into one malformed value", "Authorization: Bearer " + good + "\r\n X-Injected: 1\r\n", 401},
		{"bare LF inside the value", "Authorization: Bearer " + good[:20] + "\nX-Injected: 1\r\n", 401},
		{"NUL inside the value", "Authorization: Bearer " + good[:20] + "\x00" + good[20:] + "\r\n", 400},
		{"a 1 MiB Authorization header: within net/http's limit, refused by size", "Authorization: Bearer " + strings.Repeat("A", 1<<20) + "\r\n", 401},
		{"a 2 MiB Authorization header: refused by net/http", "Authorization: Bearer " + strings.Repeat("A", 2<<20) + "\r\n", 431},
		{"a 15 KiB token", "Authorization: Bearer " + strings.Repeat("A", 15<<10) + "\r\n", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rawGet(t, srv.Listener.Addr().String(), tc.headers); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
}

// rawGet sends GET /protected with the given raw header lines and returns
// the status code of the answer.
func rawGet(t *testing.T, addr, headers string) int {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	go fmt.Fprintf(conn, "GET /protected HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n", addr, headers)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestOversizedTokenNeverReachesFief: a token above fief.MaxTokenSize is
// refused as invalid before any parsing or network work: a fresh client
// (which has not even fetched the discovery document) sends no request to
// Fief, directly or through the middleware.
func TestOversizedTokenNeverReachesFief(t *testing.T) {
	e := newEnv(t)
	p := segments(e.token(fieftest.TokenOptions{}))
	huge := p[0] + "." + strings.Repeat("A", 1<<20) + "." + p[2]
	justOver := p[0] + "." + p[1] + strings.Repeat("A", fief.MaxTokenSize) + "." + p[2]
	for _, tok := range []string{huge, justOver} {
		before := requestsToFief(e.srv)
		client := e.newClient(t, nil)
		_, err := client.ValidateAccessToken(ctxTimeout(t, 5*time.Second), tok, fief.Requirements{})
		if classify(err) != invalid {
			t.Errorf("token of %d bytes: %v, want invalid", len(tok), err)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		authHandler(client, nil, fief.Requirements{}).ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("middleware, token of %d bytes: status %d, want 401", len(tok), w.Code)
		}
		if after := requestsToFief(e.srv); after != before {
			t.Errorf("token of %d bytes: %d requests reached Fief, want none", len(tok), after-before)
		}
	}
}

// requestsToFief counts the requests a client can make to get keys.
func requestsToFief(srv *fieftest.Server) int {
	return srv.RequestCount(fieftest.EndpointDiscovery) + srv.RequestCount(fieftest.EndpointJWKS) + srv.RequestCount(fieftest.EndpointUserInfo)
}
