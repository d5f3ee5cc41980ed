// Package fiefgin protects gin (github.com/gin-gonic/gin) routes with Fief
// (https://docs.fief.dev) access tokens. It is a thin adapter of
// [fiefhttp]: the same [fiefhttp.Auth] (token getter, error handlers,
// user-info cache) makes the same decision, through [fiefhttp.Auth.Check],
// so a gin route answers exactly as a net/http route protected by
// [fiefhttp.Auth.Authenticated] would.
//
//	auth := fiefhttp.New(client, fiefhttp.Config{})
//	r := gin.New()
//	r.GET("/orders", fiefgin.Authenticated(auth, fiefhttp.Permissions("orders:read")), listOrders)
//
// A request that does not pass gets the Auth's unauthorized, forbidden or
// unavailable answer (by default 401, 403 or 503 with RFC 6750's
// WWW-Authenticate header; replace them with [fiefhttp.Config].Unauthorized
// and its siblings), and the chain is aborted. A request that passes reaches
// the next handlers with the token's info (and the user, for
// [CurrentUser]) readable by [AccessTokenInfo] and [UserInfo] from the
// *gin.Context, and by [fiefhttp.AccessTokenInfoFrom] and
// [fiefhttp.UserInfoFrom] from the request's context.
package fiefgin

import (
	"slices"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/gin-gonic/gin"
)

// Keys under which the middleware stores the token's info and the user in
// the *gin.Context (c.Get), besides the request's context.
const (
	AccessTokenInfoKey = "fief.access_token_info"
	UserInfoKey        = "fief.user_info"
)

// Authenticated returns gin middleware letting through requests with a
// valid access token meeting the route's options: the gin counterpart of
// [fiefhttp.Auth.Authenticated].
func Authenticated(auth *fiefhttp.Auth, opts ...fiefhttp.RouteOption) gin.HandlerFunc {
	return Middleware(auth, auth.Route(opts...))
}

// CurrentUser is [Authenticated] plus the user's claims, as
// [fiefhttp.Auth.CurrentUser].
func CurrentUser(auth *fiefhttp.Auth, opts ...fiefhttp.RouteOption) gin.HandlerFunc {
	return Middleware(auth, auth.Route(append(slices.Clip(opts), fiefhttp.WithUser())...))
}

// Middleware returns the gin middleware of a resolved [fiefhttp.Route].
func Middleware(auth *fiefhttp.Auth, rt *fiefhttp.Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, err := auth.Check(c.Writer, c.Request, rt)
		if err != nil {
			auth.Fail(c.Writer, c.Request, err)
			c.Abort()
			return
		}
		if ctx != c.Request.Context() {
			c.Request = c.Request.WithContext(ctx)
			if info, ok := fiefhttp.AccessTokenInfoFrom(ctx); ok {
				c.Set(AccessTokenInfoKey, info)
			}
			if user, ok := fiefhttp.UserInfoFrom(ctx); ok {
				c.Set(UserInfoKey, user)
			}
		}
		c.Next()
	}
}

// AccessTokenInfo returns the token info stored by the middleware; ok is
// false when the request was not authenticated (an anonymous request on an
// optional route).
func AccessTokenInfo(c *gin.Context) (info fief.AccessTokenInfo, ok bool) {
	return fiefhttp.AccessTokenInfoFrom(c.Request.Context())
}

// UserInfo returns the user's claims stored by [CurrentUser]; ok is false
// when the request was not authenticated or went only through
// [Authenticated]. Treat the map as read-only.
func UserInfo(c *gin.Context) (user fief.UserInfo, ok bool) {
	return fiefhttp.UserInfoFrom(c.Request.Context())
}
