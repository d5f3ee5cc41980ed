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
// WebFlow.Auth().Authenticated(), for each session storage: the cookie
// read, the sealed cookie or the server-side record (in the in-memory
// store) decrypted, the access token validated (from the verified-token
// cache: it was validated once before the loop). No refresh happens: the
// token is valid. Names are Session/rsa=BITS/STORAGE.
func BenchmarkSession(b *testing.B) {
	for _, bits := range keySizes {
		for _, st := range storages {
			b.Run(fmt.Sprintf("rsa=%d/%s", bits, shortName(st)), func(b *testing.B) {
				e := newWebEnv(b, bits, fiefhttp.WebConfig{Storage: st})
				cookie := e.signedIn(b)
				h := e.flow.Auth().Authenticated()(okHandler)
				serve := func() {
					req := httptest.NewRequest(http.MethodGet, appURL+"/account", nil)
					req.AddCookie(cookie)
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
