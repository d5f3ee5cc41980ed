package fief

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Defaults used by [New] for the zero values of [Config].
const (
	// DefaultLeeway is the clock skew tolerated on exp and nbf, the value
	// Fief itself uses.
	DefaultLeeway = 60 * time.Second
	// DefaultJWKSRefreshCooldown is the minimum interval between two fetches
	// of the key set.
	DefaultJWKSRefreshCooldown = 10 * time.Second
	// DefaultJWKSMaxAge is how long a fetched key set is used before the
	// next validation fetches it again.
	DefaultJWKSMaxAge = time.Hour
	// DefaultJWKSMaxStaleness is how long a key set that could not be
	// fetched again keeps serving: Fief's default access token lifetime, so
	// that every token signed before Fief became unreachable has expired.
	DefaultJWKSMaxStaleness = 24 * time.Hour
	// DefaultHTTPTimeout is the timeout of the default HTTP client.
	DefaultHTTPTimeout = 10 * time.Second
	// DefaultTokenCacheSize is the number of verified access tokens kept.
	DefaultTokenCacheSize = 10_000
	// MaxTokenSize is the size above which a token is refused before any
	// parsing work. Fief's tokens are around 1 KiB.
	MaxTokenSize = 16 << 10
	// MaxResponseSize caps every response body read from Fief.
	MaxResponseSize = 1 << 20
)

// Config is the configuration of a [Client]. Only BaseURL and ClientID are
// required; every zero value means what its comment says.
type Config struct {
	// BaseURL is the tenant's public base URL, such as
	// "https://fief.example.com" or, for a non-default tenant,
	// "https://fief.example.com/my-tenant". Browser-facing URLs (the
	// authorization and logout URLs) are built on it, and so are back-channel
	// calls unless InternalBaseURL is set.
	BaseURL string

	// InternalBaseURL, when set, is where back-channel calls go (discovery,
	// key set, token endpoint, user API), for example
	// "http://fief:8000" inside a Docker network while browsers use BaseURL.
	// It must have the same tenant path as BaseURL.
	InternalBaseURL string

	// ClientID is the Fief client's ID.
	ClientID string

	// ClientSecret is the client's secret. Leave it empty for a public
	// client, which must then use PKCE.
	ClientSecret string

	// EncryptionKey is the client's private encryption key as a JWK (JSON),
	// as Fief shows it when a client is created with encryption. When set,
	// ID tokens must be encrypted; when empty, encrypted ID tokens are
	// refused.
	EncryptionKey string

	// HTTPClient makes every request to Fief. Nil means a client with a
	// [DefaultHTTPTimeout] timeout.
	HTTPClient *http.Client

	// Clock returns the current time. Nil means [time.Now].
	Clock func() time.Time

	// Leeway is the clock skew tolerated when checking exp and nbf. Zero
	// means [DefaultLeeway]; a negative value means none.
	Leeway time.Duration

	// JWKSRefreshCooldown is the minimum interval between two fetches of the
	// key set, which happen when a token carries an unknown key ID. Zero
	// means [DefaultJWKSRefreshCooldown].
	JWKSRefreshCooldown time.Duration

	// JWKSMaxAge is how long a fetched key set is trusted as it is: the
	// first validation after it fetches the set again (one request for all
	// concurrent validations), so that a key Fief dropped stops verifying
	// tokens, and so do the verified tokens it signed. A shorter
	// Cache-Control max-age on the key set answer wins. When the fetch
	// fails, the known keys keep serving, and the fetch is retried after the
	// cool-down. Zero means [DefaultJWKSMaxAge]; it must not be negative.
	JWKSMaxAge time.Duration

	// JWKSMaxStaleness is how long, since its last successful fetch, a key
	// set that cannot be fetched again keeps serving. Past it, validations
	// answer [ErrUnavailable] rather than trust keys Fief could not confirm
	// (see [Client.KeySetStatus]). Zero means [DefaultJWKSMaxStaleness]; it
	// must not be shorter than JWKSMaxAge.
	JWKSMaxStaleness time.Duration

	// TokenCacheSize bounds the number of verified access tokens remembered,
	// so that a token seen before skips its signature check. Zero means
	// [DefaultTokenCacheSize]; a negative value turns the cache off.
	// Requirements are checked on every call, cached or not.
	TokenCacheSize int

	// AccessTokenAudiences, when not empty, makes [Client.ValidateAccessToken]
	// accept only access tokens whose aud claim holds one of these client
	// IDs. It is off by default because an API commonly accepts the tokens
	// that its frontend's own Fief client obtained; turn it on when several
	// Fief clients of the tenant must not be able to call this API.
	AccessTokenAudiences []string

	// Revocations, when set, makes [Client.ValidateAccessToken] refuse with
	// [ErrTokenRevoked] the tokens of a revoked user issued at or before the
	// user's "not before" (see fiefwebhook, which fills it from Fief's
	// webhooks). Nil means no revocation: a token is valid until it expires.
	Revocations *Revocations

	// Logger receives debug and warning messages (never tokens or secrets),
	// and is the default logger of what is built on the client (fiefhttp,
	// fiefcli). Nil means that warnings and errors go to [slog.Default] and
	// the rest is dropped; see [Client.Logger].
	Logger *slog.Logger
}

// ConfigError reports an invalid configuration: a [Config] given to [New],
// and the configurations of the other packages of fief-go (fiefhttp's
// NewWebFlow, fiefcli's New, fiefadmin's New), checked before any I/O.
type ConfigError struct {
	// Field names the setting at fault, such as "BaseURL" or
	// "fiefhttp.WebConfig.CookieKeys".
	Field string
	// Reason says what is wrong with it.
	Reason string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("fief: invalid config: %s: %s", e.Field, e.Reason)
}

// settings is a Config resolved once by New.
type settings struct {
	publicBase   *url.URL
	internalBase *url.URL
	clientID     string
	clientSecret string
	encKey       *jose.JSONWebKey
	httpClient   *http.Client
	clock        func() time.Time
	leeway       time.Duration
	cooldown     time.Duration
	maxKeyAge    time.Duration
	maxStaleness time.Duration
	cacheSize    int
	audiences    []string
	revocations  *Revocations
	logger       *slog.Logger
}

func resolve(cfg Config) (*settings, error) {
	pub, err := parseBaseURL("BaseURL", cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	internal := pub
	if cfg.InternalBaseURL != "" {
		if internal, err = parseBaseURL("InternalBaseURL", cfg.InternalBaseURL); err != nil {
			return nil, err
		}
		if internal.Path != pub.Path {
			return nil, &ConfigError{"InternalBaseURL", fmt.Sprintf("tenant path %q differs from BaseURL's %q", internal.Path, pub.Path)}
		}
	}
	if strings.TrimSpace(cfg.ClientID) == "" {
		return nil, &ConfigError{"ClientID", "is empty"}
	}
	s := &settings{
		publicBase:   pub,
		internalBase: internal,
		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,
		httpClient:   cfg.HTTPClient,
		clock:        cfg.Clock,
		leeway:       cfg.Leeway,
		cooldown:     cfg.JWKSRefreshCooldown,
		maxKeyAge:    cfg.JWKSMaxAge,
		maxStaleness: cfg.JWKSMaxStaleness,
		cacheSize:    cfg.TokenCacheSize,
		audiences:    append([]string(nil), cfg.AccessTokenAudiences...),
		revocations:  cfg.Revocations,
		logger:       cfg.Logger,
	}
	if cfg.EncryptionKey != "" {
		if s.encKey, err = parseEncryptionKey(cfg.EncryptionKey); err != nil {
			return nil, err
		}
	}
	if s.httpClient == nil {
		s.httpClient = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	switch {
	case s.leeway == 0:
		s.leeway = DefaultLeeway
	case s.leeway < 0:
		s.leeway = 0
	}
	if s.cooldown <= 0 {
		s.cooldown = DefaultJWKSRefreshCooldown
	}
	switch {
	case s.maxKeyAge < 0:
		return nil, &ConfigError{"JWKSMaxAge", "is negative"}
	case s.maxKeyAge == 0:
		s.maxKeyAge = DefaultJWKSMaxAge
	}
	switch {
	case s.maxStaleness < 0:
		return nil, &ConfigError{"JWKSMaxStaleness", "is negative"}
	case s.maxStaleness == 0:
		s.maxStaleness = max(DefaultJWKSMaxStaleness, s.maxKeyAge)
	case s.maxStaleness < s.maxKeyAge:
		return nil, &ConfigError{"JWKSMaxStaleness", fmt.Sprintf("%s is shorter than JWKSMaxAge (%s)", s.maxStaleness, s.maxKeyAge)}
	}
	if s.cacheSize == 0 {
		s.cacheSize = DefaultTokenCacheSize
	}
	if s.logger == nil {
		s.logger = defaultLogger()
	}
	return s, nil
}

func parseBaseURL(field, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, &ConfigError{field, "is empty"}
	}
	shown := urlShown(raw)
	if !strings.Contains(raw, "://") {
		// "fief.example.com" and "localhost:8000" alike: url.Parse reads
		// the second one as the scheme "localhost".
		return nil, &ConfigError{field, fmt.Sprintf("%q has no scheme: write %q (or http:// for a Fief served without TLS)", shown, "https://"+shown)}
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the whole URL, password included.
		return nil, &ConfigError{field, fmt.Sprintf("%q is not a URL", shown)}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &ConfigError{field, fmt.Sprintf("%q has the scheme %q: Fief is reached over https:// (or http:// when served without TLS)", shown, u.Scheme)}
	}
	if u.Host == "" {
		return nil, &ConfigError{field, fmt.Sprintf("%q has no host", shown)}
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, &ConfigError{field, fmt.Sprintf("%q must not carry user info, a query or a fragment", shown)}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// urlShown is raw as an error may show it: without user info (a password),
// query or fragment (a key), which a misconfigured URL may carry.
func urlShown(raw string) string {
	s := raw
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i] + "…"
	}
	rest, scheme := s, ""
	if i := strings.Index(s, "://"); i >= 0 {
		scheme, rest = s[:i+3], s[i+3:]
	}
	host := rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host = rest[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		rest = "…@" + rest[i+1:]
	}
	return scheme + rest
}

func parseEncryptionKey(raw string) (*jose.JSONWebKey, error) {
	var k jose.JSONWebKey
	if err := json.Unmarshal([]byte(raw), &k); err != nil {
		return nil, &ConfigError{"EncryptionKey", "not a JWK: " + err.Error()}
	}
	if k.IsPublic() {
		return nil, &ConfigError{"EncryptionKey", "is a public key; the client needs the private JWK"}
	}
	if _, ok := k.Key.(*rsa.PrivateKey); !ok {
		return nil, &ConfigError{"EncryptionKey", "is not an RSA private key"}
	}
	if !k.Valid() {
		return nil, &ConfigError{"EncryptionKey", "is not a valid key"}
	}
	return &k, nil
}

// String describes the configuration with the secret and the encryption key
// redacted, so that logging a Config does not leak them.
func (c Config) String() string {
	redact := func(s string) string {
		if s == "" {
			return `""`
		}
		return "[redacted]"
	}
	return fmt.Sprintf("fief.Config{BaseURL: %q, InternalBaseURL: %q, ClientID: %q, ClientSecret: %s, EncryptionKey: %s}",
		c.BaseURL, c.InternalBaseURL, c.ClientID, redact(c.ClientSecret), redact(c.EncryptionKey))
}
