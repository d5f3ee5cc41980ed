package fiefhttp

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// RouteOption sets what a route asks of a request, for [Auth.Authenticated],
// [Auth.CurrentUser] and [Auth.Route]. Route options are resolved when the
// middleware or the [Route] is built, not on each request.
type RouteOption func(*Route)

// Route is the resolved requirements of one protected route: what
// [Auth.Check] and [Auth.CheckAuthorization] ask of a request. Make it once per route
// with [Auth.Route]; it is immutable and safe for concurrent use.
type Route struct {
	public   bool // a public name of a RouteTable: not checked
	optional bool
	refresh  bool
	withUser bool
	maxAge   time.Duration
	req      fief.Requirements
}

// Optional lets a request without a valid token through, anonymously: the
// handler runs and [AccessTokenInfoFrom] reports false. A valid token that
// lacks a requirement is still forbidden, and an unavailable Fief is still
// an error: the token might have been valid.
func Optional() RouteOption { return func(r *Route) { r.optional = true } }

// Scopes requires the token to have all these scopes.
func Scopes(scopes ...string) RouteOption {
	return func(r *Route) { r.req.Scopes = append(r.req.Scopes, scopes...) }
}

// MinACR requires the token's ACR to be at least acr: [fief.ACRLevel1] asks
// for a sign-in where the user just typed their credentials. MinACR panics
// on a level Fief does not issue, a programming error.
func MinACR(acr fief.ACR) RouteOption {
	if !acr.Valid() {
		panic(fmt.Sprintf("fiefhttp: MinACR(%q): not an ACR level of Fief", string(acr)))
	}
	return func(r *Route) { r.req.ACR = acr }
}

// MaxAge requires the user to have typed their credentials less than d
// ago (a recent authentication, such as before changing a password). Only
// the sessions of a [WebFlow] with [StorageSealedCookie] or
// [StorageServer] know when that was: on such a session, a page navigation
// that fails it is sent to Fief's login form (max_age) and back, see
// [WebFlow.Forbidden]; every other request gets the forbidden answer, with
// [ErrSignInTooOld]. MaxAge panics on a d below a second, a programming
// error.
func MaxAge(d time.Duration) RouteOption {
	if d < time.Second {
		panic(fmt.Sprintf("fiefhttp: MaxAge(%v): below a second", d))
	}
	return func(r *Route) { r.maxAge = d }
}

// Permissions requires the user to have all these permissions.
func Permissions(perms ...string) RouteOption {
	return func(r *Route) { r.req.Permissions = append(r.req.Permissions, perms...) }
}

// RefreshUserInfo makes a route that gets the user ([Auth.CurrentUser],
// [WithUser]) ask Fief for the user's claims on every request, bypassing the
// cache read (the cache is still updated). It has no effect otherwise.
func RefreshUserInfo() RouteOption { return func(r *Route) { r.refresh = true } }

// WithUser makes a [Route] get the user's claims, as [Auth.CurrentUser]
// does: from the [UserInfoCache] or else from Fief's userinfo endpoint,
// read back with [UserInfoFrom]. [Auth.CurrentUser] implies it.
func WithUser() RouteOption { return func(r *Route) { r.withUser = true } }

// Route resolves route options into a [Route], for adapters that call
// [Auth.Check] or [Auth.CheckAuthorization] themselves. Build it once per
// route, not per request.
func (a *Auth) Route(opts ...RouteOption) *Route { return newRoute(opts) }

func newRoute(opts []RouteOption) *Route {
	rt := &Route{}
	for _, o := range opts {
		o(rt)
	}
	rt.req.Scopes = slices.Clip(rt.req.Scopes)
	rt.req.Permissions = slices.Clip(rt.req.Permissions)
	return rt
}

// Authenticated returns middleware letting through requests with a valid
// access token meeting the route's options, and storing its info in the
// request context (see [AccessTokenInfoFrom]). Other requests get the
// unauthorized, forbidden or unavailable answer of the [Auth].
func (a *Auth) Authenticated(opts ...RouteOption) func(http.Handler) http.Handler {
	return a.Middleware(newRoute(opts))
}

// CurrentUser is [Auth.Authenticated] plus the user's claims, from the
// [UserInfoCache] or else from Fief's userinfo endpoint, stored in the
// request context (see [UserInfoFrom]). A token that Fief's userinfo refuses
// gets the unauthorized answer. When the userinfo endpoint fails (Fief
// unavailable), the failure answers for itself for a second, so that a
// struggling Fief gets one userinfo request a second from this Auth rather
// than one per request.
func (a *Auth) CurrentUser(opts ...RouteOption) func(http.Handler) http.Handler {
	rt := newRoute(opts)
	rt.withUser = true
	return a.Middleware(rt)
}

// Middleware returns the net/http middleware of a resolved [Route]: it calls
// [Auth.Check], then the next handler with the request context it returned,
// or [Auth.Fail] with its error.
func (a *Auth) Middleware(rt *Route) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, err := a.Check(w, r, rt)
			if err != nil {
				a.Fail(w, r, err)
				return
			}
			if ctx != r.Context() {
				r = r.WithContext(ctx)
			}
			next.ServeHTTP(w, r)
		})
	}
}
