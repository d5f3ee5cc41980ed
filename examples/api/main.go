// Command api is a REST API protected by Fief access tokens, the Go version
// of the "API example" of Fief's Flask integration.
//
//	go run ./examples/api [-addr localhost:8000]
//
// Its routes answer the access-token info as JSON (keys id, scope, acr,
// permissions, access_token):
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
// is not right, and exits with status 1 when something does not work. Without
// FIEF_BASE_URL it starts an embedded test Fief with a demo user and prints a
// curl command carrying a fresh token of theirs.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/internal/demo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run serves the API until ctx is done.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	return demo.Run(ctx, "api", args, stdout, func(ctx context.Context, env *demo.Env, appURL string) (http.Handler, error) {
		// An API signs nobody in: it has no redirect URI to check.
		opts := fief.CheckOptions{RedirectURISkipped: "an API has no sign-in callback"}
		if err := demo.Check(ctx, env.Client, opts, stdout); err != nil {
			return nil, err
		}
		auth := fiefhttp.New(env.Client, fiefhttp.Config{TokenGetter: fiefhttp.AuthorizationHeader("Bearer")})
		demo.PrintAPIInstructions(stdout, env, appURL)
		return routes(auth), nil
	})
}

// routes returns the API's routes.
func routes(auth *fiefhttp.Auth) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /authenticated", auth.Authenticated()(http.HandlerFunc(tokenInfo)))
	mux.Handle("GET /authenticated-scope", auth.Authenticated(fiefhttp.Scopes("openid", "required_scope"))(http.HandlerFunc(tokenInfo)))
	mux.Handle("GET /authenticated-permissions", auth.Authenticated(fiefhttp.Permissions(demo.Permission))(http.HandlerFunc(tokenInfo)))
	mux.Handle("GET /authenticated-acr", auth.Authenticated(fiefhttp.MinACR(fief.ACRLevel1))(http.HandlerFunc(tokenInfo)))
	mux.Handle("GET /authenticated-optional", auth.Authenticated(fiefhttp.Optional())(http.HandlerFunc(tokenInfo)))
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
