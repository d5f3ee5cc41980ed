// Command example is the API of examples/api served by gin: a REST API
// protected by Fief access tokens through fiefgin.
//
//	go run ./example -demo    # from the fiefgin directory, on an embedded demo Fief
//	FIEF_BASE_URL=https://fief.example.com FIEF_CLIENT_ID=... FIEF_CLIENT_SECRET=... go run ./example
//
// Its routes answer the access-token info as JSON (keys id, scope, acr,
// permissions, access_token), exactly as examples/api does; a refused
// request gets the same status and headers as from examples/api, with a
// JSON body in gin's way ({"error":"Unauthorized"}):
//
//	GET /authenticated              any valid token
//	GET /authenticated-scope        scopes openid and required_scope
//	GET /authenticated-permissions  permission castles:read
//	GET /authenticated-acr          ACR level 1 (a fresh sign-in)
//	GET /authenticated-optional     any valid token, or {} when anonymous
//
// It talks to the Fief at FIEF_BASE_URL as FIEF_CLIENT_ID /
// FIEF_CLIENT_SECRET (FIEF_ENCRYPTION_KEY is optional), and checks that
// configuration with Fief at startup: it prints the report when something
// is not right, and exits with status 1 when something does not work. With
// -demo it starts an embedded demo Fief instead, and prints a curl command
// carrying a token of its demo user. Without either, it stops.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
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
	"github.com/fief-dev/fief-go/fiefgin"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
	"github.com/gin-gonic/gin"
)

func main() {
	gin.SetMode(gin.ReleaseMode) // without the route list and warnings of gin's debug mode
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run serves the API until ctx is done.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("example", flag.ContinueOnError)
	addr := flags.String("addr", "localhost:8000", "address to listen on")
	demo := flags.Bool("demo", false, "run on an embedded demo Fief (anyone can sign in) instead of FIEF_BASE_URL")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}

	// The Fief client, configured from the environment.
	cfg := fief.Config{
		BaseURL:       os.Getenv("FIEF_BASE_URL"), // https://fief.example.com, or .../my-tenant
		ClientID:      os.Getenv("FIEF_CLIENT_ID"),
		ClientSecret:  os.Getenv("FIEF_CLIENT_SECRET"),
		EncryptionKey: os.Getenv("FIEF_ENCRYPTION_KEY"), // optional
	}
	var d *fiefdemo.Demo
	if *demo {
		d = fiefdemo.Start(fiefdemo.Config{Name: "Fief gin example"})
		defer d.Close()
		cfg = d.Config
	} else if cfg.BaseURL == "" {
		return errors.New("FIEF_BASE_URL is not set: set FIEF_BASE_URL, FIEF_CLIENT_ID and FIEF_CLIENT_SECRET " +
			"to those of your Fief client, or run with -demo to try the API on an embedded demo Fief")
	}
	client, err := fief.New(cfg) // checks the settings; no I/O
	if err != nil {
		return err
	}

	// The startup check asks Fief whether this configuration works. An API
	// signs nobody in: it has no redirect URI to check.
	checkCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	report := client.Check(checkCtx, fief.CheckOptions{RedirectURISkipped: "an API has no sign-in callback"})
	cancel()
	if report.Failed() {
		return fmt.Errorf("the Fief configuration does not work:\n%s", strings.TrimSuffix(report.String(), "\n"))
	}
	if !report.OK() {
		fmt.Fprint(stdout, report) // warnings
	}

	// The zero Config reads the token from "Authorization: Bearer <token>".
	auth := fiefhttp.New(client, fiefhttp.Config{})
	handler := routes(auth)

	ln, appURL, err := listen(*addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Listening on %s\n", appURL)
	if d != nil {
		d.PrintAccount(stdout)
		fmt.Fprintf(stdout, "A token of %s, valid for an hour:\n\n  curl -H 'Authorization: Bearer %s' %s/authenticated\n\n",
			fiefdemo.Email, d.AccessToken("openid", "required_scope"), appURL)
	} else {
		fmt.Fprintf(stdout, "Call it with an access token of a user of %s:\n\n  curl -H 'Authorization: Bearer <access token>' %s/authenticated\n\n",
			client.BaseURL(), appURL)
	}
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")
	return serve(ctx, ln, handler)
}

// routes returns the API's routes, each asking more of the token than the
// one before.
func routes(fa *fiefhttp.Auth) *gin.Engine {
	auth := fiefgin.New(fa, fiefgin.Config{}) // refusals in JSON
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/authenticated", auth.Authenticated(), tokenInfo)
	r.GET("/authenticated-scope", auth.Authenticated(fiefhttp.Scopes("openid", "required_scope")), tokenInfo)
	r.GET("/authenticated-permissions", auth.Authenticated(fiefhttp.Permissions("castles:read")), tokenInfo)
	r.GET("/authenticated-acr", auth.Authenticated(fiefhttp.MinACR(fief.ACRLevel1)), tokenInfo)
	r.GET("/authenticated-optional", auth.Authenticated(fiefhttp.Optional()), tokenInfo)
	return r
}

// tokenInfo answers the request's access-token info as JSON, or {} when the
// request is anonymous: the bytes examples/api answers (gin's c.JSON would
// add "; charset=utf-8" to the type and drop the final newline).
func tokenInfo(c *gin.Context) {
	c.Header("Content-Type", "application/json")
	c.Status(http.StatusOK)
	info, ok := fiefgin.AccessTokenInfo(c)
	if !ok {
		io.WriteString(c.Writer, "{}\n")
		return
	}
	json.NewEncoder(c.Writer).Encode(info)
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
