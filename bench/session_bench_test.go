package bench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fief-dev/fief-go/fiefhttp"
)

// signedIn signs a browser in to e's application and returns its session
// cookie.
func (e *callbackEnv) signedIn(tb testing.TB) *http.Cookie {
	tb.Helper()
	rec := httptest.NewRecorder()
	e.flow.Callback(rec, e.callbackRequest(tb))
	for _, c := range rec.Result().Cookies() {
		if c.Name == e.flow.SessionCookieName() && c.Value != "" {
			return c
		}
	}
	tb.Fatalf("callback: status %d, no session cookie", rec.Code)
	return nil
}

var storages = []fiefhttp.Storage{fiefhttp.StorageAccessToken, fiefhttp.StorageSealedCookie, fiefhttp.StorageServer}

// BenchmarkSession serves a GET of a signed-in browser through
// WebFlow.Auth().Authenticated(), for each session storage, the request
// built as BenchmarkMiddleware builds its own (its Cookie header set as a
// browser sends it): the cookie read; for the sealed and server storages,
// the session found in the verified-session cache (opened once before the
// loop, then again by one request every fiefhttp.SessionCacheLife of the
// run, one request in several hundred thousand); the access token
// validated (from the verified-token cache). No refresh happens: the token
// is valid. Names are Session/rsa=BITS/STORAGE.
func BenchmarkSession(b *testing.B) {
	for _, bits := range keySizes {
		for _, st := range storages {
			b.Run(fmt.Sprintf("rsa=%d/%s", bits, shortName(st)), func(b *testing.B) {
				e := newWebEnv(b, bits, fiefhttp.WebConfig{Storage: st})
				cookie := e.signedIn(b)
				h := e.flow.Auth().Authenticated()(okHandler)
				serve := func() {
					req := httptest.NewRequest(http.MethodGet, "/account", nil)
					// As a browser sends it; the bearer rows set their header
					// the same way (Request.AddCookie would add its own
					// sanitizing and formatting, which a server never pays).
					req.Header.Set("Cookie", cookie.Name+"="+cookie.Value)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d", rec.Code)
					}
				}
				serve()
				loop(b, serve)
			})
		}
	}
}

func shortName(st fiefhttp.Storage) string {
	switch st {
	case fiefhttp.StorageSealedCookie:
		return "sealed"
	case fiefhttp.StorageServer:
		return "server-memory"
	}
	return "access-token"
}
