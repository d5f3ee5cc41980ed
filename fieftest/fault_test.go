package fieftest_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

func TestFailNext(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	if _, err := srv.AddTenant("secondary"); err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	srv.FailNext(fieftest.EndpointDiscovery, 2, fieftest.Fault{Status: 503, Body: `{"detail":"SERVER_DATABASE_NOT_AVAILABLE"}`})
	srv.FailNext(fieftest.EndpointDiscovery, 1, fieftest.Fault{Body: "not json", ContentType: "text/plain"})

	tests := []struct {
		path, ctype string
		status      int
	}{
		{"/.well-known/openid-configuration", "application/json", 503},
		{"/secondary/.well-known/openid-configuration", "application/json", 503},
		{"/.well-known/openid-configuration", "text/plain", 200},
		{"/.well-known/openid-configuration", "application/json", 200},
	}
	for i, tt := range tests {
		resp := get(t, c, srv.URL+tt.path)
		body := browsertest.Body(t, resp)
		if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != tt.ctype {
			t.Errorf("request %d: %d %q %s", i, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if i == 2 && body != "not json" {
			t.Errorf("malformed body %q", body)
		}
	}
	if n := srv.RequestCount(fieftest.EndpointDiscovery); n != 4 {
		t.Errorf("RequestCount = %d, want 4", n)
	}
	if n := srv.RequestCount(fieftest.EndpointToken); n != 0 {
		t.Errorf("token RequestCount = %d", n)
	}
}

func TestFaultDelay(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	c := srv.Client()

	srv.FailNext(fieftest.EndpointJWKS, 1, fieftest.Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	resp := get(t, c, srv.URL+"/.well-known/jwks.json")
	browsertest.Body(t, resp)
	if resp.StatusCode != 200 || time.Since(start) < 50*time.Millisecond {
		t.Errorf("slow server: %d after %v", resp.StatusCode, time.Since(start))
	}

	// A long delay ends when the client gives up, and Close does not wait
	// for it.
	srv.FailNext(fieftest.EndpointJWKS, 1, fieftest.Fault{Delay: time.Hour, Status: 500})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/.well-known/jwks.json", nil)
	_, err := c.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on an abandoned delayed request")
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t)
	e.srv.SetAutoLogin(e.user.Email())
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := codeFor(t, e.srv, e.client.ClientID, nil)
			tok := exchange(t, e, e.srv.URL, code)
			if st, _ := bearer(t, e.srv.Client(), "GET", e.srv.URL+"/api/userinfo", tok["access_token"].(string), ""); st != 200 {
				t.Errorf("userinfo %d", st)
			}
			e.srv.RequestCount(fieftest.EndpointToken)
			e.user.Claims()
			e.srv.Advance(time.Millisecond)
		}()
	}
	wg.Add(1)
	go func() { defer wg.Done(); e.srv.RotateKey(true) }()
	wg.Wait()
	if n := e.srv.RequestCount(fieftest.EndpointToken); n != 8 {
		t.Errorf("token requests %d", n)
	}
}
