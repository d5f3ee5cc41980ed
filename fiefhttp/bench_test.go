package fiefhttp_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
)

// BenchmarkAuthenticated measures the middleware on a token already in the
// client's verified-token cache: the common case of a busy API.
func BenchmarkAuthenticated(b *testing.B) {
	srv := fieftest.NewServer()
	defer srv.Close()
	fc, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		b.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Permissions: []string{"castles:read"}})
	if err != nil {
		b.Fatal(err)
	}
	e := &fiefEnv{srv: srv, fc: fc, user: user}
	client := e.newClient(b)
	tok := srv.MintAccessToken(user.ID, fieftest.TokenOptions{Scopes: []string{"openid", "read"}})
	h := fiefhttp.New(client, fiefhttp.Config{}).Authenticated(fiefhttp.Scopes("read"), fiefhttp.Permissions("castles:read"))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := fiefhttp.AccessTokenInfoFrom(r.Context()); !ok {
				b.Fatal("no token info")
			}
		}))
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r) // warm the caches
	if w.Code != 200 {
		b.Fatalf("status %d", w.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.ServeHTTP(w, r)
	}
}

// BenchmarkCurrentUserCacheHit adds the user-info cache read.
func BenchmarkCurrentUserCacheHit(b *testing.B) {
	srv := fieftest.NewServer()
	defer srv.Close()
	fc, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		b.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy"})
	if err != nil {
		b.Fatal(err)
	}
	e := &fiefEnv{srv: srv, fc: fc, user: user}
	client := e.newClient(b)
	h := fiefhttp.New(client, fiefhttp.Config{}).CurrentUser()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+srv.MintAccessToken(user.ID, fieftest.TokenOptions{}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 {
		b.Fatalf("status %d", w.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.ServeHTTP(w, r)
	}
}
