package fiefhttp

import (
	"context"

	fief "github.com/fief-dev/fief-go"
)

// ctxKey is the context key of the authentication state; being unexported,
// no other package can set or shadow it.
type ctxKey struct{}

// authState is what the middleware learnt about the request: one context
// value for both the token and the user, so one allocation.
type authState struct {
	info fief.AccessTokenInfo
	user fief.UserInfo // nil for Authenticated
}

// AccessTokenInfoFrom returns the access-token info stored by
// [Auth.Authenticated] or [Auth.CurrentUser]. ok is false when the request
// was not authenticated (such as an anonymous request on an optional route).
func AccessTokenInfoFrom(ctx context.Context) (info fief.AccessTokenInfo, ok bool) {
	s, ok := ctx.Value(ctxKey{}).(*authState)
	if !ok {
		return fief.AccessTokenInfo{}, false
	}
	return s.info, true
}

// UserInfoFrom returns the user's claims stored by [Auth.CurrentUser]. ok is
// false when the request was not authenticated or went only through
// [Auth.Authenticated]. The map may be shared with the [UserInfoCache]: treat
// it as read-only.
func UserInfoFrom(ctx context.Context) (user fief.UserInfo, ok bool) {
	s, ok := ctx.Value(ctxKey{}).(*authState)
	if !ok || s.user == nil {
		return nil, false
	}
	return s.user, true
}
