// Package fiefdemo starts a demo Fief inside a program, for trying the
// program on a laptop without installing Fief: a [fieftest.Server] with one
// client and one user whose password is printed for anyone to read.
//
// It is for demos only. A program calls it when asked explicitly (a -demo
// flag, say), never because a setting is missing: a program that falls back
// to a demo Fief when FIEF_BASE_URL is unset lets anyone in with the
// published password the day that variable is forgotten in production.
//
//	cfg := fief.Config{BaseURL: os.Getenv("FIEF_BASE_URL"), ...}
//	if *demo {
//		d := fiefdemo.Start(fiefdemo.Config{Name: "My app", RedirectURIs: []string{appURL + "/auth-callback"}})
//		defer d.Close()
//		cfg = d.Config
//		d.PrintAccount(os.Stdout)
//	} else if cfg.BaseURL == "" {
//		log.Fatal("FIEF_BASE_URL is not set (or run with -demo)")
//	}
//	client, err := fief.New(cfg)
package fiefdemo

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/redact"
)

// The demo account and client. The password is published here: the demo
// Fief lets anyone in.
const (
	// Email is the demo user's email.
	Email = "anne@bretagne.duchy"
	// Password is the demo user's password.
	Password = "herminetincture"
	// Permission is the demo user's permission.
	Permission = "castles:read"
	// ClientID is the client ID of the demo client.
	ClientID = "demo"
	// DefaultName names the demo Fief when [Config.Name] is empty.
	DefaultName = "Fief demo"
)

// Config describes the demo Fief to start. The zero value is a demo Fief
// with a confidential client that allows no redirect URI: enough for an
// API, which signs nobody in.
type Config struct {
	// Name is shown above the demo Fief's sign-in form; give it the name of
	// the application, so that the demo shows one name throughout. Empty
	// means [DefaultName].
	Name string
	// RedirectURIs are the demo client's allowed redirect URIs. A URI on
	// localhost also allows the same URI on 127.0.0.1, and the reverse,
	// since a browser may reach a local application by either name.
	RedirectURIs []string
	// Public makes the demo client public (no secret; PKCE), as a
	// command-line program's client is.
	Public bool
}

// Demo is a running demo Fief.
type Demo struct {
	// Server is the demo Fief, for anything more: another user
	// (Server.AddUser), a webhook (Server.AddWebhook), its admin API key
	// (Server.AdminAPIKey), its clock (Server.Advance).
	Server *fieftest.Server
	// Client is the demo client, with ID [ClientID].
	Client *fieftest.Client
	// User is the demo user: [Email], [Password], permission [Permission].
	User *fieftest.User
	// Config is the configuration of a fief.Client of the demo client: the
	// demo Fief's URL, the client's ID and secret, and the demo Fief's
	// HTTP client and clock (so that moving the demo Fief's clock moves the
	// client's too).
	Config fief.Config
}

// Start starts a demo Fief with a client and a user, as cfg says. It
// panics if the server cannot listen, like [fieftest.NewServer]. Call
// [Demo.Close] when done.
func Start(cfg Config) *Demo {
	name := cfg.Name
	if name == "" {
		name = DefaultName
	}
	srv := fieftest.NewServer()
	srv.DefaultTenant().SetName(name)
	client, err := srv.AddClient(fieftest.ClientConfig{
		ClientID:     ClientID,
		Name:         name,
		Public:       cfg.Public,
		RedirectURIs: withLoopbackTwins(cfg.RedirectURIs),
	})
	if err != nil {
		panic("fiefdemo: " + err.Error()) // a fresh server refuses no client_id
	}
	user, err := srv.AddUser(fieftest.UserConfig{Email: Email, Password: Password, Permissions: []string{Permission}})
	if err != nil {
		panic("fiefdemo: " + err.Error()) // nor the first user
	}
	secret := client.ClientSecret
	if cfg.Public {
		secret = "" // a public client ships no secret
	}
	return &Demo{
		Server: srv,
		Client: client,
		User:   user,
		Config: fief.Config{
			BaseURL:      srv.URL,
			ClientID:     client.ClientID,
			ClientSecret: secret,
			HTTPClient:   srv.Client(),
			Clock:        srv.Now,
		},
	}
}

// withLoopbackTwins returns uris, each followed by its twin on the other
// loopback name (localhost for 127.0.0.1, and the reverse), when it has
// one.
func withLoopbackTwins(uris []string) []string {
	var all []string
	for _, u := range uris {
		all = append(all, u)
		for _, pair := range [][2]string{{"://localhost:", "://127.0.0.1:"}, {"://127.0.0.1:", "://localhost:"}} {
			if twin := strings.Replace(u, pair[0], pair[1], 1); twin != u {
				all = append(all, twin)
			}
		}
	}
	return all
}

// PrintAccount writes to w where the demo Fief runs and how to sign in to
// it:
//
//	Demo Fief (for trying only; anyone can sign in): http://127.0.0.1:PORT
//	Sign in as:
//	  email:    anne@bretagne.duchy
//	  password: herminetincture
func (d *Demo) PrintAccount(w io.Writer) {
	fmt.Fprintf(w, "Demo Fief (for trying only; anyone can sign in): %s\n", d.Server.URL)
	fmt.Fprintf(w, "Sign in as:\n  email:    %s\n  password: %s\n", Email, Password)
}

// AccessToken returns an access token of the demo user for the demo
// client, valid for an hour: ACR level 1 (a fresh sign-in), the permission
// [Permission], and the scopes given ("openid" when none are).
func (d *Demo) AccessToken(scopes ...string) string {
	if len(scopes) == 0 {
		scopes = []string{"openid"}
	}
	return d.Server.MintAccessToken(d.User.ID, fieftest.TokenOptions{
		ClientID:    d.Client.ClientID,
		Scopes:      scopes,
		Permissions: []string{Permission},
		ACR:         "1",
		Lifetime:    time.Hour,
	})
}

// Close stops the demo Fief.
func (d *Demo) Close() { d.Server.Close() }

// String describes the demo Fief by its URL, without the client's secret.
func (d *Demo) String() string { return "fiefdemo.Demo{URL: " + d.Server.URL + "}" }

// Format writes [Demo.String] for every verb (%q quotes it): printing a
// Demo never shows the client's secret.
func (d *Demo) Format(f fmt.State, verb rune) { redact.Format(f, verb, d.String()) }

// LogValue describes the demo Fief to log/slog without the client's secret.
func (d *Demo) LogValue() slog.Value { return slog.StringValue(d.String()) }
