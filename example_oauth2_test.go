package fief_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
	"golang.org/x/oauth2"
)

// Code written for golang.org/x/oauth2 runs the sign-in with the
// oauth2.Config of a Fief client; the token source then calls a protected
// API with oauth2.NewClient, refreshing the access token when it is
// missing or about to expire, and handing each rotated refresh token to
// OnRefresh to be saved.
func ExampleClient_TokenSource() {
	srv := fieftest.NewServer()
	defer srv.Close()
	const callback = "http://localhost:8000/auth-callback"
	app, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{callback}})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := srv.AddUser(fieftest.UserConfig{Email: "anne@bretagne.duchy", Password: "herminetincture"}); err != nil {
		log.Fatal(err)
	}
	srv.SetAutoLogin("anne@bretagne.duchy") // the "browser" signs in at once
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: app.ClientID, ClientSecret: app.ClientSecret})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// The sign-in, with x/oauth2 (in a web application, the browser
	// follows AuthCodeURL and comes back to the callback with the code).
	cfg, err := client.OAuth2Config(ctx, callback, "openid", "offline_access")
	if err != nil {
		log.Fatal(err)
	}
	state, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier() // random; keep both for the callback
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	if back.Query().Get("state") != state {
		log.Fatal("state mismatch")
	}
	tok, err := cfg.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		log.Fatal(err)
	}

	// A protected API.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, err := client.ValidateAccessToken(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), fief.Requirements{})
		if err != nil {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "hello ", info.ID != "")
	}))
	defer api.Close()

	// Later, a program holding only the saved refresh token: the first
	// call refreshes (Fief rotates the refresh token), the next reuses the
	// access token.
	saved := 0
	src, err := client.TokenSource(fief.TokenSourceConfig{
		Token: &oauth2.Token{RefreshToken: tok.RefreshToken},
		OnRefresh: func(_ context.Context, t *oauth2.Token) error {
			saved++ // save t.RefreshToken: Fief accepts each refresh token once
			return nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	hc := oauth2.NewClient(ctx, src)
	for range 2 {
		resp, err := hc.Get(api.URL)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body), "refresh tokens saved:", saved)
	}
	// Output:
	// 200 hello true refresh tokens saved: 1
	// 200 hello true refresh tokens saved: 1
}
