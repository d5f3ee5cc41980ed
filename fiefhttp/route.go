package fiefhttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	fief "github.com/fief-dev/fief-go"
)

// RouteOption sets what a route asks of a request, for [Auth.Authenticated]
// and [Auth.CurrentUser]. Route options are resolved when the middleware is
// built, not on each request.
type RouteOption func(*route)

// route is the resolved configuration of one middleware.
type route struct {
	optional bool
	refresh  bool
	req      fief.Requirements
}

// Optional lets a request without a valid token through, anonymously: the
// handler runs and [AccessTokenInfoFrom] reports false. A valid token that
// lacks a requirement is still forbidden, and an unavailable Fief is still
// an error: the token might have been valid.
func Optional() RouteOption { return func(r *route) { r.optional = true } }

// Scopes requires the token to have all these scopes.
func Scopes(scopes ...string) RouteOption {
	return func(r *route) { r.req.Scopes = append(r.req.Scopes, scopes...) }
}

// MinACR requires the token's ACR to be at least acr: [fief.ACRLevel1] asks
// for a sign-in where the user just typed their credentials. MinACR panics
// on a level Fief does not issue, a programming error.
func MinACR(acr fief.ACR) RouteOption {
	if !acr.Valid() {
		panic(fmt.Sprintf("fiefhttp: MinACR(%q): not an ACR level of Fief", string(acr)))
	}
	return func(r *route) { r.req.ACR = acr }
}

// Permissions requires the user to have all these permissions.
func Permissions(perms ...string) RouteOption {
	return func(r *route) { r.req.Permissions = append(r.req.Permissions, perms...) }
}

// RefreshUserInfo makes [Auth.CurrentUser] get the user's claims from Fief on
// every request, bypassing the cache read (the cache is still updated). It
// has no effect on [Auth.Authenticated].
func RefreshUserInfo() RouteOption { return func(r *route) { r.refresh = true } }

func newRoute(opts []RouteOption) *route {
	rt := &route{}
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
	return a.middleware(newRoute(opts), false)
}

// CurrentUser is [Auth.Authenticated] plus the user's claims, from the
// [UserInfoCache] or else from Fief's userinfo endpoint, stored in the
// request context (see [UserInfoFrom]). A token that Fief's userinfo refuses
// gets the unauthorized answer. When the userinfo endpoint fails (Fief
// unavailable), the failure answers for itself for a second, so that a
// struggling Fief gets one userinfo request a second from this Auth rather
// than one per request.
func (a *Auth) CurrentUser(opts ...RouteOption) func(http.Handler) http.Handler {
	return a.middleware(newRoute(opts), true)
}

func (a *Auth) middleware(rt *route, withUser bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st, err := a.authenticate(r, rt, withUser)
			if err != nil {
				if rt.optional && isUnauthorized(err) {
					next.ServeHTTP(w, r)
					return
				}
				a.fail(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, st)))
		})
	}
}

// authenticate reads and checks the token, and gets the user when asked.
func (a *Auth) authenticate(r *http.Request, rt *route, withUser bool) (*authState, error) {
	token, err := a.getter(r)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, ErrNoToken
	}
	ctx := r.Context()
	info, err := a.client.ValidateAccessToken(ctx, token, rt.req)
	if err != nil {
		return nil, err
	}
	st := &authState{info: info}
	if withUser {
		if st.user, err = a.user(ctx, info, rt.refresh); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// user returns the user's claims from the cache or from Fief.
func (a *Auth) user(ctx context.Context, info fief.AccessTokenInfo, refresh bool) (fief.UserInfo, error) {
	if !refresh {
		u, ok, err := a.cache.Get(ctx, info.ID)
		if err != nil {
			a.logger.WarnContext(ctx, "fiefhttp: user-info cache read failed", "user", info.ID, "error", err)
		} else if ok {
			return u, nil
		}
	}
	if err := a.userinfoFail.recent(a.client.Now()); err != nil {
		return nil, err
	}
	u, err := a.client.UserInfo(ctx, info.AccessToken)
	a.userinfoFail.record(ctx, err, a.client.Now())
	if err != nil {
		var re *fief.ResponseError
		if errors.As(err, &re) && re.StatusCode == http.StatusUnauthorized {
			return nil, fmt.Errorf("%w: %w", ErrTokenRejected, err)
		}
		return nil, err
	}
	if err := a.cache.Set(ctx, info.ID, u); err != nil {
		a.logger.WarnContext(ctx, "fiefhttp: user-info cache write failed", "user", info.ID, "error", err)
	}
	return u, nil
}

func isUnauthorized(err error) bool {
	return errors.Is(err, ErrNoToken) || errors.Is(err, fief.ErrInvalidToken)
}

// fail dispatches err to the handler of its outcome.
func (a *Auth) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case isUnauthorized(err):
		a.unauthorized(w, r, err)
	case errors.Is(err, fief.ErrForbidden):
		a.forbidden(w, r, err)
	default:
		if !errors.Is(err, fief.ErrUnavailable) {
			a.logger.ErrorContext(r.Context(), "fiefhttp: authentication failed", "error", err)
		} else {
			a.logger.WarnContext(r.Context(), "fiefhttp: Fief unavailable", "error", err)
		}
		a.unavailable(w, r, err)
	}
}
