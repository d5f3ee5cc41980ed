// Package demo is the setup shared by the example programs: the Fief client
// from the environment, or an embedded fieftest server with a demo client
// and user; the listener and the graceful server loop; the main function,
// with its signal handling and exit status.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	fief "github.com/fief-dev/fief-go"
	"github.com/fief-dev/fief-go/fieftest"
)

// The demo user and client of the embedded server.
const (
	Email      = "anne@bretagne.duchy"
	Password   = "herminetincture"
	Permission = "castles:read"
	ClientID   = "demo"
)

// TenantName is the name of the embedded Fief's tenant, shown above its
// sign-in form.
const TenantName = "Fief demo"

// Ready is the last line the examples print before serving.
const Ready = "Press Ctrl-C to stop."

// CallbackPath is the path of the sign-in callback of the web example.
const CallbackPath = "/auth-callback"

// Env is the Fief the examples talk to.
type Env struct {
	// Client is the Fief client.
	Client *fief.Client
	// Server is the embedded Fief, nil when FIEF_BASE_URL is set.
	Server *fieftest.Server
	// User is the demo user of the embedded Fief, nil otherwise.
	User *fieftest.User
}

// Close stops the embedded Fief, if any.
func (e *Env) Close() {
	if e.Server != nil {
		e.Server.Close()
	}
}

// Setup returns the Fief the application at appURL talks to. With
// FIEF_BASE_URL set (getenv reads the environment), it is that Fief, with
// FIEF_CLIENT_ID, FIEF_CLIENT_SECRET and the optional FIEF_ENCRYPTION_KEY;
// Setup does no I/O, [Check] asks Fief. Otherwise it is an embedded
// fieftest server with a demo client whose redirect URI is
// appURL+CallbackPath, and the demo user.
func Setup(ctx context.Context, getenv func(string) string, appURL string) (*Env, error) {
	if getenv("FIEF_BASE_URL") != "" {
		return fromEnv(getenv)
	}
	return embedded(appURL)
}

// SetupPublic is [Setup] for a program that signs its user in through
// the browser with a public client (PKCE, no secret): with FIEF_BASE_URL
// set, the Fief there; otherwise an embedded fieftest server with a public
// demo client allowing redirectURI and the demo user, whose client follows
// the server's clock (so that a demo can move time forward).
func SetupPublic(getenv func(string) string, redirectURI string) (*Env, error) {
	if getenv("FIEF_BASE_URL") != "" {
		return fromEnv(getenv)
	}
	srv := fieftest.NewServer()
	srv.DefaultTenant().SetName(TenantName)
	c := srv.AddClient(fieftest.ClientConfig{ID: ClientID, Public: true, RedirectURIs: []string{redirectURI}})
	user := srv.AddUser(fieftest.UserConfig{Email: Email, Password: Password, Permissions: []string{Permission}})
	client, err := fief.New(fief.Config{BaseURL: srv.URL, ClientID: c.ID, HTTPClient: srv.Client(), Clock: srv.Now})
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &Env{Client: client, Server: srv, User: user}, nil
}

// fromEnv is the Env of the Fief at FIEF_BASE_URL.
func fromEnv(getenv func(string) string) (*Env, error) {
	client, err := ClientFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	return &Env{Client: client}, nil
}

// ConfigFromEnv returns the configuration of a client of the Fief at
// FIEF_BASE_URL: FIEF_CLIENT_ID, FIEF_CLIENT_SECRET and
// FIEF_ENCRYPTION_KEY.
func ConfigFromEnv(getenv func(string) string) fief.Config {
	return fief.Config{
		BaseURL:       getenv("FIEF_BASE_URL"),
		ClientID:      getenv("FIEF_CLIENT_ID"),
		ClientSecret:  getenv("FIEF_CLIENT_SECRET"),
		EncryptionKey: getenv("FIEF_ENCRYPTION_KEY"),
	}
}

// ClientFromEnv returns a client of the Fief at FIEF_BASE_URL, configured
// by [ConfigFromEnv]. Like [fief.New], it does no I/O. When the
// configuration is invalid, the error holds the report of
// [fief.CheckConfig], naming every invalid setting.
func ClientFromEnv(getenv func(string) string) (*fief.Client, error) {
	cfg := ConfigFromEnv(getenv)
	if client, err := fief.New(cfg); err == nil {
		return client, nil
	}
	// An invalid configuration: CheckConfig reports it without any I/O.
	_, report := fief.CheckConfig(context.Background(), cfg, fief.CheckOptions{})
	return nil, reportError(report)
}

// checkTimeout bounds the startup check.
const checkTimeout = 10 * time.Second

// Check runs the startup check of client ([fief.Client.Check]) with opts:
// it writes the report to w when something is not right, and returns an
// error holding the report when a check failed.
func Check(ctx context.Context, client *fief.Client, opts fief.CheckOptions, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	report := client.Check(ctx, opts)
	if report.Failed() {
		return reportError(report)
	}
	if !report.OK() {
		fmt.Fprint(w, report)
	}
	return nil
}

func reportError(r *fief.Report) error {
	return fmt.Errorf("the Fief configuration does not work:\n%s", strings.TrimRight(r.String(), "\n"))
}

func embedded(appURL string) (*Env, error) {
	srv := fieftest.NewServer()
	srv.DefaultTenant().SetName(TenantName)
	// Browsers may reach a local application as localhost or 127.0.0.1.
	redirects := []string{appURL + CallbackPath}
	for _, pair := range [][2]string{{"://localhost:", "://127.0.0.1:"}, {"://127.0.0.1:", "://localhost:"}} {
		if twin := strings.Replace(appURL, pair[0], pair[1], 1); twin != appURL {
			redirects = append(redirects, twin+CallbackPath)
		}
	}
	c := srv.AddClient(fieftest.ClientConfig{ID: ClientID, RedirectURIs: redirects})
	user := srv.AddUser(fieftest.UserConfig{Email: Email, Password: Password, Permissions: []string{Permission}})
	client, err := fief.New(fief.Config{
		BaseURL:      srv.URL,
		ClientID:     c.ID,
		ClientSecret: c.Secret,
		HTTPClient:   srv.Client(),
	})
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &Env{Client: client, Server: srv, User: user}, nil
}

// Listen listens on addr and returns the listener with the URL to reach
// it: "localhost" stands for an empty or wildcard host, and the port is the
// one actually bound (addr may say port 0).
func Listen(addr string) (net.Listener, string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, "", fmt.Errorf("invalid -addr %q: %w", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	return ln, "http://" + net.JoinHostPort(host, port), nil
}

// Serve serves h on ln until ctx is done, then shuts down, giving requests
// in flight five seconds to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
