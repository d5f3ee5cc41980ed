package fiefcli

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/fief-dev/fief-go"
)

// FuzzCallbackRequest sends any Host, path and query string to the handler
// of the CLI's callback server: only a GET or HEAD to the redirect URI's
// host:port and path, carrying the sign-in's state, may decide the sign-in;
// any other request leaves it waiting (404, 405 or 400), and no request
// panics.
func FuzzCallbackRequest(f *testing.F) {
	const (
		host  = "127.0.0.1:51562"
		state = "Zq0kO1bV3y2p7J9mXcW4tR8sN6uL5hA_dE-gF2iK0oQ"
	)
	for _, s := range []struct{ host, target string }{
		{host, "/callback?state=" + state + "&error=access_denied"},
		{host, "/callback?state=" + state},
		{host, "/callback?code=abc"},
		{host, "/callback?state=forged&code=abc"},
		{"localhost:51562", "/callback?state=" + state},
		{"LOCALHOST:51562", "/callback?state=" + state},
		{"127.0.0.1:51562.", "/callback?state=" + state},
		{"127.0.0.1", "/callback?state=" + state},
		{host, "/other?state=" + state},
		{host, "/callback?state=" + state + "&state=x"},
		{host, "/callback?state=x&state=" + state},
		{host, "/callback?state=" + url.QueryEscape(state+"\x00")},
		{host, "/callback?state=" + state + ";code=abc"},
	} {
		f.Add(http.MethodGet, s.host, s.target)
	}
	f.Add(http.MethodPost, host, "/callback?state="+state)
	client, err := fief.New(fief.Config{BaseURL: "http://127.0.0.1:1", ClientID: "c"})
	if err != nil {
		f.Fatal(err)
	}
	a := &Auth{client: client, redirectURI: "http://" + host + "/callback", pageFunc: DefaultPage, logger: slog.New(slog.DiscardHandler)}
	f.Fuzz(func(t *testing.T, method, reqHost, target string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n#") || strings.ContainsAny(reqHost, " \r\n") {
			return // not a request line net/http would hand to a handler
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		r := httptest.NewRequest(http.MethodGet, "http://"+host+"/", nil)
		r.Method, r.Host, r.URL, r.RequestURI = method, reqHost, u, target
		cb := &callback{auth: a, host: host, path: "/callback", state: state, verifier: "v", done: make(chan result, 1)}
		w := httptest.NewRecorder()
		cb.ServeHTTP(w, r)
		genuine := strings.EqualFold(reqHost, host) && u.Path == "/callback" &&
			(method == http.MethodGet || method == http.MethodHead) && u.Query().Get("state") == state
		if cb.taken.Load() != genuine {
			t.Fatalf("%s %s %s: sign-in decided: %v, genuine callback: %v (HTTP %d)", method, reqHost, target, cb.taken.Load(), genuine, w.Code)
		}
		if !genuine && w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed && w.Code != http.StatusBadRequest {
			t.Fatalf("%s %s %s: HTTP %d for a request that is not the callback", method, reqHost, target, w.Code)
		}
		if genuine && len(cb.done) != 1 {
			t.Fatalf("%s %s %s: the genuine callback sent no result", method, reqHost, target)
		}
	})
}
