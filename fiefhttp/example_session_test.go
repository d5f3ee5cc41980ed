package fiefhttp_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest"
)

// A sealed-cookie session outlives its access token: once the token has
// expired, the next request refreshes it before the handler runs.
func ExampleStorage_sealedCookie() {
	srv := fieftest.NewServer()
	defer srv.Close()
	fc, err := srv.AddClient(fieftest.ClientConfig{TokenLifetime: time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture"}); err != nil {
		log.Fatal(err)
	}
	srv.SetAutoLogin("anne@bretagne.duchy") // skip Fief's login form
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret, HTTPClient: srv.Client(), Clock: srv.Now})
	if err != nil {
		panic(err)
	}

	flow, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{
		Storage:         fiefhttp.StorageSealedCookie,
		CookieKeys:      [][]byte{[]byte("an example key of 32 bytes or more, from a secret store")},
		InsecureCookies: true, // plain-http test server; never in production
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /account", flow.Auth().Authenticated()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := fiefhttp.AccessTokenInfoFrom(r.Context())
		fmt.Fprintf(w, "account page, token of ACR %s valid until %s", info.ACR, info.ExpiresAt.Sub(srv.Now()).Round(time.Minute))
	})))
	mux.HandleFunc("GET /auth-callback", flow.Callback)
	app := httptest.NewServer(mux)
	defer app.Close()
	fc.AddRedirectURI(app.URL + "/auth-callback")

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	show := func() {
		resp, err := browser.Get(app.URL + "/account")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s (token requests: %d)\n", body, srv.RequestCount(fieftest.EndpointToken))
	}
	show()                        // signs in through Fief: one code exchange
	srv.Advance(90 * time.Minute) // the access token has expired
	show()                        // refreshed behind the request
	srv.Advance(90 * time.Minute)
	show()
	// Output:
	// account page, token of ACR 1 valid until 1h0m0s (token requests: 1)
	// account page, token of ACR 0 valid until 1h0m0s (token requests: 2)
	// account page, token of ACR 0 valid until 1h0m0s (token requests: 3)
}
