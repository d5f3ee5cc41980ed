package fiefhttp

import (
	"log/slog"

	fief "github.com/fief-dev/fief-go"
)

// Auth protects routes with Fief access tokens. Make it once with [New] and
// share it; it is safe for concurrent use. Its middleware,
// [Auth.Authenticated] and [Auth.CurrentUser], are built per route.
type Auth struct {
	client       *fief.Client
	getter       TokenGetter
	unauthorized ErrorHandler
	forbidden    ErrorHandler
	unavailable  ErrorHandler
	cache        UserInfoCache
	logger       *slog.Logger
	userinfoFail failureMemo
	sessions     sessionSource // set by WebFlow.Auth for refreshed sessions
}

// Option configures an [Auth] made by [New].
type Option func(*Auth)

// New returns an [Auth] checking tokens with client, read from requests by
// getter (nil means [AuthorizationHeader]("Bearer")). Options are applied
// once, here. New panics if client is nil.
func New(client *fief.Client, getter TokenGetter, opts ...Option) *Auth {
	if client == nil {
		panic("fiefhttp: New with a nil *fief.Client")
	}
	if getter == nil {
		getter = AuthorizationHeader("")
	}
	a := &Auth{
		client:       client,
		getter:       getter,
		unauthorized: Unauthorized,
		forbidden:    Forbidden,
		unavailable:  Unavailable,
	}
	for _, o := range opts {
		o(a)
	}
	if a.cache == nil {
		a.cache = NewMemoryUserInfoCache(0, 0)
	}
	if a.logger == nil {
		a.logger = client.Logger()
	}
	return a
}

// WithUnauthorizedHandler replaces [Unauthorized], the answer to a request
// without a valid token. The web flow's [WebFlow.Unauthorized] redirects to
// the login page instead. nil keeps the default.
func WithUnauthorizedHandler(h ErrorHandler) Option {
	return func(a *Auth) {
		if h != nil {
			a.unauthorized = h
		}
	}
}

// WithForbiddenHandler replaces [Forbidden], the answer to a valid token that
// lacks a requirement of the route. nil keeps the default.
func WithForbiddenHandler(h ErrorHandler) Option {
	return func(a *Auth) {
		if h != nil {
			a.forbidden = h
		}
	}
}

// WithUnavailableHandler replaces [Unavailable], the answer when Fief cannot
// be reached to check the token or get the user. nil keeps the default.
func WithUnavailableHandler(h ErrorHandler) Option {
	return func(a *Auth) {
		if h != nil {
			a.unavailable = h
		}
	}
}

// WithUserInfoCache sets the cache of [Auth.CurrentUser]. The default is a
// [NewMemoryUserInfoCache] with default settings, private to the Auth.
func WithUserInfoCache(c UserInfoCache) Option {
	return func(a *Auth) {
		if c != nil {
			a.cache = c
		}
	}
}

// WithLogger sets the logger of failures the client does not see in detail
// (Fief unavailable, cache errors). Tokens are never logged. The default is
// the client's, [fief.Client.Logger].
func WithLogger(l *slog.Logger) Option {
	return func(a *Auth) {
		if l != nil {
			a.logger = l
		}
	}
}
