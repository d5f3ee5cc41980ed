package fief_test

import (
	"context"
	"fmt"
	"log"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
)

// A program checks its configuration at startup: it prints the report when
// something is not right, and stops when something does not work. Here the
// secret is wrong.
func ExampleCheckConfig() {
	srv := fieftest.NewServer()
	defer srv.Close()
	app, err := srv.AddClient(fieftest.ClientConfig{RedirectURIs: []string{"http://localhost:8000/auth-callback"}})
	if err != nil {
		log.Fatal(err)
	}

	client, report := fief.CheckConfig(context.Background(), fief.Config{
		BaseURL:      srv.URL,
		ClientID:     app.ClientID,
		ClientSecret: "not-the-secret",
	}, fief.CheckOptions{RedirectURI: "http://localhost:8000/auth-callback"})
	if !report.OK() {
		// fmt.Fprint(os.Stderr, report) prints a table of the findings.
		for _, f := range report.Findings {
			fmt.Println(f.Verdict, f.Name)
		}
		f, _ := report.Finding(fief.FindingCredentials)
		fmt.Println("fix:", f.Fix)
	}
	if report.Failed() {
		fmt.Println("stopping")
		return // os.Exit(1) in a program
	}
	_ = client // use it
	// Output:
	// ok reachable
	// ok discovery
	// ok clock
	// ok signing_keys
	// ok client_id
	// ok redirect_uri
	// failure client_credentials
	// ok encryption_key
	// ok key_set_age
	// fix: the secret is wrong: copy the client's secret from Fief's admin (Clients) into FIEF_CLIENT_SECRET (Config.ClientSecret)
	// stopping
}

// A health endpoint serves a report as JSON, with status 503 when a check
// failed.
func ExampleReport_ServeHTTP() {
	srv := fieftest.NewServer()
	defer srv.Close()
	app, err := srv.AddClient(fieftest.ClientConfig{})
	if err != nil {
		log.Fatal(err)
	}
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: app.ClientID, ClientSecret: app.ClientSecret})
	if err != nil {
		log.Fatal(err)
	}
	report := client.Check(context.Background(), fief.CheckOptions{})
	fmt.Println(report.Verdict(), report.OK(), report.Failed())
	// A server would mount it: mux.Handle("GET /healthz/fief", report)
	// Output:
	// skipped true false
}

// Decode puts the user's claims, custom fields included, into the
// application's own type.
func ExampleUserInfo_Decode() {
	info := fief.UserInfo{
		"sub":            "aeeb8bfa-e8f4-4724-9427-c3d5af66190e",
		"email":          "anne@bretagne.duchy",
		"email_verified": true,
		"fields": map[string]any{
			"given_name": "Anne",
			"birthdate":  "1477-01-25",
			"address":    map[string]any{"city": "Nantes", "country": "FR"},
		},
	}
	var user struct {
		ID     string `json:"sub"`
		Email  string `json:"email"`
		Fields struct {
			GivenName string `json:"given_name"`
			Birthdate string `json:"birthdate"`
			Address   struct {
				City    string `json:"city"`
				Country string `json:"country"`
			} `json:"address"`
		} `json:"fields"`
	}
	if err := info.Decode(&user); err != nil {
		log.Fatal(err)
	}
	fmt.Println(user.ID, user.Email)
	fmt.Println(user.Fields.GivenName, user.Fields.Birthdate, user.Fields.Address.City)
	// Output:
	// aeeb8bfa-e8f4-4724-9427-c3d5af66190e anne@bretagne.duchy
	// Anne 1477-01-25 Nantes
}

// Claims puts every claim of a validated access token into the
// application's own type.
func ExampleAccessTokenInfo_Claims() {
	srv := fieftest.NewServer()
	defer srv.Close()
	app, err := srv.AddClient(fieftest.ClientConfig{ClientID: "my-app"})
	if err != nil {
		log.Fatal(err)
	}
	user, err := srv.AddUser(fieftest.UserConfig{ID: "aeeb8bfa-e8f4-4724-9427-c3d5af66190e", Email: "anne@bretagne.duchy", Password: "herminetincture"})
	if err != nil {
		log.Fatal(err)
	}
	client, _ := fief.New(fief.Config{BaseURL: srv.URL, ClientID: app.ClientID, ClientSecret: app.ClientSecret})
	token := srv.MintAccessToken(user.ID, fieftest.TokenOptions{Scopes: []string{"openid", "castles"}, Permissions: []string{"castles:read"}, ACR: "1"})

	info, err := client.ValidateAccessToken(context.Background(), token, fief.Requirements{})
	if err != nil {
		log.Fatal(err)
	}
	var claims struct {
		Subject         string   `json:"sub"`
		Scope           string   `json:"scope"`
		Permissions     []string `json:"permissions"`
		ACR             string   `json:"acr"`
		AuthorizedParty string   `json:"azp"`
	}
	if err := info.Claims(&claims); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %q %v %s %s\n", claims.Subject, claims.Scope, claims.Permissions, claims.ACR, claims.AuthorizedParty)
	// Output:
	// aeeb8bfa-e8f4-4724-9427-c3d5af66190e "openid castles" [castles:read] 1 my-app
}
