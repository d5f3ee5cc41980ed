package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/fiefredis"
	"github.com/fief-dev/fief-go/fiefwebhook"
)

// Permission is the permission of the /authenticated-permissions route.
const Permission = "castles:read"

// WebhookPath is where Fief's webhooks are received.
const WebhookPath = "/webhooks/fief"

// WebhookEvents are the events the example asks Fief for.
var WebhookEvents = []string{
	"user.updated", "user.deleted", "user.password_reset",
	"user_permission.created", "user_permission.deleted",
	"user_role.created", "user_role.deleted",
}

// config is what one instance of the API needs.
type config struct {
	// Fief is the client's configuration; Revocations is set by newApp.
	Fief fief.Config
	// RedisURL is the Redis to share state through; empty means none (a
	// single instance).
	RedisURL string
	// WebhookSecrets are the secrets of the Fief webhook (several during a
	// rotation).
	WebhookSecrets []string
	// SharedKeys authenticate what the instances share through Redis (at
	// least 32 bytes each; the same on every instance). Required with
	// RedisURL.
	SharedKeys [][]byte
	// AcceptUnshared answers Fief's webhooks 2xx even when their effect
	// could not be shared (Redis down): Fief then never retries them, and
	// an instance that stops before Redis returns loses the revocation for
	// the others. False (the default) answers 503 so that Fief retries.
	AcceptUnshared bool
	// Clock is the time source of everything; nil means time.Now.
	Clock func() time.Time
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// app is one instance of the API.
type app struct {
	client    *fief.Client
	handler   http.Handler
	bus       *fiefredis.Bus // nil without Redis
	processed atomic.Int64   // webhook events processed by this instance
	close     func()
}

// syncWait bounds how long a starting instance waits to load the
// revocations from Redis before serving.
const syncWait = 2 * time.Second

// newApp builds one instance: its own fief.Client and revocation set, and,
// with Redis, the shared user-info cache, delivery memory and event bus.
// With Redis it waits (at most syncWait) until the revocations are loaded,
// so that a late instance refuses a revoked token from its first request.
func newApp(ctx context.Context, cfg config) (*app, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	revocations := fief.NewRevocations(fief.RevocationsConfig{Clock: cfg.Clock})
	cfg.Fief.Revocations = revocations
	cfg.Fief.Clock = cfg.Clock
	client, err := fief.New(cfg.Fief)
	if err != nil {
		return nil, err
	}
	a := &app{client: client, close: func() {}}

	var (
		cache      fiefhttp.UserInfoCache = fiefhttp.NewMemoryUserInfoCache(0, 0)
		deliveries fiefwebhook.Deliveries // nil: the handler's own memory
		apply      fiefwebhook.Applier    = fiefwebhook.Local{Revocations: revocations, UserInfo: cache}
	)
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("-redis: %w", err)
		}
		// Fail fast when Redis is away: nothing here may hold a request.
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = time.Second, time.Second, time.Second
		opts.MaxRetries = -1
		rdb := redis.NewClient(opts)
		o := fiefredis.Config{Client: rdb, ClientID: cfg.Fief.ClientID, Keys: cfg.SharedKeys, Clock: cfg.Clock, Logger: cfg.Logger}
		shared, err := fiefredis.NewUserInfoCache(fiefredis.UserInfoCacheConfig{Config: o})
		if err != nil {
			rdb.Close()
			return nil, err
		}
		d, err := fiefredis.NewDeliveries(fiefredis.DeliveriesConfig{Config: o})
		if err != nil {
			rdb.Close()
			return nil, err
		}
		bus, err := fiefredis.NewBus(fiefredis.BusConfig{Config: o, Revocations: revocations, UserInfo: shared})
		if err != nil {
			rdb.Close()
			return nil, err
		}
		bus.Start()
		a.bus, cache, deliveries, apply = bus, shared, d, bus
		a.close = func() { bus.Close(); rdb.Close() }
		waitCtx, cancel := context.WithTimeout(ctx, syncWait)
		if err := bus.WaitSynced(waitCtx); err != nil {
			cfg.Logger.Warn("starting without the revocations of Redis; they will load when it answers", "error", err)
		}
		cancel()
	}

	webhooks, err := fiefwebhook.NewHandler(fiefwebhook.Config{
		Secrets:        cfg.WebhookSecrets,
		Clock:          cfg.Clock,
		Deliveries:     deliveries,
		Apply:          apply,
		AcceptUnshared: cfg.AcceptUnshared,
		Logger:         cfg.Logger,
		Default: func(ctx context.Context, e *fiefwebhook.Event) error {
			a.processed.Add(1)
			cfg.Logger.InfoContext(ctx, "webhook", "type", e.Type, "id", e.ID)
			return nil
		},
	})
	if err != nil {
		a.close()
		return nil, err
	}
	auth := fiefhttp.New(client, fiefhttp.Config{TokenGetter: fiefhttp.AuthorizationHeader("Bearer"), UserInfoCache: cache, Logger: cfg.Logger})
	a.handler = routes(auth, webhooks, a.bus)
	return a, nil
}

// routes returns the API example's routes, the webhook route, /me (the
// user's info, through the user-info cache) and /healthz.
func routes(auth *fiefhttp.Auth, webhooks http.Handler, bus *fiefredis.Bus) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /authenticated", auth.Authenticated()(http.HandlerFunc(tokenInfo)))
	mux.Handle("GET /authenticated-scope", auth.Authenticated(fiefhttp.Scopes("openid", "required_scope"))(http.HandlerFunc(tokenInfo)))
	mux.Handle("GET /authenticated-permissions", auth.Authenticated(fiefhttp.Permissions(Permission))(http.HandlerFunc(tokenInfo)))
	mux.Handle("GET /authenticated-acr", auth.Authenticated(fiefhttp.MinACR(fief.ACRLevel1))(http.HandlerFunc(tokenInfo)))
	mux.Handle("GET /authenticated-optional", auth.Authenticated(fiefhttp.Optional())(http.HandlerFunc(tokenInfo)))
	mux.Handle("GET /me", auth.CurrentUser()(http.HandlerFunc(userInfo)))
	mux.Handle("POST "+WebhookPath, webhooks)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		// Redis away is degraded, not down: the instance still serves.
		w.Header().Set("Content-Type", "application/json")
		status := map[string]string{"redis": "off"}
		if bus != nil {
			status["redis"] = "ok"
			if err := bus.Check(r.Context()); err != nil {
				status["redis"] = "unavailable"
			}
		}
		json.NewEncoder(w).Encode(status)
	})
	return mux
}

// tokenInfo answers the request's access-token info as JSON, or {} when the
// request is anonymous.
func tokenInfo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	info, ok := fiefhttp.AccessTokenInfoFrom(r.Context())
	if !ok {
		io.WriteString(w, "{}\n")
		return
	}
	json.NewEncoder(w).Encode(info)
}

// userInfo answers the user's claims as JSON.
func userInfo(w http.ResponseWriter, r *http.Request) {
	u, ok := fiefhttp.UserInfoFrom(r.Context())
	if !ok {
		http.Error(w, "no user", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(u)
}

var errNoSecret = errors.New("FIEF_WEBHOOK_SECRET is not set (FIEF_BASE_URL is): the secret Fief gave when the webhook was created")

// checkTimeout bounds the startup check.
const checkTimeout = 10 * time.Second

// check runs the startup check of the Fief configuration, with the event
// bus's finding when there is Redis: it writes the report to w when
// something is not right, and fails when a check failed (Redis down is a
// warning: the instance works alone until it returns).
func (a *app) check(ctx context.Context, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	report := a.client.Check(ctx, fief.CheckOptions{RedirectURISkipped: "an API has no sign-in callback"})
	if a.bus != nil {
		report.Findings = append(report.Findings, a.bus.Finding(ctx))
	}
	if report.Failed() {
		return fmt.Errorf("the Fief configuration does not work:\n%s", strings.TrimRight(report.String(), "\n"))
	}
	if !report.OK() {
		fmt.Fprint(w, report)
	}
	return nil
}
