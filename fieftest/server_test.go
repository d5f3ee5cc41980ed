package fieftest_test

import (
	"strings"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/browsertest"
)

func TestSettings(t *testing.T) {
	srv := fieftest.NewUnstartedServer()
	cl, err := srv.AddClient(fieftest.ClientConfig{ClientID: "app", RedirectURIs: []string{redirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	srv.SecureCookies = true
	srv.Addr = "127.0.0.1:0"
	srv.KeySize = 3072
	srv.Start()
	defer srv.Close()

	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || strings.HasSuffix(srv.URL, "/") {
		t.Errorf("URL = %q", srv.URL)
	}
	set := fetchJWKS(t, srv.Client(), srv.URL)
	if n := set.Keys[0].Key.(interface{ Size() int }).Size() * 8; n != 3072 {
		t.Errorf("key size %d", n)
	}
	resp := get(t, noRedirect(srv), authorizeURL(srv.URL, map[string]string{"client_id": cl.ClientID, "redirect_uri": redirectURI}))
	browsertest.Body(t, resp)
	for _, c := range resp.Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s not Secure", c.Name)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("second Start did not panic")
			}
		}()
		srv.Start()
	}()
}

func TestCloseIdempotent(t *testing.T) {
	fieftest.NewUnstartedServer().Close()
	srv := fieftest.NewServer()
	c := srv.Client()
	resp := get(t, c, srv.URL+"/.well-known/jwks.json")
	browsertest.Body(t, resp)
	srv.Close()
	srv.Close()
	if _, err := c.Get(srv.URL + "/.well-known/jwks.json"); err == nil {
		t.Error("server still answers after Close")
	}
}
