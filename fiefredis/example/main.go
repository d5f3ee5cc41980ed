// Command example is the API example of fief-go for a service running as
// several instances: the same routes, plus Fief's webhooks, with the state
// that must be shared kept in Redis.
//
//	go run ./example -demo [-redis redis://localhost:6379/0]   # from the fiefredis directory, on an embedded demo Fief
//	go run ./example [-addr localhost:8000] [-redis redis://localhost:6379/0] [-accept-unshared]
//
// Routes (Authorization: Bearer <access token>):
//
//	GET  /authenticated              any valid token
//	GET  /authenticated-scope        scopes openid and required_scope
//	GET  /authenticated-permissions  permission castles:read
//	GET  /authenticated-acr          ACR level 1 (a fresh sign-in)
//	GET  /authenticated-optional     any valid token, or {} when anonymous
//	GET  /me                         the user's info (shared user-info cache)
//	POST /webhooks/fief              Fief's webhooks
//	GET  /healthz                    {"redis": "ok" | "unavailable" | "off"}
//
// A webhook received by any instance applies to every instance: a removed
// permission or role, a deleted or deactivated user or a reset password
// revokes the user's tokens issued until then (401, then a new token
// without the removed permission gets 403), and any change to a user drops
// its cached user info. Without -redis the instance works alone.
//
// It talks to the Fief at FIEF_BASE_URL as FIEF_CLIENT_ID /
// FIEF_CLIENT_SECRET, and checks webhooks with FIEF_WEBHOOK_SECRET (the
// secret Fief gave when the webhook was created; register
// <this URL>/webhooks/fief in Fief's admin); with -redis, SHARED_KEYS are
// the secrets that authenticate what the instances share (base64,
// comma-separated, at least 32 bytes each, the same on every instance).
// While Redis is down, a webhook is answered 503 so that Fief retries it
// (-accept-unshared answers 2xx instead, and Fief never retries).
// With -demo it starts an
// embedded demo Fief instead, registers its own webhook there, and prints a
// curl command carrying a token of the demo user. Without either, it stops.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
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
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/fieftest/fiefdemo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run serves the API until ctx is done.
func run(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("example", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "localhost:8000", "address to listen on")
	redisURL := fs.String("redis", "", "Redis URL shared by the instances, such as redis://localhost:6379/0 (empty: a single instance)")
	demo := fs.Bool("demo", false, "run on an embedded demo Fief (anyone can sign in) instead of FIEF_BASE_URL")
	acceptUnshared := fs.Bool("accept-unshared", false, "answer Fief's webhooks 2xx even while Redis is down (Fief then never retries them: a revocation is lost for the other instances if this one stops before Redis returns)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	// Listen first: the application's URL makes the demo's webhook URL.
	ln, appURL, err := listen(*addr)
	if err != nil {
		return err
	}
	defer ln.Close()

	// The Fief client and the webhook's secrets, configured from the
	// environment.
	cfg := config{
		RedisURL:       *redisURL,
		AcceptUnshared: *acceptUnshared,
		Fief: fief.Config{
			BaseURL:       getenv("FIEF_BASE_URL"), // https://fief.example.com, or .../my-tenant
			ClientID:      getenv("FIEF_CLIENT_ID"),
			ClientSecret:  getenv("FIEF_CLIENT_SECRET"),
			EncryptionKey: getenv("FIEF_ENCRYPTION_KEY"), // optional
		},
	}
	if s := getenv("FIEF_WEBHOOK_SECRET"); s != "" {
		cfg.WebhookSecrets = strings.Split(s, ",") // old and new during a rotation
	}
	var d *fiefdemo.Demo
	if *demo {
		d = fiefdemo.Start(fiefdemo.Config{Name: "Fief Redis example"})
		defer d.Close()
		hook, err := d.Server.AddWebhook(fieftest.WebhookConfig{URL: appURL + WebhookPath, Events: WebhookEvents})
		if err != nil {
			return err
		}
		cfg.Fief, cfg.WebhookSecrets = d.Config, []string{hook.Secret}
	} else if cfg.Fief.BaseURL == "" {
		return errNoFief
	} else if len(cfg.WebhookSecrets) == 0 {
		return errNoSecret
	}
	if *redisURL != "" {
		if *demo {
			// The demo Fief is this process's own: no other instance
			// shares its state, and a random key does.
			cfg.SharedKeys = [][]byte{make([]byte, 32)}
			rand.Read(cfg.SharedKeys[0])
		} else if cfg.SharedKeys, err = sharedKeys(getenv("SHARED_KEYS")); err != nil {
			return err
		}
	}
	a, err := newApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.check(ctx, stdout); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "Listening on %s\n", appURL)
	if *redisURL == "" {
		fmt.Fprintln(stdout, "No -redis: this instance works alone.")
	} else {
		fmt.Fprintf(stdout, "Sharing revocations, user info and webhook deliveries through %s\n", redactURL(*redisURL))
	}
	if d != nil {
		d.PrintAccount(stdout)
		fmt.Fprintf(stdout, "Its webhook is registered at %s%s\n", appURL, WebhookPath)
		fmt.Fprintf(stdout, "A token of %s, valid for an hour:\n\n  curl -H 'Authorization: Bearer %s' %s/authenticated-permissions\n\n",
			fiefdemo.Email, d.AccessToken("openid", "required_scope"), appURL)
	}
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")
	return serve(ctx, ln, a.handler)
}

var errNoFief = errors.New("FIEF_BASE_URL is not set: set FIEF_BASE_URL, FIEF_CLIENT_ID, FIEF_CLIENT_SECRET and FIEF_WEBHOOK_SECRET " +
	"to those of your Fief client and webhook, or run with -demo to try the API on an embedded demo Fief")

var errNoSharedKeys = errors.New("SHARED_KEYS is not set (-redis is): the base64 secrets, comma-separated, of at least 32 bytes each, that every instance shares (the CookieKeys of a web application)")

// sharedKeys decodes SHARED_KEYS.
func sharedKeys(env string) ([][]byte, error) {
	if env == "" {
		return nil, errNoSharedKeys
	}
	var keys [][]byte
	for i, s := range strings.Split(env, ",") {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("SHARED_KEYS: key %d: %w", i, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
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

// redactURL hides the password of a Redis URL.
func redactURL(raw string) string {
	if i := strings.Index(raw, "@"); i >= 0 {
		if j := strings.Index(raw, "://"); j >= 0 && j < i {
			return raw[:j+3] + "[redacted]" + raw[i:]
		}
	}
	return raw
}
