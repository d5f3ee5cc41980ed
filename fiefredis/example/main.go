// Command example is the API example of fief-go for a service running as
// several instances: the same routes, plus Fief's webhooks, with the state
// that must be shared kept in Redis.
//
//	go run . [-addr localhost:8000] [-redis redis://localhost:6379/0]
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
// <this URL>/webhooks/fief in Fief's admin). Without FIEF_BASE_URL it starts
// an embedded test Fief with a demo user, registers its own webhook there,
// and prints a curl command carrying a fresh token.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
	"github.com/fief-dev/fief-go/internal/demo"
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
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	ln, appURL, err := demo.Listen(*addr)
	if err != nil {
		return err
	}
	defer ln.Close()

	cfg := config{RedisURL: *redisURL}
	var (
		srv   *fieftest.Server
		token string
	)
	if getenv("FIEF_BASE_URL") != "" {
		cfg.Fief = demo.ConfigFromEnv(getenv)
		if getenv("FIEF_WEBHOOK_SECRET") == "" {
			return errNoSecret
		}
		cfg.WebhookSecrets = strings.Split(getenv("FIEF_WEBHOOK_SECRET"), ",")
	} else {
		srv = fieftest.NewServer()
		defer srv.Close()
		c := srv.AddClient(fieftest.ClientConfig{ID: demo.ClientID})
		u := srv.AddUser(fieftest.UserConfig{Email: demo.Email, Password: demo.Password, Permissions: []string{Permission}})
		hook := srv.AddWebhook(fieftest.WebhookConfig{URL: appURL + WebhookPath, Events: WebhookEvents})
		cfg.Fief = fief.Config{BaseURL: srv.URL, ClientID: c.ID, ClientSecret: c.Secret, HTTPClient: srv.Client()}
		cfg.WebhookSecrets = []string{hook.Secret}
		token = srv.MintAccessToken(u.ID, fieftest.TokenOptions{
			ClientID: c.ID, Scopes: []string{"openid", "required_scope"}, Permissions: []string{Permission}, ACR: "1", Lifetime: time.Hour,
		})
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
	if srv != nil {
		fmt.Fprintf(stdout, "Embedded test Fief: %s, its webhook registered at %s%s\n", srv.URL, appURL, WebhookPath)
		fmt.Fprintf(stdout, "A token of %s, valid for an hour:\n\n  curl -H 'Authorization: Bearer %s' %s/authenticated-permissions\n\n", demo.Email, token, appURL)
	}
	fmt.Fprintln(stdout, demo.Ready)
	return demo.Serve(ctx, ln, a.handler)
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
