package fief_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
)

// A Client is made once and shared. Here it talks to an in-process
// fieftest server; in production BaseURL is your Fief tenant's URL.
func ExampleNew() {
	srv := fieftest.NewServer()
	defer srv.Close()
	app, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		log.Fatal(err)
	}

	client, err := fief.New(fief.Config{
		BaseURL:      srv.URL,
		ClientID:     app.ClientID,
		ClientSecret: app.ClientSecret,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.ClientID() == app.ClientID)

	_, err = fief.New(fief.Config{BaseURL: "fief.example.com", ClientID: "x"})
	var ce *fief.ConfigError
	fmt.Println(errors.As(err, &ce), ce.Field)
	// Output:
	// true
	// true BaseURL
}

func ExampleClient_ValidateAccessToken() {
	srv := fieftest.NewServer()
	defer srv.Close()
	app, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		log.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{
		ID:          "aeeb8bfa-e8f4-4724-9427-c3d5af66190e",
		Email:       "anne@bretagne.duchy",
		Password:    "herminetincture",
		Permissions: []string{"castles:read"},
	})
	if err != nil {
		log.Fatal(err)
	}
	client, _ := fief.New(fief.Config{BaseURL: srv.URL, ClientID: app.ClientID, ClientSecret: app.ClientSecret})
	token := srv.MintAccessToken(user.ID, fieftest.TokenOptions{Scopes: []string{"openid", "castles"}, ACR: "1"})
	ctx := context.Background()

	info, err := client.ValidateAccessToken(ctx, token, fief.Requirements{
		Scopes:      []string{"castles"},
		ACR:         fief.ACRLevel1,
		Permissions: []string{"castles:read"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.ID, info.Scope, info.ACR, info.Permissions)

	_, err = client.ValidateAccessToken(ctx, token, fief.Requirements{Permissions: []string{"castles:delete"}})
	fmt.Println(errors.Is(err, fief.ErrForbidden), errors.Is(err, fief.ErrMissingPermission))

	_, err = client.ValidateAccessToken(ctx, "not-a-token", fief.Requirements{})
	fmt.Println(errors.Is(err, fief.ErrInvalidToken))
	// Output:
	// aeeb8bfa-e8f4-4724-9427-c3d5af66190e [openid castles] 1 [castles:read]
	// true true
	// true
}

// The authorization code flow with PKCE, state and nonce. The fiefhttp
// package does all of this for a web application.
func ExampleClient_ExchangeCode() {
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
	client, _ := fief.New(fief.Config{BaseURL: srv.URL, ClientID: app.ClientID, ClientSecret: app.ClientSecret})
	ctx := context.Background()

	// 1. Send the browser to Fief.
	verifier := fief.GenerateCodeVerifier()
	challenge := fief.CodeChallenge(verifier)
	state, nonce := fief.GenerateState(), fief.GenerateState()
	authURL, err := client.AuthURL(ctx, fief.AuthURLParams{
		RedirectURI:   callback,
		State:         state,
		Scopes:        []string{"openid", "offline_access"},
		CodeChallenge: challenge,
		Nonce:         nonce,
	})
	if err != nil {
		log.Fatal(err)
	}

	// (Fief signs the user in and redirects to the callback.)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))

	// 2. In the callback: check the state, exchange the code.
	if back.Query().Get("state") != state {
		log.Fatal("state mismatch")
	}
	tokens, user, err := client.ExchangeCode(ctx, fief.ExchangeParams{
		Code:         back.Query().Get("code"),
		RedirectURI:  callback,
		CodeVerifier: verifier,
		Nonce:        nonce,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(user.Email(), tokens.TokenType, tokens.ExpiresIn, tokens.RefreshToken != "")
	// Output: anne@bretagne.duchy bearer 86400 true
}

// Fief's error answers are *ResponseError values.
func ExampleResponseError() {
	srv := fieftest.NewServer()
	defer srv.Close()
	app, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		log.Fatal(err)
	}
	client, _ := fief.New(fief.Config{BaseURL: srv.URL, ClientID: app.ClientID, ClientSecret: app.ClientSecret})

	_, _, err = client.Refresh(context.Background(), "spent-or-unknown", nil)
	var re *fief.ResponseError
	if errors.As(err, &re) {
		fmt.Println(re.StatusCode, re.Code)
	}
	fmt.Println(errors.Is(err, fief.ErrRefreshTokenRejected), errors.Is(err, fief.ErrUnavailable))
	// Output:
	// 400 invalid_grant
	// true false
}

func ExampleCodeChallenge() {
	challenge := fief.CodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
	fmt.Println(challenge)
	// Output: E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
}

func ExampleACR_AtLeast() {
	fmt.Println(fief.ACRLevel1.AtLeast(fief.ACRLevel0), fief.ACRLevel0.AtLeast(fief.ACRLevel1))
	// Output: true false
}

func ExampleClient_LogoutURL() {
	client, _ := fief.New(fief.Config{BaseURL: "https://fief.example.com", ClientID: "app"})
	fmt.Println(client.LogoutURL("https://app.example.com/"))
	// Output: https://fief.example.com/logout?redirect_uri=https%3A%2F%2Fapp.example.com%2F
}
