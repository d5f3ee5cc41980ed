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

// Config configures an [Auth] made by [New]. The zero value is a working
// configuration: bearer tokens from the Authorization header, the default
// answers, a private in-memory user-info cache and the client's logger.
type Config struct {
	// TokenGetter reads the access token from a request. Nil means the
	// Authorization header with the Bearer scheme, [AuthorizationHeader]("Bearer").
	TokenGetter TokenGetter
	// Unauthorized answers a request without a valid token. Nil means
	// [Unauthorized] (401 with a WWW-Authenticate challenge). The web
	// flow's [WebFlow.Unauthorized] redirects to the login page instead.
	Unauthorized ErrorHandler
	// Forbidden answers a valid token that lacks a requirement of the
	// route. Nil means [Forbidden] (403).
	Forbidden ErrorHandler
	// Unavailable answers when Fief cannot be reached to check the token
	// or get the user. Nil means [Unavailable] (503).
	Unavailable ErrorHandler
	// UserInfoCache is the cache of [Auth.CurrentUser]. Nil means a
	// [NewMemoryUserInfoCache] with default settings, private to the Auth.
	UserInfoCache UserInfoCache
	// Logger receives the failures the client does not see in detail
	// (Fief unavailable, cache errors). Tokens are never logged. Nil means
	// the client's, [fief.Client.Logger].
	Logger *slog.Logger
}

// New returns an [Auth] checking tokens with client, configured by cfg (the
// zero Config is a working one: see [Config]). New panics if client is nil.
func New(client *fief.Client, cfg Config) *Auth {
	if client == nil {
		panic("fiefhttp: New with a nil *fief.Client")
	}
	a := &Auth{
		client:       client,
		getter:       cfg.TokenGetter,
		unauthorized: cfg.Unauthorized,
		forbidden:    cfg.Forbidden,
		unavailable:  cfg.Unavailable,
		cache:        cfg.UserInfoCache,
		logger:       cfg.Logger,
	}
	if a.getter == nil {
		a.getter = AuthorizationHeader("")
	}
	if a.unauthorized == nil {
		a.unauthorized = Unauthorized
	}
	if a.forbidden == nil {
		a.forbidden = Forbidden
	}
	if a.unavailable == nil {
		a.unavailable = Unavailable
	}
	if a.cache == nil {
		a.cache = newMemoryUserInfoCache(0, 0, client.Now)
	}
	if a.logger == nil {
		a.logger = client.Logger()
	}
	return a
}
