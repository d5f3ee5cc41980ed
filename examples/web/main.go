// Command web is a server-rendered web application whose users sign in with
// Fief, the Go version of the "Web application example" of Fief's Flask
// integration.
//
//	go run ./examples/web [-addr localhost:8000]
//
// Open /protected: an anonymous browser is sent to Fief's login page, then
// back to /protected, which says "You are authenticated. Your user email is
// EMAIL". Its "Log out" button (a POST to /logout) signs out of the
// application and of Fief.
//
// It talks to the Fief at FIEF_BASE_URL as FIEF_CLIENT_ID /
// FIEF_CLIENT_SECRET (FIEF_ENCRYPTION_KEY is optional); the Fief client must
// allow the redirect URI http://ADDR/auth-callback. Without FIEF_BASE_URL it
// starts an embedded test Fief with a demo client and user, and prints their
// credentials. At startup it checks the configuration with Fief: it prints
// the report when something is not right, and exits with status 1 when
// something does not work.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/internal/demo"
	"github.com/fief-dev/fief-go/internal/page"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run serves the web application until ctx is done.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	return demo.Run(ctx, "web", args, stdout, func(ctx context.Context, env *demo.Env, appURL string) (http.Handler, error) {
		flow, err := fiefhttp.NewWebFlow(env.Client, fiefhttp.WebConfig{
			// The external URL: the redirect URI is known at startup, and
			// the check below tells whether Fief allows it.
			BaseURL:      appURL,
			CallbackPath: demo.CallbackPath,
			// This example serves plain http. In production, serve https and
			// leave the cookies Secure.
			InsecureCookies: true,
		})
		if err != nil {
			return nil, err
		}
		if err := demo.Check(ctx, env.Client, flow.CheckOptions(), stdout); err != nil {
			return nil, err
		}
		app, err := url.Parse(appURL)
		if err != nil {
			return nil, err
		}
		printInstructions(stdout, env, appURL)
		return canonicalHost(app, routes(flow)), nil
	})
}

// canonicalHost sends requests for another host (127.0.0.1 for
// localhost, say) to the same path on app, the application's URL: the
// sign-in comes back to app's host, where the browser must hold its
// cookies.
func canonicalHost(app *url.URL, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != app.Host {
			http.Redirect(w, r, app.Scheme+"://"+app.Host+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// routes returns the application's routes.
func routes(flow *fiefhttp.WebFlow) http.Handler {
	auth := flow.Auth()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", home)
	mux.Handle("GET /protected", auth.CurrentUser()(http.HandlerFunc(protected)))
	mux.HandleFunc("GET "+demo.CallbackPath, flow.Callback)
	mux.HandleFunc("POST /logout", flow.Logout)
	return mux
}

// brand names the application above each page.
const brand = "Fief web example"

// pages are the application's pages, in the style of fief-go's own pages
// (the sign-in error pages of fiefhttp).
var pages = page.Parse(`
{{define "home"}}{{template "head" .}}
<p id="message">This page is public. The protected page asks you to sign in with Fief first.</p>
<div class="actions"><a class="button" id="protected" href="/protected">Go to the protected page</a></div>
{{template "foot" .}}{{end}}
{{define "protected"}}{{template "head" .}}
<p id="message">You are authenticated. Your user email is {{.Email}}</p>
<div class="actions">
<form method="post" action="/logout"><button type="submit" id="logout">Log out</button></form>
<a class="button secondary" href="/">Home</a>
</div>
{{template "foot" .}}{{end}}
`)

func home(w http.ResponseWriter, r *http.Request) {
	page.Write(w, http.StatusOK, pages, "home", page.Frame{Title: "Welcome", Brand: brand})
}

func protected(w http.ResponseWriter, r *http.Request) {
	user, _ := fiefhttp.UserInfoFrom(r.Context())
	page.Write(w, http.StatusOK, pages, "protected", struct {
		page.Frame
		Email string
	}{page.Frame{Title: "Protected page", Brand: brand}, user.Email()})
}

func printInstructions(w io.Writer, env *demo.Env, appURL string) {
	fmt.Fprintf(w, "Listening on %s\n", appURL)
	fmt.Fprintf(w, "Open %s/protected in a browser", appURL)
	if env.Server == nil {
		fmt.Fprintf(w, " and sign in with a user of the Fief at %s\n", env.Client.BaseURL())
		fmt.Fprintf(w, "(its client must allow the redirect URI %s%s).\n", appURL, demo.CallbackPath)
	} else {
		fmt.Fprintf(w, " and sign in as:\n  email:    %s\n  password: %s\n", demo.Email, demo.Password)
		fmt.Fprintf(w, "Embedded test Fief: %s (set FIEF_BASE_URL to use your own)\n", env.Client.BaseURL())
	}
	fmt.Fprintln(w, demo.Ready)
}
