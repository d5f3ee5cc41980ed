package fiefhttp

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/internal/page"
	"golang.org/x/sync/singleflight"
)

// Defaults of [WebConfig].
const (
	DefaultCallbackPath = "/auth-callback"
	// DefaultSessionCookieName and DefaultFlowCookiePrefix are the cookie
	// names used when cookies are not Secure ([WebConfig].InsecureCookies).
	// Secure cookies get them with the [HostPrefix].
	DefaultSessionCookieName = "fiefhttp_session"
	DefaultFlowCookiePrefix  = "fiefhttp_flow_"
	DefaultFlowMaxAge        = 10 * time.Minute
	// DefaultSessionLifetime is the absolute lifetime of a refreshed
	// session: Fief's default refresh-token lifetime.
	DefaultSessionLifetime = 30 * 24 * time.Hour
	// DefaultIdleTimeout ends a server-side session unused this long.
	DefaultIdleTimeout = 24 * time.Hour
	// DefaultRefreshMargin is how long before the access token's expiry the
	// session is refreshed.
	DefaultRefreshMargin = 30 * time.Second
	// DefaultRotationMemory is how long a rotated refresh token still gets
	// the pair that replaced it.
	DefaultRotationMemory = time.Minute
)

// HostPrefix starts the names of the default cookies when they are Secure:
// a browser accepts a cookie of such a name only from this very origin
// (Secure, Path=/, no Domain), so neither a sibling subdomain nor a
// plain-http page of the same host can plant one.
const HostPrefix = "__Host-"

// WebConfig configures a [WebFlow]. Every zero value means what its comment
// says.
type WebConfig struct {
	// BaseURL is the application's external URL, such as
	// "https://app.example.com", on which the callback URL
	// (BaseURL+CallbackPath) and the post-logout URL are built. Empty means
	// each request's own: its Host header, and https when it came over TLS.
	// Set it behind a TLS-terminating proxy.
	BaseURL string

	// CallbackPath is the path where the application serves
	// [WebFlow.Callback]; BaseURL+CallbackPath must be a redirect URI of the
	// Fief client. Empty means [DefaultCallbackPath].
	CallbackPath string

	// Scopes are requested from Fief; nil means just "openid".
	Scopes []string

	// SessionCookieName is the session cookie's name. Empty means
	// [HostPrefix] + [DefaultSessionCookieName], or [DefaultSessionCookieName]
	// with InsecureCookies. A name without the [HostPrefix] can be set by
	// a sibling subdomain or a plain-http page of the same host, which lets
	// them plant a session of their choosing (session fixation): prefer the
	// default. Renaming the cookie signs every user out once.
	SessionCookieName string

	// FlowCookiePrefix starts the name of the per-flow cookies, whose names
	// end with the flow's state. Empty means [HostPrefix] +
	// [DefaultFlowCookiePrefix], or [DefaultFlowCookiePrefix] with
	// InsecureCookies. Flow cookies are scoped to the callback path, except
	// those named with the [HostPrefix], which must have Path=/. A prefix
	// without the [HostPrefix] lets a sibling subdomain plant a flow cookie
	// and sign the user in to the attacker's account (login CSRF).
	// [NewWebFlow] refuses a prefix that starts the session cookie's name,
	// or that the name starts.
	FlowCookiePrefix string

	// FlowMaxAge is how long a user has to sign in once sent to Fief. Zero
	// means [DefaultFlowMaxAge].
	FlowMaxAge time.Duration

	// CookieKeys are the secrets, each of at least 32 bytes, from which the
	// AES-256-GCM keys encrypting the flow cookies, the sealed session
	// cookies and the records of the [SessionStore] are derived. The first
	// seals, every one opens: to rotate, put the new key first and drop the
	// old one once its cookies have expired. Nil means a random key per WebFlow: sealed sessions and flows started
	// before a restart are then lost. Share the keys between the instances
	// of a load-balanced application.
	CookieKeys [][]byte

	// Storage is where sessions live; the zero value is
	// [StorageAccessToken]. [StorageSealedCookie] and [StorageServer] ask
	// Fief for the "offline_access" scope (added to Scopes) and refresh the
	// access token transparently in [Auth.Check].
	Storage Storage

	// Store holds the server-side sessions of [StorageServer] and, for the
	// storages that refresh, the short memory of rotated refresh tokens and
	// (when it is a [SessionLocker]) the lock that lets one instance only
	// refresh a session. Nil means a new [NewMemorySessionStore], private to
	// this WebFlow: give a shared store (such as fiefredis's) to the
	// instances of a load-balanced application.
	Store SessionStore

	// SessionLifetime is the absolute lifetime of a refreshed session,
	// counted from the sign-in (Fief does not say when a refresh token
	// expires). Zero means [DefaultSessionLifetime].
	SessionLifetime time.Duration

	// IdleTimeout ends a [StorageServer] session unused this long. Zero
	// means [DefaultIdleTimeout]. A use is recorded in the store when the
	// session's record is read, which the verified-session cache spares
	// for up to [SessionCacheLife]: the last use recorded is at most that
	// much older than the real one (see SessionCacheSize).
	IdleTimeout time.Duration

	// RefreshMargin is how long before its expiry the access token is
	// refreshed. Zero means [DefaultRefreshMargin].
	RefreshMargin time.Duration

	// SessionCacheSize bounds the verified-session cache of
	// [StorageSealedCookie] and [StorageServer] sessions: a session opened
	// (and its record read) less than [SessionCacheLife] ago is served from
	// memory, dropped at once by a logout, a refresh or a revocation of its
	// user (see the README's "Sessions" section). Zero means
	// [DefaultSessionCacheSize]; a negative value turns the cache off.
	SessionCacheSize int

	// RotationMemory is how long a request presenting a refresh token that
	// was just rotated (a slow request, another tab) gets the pair that
	// replaced it rather than a sign-out. Zero means
	// [DefaultRotationMemory].
	RotationMemory time.Duration

	// InsecureCookies leaves the Secure attribute off the cookies, for local
	// development over plain http (browsers do send Secure cookies to
	// http://localhost, but Go's cookie jar does not). Never set it in
	// production.
	InsecureCookies bool

	// DefaultReturnPath is where the user lands after signing in when the
	// page first asked for is unknown or not a safe path of this site.
	// Empty means "/".
	DefaultReturnPath string

	// PostLogoutRedirect is where Fief sends the user after logout: a path
	// of this application (made absolute on BaseURL) or an absolute URL.
	// Empty means "/".
	PostLogoutRedirect string

	// UserInfoCache receives the ID token's claims at sign-in and loses them
	// at logout. Nil means a new [NewMemoryUserInfoCache] with default
	// settings. [WebFlow.Auth] shares it.
	UserInfoCache UserInfoCache

	// Logger receives the failures the user sees only as an error page.
	// Nil means the client's, [fief.Client.Logger].
	Logger *slog.Logger

	// Page answers the failures of the flow that the user sees (an
	// expired link, a cancelled sign-in, Fief unreachable, ...) in place of
	// [DefaultPage], for pages in the application's words and style.
	// Nil means DefaultPage.
	Page PageFunc

	// AppName is the application's name, shown in the title and heading
	// of every page the flow serves (the failure pages, the 403 page, the
	// sign-out confirmation) and given to Page as [Page].AppName, so that
	// the user knows whose page it is. Empty means none: the pages say
	// "this site".
	AppName string
}

// WebFlow is the sign-in flow of a server-rendered web application: it sends
// unauthenticated browsers to Fief ([WebFlow.Login], [WebFlow.Unauthorized]),
// completes the authorization-code flow with PKCE, state and nonce
// ([WebFlow.Callback]) into a session cookie holding the access token, and
// signs users out ([WebFlow.Logout]). Protect routes with [WebFlow.Auth].
// Make it with [NewWebFlow]; it is safe for concurrent use.
type WebFlow struct {
	client       *fief.Client
	baseURL      string // "" when derived from requests
	callbackPath string
	scopes       []string
	sessionName  string
	flowPrefix   string
	flowMaxAge   time.Duration
	seal         sealers
	secure       bool
	defaultPath  string
	postLogout   string
	cache        UserInfoCache
	logger       *slog.Logger
	pageFunc     PageFunc
	appName      string
	crossOrigin  *http.CrossOriginProtection

	storage        Storage
	store          SessionStore
	lifetime       time.Duration
	idleTimeout    time.Duration
	refreshMargin  time.Duration
	rotationMemory time.Duration
	refreshes      singleflight.Group
	sessionCache   *sessionCache // nil when off, and for StorageAccessToken
}

// NewWebFlow validates cfg and returns a [WebFlow]. It does no I/O. Its
// errors are of type [*fief.ConfigError], naming the setting at fault.
func NewWebFlow(client *fief.Client, cfg WebConfig) (*WebFlow, error) {
	if client == nil {
		return nil, &fief.ConfigError{Field: "fiefhttp.NewWebFlow: client", Reason: "is nil"}
	}
	prefix := HostPrefix
	if cfg.InsecureCookies {
		prefix = ""
	}
	f := &WebFlow{
		client:       client,
		callbackPath: orString(cfg.CallbackPath, DefaultCallbackPath),
		scopes:       append([]string(nil), cfg.Scopes...),
		sessionName:  orString(cfg.SessionCookieName, prefix+DefaultSessionCookieName),
		flowPrefix:   orString(cfg.FlowCookiePrefix, prefix+DefaultFlowCookiePrefix),
		flowMaxAge:   cfg.FlowMaxAge,
		secure:       !cfg.InsecureCookies,
		defaultPath:  orString(cfg.DefaultReturnPath, "/"),
		postLogout:   orString(cfg.PostLogoutRedirect, "/"),
		cache:        cfg.UserInfoCache,
		logger:       cfg.Logger,
		pageFunc:     cfg.Page,
		appName:      strings.TrimSpace(cfg.AppName),
		crossOrigin:  http.NewCrossOriginProtection(),

		storage:        cfg.Storage,
		store:          cfg.Store,
		lifetime:       orDuration(cfg.SessionLifetime, DefaultSessionLifetime),
		idleTimeout:    orDuration(cfg.IdleTimeout, DefaultIdleTimeout),
		refreshMargin:  orDuration(cfg.RefreshMargin, DefaultRefreshMargin),
		rotationMemory: orDuration(cfg.RotationMemory, DefaultRotationMemory),
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, webConfigError("BaseURL", "%q is not an http(s) URL without query", cfg.BaseURL)
		}
		f.baseURL = strings.TrimSuffix(cfg.BaseURL, "/")
		// Behind a proxy that rewrites Host, the application's own origin
		// is still same-origin.
		if err := f.crossOrigin.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, webConfigError("BaseURL", "%v", err)
		}
	}
	if !isSafeReturnPath(f.callbackPath) || strings.ContainsAny(f.callbackPath, "?#") {
		return nil, webConfigError("CallbackPath", "%q is not a path", f.callbackPath)
	}
	if !isSafeReturnPath(f.defaultPath) {
		return nil, webConfigError("DefaultReturnPath", "%q is not a path of this site", f.defaultPath)
	}
	if !isSafeReturnPath(f.postLogout) {
		u, err := url.Parse(f.postLogout)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, webConfigError("PostLogoutRedirect", "%q is neither a path nor an absolute http(s) URL", f.postLogout)
		}
	}
	for _, c := range []struct{ field, name string }{{"SessionCookieName", f.sessionName}, {"FlowCookiePrefix", f.flowPrefix + "x"}} {
		if !isCookieName(c.name) {
			return nil, webConfigError(c.field, "%q is not a valid cookie name", c.name)
		}
		if !f.secure && (strings.HasPrefix(c.name, HostPrefix) || strings.HasPrefix(c.name, "__Secure-")) {
			return nil, webConfigError(c.field, "cookie name %q needs Secure cookies, but InsecureCookies is set", c.name)
		}
	}
	if strings.HasPrefix(f.sessionName, f.flowPrefix) || strings.HasPrefix(f.flowPrefix, f.sessionName) {
		return nil, webConfigError("SessionCookieName", "the session cookie name %q and the flow cookie prefix %q overlap: a link to the callback could name the session cookie as a flow cookie; choose names neither of which starts with the other", f.sessionName, f.flowPrefix)
	}
	switch f.storage {
	case StorageAccessToken:
	case StorageSealedCookie, StorageServer:
		if !slices.Contains(f.scopes, "offline_access") {
			f.scopes = append(f.scopes, "offline_access")
		}
		if f.store == nil {
			f.store = newMemorySessionStore(MemorySessionStoreConfig{}, client.Now)
		}
	default:
		return nil, webConfigError("Storage", "%v is not a storage", f.storage)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"SessionLifetime", f.lifetime}, {"IdleTimeout", f.idleTimeout}, {"RefreshMargin", f.refreshMargin}, {"RotationMemory", f.rotationMemory}} {
		if d.v < 0 {
			return nil, webConfigError(d.name, "%v is negative", d.v)
		}
	}
	if rv := client.Revocations(); rv != nil && f.storage != StorageAccessToken && rv.Keep() < f.lifetime {
		return nil, webConfigError("SessionLifetime",
			"%v is longer than the client's revocations are kept (fief.RevocationsConfig.Keep %v): a revoked session would come back once its revocation is forgotten", f.lifetime, rv.Keep())
	}
	switch {
	case f.flowMaxAge == 0:
		f.flowMaxAge = DefaultFlowMaxAge
	case f.flowMaxAge < time.Second:
		return nil, webConfigError("FlowMaxAge", "%v is below a second", f.flowMaxAge)
	}
	keys := cfg.CookieKeys
	if len(keys) == 0 {
		k := make([]byte, 32)
		rand.Read(k)
		keys = [][]byte{k}
	}
	var err error
	if f.seal, err = newSealers(keys); err != nil {
		return nil, webConfigError("CookieKeys", "%v", strings.TrimPrefix(err.Error(), "fiefhttp: "))
	}
	if f.cache == nil {
		f.cache = newMemoryUserInfoCache(0, 0, client.Now)
	}
	if f.pageFunc == nil {
		f.pageFunc = DefaultPage
	}
	if f.logger == nil {
		f.logger = client.Logger()
	}
	if f.storage != StorageAccessToken && cfg.SessionCacheSize >= 0 {
		if f.sessionCache, err = newSessionCache(keys[0], cmp.Or(cfg.SessionCacheSize, DefaultSessionCacheSize)); err != nil {
			return nil, fmt.Errorf("fiefhttp: cookie keys: %w", err)
		}
		if rv := client.Revocations(); rv != nil {
			// The hook holds the cache, not the flow: it goes with the flow.
			stop := rv.OnRevoke(f.sessionCache.revoked)
			runtime.AddCleanup(f, func(stop func()) { stop() }, stop)
		}
	}
	if rv := client.Revocations(); rv != nil && f.storage == StorageServer {
		// A revoked user's server-side sessions are deleted at once; the
		// check of each request (WebFlow.session) covers a failed deletion
		// and sealed cookies.
		store, logger := f.store, f.logger
		stop := rv.OnRevoke(func(r fief.Revocation) {
			if r.Kind != fief.RevokeTokens && r.Kind != fief.BlockUser {
				return
			}
			userID := r.UserID
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := store.DeleteUser(ctx, userID); err != nil {
					logger.WarnContext(ctx, "fiefhttp: deleting a revoked user's sessions failed", "user", userID, "error", err)
				}
			}()
		})
		// The function holds the store, not the flow: it goes with the flow.
		runtime.AddCleanup(f, func(stop func()) { stop() }, stop)
	}
	return f, nil
}

func orDuration(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// isCookieName reports whether s is a valid cookie name (an RFC 7230 token).
func isCookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// Auth returns an [Auth] reading the session cookie, answering
// unauthenticated requests with [WebFlow.Unauthorized], forbidden ones
// with [WebFlow.Forbidden] and those Fief's absence stops with
// [WebFlow.Unavailable], and sharing the flow's [UserInfoCache]. With
// [StorageSealedCookie] or [StorageServer], its [Auth.Check] refreshes the
// session's access token when it expires (within
// [WebConfig].RefreshMargin), so that every integration built on
// [Auth.Check] gets long sessions. To answer differently, wrap these
// handlers in an [Auth] of your own made with [New] and [Config].
func (f *WebFlow) Auth() *Auth {
	a := New(f.client, Config{
		TokenGetter:   Cookie(f.sessionName),
		Unauthorized:  f.Unauthorized,
		Forbidden:     f.Forbidden,
		Unavailable:   f.Unavailable,
		UserInfoCache: f.cache,
		Logger:        f.logger,
	})
	if f.storage != StorageAccessToken {
		a.sessions = f
	}
	return a
}

// FindingSessionStore names the finding of [WebFlow.CheckOptions] on the
// store of [StorageServer] sessions.
const FindingSessionStore = "session_store"

// CheckOptions returns the options of [fief.Client.Check] for this flow:
// its redirect URI, WebConfig.BaseURL+CallbackPath, when WebConfig.BaseURL
// is set; otherwise the redirect URI comes from each request's Host header,
// and the options say why the check of the redirect URI is skipped. With
// [StorageServer], they add the finding [FindingSessionStore]: a warning
// when the sessions live in a [MemorySessionStore].
//
//	report := client.Check(ctx, flow.CheckOptions())
func (f *WebFlow) CheckOptions() fief.CheckOptions {
	var opts fief.CheckOptions
	if f.baseURL == "" {
		opts.RedirectURISkipped = "unknown at startup: WebConfig.BaseURL is not set, so the redirect URI comes from each request's Host header"
	} else {
		opts.RedirectURI = f.baseURL + f.callbackPath
	}
	if f.storage == StorageServer {
		opts.Findings = append(opts.Findings, f.storeFinding())
	}
	return opts
}

// storeFinding judges the store of server-side sessions.
func (f *WebFlow) storeFinding() fief.Finding {
	if _, inMemory := f.store.(*MemorySessionStore); inMemory {
		return fief.Finding{
			Name:    FindingSessionStore,
			Verdict: fief.VerdictWarning,
			Detail:  "server-side sessions live in the memory of this process: a restart signs every user out, other instances do not see them, and when the store is full the least recently used sessions are dropped",
			Fix:     "give WebConfig.Store a store shared by the instances (such as fiefredis.NewSessionStore), or use StorageSealedCookie",
		}
	}
	return fief.Finding{Name: FindingSessionStore, Verdict: fief.VerdictOK, Detail: fmt.Sprintf("server-side sessions in a %T", f.store)}
}

// SessionCookieName returns the name of the session cookie.
func (f *WebFlow) SessionCookieName() string { return f.sessionName }

// Unauthorized is an [ErrorHandler] starting the login flow: a page
// navigation (see [IsNavigation]) is sent to Fief, to come back to the same
// URL once signed in. Other requests get the default [Unauthorized] answer
// (401): other methods, which a redirect would turn into a GET, and
// requests that are not navigations (images, scripts, fetch calls), each of
// which would otherwise start a flow and leave a flow cookie behind.
func (f *WebFlow) Unauthorized(w http.ResponseWriter, r *http.Request, err error) {
	if !IsNavigation(r) {
		Unauthorized(w, r, err)
		return
	}
	f.Login(w, r, r.URL.RequestURI())
}

// Forbidden is an [ErrorHandler] for step-up: when a page navigation (see
// [IsNavigation]) is refused only because the session's ACR is below the
// route's [MinACR], or its sign-in is older than the route's [MaxAge], the
// browser is sent to Fief's login form (a fresh flow with acr_values and
// max_age) and comes back to the same page. Another page navigation gets
// the flow's error page for [PageForbidden] (403, see
// WebConfig.Page). Everything else, API requests included, gets the
// default [Forbidden] answer (403).
func (f *WebFlow) Forbidden(w http.ResponseWriter, r *http.Request, err error) {
	if !IsNavigation(r) {
		Forbidden(w, r, err)
		return
	}
	var su *stepUpError
	if !errors.As(err, &su) {
		if c := Challenge(err); c != "" {
			w.Header().Set("WWW-Authenticate", c)
		}
		w.Header().Set("Cache-Control", "no-store")
		p := f.newPage(PageForbidden, http.StatusForbidden)
		p.BackPath = f.backPath(r)
		f.pageFunc(w, r, p)
		return
	}
	f.login(w, r, r.URL.RequestURI(), su.acr, su.maxAge)
}

// Unavailable is an [ErrorHandler] for the requests that Fief's absence
// stops (the user info or a session refresh cannot be fetched): a page
// navigation (see [IsNavigation]) gets the flow's error page for
// [PageUnavailable] (503, see WebConfig.Page); everything else gets
// the default [Unavailable] answer (503). The [Auth] has logged err.
func (f *WebFlow) Unavailable(w http.ResponseWriter, r *http.Request, err error) {
	if !IsNavigation(r) {
		Unavailable(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	f.pageFunc(w, r, f.newPage(PageUnavailable, http.StatusServiceUnavailable))
}

// IsNavigation reports whether r is a browser's page navigation, which a
// redirect to Fief may answer: a GET or HEAD whose Sec-Fetch-Mode is
// "navigate" or, without fetch metadata (an older browser), whose Accept
// header is missing or accepts HTML.
func IsNavigation(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	accept := r.Header.Get("Accept")
	return accept == "" || strings.Contains(accept, "text/html") || strings.Contains(accept, "*/*")
}

// Login sends the browser to Fief's authorization page, to come back to
// returnTo once signed in. returnTo must be a path of this site, such as
// "/account?tab=2"; anything else (another origin, "//evil.example",
// "/\evil.example", ...) is replaced by WebConfig.DefaultReturnPath. Each
// call starts a new flow, with its own state, PKCE verifier and nonce kept
// in a short-lived encrypted cookie named after the state, so that several
// tabs can sign in at once. If Fief cannot be reached, Login answers a 503
// page.
func (f *WebFlow) Login(w http.ResponseWriter, r *http.Request, returnTo string) {
	f.login(w, r, returnTo, "", 0)
}

// login is Login asking Fief for an ACR (acr_values) and a recent sign-in
// (max_age) when they are set.
func (f *WebFlow) login(w http.ResponseWriter, r *http.Request, returnTo string, acr fief.ACR, maxAge time.Duration) {
	if !isSafeReturnPath(returnTo) {
		returnTo = f.defaultPath
	}
	state := fief.GenerateState()
	verifier := fief.GenerateCodeVerifier()
	challenge := fief.CodeChallenge(verifier)
	nonce := fief.GenerateState()
	extra := url.Values{}
	if acr != "" && acr != fief.ACRLevel0 {
		extra.Set("acr_values", string(acr))
	}
	if maxAge > 0 {
		extra.Set("max_age", strconv.FormatInt(int64(maxAge/time.Second), 10))
	}
	authURL, err := f.client.AuthURL(r.Context(), fief.AuthURLParams{
		RedirectURI:   f.callbackURL(r),
		State:         state,
		Scopes:        f.scopes,
		CodeChallenge: challenge,
		Nonce:         nonce,
		Extra:         extra,
	})
	if err != nil {
		f.page(w, r, http.StatusServiceUnavailable, PageUnavailable, "", err)
		return
	}
	name := f.flowPrefix + state
	d := flowData{Verifier: verifier, Nonce: nonce, Return: returnTo, Expires: f.client.Now().Add(f.flowMaxAge).Unix()}
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    sealFlow(f.seal.flow, name, d),
		Path:     f.flowCookiePath(),
		MaxAge:   int(f.flowMaxAge / time.Second),
		HttpOnly: true,
		Secure:   f.secure,
		SameSite: http.SameSiteLaxMode,
	})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusFound)
}

// Logout ends the session: it deletes the session cookie (and, with
// [StorageServer], the session's record), drops the user's cached claims,
// and redirects (303) to Fief's logout page, which ends the Fief session
// and sends the browser to WebConfig.PostLogoutRedirect.
//
// Serve it on both GET and POST at one path. Only a same-origin POST signs
// out: a GET answers a small page whose button posts to the same URL, so a
// link or an image elsewhere cannot sign the user out, and a cross-site
// POST (an auto-submitted form on another site, a sibling subdomain
// included) gets 403 and changes nothing (net/http's
// [http.CrossOriginProtection]). Other methods get 405. The GET page has
// the style of the flow's other pages; to show one of the application's
// own instead, route GET to the application's handler (with a form that
// posts to the same URL) and only POST to Logout.
func (f *WebFlow) Logout(w http.ResponseWriter, r *http.Request) {
	f.logout(w, r, false)
}

// LogoutEverywhere is [WebFlow.Logout] that also ends every other session
// of the user, in every browser: with [StorageServer], it deletes all the
// user's records from the [SessionStore]. With the other storages, whose
// sessions live in cookies the application cannot reach, it ends this
// session only, as Logout does. Other instances of the application
// sharing the store stop serving those sessions within
// [SessionCacheLife] (their verified-session caches); this one at once.
func (f *WebFlow) LogoutEverywhere(w http.ResponseWriter, r *http.Request) {
	f.logout(w, r, true)
}

func (f *WebFlow) logout(w http.ResponseWriter, r *http.Request, everywhere bool) {
	w.Header().Set("Cache-Control", "no-store")
	switch r.Method {
	case http.MethodPost:
	case http.MethodGet, http.MethodHead:
		f.logoutPage(w, r)
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		plainError(w, http.StatusMethodNotAllowed)
		return
	}
	if err := f.crossOrigin.Check(r); err != nil {
		plainError(w, http.StatusForbidden)
		return
	}
	ctx := r.Context()
	if c, err := r.Cookie(f.sessionName); err == nil && c.Value != "" {
		userID := f.sessionUser(ctx, c.Value)
		f.forgetCachedSession(c.Value, userID, everywhere)
		if f.storage == StorageServer && isSessionID(c.Value) {
			if err := f.store.Delete(ctx, sessionKeyPrefix+c.Value); err != nil {
				f.logger.ErrorContext(ctx, "fiefhttp: session delete failed", "error", err)
				f.page(w, r, http.StatusServiceUnavailable, PageUnavailable, "", nil)
				return
			}
		}
		if userID != "" {
			if everywhere && f.storage == StorageServer {
				if err := f.store.DeleteUser(ctx, userID); err != nil {
					f.logger.ErrorContext(ctx, "fiefhttp: deleting the user's sessions failed", "user", userID, "error", err)
					f.page(w, r, http.StatusServiceUnavailable, PageUnavailable, "", nil)
					return
				}
			}
			if err := f.cache.Delete(ctx, userID); err != nil {
				f.logger.WarnContext(ctx, "fiefhttp: user-info cache delete failed", "user", userID, "error", err)
			}
		}
	}
	f.deleteCookie(w, f.sessionName, "/")
	http.Redirect(w, r, f.client.LogoutURL(f.absolute(r, f.postLogout)), http.StatusSeeOther)
}

// sessionUser returns the user of a session cookie's value, "" when the
// cookie names no valid session.
func (f *WebFlow) sessionUser(ctx context.Context, value string) string {
	if f.storage == StorageAccessToken {
		// Only a verified token names the user whose claims to drop.
		info, err := f.client.ValidateAccessToken(ctx, value, fief.Requirements{})
		if err != nil {
			return ""
		}
		return info.ID
	}
	rec, _, err := f.readSession(ctx, value)
	if err != nil {
		return ""
	}
	return rec.UserID
}

// logoutPage is the answer to a GET of the logout URL: a page, in the
// style of the other pages of fief-go, whose button posts to it.
func (f *WebFlow) logoutPage(w http.ResponseWriter, r *http.Request) {
	page.Write(w, http.StatusOK, logoutTemplate, "logout", logoutData{
		Frame:  page.Frame{Title: "Sign out", Brand: f.appName},
		Site:   orString(f.appName, "this site"),
		Action: r.URL.RequestURI(),
		Home:   f.defaultPath,
	})
}

// logoutData is the data of the logout page.
type logoutData struct {
	page.Frame
	Site   string // WebConfig.AppName, or "this site"
	Action string // the URL the form posts to: the logout URL itself
	Home   string // WebConfig.DefaultReturnPath, for "Stay signed in"
}

// logoutTemplate is the logout page. page.Write's Content-Security-Policy
// has no form-action: browsers would apply it to the redirect to Fief's
// logout too.
var logoutTemplate = page.Parse(`{{define "logout"}}{{template "head" .}}
<p id="message">Sign out of {{.Site}}? You will also be signed out of your account with the identity server.</p>
<div class="actions">
<form method="post" action="{{.Action}}"><button type="submit" id="logout">Sign out</button></form>
<a class="button secondary" id="stay" href="{{.Home}}">Stay signed in</a>
</div>
{{template "foot" .}}{{end}}`)

// base returns the application's external base URL.
func (f *WebFlow) base(r *http.Request) string {
	if f.baseURL != "" {
		return f.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (f *WebFlow) callbackURL(r *http.Request) string { return f.base(r) + f.callbackPath }

// flowCookiePath is the Path of the flow cookies: only the callback needs
// them, but a cookie named with the [HostPrefix] must have Path=/.
func (f *WebFlow) flowCookiePath() string {
	if strings.HasPrefix(f.flowPrefix, HostPrefix) {
		return "/"
	}
	if f.baseURL == "" {
		return f.callbackPath
	}
	u, _ := url.Parse(f.baseURL + f.callbackPath) // validated in NewWebFlow
	return u.Path
}

// absolute makes a path of the application absolute.
func (f *WebFlow) absolute(r *http.Request, p string) string {
	if strings.HasPrefix(p, "/") {
		return f.base(r) + p
	}
	return p
}

func (f *WebFlow) deleteCookie(w http.ResponseWriter, name, path string) {
	if w == nil { // Auth.Check called without a ResponseWriter
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    "",
		Path:     path,
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   f.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// webConfigError is the [*fief.ConfigError] of the WebConfig field named
// field.
func webConfigError(field, format string, args ...any) error {
	return &fief.ConfigError{Field: "fiefhttp.WebConfig." + field, Reason: fmt.Sprintf(format, args...)}
}
