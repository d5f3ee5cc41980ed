// Command example is the API of examples/api served by gin: a REST API
// protected by Fief access tokens through fiefgin.
//
//	go run ./example [-addr localhost:8000]
//
// (from the fiefgin directory). Its routes answer the access-token info as
// JSON (keys id, scope, acr, permissions, access_token), exactly as
// examples/api does:
//
//	GET /authenticated              any valid token
//	GET /authenticated-scope        scopes openid and required_scope
//	GET /authenticated-permissions  permission castles:read
//	GET /authenticated-acr          ACR level 1 (a fresh sign-in)
//	GET /authenticated-optional     any valid token, or {} when anonymous
//
// It talks to the Fief at FIEF_BASE_URL as FIEF_CLIENT_ID /
// FIEF_CLIENT_SECRET (FIEF_ENCRYPTION_KEY is optional). Without
// FIEF_BASE_URL it starts an embedded test Fief with a demo user and prints a
// curl command carrying a fresh token of theirs. At startup it checks the
// configuration against Fief (fief.Client.Check): it prints the report when
// something is not right, and exits 1 when a check failed.
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
	"github.com/fief-dev/fief-go/fiefgin"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/fief-dev/fief-go/internal/demo"
	"github.com/gin-gonic/gin"
)

func main() {
	// Without the route list and warnings of gin's debug mode.
	gin.SetMode(gin.ReleaseMode)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run serves the API until ctx is done.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	return demo.Run(ctx, "example", args, stdout, func(ctx context.Context, env *demo.Env, appURL string) (http.Handler, error) {
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
func routes(auth *fiefhttp.Auth) *gin.Engine {
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/authenticated", fiefgin.Authenticated(auth), tokenInfo)
	r.GET("/authenticated-scope", fiefgin.Authenticated(auth, fiefhttp.Scopes("openid", "required_scope")), tokenInfo)
	r.GET("/authenticated-permissions", fiefgin.Authenticated(auth, fiefhttp.Permissions(demo.Permission)), tokenInfo)
	r.GET("/authenticated-acr", fiefgin.Authenticated(auth, fiefhttp.MinACR(fief.ACRLevel1)), tokenInfo)
	r.GET("/authenticated-optional", fiefgin.Authenticated(auth, fiefhttp.Optional()), tokenInfo)
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
