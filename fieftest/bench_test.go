package fieftest_test

import (
	"net/url"
	"testing"

	"github.com/fief-dev/fief-go/fieftest"
)

func BenchmarkMintAccessToken(b *testing.B) {
	for _, size := range []int{2048, 4096} {
		b.Run(map[int]string{2048: "RSA2048", 4096: "RSA4096"}[size], func(b *testing.B) {
			srv := fieftest.NewUnstartedServer()
			srv.KeySize = size
			srv.Start()
			defer srv.Close()
			u, err := srv.AddUser(fieftest.UserConfig{Email: "a@example.com"})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				srv.MintAccessToken(u.ID, fieftest.TokenOptions{})
			}
		})
	}
}

func BenchmarkUserinfo(b *testing.B) {
	srv := fieftest.NewServer()
	defer srv.Close()
	u, err := srv.AddUser(fieftest.UserConfig{Email: "a@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	tok := srv.MintAccessToken(u.ID, fieftest.TokenOptions{})
	t := &testing.T{}
	for b.Loop() {
		if st, _ := bearer(t, srv.Client(), "GET", srv.URL+"/api/userinfo", tok, ""); st != 200 {
			b.Fatal(st)
		}
	}
}

func BenchmarkCodeExchange(b *testing.B) {
	srv := fieftest.NewServer()
	defer srv.Close()
	c, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{redirectURI}})
	if err != nil {
		b.Fatal(err)
	}
	u, err := srv.AddUser(fieftest.UserConfig{Email: "a@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	srv.SetAutoLogin(u.Email())
	t := &testing.T{}
	for b.Loop() {
		code := codeFor(t, srv, c.ClientID, nil)
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
		if st, body, _ := tokenCall(t, srv.Client(), srv.URL, form, c.ClientID, c.ClientSecret); st != 200 {
			b.Fatal(st, body)
		}
	}
}
