package fiefadmin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

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
	// [fief.DefaultHTTPTimeout] timeout.
	HTTPClient *http.Client

	// Logger receives a debug line per call (method, path, status; never
	// the key nor a body). Nil means no logging.
	Logger *slog.Logger
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
	// authorization returns the Authorization header. The key is held by
	// a closure, out of reach of fmt's reflection: printing a Client or a
	// service, with any verb, cannot show it.
	authorization func() string
	httpClient    *http.Client
	logger        *slog.Logger
}

// New returns a client of the admin API of the Fief at cfg.ServerURL. It
// does no I/O. An invalid cfg gives a [*fief.ConfigError].
func New(cfg Config) (*Client, error) {
	base, err := serverRoot(cfg.ServerURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(cfg.APIKey)) == "" {
		return nil, &fief.ConfigError{Field: "APIKey", Reason: "is empty"}
	}
	header := "Bearer " + string(cfg.APIKey)
	s := &settings{base: base, authorization: func() string { return header }, httpClient: cfg.HTTPClient, logger: cfg.Logger}
	if s.httpClient == nil {
		s.httpClient = &http.Client{Timeout: fief.DefaultHTTPTimeout}
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
// calls), else of its BaseURL.
func NewFromConfig(fc fief.Config, key APIKey) (*Client, error) {
	server := fc.BaseURL
	if fc.InternalBaseURL != "" {
		server = fc.InternalBaseURL
	}
	return New(Config{ServerURL: server, APIKey: key, HTTPClient: fc.HTTPClient, Logger: fc.Logger})
}

// serverRoot checks a server or tenant URL and keeps its scheme and host.
// Its errors never quote the URL's user info, query or fragment, where a
// password or a key may hide.
func serverRoot(raw string) (string, error) {
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
	return u.Scheme + "://" + u.Host, nil
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

// do sends k and decodes a 2xx answer into out (nil to ignore the body).
// A transport failure or an unreadable 2xx answer is a
// [fief.ErrUnavailable]; an error answer is an [*Error].
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
	var body io.Reader
	if k.body != nil {
		b, err := json.Marshal(k.body)
		if err != nil {
			return fmt.Errorf("fiefadmin: %s: encoding the request: %w", k.op, err)
		}
		body = bytes.NewReader(b)
	}
	target := c.s.base + PathPrefix + path
	if len(k.query) > 0 {
		target += "?" + k.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, k.method, target, body)
	if err != nil {
		return fmt.Errorf("fiefadmin: %s: %w", k.op, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", c.s.authorization())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.s.httpClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("fiefadmin: %s: %w", k.op, ctx.Err())
		}
		return unavailable(k.op, err)
	}
	defer resp.Body.Close()
	raw, err := readCapped(resp.Body)
	if err != nil {
		return unavailable(k.op, err)
	}
	c.s.logger.DebugContext(ctx, "fiefadmin: call", "op", k.op, "method", k.method, "path", req.URL.Path, "status", resp.StatusCode)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newError(k.op, resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return unavailable(k.op, fmt.Errorf("malformed answer (HTTP %d, %d bytes): %w", resp.StatusCode, len(raw), err))
	}
	return nil
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
