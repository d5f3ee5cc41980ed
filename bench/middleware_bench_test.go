package bench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fiefhttp"
)

// okHandler is the trivial handler every middleware benchmark ends in.
var okHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.Write([]byte("ok"))
})

// middlewareCase is one way of serving the benchmark request.
type middlewareCase struct {
	name    string
	handler func(tb testing.TB, srv *keyServer, token string) http.Handler
}

var middlewareCases = []middlewareCase{
	{"bare", func(testing.TB, *keyServer, string) http.Handler { return okHandler }},
	{"fiefhttp-cached", setupMiddleware(0)},
	{"fiefhttp-uncached", setupMiddleware(-1)},
}

// setupMiddleware wraps okHandler in fiefhttp's Authenticated middleware
// reading "Authorization: Bearer", over a client with the given cache size;
// the keys are loaded (and the token cached) beforehand.
func setupMiddleware(cacheSize int) func(testing.TB, *keyServer, string) http.Handler {
	return func(tb testing.TB, srv *keyServer, token string) http.Handler {
		c := newClient(tb, srv, cacheSize, nil)
		warm(tb, c, token)
		return fiefhttp.New(c, fiefhttp.Config{TokenGetter: fiefhttp.AuthorizationHeader("Bearer")}).Authenticated()(okHandler)
	}
}

// BenchmarkMiddleware serves a GET with the token in its Authorization
// header, end to end: the request is built with httptest.NewRequest and
// answered into a new httptest.ResponseRecorder at every iteration, so that
// "bare" is the cost of the unauthenticated handler path with the same
// request. Names are Middleware/rsa=BITS/CASE.
func BenchmarkMiddleware(b *testing.B) {
	for _, bits := range keySizes {
		s := signers(b)[bits]
		srv := newKeyServer(b, s)
		token := s.sign(b, newClaims(time.Now()))
		for _, mc := range middlewareCases {
			b.Run(fmt.Sprintf("rsa=%d/%s", bits, mc.name), func(b *testing.B) {
				h := mc.handler(b, srv, token)
				serve := func() {
					req := httptest.NewRequest(http.MethodGet, "/orders", nil)
					req.Header.Set("Authorization", "Bearer "+token)
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

// BenchmarkMiddlewareReusedRequest is BenchmarkMiddleware with the request
// built once and only the recorder made at every iteration, so that the
// middleware's own cost is a larger share of the total. Names are
// MiddlewareReusedRequest/rsa=BITS/CASE; the uncached case is left out, the
// RSA verification dominating it anyway.
func BenchmarkMiddlewareReusedRequest(b *testing.B) {
	for _, bits := range keySizes {
		s := signers(b)[bits]
		srv := newKeyServer(b, s)
		token := s.sign(b, newClaims(time.Now()))
		for _, mc := range middlewareCases[:2] {
			b.Run(fmt.Sprintf("rsa=%d/%s", bits, mc.name), func(b *testing.B) {
				h := mc.handler(b, srv, token)
				req := httptest.NewRequest(http.MethodGet, "/orders", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				serve := func() {
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
