// Command web is a server-rendered web application whose users sign in with
// Fief, the Go version of the "Web application example" of Fief's Flask
// integration.
//
//	go run ./examples/web -demo    # on an embedded demo Fief
//	FIEF_BASE_URL=https://fief.example.com FIEF_CLIENT_ID=... FIEF_CLIENT_SECRET=... go run ./examples/web
//
// Open /protected: an anonymous browser is sent to Fief's login page, then
// back to /protected, which says "You are authenticated. Your user email is
// EMAIL". Its "Log out" button (a POST to /logout) signs out of the
// application and of Fief; GET /logout shows a page asking to confirm.
//
// It talks to the Fief at FIEF_BASE_URL as FIEF_CLIENT_ID /
// FIEF_CLIENT_SECRET (FIEF_ENCRYPTION_KEY is optional); the Fief client must
// allow the redirect URI http://ADDR/auth-callback. At startup it checks the
// configuration with Fief: it prints the report when something is not
// right, and exits with status 1 when something does not work. With -demo it
// starts an embedded demo Fief instead, and prints its demo account.
// Without either, it stops.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
)

// appName names the application on its pages, and the demo Fief.
const appName = "Fief web example"

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
	flags := flag.NewFlagSet("web", flag.ContinueOnError)
	addr := flags.String("addr", "localhost:8000", "address to listen on")
	demo := flags.Bool("demo", false, "run on an embedded demo Fief (anyone can sign in) instead of FIEF_BASE_URL")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	// Listen first: the application's URL makes the redirect URI.
	ln, appURL, err := listen(*addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	callbackURL := appURL + fiefhttp.DefaultCallbackPath // http://localhost:8000/auth-callback

	// The Fief client, configured from the environment.
	cfg := fief.Config{
		BaseURL:       os.Getenv("FIEF_BASE_URL"), // https://fief.example.com, or .../my-tenant
		ClientID:      os.Getenv("FIEF_CLIENT_ID"),
		ClientSecret:  os.Getenv("FIEF_CLIENT_SECRET"),
		EncryptionKey: os.Getenv("FIEF_ENCRYPTION_KEY"), // optional
	}
	var d *fiefdemo.Demo
	if *demo {
		d = fiefdemo.Start(fiefdemo.Config{Name: appName, RedirectURIs: []string{callbackURL}})
		defer d.Close()
		cfg = d.Config
	} else if cfg.BaseURL == "" {
		return errors.New("FIEF_BASE_URL is not set: set FIEF_BASE_URL, FIEF_CLIENT_ID and FIEF_CLIENT_SECRET " +
			"to those of your Fief client, or run with -demo to try the application on an embedded demo Fief")
	}
	client, err := fief.New(cfg) // checks the settings; no I/O
	if err != nil {
		return err
	}

	// The sign-in flow: sessions in cookies, the callback at /auth-callback.
	flow, err := fiefhttp.NewWebFlow(client, fiefhttp.WebConfig{
		// The external URL: the redirect URI is known at startup, and the
		// check below tells whether Fief allows it.
		BaseURL: appURL,
		// The name on the pages the library serves (sign-out, errors).
		AppName: appName,
		// This example serves plain http. In production, serve https and
		// leave the cookies Secure.
		InsecureCookies: true,
	})
	if err != nil {
		return err
	}

	// The startup check asks Fief whether this configuration works.
	checkCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	report := client.Check(checkCtx, flow.CheckOptions())
	cancel()
	if report.Failed() {
		return fmt.Errorf("the Fief configuration does not work:\n%s", strings.TrimSuffix(report.String(), "\n"))
	}
	if !report.OK() {
		fmt.Fprint(stdout, report) // warnings
	}

	fmt.Fprintf(stdout, "Listening on %s\nOpen %s/protected in a browser and sign in.\n", appURL, appURL)
	if d != nil {
		d.PrintAccount(stdout)
	} else {
		fmt.Fprintf(stdout, "Fief: %s (its client must allow the redirect URI %s)\n", client.BaseURL(), callbackURL)
	}
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")
	return serve(ctx, ln, sameHost(appURL, routes(flow)))
}

// routes returns the application's routes.
func routes(flow *fiefhttp.WebFlow) http.Handler {
	auth := flow.Auth() // reads the session cookie; sends anonymous browsers to Fief
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", home)
	mux.Handle("GET /protected", auth.CurrentUser()(http.HandlerFunc(protected)))
	mux.HandleFunc("GET "+fiefhttp.DefaultCallbackPath, flow.Callback)
	// GET shows a page whose button confirms; a same-origin POST signs out.
	mux.HandleFunc("GET /logout", flow.Logout)
	mux.HandleFunc("POST /logout", flow.Logout)
	return mux
}

func home(w http.ResponseWriter, r *http.Request) {
	render(w, "home", page{Title: "Welcome"})
}

func protected(w http.ResponseWriter, r *http.Request) {
	user, _ := fiefhttp.UserInfoFrom(r.Context()) // set by auth.CurrentUser
	render(w, "protected", page{Title: "Protected page", Email: user.Email()})
}

// page is what the templates show.
type page struct {
	Title, Email string
}

// pages are the application's pages. html/template escapes every value.
var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><link rel="icon" href="data:,">
<title>{{.Title}} · ` + appName + `</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
.button,button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid;cursor:pointer}</style>
</head><body><header id="brand">` + appName + `</header><main><h1>{{.Title}}</h1>{{end}}
{{define "home"}}{{template "head" .}}
<p id="message">This page is public. The protected page asks you to sign in with Fief first.</p>
<p><a class="button" id="protected" href="/protected">Go to the protected page</a></p>
</main></body></html>{{end}}
{{define "protected"}}{{template "head" .}}
<p id="message">You are authenticated. Your user email is {{.Email}}</p>
<form method="post" action="/logout"><button type="submit" id="logout">Log out</button></form>
<p><a href="/">Home</a></p>
</main></body></html>{{end}}`))

func render(w http.ResponseWriter, name string, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := pages.ExecuteTemplate(w, name, p); err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

// sameHost sends a request for another host (127.0.0.1 for localhost,
// say) to the same path on appURL's host: the sign-in comes back there,
// where the browser must hold its cookies.
func sameHost(appURL string, h http.Handler) http.Handler {
	host := strings.TrimPrefix(appURL, "http://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != host {
			http.Redirect(w, r, appURL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// listen listens on addr and returns the URL to reach it, with the port
// actually bound (addr may say port 0).
func listen(addr string) (net.Listener, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("-addr: %w", err)
	}
	host, _, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	return ln, "http://" + net.JoinHostPort(host, port), nil
}

// serve serves h on ln until ctx is done, then gives the requests in
// flight five seconds to finish.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}
