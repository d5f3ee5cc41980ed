// Package fiefecho protects echo (github.com/labstack/echo/v4) routes with
// Fief (https://docs.fief.dev) access tokens. It is a thin adapter of
// [fiefhttp]: the same [fiefhttp.Auth] (token getter, user-info cache)
// makes the same decision, through [fiefhttp.Auth.Check].
//
//	auth := fiefecho.New(fiefhttp.New(client, fiefhttp.Config{}), fiefecho.Config{})
//	e := echo.New()
//	e.GET("/orders", listOrders, auth.Authenticated(fiefhttp.Permissions("orders:read")))
//
// A request that does not pass gets, by default, an *echo.HTTPError (401,
// 403 or 503, with the error as its internal cause) for the application's
// HTTPErrorHandler to render, after the middleware has set RFC 6750's
// WWW-Authenticate header as fiefhttp does. [Config.ErrorHandler] replaces
// that; [AuthErrorHandler] answers exactly as fiefhttp's middleware, with
// the Auth's own (possibly replaced) handlers. A request that passes
// reaches the handler with the token's info (and the user, for
// [Auth.CurrentUser]) readable by [AccessTokenInfo] and [UserInfo], and from the
// request's context.
package fiefecho

import (
	"net/http"
	"slices"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fiefhttp"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Config configures the middleware made by [New], in the way of echo's own
// middleware.
type Config struct {
	// Skipper, when it returns true, lets the request through unchecked.
	Skipper middleware.Skipper
	// ErrorHandler answers a refused request; err is the decision's error,
	// to classify with [fiefhttp.Classify] or errors.Is. nil returns an
	// *echo.HTTPError (see the package documentation).
	ErrorHandler func(c echo.Context, err error) error
}

// Auth makes echo middleware of a [fiefhttp.Auth] with one [Config]. Make
// it once with [New] and share it; it is safe for concurrent use.
type Auth struct {
	auth    *fiefhttp.Auth
	skipper middleware.Skipper
	onError func(c echo.Context, err error) error
}

// New returns the echo middleware maker of auth, configured once by cfg.
// It panics if auth is nil.
func New(auth *fiefhttp.Auth, cfg Config) *Auth {
	if auth == nil {
		panic("fiefecho: New with a nil *fiefhttp.Auth")
	}
	a := &Auth{auth: auth, skipper: cfg.Skipper, onError: cfg.ErrorHandler}
	if a.onError == nil {
		a.onError = HTTPError
	}
	return a
}

// Authenticated returns echo middleware letting through requests with a
// valid access token meeting the route's options: the echo counterpart of
// [fiefhttp.Auth.Authenticated].
func (a *Auth) Authenticated(opts ...fiefhttp.RouteOption) echo.MiddlewareFunc {
	return a.Middleware(a.auth.Route(opts...))
}

// CurrentUser is [Auth.Authenticated] plus the user's claims, as
// [fiefhttp.Auth.CurrentUser].
func (a *Auth) CurrentUser(opts ...fiefhttp.RouteOption) echo.MiddlewareFunc {
	return a.Middleware(a.auth.Route(append(slices.Clip(opts), fiefhttp.WithUser())...))
}

// Middleware returns the echo middleware of a resolved [fiefhttp.Route],
// made by the same [fiefhttp.Auth].
func (a *Auth) Middleware(rt *fiefhttp.Route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if a.skipper != nil && a.skipper(c) {
				return next(c)
			}
			r := c.Request()
			ctx, err := a.auth.Check(c.Response(), r, rt)
			if err != nil {
				return a.onError(c, err)
			}
			if ctx != r.Context() {
				c.SetRequest(r.WithContext(ctx))
			}
			return next(c)
		}
	}
}

// HTTPError is the default [Config.ErrorHandler]: it sets the
// WWW-Authenticate header of [fiefhttp.Challenge] and returns an
// *echo.HTTPError of the outcome's status (401, 403 or 503) whose message is
// the status text and whose internal error is err, never shown to the
// client by echo's default error handler.
func HTTPError(c echo.Context, err error) error {
	if ch := fiefhttp.Challenge(err); ch != "" {
		c.Response().Header().Set("WWW-Authenticate", ch)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	status := http.StatusServiceUnavailable
	switch fiefhttp.Classify(err) {
	case fiefhttp.OutcomeUnauthorized:
		status = http.StatusUnauthorized
	case fiefhttp.OutcomeForbidden:
		status = http.StatusForbidden
	}
	return echo.NewHTTPError(status, http.StatusText(status)).SetInternal(err)
}

// AuthErrorHandler returns a [Config.ErrorHandler] answering with auth's
// own unauthorized, forbidden and unavailable handlers
// ([fiefhttp.Auth.Fail]), as fiefhttp's middleware does: the same status,
// headers and body. Use it with a [fiefhttp.WebFlow.Auth], whose handlers
// send a page navigation to the sign-in page.
func AuthErrorHandler(auth *fiefhttp.Auth) func(c echo.Context, err error) error {
	return func(c echo.Context, err error) error {
		auth.Fail(c.Response(), c.Request(), err)
		return nil
	}
}

// AccessTokenInfo returns the token info stored by the middleware; ok is
// false when the request was not authenticated.
func AccessTokenInfo(c echo.Context) (info fief.AccessTokenInfo, ok bool) {
	return fiefhttp.AccessTokenInfoFrom(c.Request().Context())
}

// UserInfo returns the user's claims stored by [Auth.CurrentUser]; ok is
// false when the request was not authenticated or went only through
// [Auth.Authenticated]. Treat the map as read-only.
func UserInfo(c echo.Context) (user fief.UserInfo, ok bool) {
	return fiefhttp.UserInfoFrom(c.Request().Context())
}
