package fiefadmin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefadmin"
)

// TestPlainHTTPOnlyForLoopback: the key travels over plain http only to
// this machine, unless the configuration says it may.
func TestPlainHTTPOnlyForLoopback(t *testing.T) {
	for _, server := range []string{"http://fief.example.com", "http://10.0.0.7:8000", "http://fief:8000/tenant", "http://127.0.0.1.example.com"} {
		_, err := fiefadmin.New(fiefadmin.Config{ServerURL: server, APIKey: secretKey})
		var ce *fief.ConfigError
		if !errors.As(err, &ce) || ce.Field != "ServerURL" || !strings.Contains(err.Error(), "InsecureAllowHTTP") {
			t.Errorf("New(%q) = %v, want a config error on ServerURL naming InsecureAllowHTTP", server, err)
		}
		if _, err := fiefadmin.New(fiefadmin.Config{ServerURL: server, APIKey: secretKey, InsecureAllowHTTP: true}); err != nil {
			t.Errorf("New(%q) with InsecureAllowHTTP: %v", server, err)
		}
		if _, err := fiefadmin.NewFromConfig(fief.Config{BaseURL: "https://fief.example.com", InternalBaseURL: server}, secretKey); err == nil {
			t.Errorf("NewFromConfig with InternalBaseURL %q: no error", server)
		}
	}
	for _, server := range []string{"http://localhost:8000", "http://LOCALHOST", "http://127.0.0.1:8000", "http://127.3.4.5", "http://[::1]:8000", "https://fief.example.com"} {
		if _, err := fiefadmin.New(fiefadmin.Config{ServerURL: server, APIKey: secretKey}); err != nil {
			t.Errorf("New(%q): %v", server, err)
		}
	}
}

// keyCatcher is a plain-http server that records the Authorization headers
// it receives.
type keyCatcher struct {
	mu   sync.Mutex
	seen []string
	srv  *httptest.Server
}

func newKeyCatcher(t *testing.T) *keyCatcher {
	k := &keyCatcher{}
	k.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		k.seen = append(k.seen, r.Header.Get("Authorization"))
		k.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"count":0,"results":[]}`))
	}))
	t.Cleanup(k.srv.Close)
	return k
}

func (k *keyCatcher) requests() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.seen...)
}

// TestRedirectNotFollowed: an https server redirecting to plain http on the
// same host (where net/http keeps the Authorization header) or to another
// host gets an error, and the key never reaches the redirect's target,
// with the default client and with the caller's own, which follows
// redirects.
func TestRedirectNotFollowed(t *testing.T) {
	catcher := newKeyCatcher(t)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, catcher.srv.URL+r.URL.RequestURI(), status)
		}))
		plainSrv := httptest.NewServer(tlsSrv.Config.Handler)
		own := tlsSrv.Client() // follows redirects, as http.Client does by default
		for name, cfg := range map[string]fiefadmin.Config{
			"https, the caller's client": {ServerURL: tlsSrv.URL, APIKey: secretKey, HTTPClient: own},
			"http, the default client":   {ServerURL: plainSrv.URL, APIKey: secretKey},
		} {
			admin, err := fiefadmin.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = admin.Tenants.ListPage(context.Background(), nil)
			var ae *fiefadmin.Error
			if !errors.Is(err, fiefadmin.ErrRedirected) || !errors.As(err, &ae) || ae.StatusCode != status || !strings.Contains(err.Error(), catcher.srv.URL+"/admin/api/tenants/") {
				t.Errorf("%s, %d: error %v, want ErrRedirected naming the target", name, status, err)
			}
			if errors.Is(err, fief.ErrUnavailable) {
				t.Errorf("%s, %d: a redirect is retried as unavailable: %v", name, status, err)
			}
		}
		if own.CheckRedirect != nil {
			t.Error("the caller's client was changed")
		}
		tlsSrv.Close()
		plainSrv.Close()
	}
	if seen := catcher.requests(); len(seen) != 0 {
		t.Errorf("the redirect's target got %d requests (Authorization %q)", len(seen), seen)
	}
}

// TestErrorBodyNotPrinted: a proxy's error page echoing the request's
// headers shows the key in no printed or logged form of the error, and
// not in Error.Body either.
func TestErrorBodyNotPrinted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "<html><pre>Denied. Authorization: %s; token=%s</pre></html>", r.Header.Get("Authorization"), strings.ToUpper(secretKey))
	}))
	defer srv.Close()
	admin, err := fiefadmin.New(fiefadmin.Config{ServerURL: srv.URL, APIKey: secretKey})
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.Users.Get(context.Background(), someID)
	var ae *fiefadmin.Error
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusForbidden {
		t.Fatalf("error %v", err)
	}
	if strings.Contains(ae.Body, secretKey) || !strings.Contains(ae.Body, "Bearer [redacted]") {
		t.Errorf("Body %q: the key is not replaced", ae.Body)
	}
	upper := strings.ToUpper(secretKey)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		for _, v := range []any{err, ae, *ae} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, upper) || strings.Contains(out, "Denied") || strings.Contains(out, fmt.Sprintf("%x", "Denied")) {
				t.Errorf("Sprintf(%q, %T) shows the body: %s", verb, v, out)
			}
		}
	}
	var re *fief.ResponseError
	if !errors.As(err, &re) || strings.Contains(re.Body, secretKey) {
		t.Errorf("as a fief.ResponseError: the key shows in %q", re.Body)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("failed", "error", ae, "err", err)
	if strings.Contains(logs.String(), "Denied") {
		t.Errorf("the log shows the body: %s", logs.String())
	}
}
