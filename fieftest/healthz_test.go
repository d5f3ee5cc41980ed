package fieftest_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
)

// TestHealthz: GET /healthz answers 200 and Fief's JSON as soon as the
// server listens; it is served at the root only.
func TestHealthz(t *testing.T) {
	srv := fieftest.NewServer()
	defer srv.Close()
	for _, tc := range []struct {
		method, path string
		want         int
		body         string
	}{
		{"GET", "/healthz", http.StatusOK, `{"message":"Everything is ready, my lord 🏰"}`},
		{"POST", "/healthz", http.StatusMethodNotAllowed, `{"detail":"Method Not Allowed"}`},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || string(b) != tc.body || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %s %q, want %d %s", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), b, tc.want, tc.body)
		}
	}
}
