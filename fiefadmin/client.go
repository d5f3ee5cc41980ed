package fiefadmin

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	fief "github.com/fief-dev/fief-go"
)

// PathPrefix is where the admin API lives on a Fief server: at the root,
// whatever the tenant.
const PathPrefix = "/admin/api"

// Config is the configuration of a [Client]. ServerURL and APIKey are
// required.
type Config struct {
	// ServerURL is the Fief server's root URL ("https://fief.example.com"),
	// or any tenant's base URL ("https://fief.example.com/my-tenant"): the
	// admin API lives at /admin/api at the root of the server, never under
	// a tenant's path, so the path is dropped.
	ServerURL string

	// APIKey is an admin API key, created in Fief's dashboard.
	APIKey APIKey

	// HTTPClient makes every request. Nil means a client with a
	// [fief.DefaultHTTPTimeout] timeout. The admin client uses a copy of
	// it that follows no redirect, whatever its CheckRedirect: the key
	// never travels to where a redirect points (see [ErrRedirected]).
	HTTPClient *http.Client

	// Logger receives a debug line per call (method, path, status; never
	// the key nor a body) and per retry. Nil means no logging.
	Logger *slog.Logger

	// InsecureAllowHTTP lets ServerURL be a plain http:// URL of a host
	// other than a loopback one (localhost, 127.0.0.0/8, ::1), which New
	// otherwise refuses: the admin key, which grants full control of the
	// workspace, would travel in clear. Set it only on a network that no
	// one else can read, such as a private link between two containers.
	InsecureAllowHTTP bool

	// Retry says which failed calls are tried again, and how. The zero
	// value retries with the defaults of [RetryPolicy]; [NoRetry] turns
	// retries off.
	Retry RetryPolicy

	// MaxListPages bounds the pages one iterator (List, Logs, ...) fetches
	// before it stops with [ErrInconsistentList]. Zero means
	// [DefaultMaxListPages].
	MaxListPages int
}

// Client calls Fief's admin API. Make it with [New] or [NewFromConfig]; it
// is safe for concurrent use. Its services group the calls by resource, as
// the admin API does.
type Client struct {
	// Users manages users, their permissions, roles and OAuth accounts.
	Users *UsersService
	// Roles manages roles.
	Roles *RolesService
	// Permissions manages permissions.
	Permissions *PermissionsService
	// Clients manages the OAuth clients of the tenants.
	Clients *ClientsService
	// Tenants manages tenants.
	Tenants *TenantsService
	// Webhooks manages webhooks and reads their delivery logs.
	Webhooks *WebhooksService
	// EmailTemplates reads and changes the email templates.
	EmailTemplates *EmailTemplatesService
	// OAuthProviders manages the OAuth providers users sign in with.
	OAuthProviders *OAuthProvidersService
	// UserFields manages the custom fields of users.
	UserFields *UserFieldsService

	s *settings
}

type settings struct {
	base string // scheme://host
	// authorization returns the Authorization header, and scrub removes
	// the key from a text (an error page that echoes the request). The
	// key is held by closures, out of reach of fmt's reflection: printing
	// a Client or a service, with any verb, cannot show it.
	authorization func() string
	scrub         func(string) string
	httpClient    *http.Client
	logger        *slog.Logger
	retry         RetryPolicy
	maxPages      int
}

// New returns a client of the admin API of the Fief at cfg.ServerURL. It
// does no I/O. An invalid cfg gives a [*fief.ConfigError], and so does a
// plain http:// ServerURL of a host that is not a loopback one, unless
// cfg.InsecureAllowHTTP is set.
func New(cfg Config) (*Client, error) {
	base, err := serverRoot(cfg.ServerURL, cfg.InsecureAllowHTTP)
	if err != nil {
		return nil, err
	}
	key := string(cfg.APIKey)
	if strings.TrimSpace(key) == "" {
		return nil, &fief.ConfigError{Field: "APIKey", Reason: "is empty"}
	}
	retry, err := cfg.Retry.withDefaults()
	if err != nil {
		return nil, err
	}
	if cfg.MaxListPages < 0 {
		return nil, &fief.ConfigError{Field: "MaxListPages", Reason: "is negative"}
	}
	header := "Bearer " + key
	s := &settings{
		base:          base,
		authorization: func() string { return header },
		scrub:         func(text string) string { return strings.ReplaceAll(text, key, redacted) },
		httpClient:    noRedirects(cfg.HTTPClient),
		logger:        cfg.Logger,
		retry:         retry,
		maxPages:      cmp.Or(cfg.MaxListPages, DefaultMaxListPages),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{s: s}
	c.Users = &UsersService{c}
	c.Roles = &RolesService{c}
	c.Permissions = &PermissionsService{c}
	c.Clients = &ClientsService{c}
	c.Tenants = &TenantsService{c}
	c.Webhooks = &WebhooksService{c}
	c.EmailTemplates = &EmailTemplatesService{c}
	c.OAuthProviders = &OAuthProvidersService{c}
	c.UserFields = &UserFieldsService{c}
	return c, nil
}

// NewFromConfig returns a client of the admin API of the Fief that the
// [fief.Config] of an application names, with its HTTP client and logger:
// the server of its InternalBaseURL when set (admin calls are back-channel
// calls), else of its BaseURL, and the default retries. A plain http://
// server that is not a loopback one is refused: call [New] with
// InsecureAllowHTTP for that.
func NewFromConfig(fc fief.Config, key APIKey) (*Client, error) {
	server := fc.BaseURL
	if fc.InternalBaseURL != "" {
		server = fc.InternalBaseURL
	}
	return New(Config{ServerURL: server, APIKey: key, HTTPClient: fc.HTTPClient, Logger: fc.Logger})
}

// serverRoot checks a server or tenant URL and keeps its scheme and host;
// plain http is refused but for a loopback host or with insecureHTTP. Its
// errors never quote the URL's user info, query or fragment, where a
// password or a key may hide.
func serverRoot(raw string, insecureHTTP bool) (string, error) {
	const field = "ServerURL"
	if raw == "" {
		return "", &fief.ConfigError{Field: field, Reason: "is empty"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL
		}
		return "", &fief.ConfigError{Field: field, Reason: "not a URL: " + err.Error()}
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", &fief.ConfigError{Field: field, Reason: fmt.Sprintf("%q needs an http or https scheme", shown)}
	}
	if u.Host == "" {
		return "", &fief.ConfigError{Field: field, Reason: fmt.Sprintf("%q has no host", shown)}
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", &fief.ConfigError{Field: field, Reason: fmt.Sprintf("must not carry user info, a query or a fragment: give %q", shown)}
	}
	if u.Scheme == "http" && !insecureHTTP && !isLoopback(u.Hostname()) {
		return "", &fief.ConfigError{Field: field, Reason: fmt.Sprintf("%q is plain http to a host that is not a loopback one: the admin key would travel in clear; use https, or set InsecureAllowHTTP on a private network", shown)}
	}
	return u.Scheme + "://" + u.Host, nil
}

// isLoopback reports whether host names this machine: "localhost" or a
// loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// call is one request to the admin API.
type call struct {
	op     string     // "users.create", for errors and logs
	method string     // GET, POST, ...
	path   string     // under PathPrefix, %s for each id: "/users/%s/roles"
	ids    []UUID     // the ids of path, which must not be nil
	query  url.Values // nil for none
	body   any        // JSON-encoded when not nil
}

// do sends k and decodes a 2xx answer into out (nil to ignore the body),
// trying again as the [RetryPolicy] says. A transport failure or an
// unreadable 2xx answer is a [fief.ErrUnavailable]; an error answer is an
// [*Error].
func (c *Client) do(ctx context.Context, k call, out any) error {
	path := k.path
	if len(k.ids) > 0 {
		args := make([]any, len(k.ids))
		for i, id := range k.ids {
			if id.IsZero() {
				return fmt.Errorf("fiefadmin: %s: %w", k.op, ErrNilID)
			}
			args[i] = id
		}
		path = fmt.Sprintf(path, args...)
	}
	var body []byte
	if k.body != nil {
		b, err := json.Marshal(k.body)
		if err != nil {
			return fmt.Errorf("fiefadmin: %s: encoding the request: %w", k.op, err)
		}
		body = b
	}
	target := c.s.base + PathPrefix + path
	if len(k.query) > 0 {
		target += "?" + k.query.Encode()
	}
	policy := c.s.retry
	if !idempotent(k.method) {
		policy.Attempts = 1
	}
	start := time.Now()
	for attempt := 1; ; attempt++ {
		status, raw, err := c.send(ctx, k, target, body)
		switch {
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("fiefadmin: %s: %w", k.op, ctx.Err())
		case err == nil && status >= 200 && status <= 299:
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(raw, out); err != nil {
				return unavailable(k.op, fmt.Errorf("malformed answer (HTTP %d, %d bytes): %w", status, len(raw), err))
			}
			return nil
		case err == nil && status == http.StatusNotFound && k.method == http.MethodDelete && attempt > 1:
			// The attempt whose answer was lost may have deleted it.
			c.s.logger.DebugContext(ctx, "fiefadmin: deleted already", "op", k.op, "attempt", attempt)
			return nil
		}
		transient := transientError(err)
		var answer *Error
		switch {
		case err == nil:
			transient = transientStatus(status)
			err = c.newError(k.op, status, raw)
		case errors.As(err, &answer): // a redirect, not followed
			return err
		case !errors.Is(err, fief.ErrUnavailable):
			err = unavailable(k.op, err)
		}
		if !transient || attempt >= policy.Attempts {
			return retried(err, attempt)
		}
		wait := policy.delay(attempt)
		if time.Since(start)+wait > policy.MaxElapsed {
			return retried(err, attempt)
		}
		c.s.logger.DebugContext(ctx, "fiefadmin: retrying", "op", k.op, "attempt", attempt, "wait", wait, "error", err)
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("fiefadmin: %s: %w (waiting to retry after: %w)", k.op, err, retried(err, attempt))
		}
	}
}

// send makes one attempt of k. It returns the answer's status and body, or
// the transport's error as it is (to be classified).
func (c *Client) send(ctx context.Context, k call, target string, body []byte) (int, []byte, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, target, reader)
	if err != nil {
		return 0, nil, fmt.Errorf("fiefadmin: %s: %w", k.op, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", c.s.authorization())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.s.httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := readCapped(resp.Body)
	c.s.logger.DebugContext(ctx, "fiefadmin: call", "op", k.op, "method", k.method, "path", req.URL.Path, "status", resp.StatusCode)
	if err != nil {
		return 0, nil, unavailable(k.op, err)
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return resp.StatusCode, nil, redirected(k.op, resp)
	}
	return resp.StatusCode, raw, nil
}

// retried notes the number of attempts on the error of a call tried more
// than once.
func retried(err error, attempts int) error {
	if attempts == 1 {
		return err
	}
	return fmt.Errorf("%w (after %d attempts)", err, attempts)
}

// readCapped reads a body of at most fief.MaxResponseSize bytes.
func readCapped(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, fief.MaxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if len(b) > fief.MaxResponseSize {
		return nil, fmt.Errorf("answer larger than %d bytes", fief.MaxResponseSize)
	}
	return b, nil
}

func unavailable(op string, cause error) error {
	return fmt.Errorf("%w: admin %s: %w", fief.ErrUnavailable, op, cause)
}

// Ptr returns a pointer to v, for the optional fields of update requests:
// fiefadmin.UserUpdate{EmailVerified: fiefadmin.Ptr(true)}.
func Ptr[T any](v T) *T { return &v }

// noRedirects returns a copy of hc (or of a client with a
// [fief.DefaultHTTPTimeout] timeout, when nil) that follows no redirect:
// the 3xx answer comes back as it is. net/http would follow a redirect
// from https to http on the same host with the Authorization header.
func noRedirects(hc *http.Client) *http.Client {
	c := http.Client{Timeout: fief.DefaultHTTPTimeout}
	if hc != nil {
		c = *hc
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
