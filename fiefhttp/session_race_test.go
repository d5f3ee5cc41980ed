package fiefhttp_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

// refreshGate is the way of a Fief client to a real Fief that, once armed,
// holds each answer to a refresh (grant_type=refresh_token) until
// released, so that a test can run something while a refresh is in flight.
type refreshGate struct {
	base    http.RoundTripper
	armed   atomic.Bool
	entered chan struct{} // a refresh answer is held
	release chan struct{} // closed: let it through
}

func newRefreshGate(base *http.Client) *refreshGate {
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &refreshGate{base: rt, entered: make(chan struct{}), release: make(chan struct{})}
}

func (g *refreshGate) RoundTrip(r *http.Request) (*http.Response, error) {
	refresh := false
	if g.armed.Load() && r.Method == http.MethodPost && r.Body != nil {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		refresh = form.Get("grant_type") == "refresh_token"
	}
	resp, err := g.base.RoundTrip(r)
	if refresh {
		g.entered <- struct{}{}
		<-g.release
	}
	return resp, err
}

// TestSignOutEverywhereDuringARefresh: a request refreshing a server-side
// session while the user signs out everywhere (Fief has answered the
// refresh, the session is not written yet) must not write the session
// back: that request and every later one with the session cookie get 401,
// and nothing of the session is left in the store.
func TestSignOutEverywhereDuringARefresh(t *testing.T) {
	e := newSessionEnv(t)
	gate := newRefreshGate(e.srv.Client())
	e.httpClient = &http.Client{Transport: gate}
	store := fiefhttp.NewMemorySessionStoreAt(fiefhttp.MemorySessionStoreConfig{}, e.srv.Now)
	a := e.newApp(t, fiefhttp.WebConfig{Storage: fiefhttp.StorageServer, Store: store})
	laptop, phone := a.signIn(t), a.signIn(t)
	phoneCookie := a.cookie(t, phone)

	e.srv.Advance(tokenLifetime) // the phone's next request refreshes
	gate.armed.Store(true)
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- a.get("/token", phoneCookie) }()
	<-gate.entered

	resp, err := browsertest.NoRedirect(laptop).Post(a.app.URL+"/logout-everywhere", "", nil)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %v %v", resp, err)
	}
	resp.Body.Close()
	close(gate.release)

	if w := <-done; w.Code != http.StatusUnauthorized {
		t.Errorf("the request refreshing during the sign-out: %d, want 401", w.Code)
	}
	if w := a.get("/token", phoneCookie); w.Code != http.StatusUnauthorized {
		t.Fatalf("the phone's session after sign-out everywhere: %d, want 401: the refresh wrote it back", w.Code)
	}
	if n := store.Len(); n != 0 {
		t.Errorf("%d records left after sign-out everywhere, want 0", n)
	}
}
