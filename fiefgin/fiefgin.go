// Package fiefgin protects gin (github.com/gin-gonic/gin) routes with Fief
// (https://docs.fief.dev) access tokens. It is a thin adapter of
// [fiefhttp]: the same [fiefhttp.Auth] (token getter, user-info cache)
// makes the same decision, through [fiefhttp.Auth.Check], with the same
// status and headers as a net/http route protected by
// [fiefhttp.Auth.Authenticated]; the body follows gin's convention (JSON).
//
//	auth := fiefgin.New(fiefhttp.New(client, fiefhttp.Config{}), fiefgin.Config{})
//	r := gin.New()
//	r.GET("/orders", auth.Authenticated(fiefhttp.Permissions("orders:read")), listOrders)
//
// A request that does not pass gets, by default, [JSONError]'s answer: 401,
// 403 or 503 with RFC 6750's WWW-Authenticate header, exactly as fiefhttp
// sends them, and a JSON body such as {"error":"Unauthorized"}; the chain is
// aborted. [Config.ErrorHandler] replaces that answer; [AuthErrorHandler]
// answers with the fiefhttp.Auth's own handlers (those of a
// [fiefhttp.WebFlow.Auth] send a page navigation to the sign-in page). A
// request that passes reaches the next handlers with the token's info (and
// the user, for [Auth.CurrentUser]) readable by [AccessTokenInfo] and
// [UserInfo] from the *gin.Context, and by [fiefhttp.AccessTokenInfoFrom]
// and [fiefhttp.UserInfoFrom] from the request's context.
package fiefgin

import (
	"net/http"
	"slices"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/gin-gonic/gin"
)

// Config configures the middleware made by [New].
type Config struct {
	// ErrorHandler answers a refused request; err is the decision's error,
	// to classify with [fiefhttp.Classify] or errors.Is. The chain is
	// aborted after it, whatever it does. Nil means [JSONError].
	ErrorHandler func(c *gin.Context, err error)
}

// Auth makes gin middleware of a [fiefhttp.Auth] with one [Config]. Make it
// once with [New] and share it; it is safe for concurrent use.
type Auth struct {
	auth    *fiefhttp.Auth
	onError func(c *gin.Context, err error)
}

// New returns the gin middleware maker of auth, configured once by cfg. It
// panics if auth is nil.
func New(auth *fiefhttp.Auth, cfg Config) *Auth {
	if auth == nil {
		panic("fiefgin: New with a nil *fiefhttp.Auth")
	}
	a := &Auth{auth: auth, onError: cfg.ErrorHandler}
	if a.onError == nil {
		a.onError = JSONError
	}
	return a
}

// Authenticated returns gin middleware letting through requests with a
// valid access token meeting the route's options: the gin counterpart of
// [fiefhttp.Auth.Authenticated].
func (a *Auth) Authenticated(opts ...fiefhttp.RouteOption) gin.HandlerFunc {
	return a.Middleware(a.auth.Route(opts...))
}

// CurrentUser is [Auth.Authenticated] plus the user's claims, as
// [fiefhttp.Auth.CurrentUser].
func (a *Auth) CurrentUser(opts ...fiefhttp.RouteOption) gin.HandlerFunc {
	return a.Middleware(a.auth.Route(append(slices.Clip(opts), fiefhttp.WithUser())...))
}

// Middleware returns the gin middleware of a resolved [fiefhttp.Route],
// made by the same [fiefhttp.Auth].
func (a *Auth) Middleware(rt *fiefhttp.Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, err := a.auth.Check(c.Writer, c.Request, rt)
		if err != nil {
			a.onError(c, err)
			c.Abort() // a refused request stays refused
			return
		}
		if ctx != c.Request.Context() {
			c.Request = c.Request.WithContext(ctx)
		}
		c.Next()
	}
}

// JSONError is the default [Config.ErrorHandler]: the status (401, 403 or
// 503) and headers (RFC 6750's WWW-Authenticate, Cache-Control: no-store) of
// fiefhttp's [fiefhttp.Unauthorized], [fiefhttp.Forbidden] and
// [fiefhttp.Unavailable], with a JSON body naming the status,
// {"error":"Unauthorized"}. The error's details stay on the server.
func JSONError(c *gin.Context, err error) {
	if ch := fiefhttp.Challenge(err); ch != "" {
		c.Header("WWW-Authenticate", ch)
	}
	c.Header("Cache-Control", "no-store")
	status := http.StatusServiceUnavailable
	switch fiefhttp.Classify(err) {
	case fiefhttp.OutcomeUnauthorized:
		status = http.StatusUnauthorized
	case fiefhttp.OutcomeForbidden:
		status = http.StatusForbidden
	}
	c.AbortWithStatusJSON(status, gin.H{"error": http.StatusText(status)})
}

// AuthErrorHandler returns a [Config.ErrorHandler] answering with auth's
// own unauthorized, forbidden and unavailable handlers
// ([fiefhttp.Auth.Fail]), as fiefhttp's middleware does: the same status,
// headers and body. Use it with a [fiefhttp.WebFlow.Auth], whose handlers
// send a page navigation to the sign-in page, or with handlers of your own
// set in [fiefhttp.Config].
func AuthErrorHandler(auth *fiefhttp.Auth) func(c *gin.Context, err error) {
	return func(c *gin.Context, err error) {
		auth.Fail(c.Writer, c.Request, err)
	}
}

// AccessTokenInfo returns the token info stored by the middleware; ok is
// false when the request was not authenticated (an anonymous request on an
// optional route).
func AccessTokenInfo(c *gin.Context) (info fief.AccessTokenInfo, ok bool) {
	return fiefhttp.AccessTokenInfoFrom(c.Request.Context())
}

// UserInfo returns the user's claims stored by [Auth.CurrentUser]; ok is
// false when the request was not authenticated or went only through
// [Auth.Authenticated]. Treat the map as read-only.
func UserInfo(c *gin.Context) (user fief.UserInfo, ok bool) {
	return fiefhttp.UserInfoFrom(c.Request.Context())
}
