package fiefhttp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// Defaults of [WebConfig].
const (
	DefaultCallbackPath      = "/auth-callback"
	DefaultSessionCookieName = "fiefhttp_session"
	DefaultFlowCookiePrefix  = "fiefhttp_flow_"
	DefaultFlowMaxAge        = 10 * time.Minute
)

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

	// SessionCookieName is the cookie holding the access token. Empty means
	// [DefaultSessionCookieName].
	SessionCookieName string

	// FlowCookiePrefix starts the name of the per-flow cookies, whose names
	// end with the flow's state. Empty means [DefaultFlowCookiePrefix].
	FlowCookiePrefix string

	// FlowMaxAge is how long a user has to sign in once sent to Fief. Zero
	// means [DefaultFlowMaxAge].
	FlowMaxAge time.Duration

	// FlowCookieKey is the HMAC-SHA256 key protecting the flow cookies, at
	// least 32 bytes. Nil means a random key per WebFlow: flows started
	// before a restart then fail, which only asks the user to sign in again.
	// Share a key between the instances of a load-balanced application.
	FlowCookieKey []byte

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

	// ErrorPage answers the failures of the flow that the user sees (an
	// expired link, a cancelled sign-in, Fief unreachable, ...) in place of
	// [DefaultErrorPage], for pages in the application's words and style.
	// Nil means DefaultErrorPage.
	ErrorPage ErrorPageFunc
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
	key          []byte
	secure       bool
	defaultPath  string
	postLogout   string
	cache        UserInfoCache
	logger       *slog.Logger
	errorPage    ErrorPageFunc
}

// NewWebFlow validates cfg and returns a [WebFlow]. It does no I/O.
func NewWebFlow(client *fief.Client, cfg WebConfig) (*WebFlow, error) {
	if client == nil {
		return nil, errors.New("fiefhttp: NewWebFlow with a nil *fief.Client")
	}
	f := &WebFlow{
		client:       client,
		callbackPath: orString(cfg.CallbackPath, DefaultCallbackPath),
		scopes:       append([]string(nil), cfg.Scopes...),
		sessionName:  orString(cfg.SessionCookieName, DefaultSessionCookieName),
		flowPrefix:   orString(cfg.FlowCookiePrefix, DefaultFlowCookiePrefix),
		flowMaxAge:   cfg.FlowMaxAge,
		secure:       !cfg.InsecureCookies,
		defaultPath:  orString(cfg.DefaultReturnPath, "/"),
		postLogout:   orString(cfg.PostLogoutRedirect, "/"),
		cache:        cfg.UserInfoCache,
		logger:       cfg.Logger,
		errorPage:    cfg.ErrorPage,
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("fiefhttp: WebConfig.BaseURL %q is not an http(s) URL without query", cfg.BaseURL)
		}
		f.baseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	}
	if !isSafeReturnPath(f.callbackPath) || strings.ContainsAny(f.callbackPath, "?#") {
		return nil, fmt.Errorf("fiefhttp: WebConfig.CallbackPath %q is not a path", f.callbackPath)
	}
	if !isSafeReturnPath(f.defaultPath) {
		return nil, fmt.Errorf("fiefhttp: WebConfig.DefaultReturnPath %q is not a path of this site", f.defaultPath)
	}
	if !isSafeReturnPath(f.postLogout) {
		u, err := url.Parse(f.postLogout)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("fiefhttp: WebConfig.PostLogoutRedirect %q is neither a path nor an absolute http(s) URL", f.postLogout)
		}
	}
	for _, name := range []string{f.sessionName, f.flowPrefix + "x"} {
		if !isCookieName(name) {
			return nil, fmt.Errorf("fiefhttp: invalid cookie name %q", name)
		}
	}
	switch {
	case f.flowMaxAge == 0:
		f.flowMaxAge = DefaultFlowMaxAge
	case f.flowMaxAge < time.Second:
		return nil, fmt.Errorf("fiefhttp: WebConfig.FlowMaxAge %v is below a second", f.flowMaxAge)
	}
	switch {
	case cfg.FlowCookieKey == nil:
		f.key = make([]byte, 32)
		rand.Read(f.key)
	case len(cfg.FlowCookieKey) < 32:
		return nil, fmt.Errorf("fiefhttp: WebConfig.FlowCookieKey has %d bytes, need at least 32", len(cfg.FlowCookieKey))
	default:
		f.key = append([]byte(nil), cfg.FlowCookieKey...)
	}
	if f.cache == nil {
		f.cache = NewMemoryUserInfoCache(0, 0)
	}
	if f.errorPage == nil {
		f.errorPage = DefaultErrorPage
	}
	if f.logger == nil {
		f.logger = client.Logger()
	}
	return f, nil
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
// unauthenticated requests with [WebFlow.Unauthorized] and sharing the flow's
// [UserInfoCache]. opts come after these settings and may override them.
func (f *WebFlow) Auth(opts ...Option) *Auth {
	base := []Option{
		WithUnauthorizedHandler(f.Unauthorized),
		WithUserInfoCache(f.cache),
		WithLogger(f.logger),
	}
	return New(f.client, Cookie(f.sessionName), append(base, opts...)...)
}

// CheckOptions returns the options of [fief.Client.Check] for this flow:
// its redirect URI, WebConfig.BaseURL+CallbackPath, when WebConfig.BaseURL
// is set; otherwise the redirect URI comes from each request's Host header,
// and the options say why the check of the redirect URI is skipped.
//
//	report := client.Check(ctx, flow.CheckOptions())
func (f *WebFlow) CheckOptions() fief.CheckOptions {
	if f.baseURL == "" {
		return fief.CheckOptions{RedirectURISkipped: "unknown at startup: WebConfig.BaseURL is not set, so the redirect URI comes from each request's Host header"}
	}
	return fief.CheckOptions{RedirectURI: f.baseURL + f.callbackPath}
}

// SessionCookieName returns the name of the cookie holding the access token.
func (f *WebFlow) SessionCookieName() string { return f.sessionName }

// Unauthorized is an [ErrorHandler] starting the login flow: a GET or HEAD
// page navigation is sent to Fief, to come back to the same URL once signed
// in. Other requests get the default [Unauthorized] answer (401): other
// methods, which a redirect would turn into a GET, and requests that a
// browser marks as not navigating (a Sec-Fetch-Mode header other than
// "navigate": images, scripts, fetch calls), each of which would otherwise
// start a flow and leave a flow cookie behind.
func (f *WebFlow) Unauthorized(w http.ResponseWriter, r *http.Request, err error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		Unauthorized(w, r, err)
		return
	}
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" && mode != "navigate" {
		Unauthorized(w, r, err)
		return
	}
	f.Login(w, r, r.URL.RequestURI())
}

// Login sends the browser to Fief's authorization page, to come back to
// returnTo once signed in. returnTo must be a path of this site, such as
// "/account?tab=2"; anything else (another origin, "//evil.example",
// "/\evil.example", ...) is replaced by WebConfig.DefaultReturnPath. Each
// call starts a new flow, with its own state, PKCE verifier and nonce kept
// in a short-lived cookie named after the state, so that several tabs can
// sign in at once. If Fief cannot be reached, Login answers a 503 page.
func (f *WebFlow) Login(w http.ResponseWriter, r *http.Request, returnTo string) {
	if !isSafeReturnPath(returnTo) {
		returnTo = f.defaultPath
	}
	state := fief.GenerateState()
	verifier := fief.GenerateCodeVerifier()
	challenge, err := fief.CodeChallenge(verifier, fief.PKCEMethodS256)
	if err != nil { // cannot happen with S256
		f.page(w, r, http.StatusInternalServerError, SignInInternal, "", err)
		return
	}
	nonce := fief.GenerateState()
	authURL, err := f.client.AuthURL(r.Context(), fief.AuthURLParams{
		RedirectURI:         f.callbackURL(r),
		State:               state,
		Scopes:              f.scopes,
		CodeChallenge:       challenge,
		CodeChallengeMethod: fief.PKCEMethodS256,
		Nonce:               nonce,
	})
	if err != nil {
		f.page(w, r, http.StatusServiceUnavailable, SignInUnavailable, "", err)
		return
	}
	name := f.flowPrefix + state
	d := flowData{Verifier: verifier, Nonce: nonce, Return: returnTo, Expires: f.client.Now().Add(f.flowMaxAge).Unix()}
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    sealFlow(f.key, name, d),
		Path:     f.callbackCookiePath(),
		MaxAge:   int(f.flowMaxAge / time.Second),
		HttpOnly: true,
		Secure:   f.secure,
		SameSite: http.SameSiteLaxMode,
	})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusFound)
}

// Logout ends the session: it deletes the session cookie, drops the user's
// cached claims, and redirects (303) to Fief's logout page, which ends the
// Fief session and sends the browser to WebConfig.PostLogoutRedirect. Serve
// it at any path; a POST route avoids cross-site logout links.
func (f *WebFlow) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(f.sessionName); err == nil && c.Value != "" {
		// Only a verified token names the user whose claims to drop.
		if info, err := f.client.ValidateAccessToken(r.Context(), c.Value, fief.Requirements{}); err == nil {
			if err := f.cache.Delete(r.Context(), info.ID); err != nil {
				f.logger.WarnContext(r.Context(), "fiefhttp: user-info cache delete failed", "user", info.ID, "error", err)
			}
		}
	}
	f.deleteCookie(w, f.sessionName, "/")
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, f.client.LogoutURL(f.absolute(r, f.postLogout)), http.StatusSeeOther)
}

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

// callbackCookiePath is the Path of the flow cookies: only the callback
// needs them.
func (f *WebFlow) callbackCookiePath() string {
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
