package fiefcli

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fief-dev/fief-go"
)

// Defaults used by [New] for the zero values of [Config]. They are those of
// Fief's official Python client, so that a Fief client set up for it works
// unchanged.
const (
	// DefaultPort is the loopback port of the callback server.
	DefaultPort = 51562
	// DefaultRedirectHost is the host of the redirect URI: the IPv4 loopback
	// address, as RFC 8252 (section 8.3) recommends.
	DefaultRedirectHost = "127.0.0.1"
	// DefaultRedirectPath is the path of the callback.
	DefaultRedirectPath = "/callback"
	// DefaultTimeout is how long [Auth.Authorize] waits for the browser.
	DefaultTimeout = 5 * time.Minute
	// CredentialsFileName is the name of the credentials file in the
	// application's configuration directory.
	CredentialsFileName = "credentials.json"
)

// Config is the configuration of an [Auth]. Every zero value means what its
// comment says; AppName or CredentialsPath must be set.
type Config struct {
	// AppName names the program's directory under the user's configuration
	// directory ([os.UserConfigDir]): the credentials are stored in
	// <config dir>/<AppName>/credentials.json, for example
	// ~/.config/mytool/credentials.json on Linux (ignored there when
	// CredentialsPath is set). It is also the program's name in the title
	// and heading of the callback server's pages, and [Page].AppName, so
	// that the user knows which program the browser talks to; empty, the
	// pages say "the program".
	AppName string

	// CredentialsPath is the path of the credentials file, overriding
	// AppName. Its directory is created (mode 0700) when missing.
	CredentialsPath string

	// Port is the loopback port of the callback server. Zero means
	// [DefaultPort]. The redirect URI http://<RedirectHost>:<Port><RedirectPath>
	// (see [Auth.RedirectURI]) must be registered, byte for byte, on the Fief
	// client. The port is fixed because the redirect URI is: when it is
	// taken, [Auth.Authorize] fails with an error saying so.
	Port int

	// RedirectHost is the host of the redirect URI: "127.0.0.1" (empty means
	// [DefaultRedirectHost]), "[::1]", or "localhost". The callback server
	// listens on that loopback address; for "localhost", which a browser may
	// resolve to either, it listens on both 127.0.0.1 and [::1] (when the
	// machine has IPv6), and [Auth.Authorize] fails when either is taken, so
	// that no other local program can hold the one the browser tries first.
	// Use "localhost" to keep the redirect URI of versions before the
	// literal address became the default.
	RedirectHost string

	// RedirectPath is the path of the callback, starting with "/". Empty
	// means [DefaultRedirectPath].
	RedirectPath string

	// Timeout bounds the wait for the user to complete the sign-in in the
	// browser. Zero means [DefaultTimeout].
	Timeout time.Duration

	// Scopes are requested in addition to "openid" and "offline_access",
	// which are always requested (the second one gets the refresh token that
	// keeps the program signed in).
	Scopes []string

	// Lang is the locale of Fief's pages, such as "fr". Empty means Fief's
	// choice.
	Lang string

	// Extra holds other authorization parameters: screen ("register"),
	// login_hint, acr_values, ... They cannot override the parameters set by
	// [Auth.Authorize].
	Extra url.Values

	// OpenBrowser opens url in the user's browser. Nil means the system
	// browser: "open" on macOS, "rundll32 url.dll,FileProtocolHandler" on
	// Windows, "xdg-open" elsewhere when a graphical display is set. When it
	// returns an error, [Auth.Authorize] prints the URL for the user to open
	// by hand, and keeps waiting.
	OpenBrowser func(url string) error

	// Output receives the progress of [Auth.Authorize]: the URL to open and a
	// waiting message, animated when Output is a terminal. Nil means
	// [os.Stderr]; use [io.Discard] for silence.
	Output io.Writer

	// Logger receives what the program does not see in the errors it gets:
	// stray requests to the callback server (warning), stored credentials
	// removed (info), and the sign-in failures also returned as errors
	// (debug). Never a token, a code or a secret. Nil means the client's,
	// [fief.Client.Logger].
	Logger *slog.Logger

	// Page answers the browser at the end of the sign-in (signed in,
	// cancelled, expired link, ...) in place of [DefaultPage], for pages in
	// the program's words and style. Nil means DefaultPage.
	Page PageFunc
}

// Auth signs the user of a terminal program in with Fief and keeps the
// credentials in a file. Make it with [New]. It is safe for concurrent use:
// operations that read and write the credentials file run one at a time, so
// that a refresh token, which Fief accepts only once, is used once.
//
// The credentials file is not locked against other processes. If two
// processes refresh at the same moment, the loser re-reads the file and uses
// the winner's tokens when they are there.
type Auth struct {
	client       *fief.Client
	path         string
	port         int
	redirectURI  string
	redirectHost string   // host:port of redirectURI
	listenAddrs  []string // loopback addresses of the callback server
	redirectPath string
	timeout      time.Duration
	scopes       []string
	lang         string
	extra        url.Values
	openBrowser  func(string) error
	out          io.Writer
	logger       *slog.Logger
	pageFunc     PageFunc
	appName      string

	// sem serialises the read-modify-write cycles on the credentials file;
	// it is a channel rather than a mutex so that a waiting caller can give
	// up when its context ends.
	sem chan struct{}
}

// New validates cfg and returns an [Auth] using client. It does no I/O.
// Errors are of type [*fief.ConfigError].
func New(client *fief.Client, cfg Config) (*Auth, error) {
	if client == nil {
		return nil, &fief.ConfigError{Field: "fiefcli.New: client", Reason: "is nil"}
	}
	a := &Auth{
		client:      client,
		port:        cfg.Port,
		timeout:     cfg.Timeout,
		lang:        cfg.Lang,
		extra:       cloneValues(cfg.Extra),
		openBrowser: cfg.OpenBrowser,
		out:         cfg.Output,
		logger:      cfg.Logger,
		pageFunc:    cfg.Page,
		appName:     strings.TrimSpace(cfg.AppName),
		sem:         make(chan struct{}, 1),
	}
	path, err := credentialsPath(cfg)
	if err != nil {
		return nil, err
	}
	a.path = path
	switch {
	case a.port == 0:
		a.port = DefaultPort
	case a.port < 1 || a.port > 65535:
		return nil, configError("Port", fmt.Sprintf("%d is not a TCP port", cfg.Port))
	}
	redirectPath := cfg.RedirectPath
	if redirectPath == "" {
		redirectPath = DefaultRedirectPath
	}
	if err := checkRedirectPath(redirectPath); err != nil {
		return nil, err
	}
	a.redirectPath = redirectPath
	if err := a.setRedirectHost(cfg.RedirectHost); err != nil {
		return nil, err
	}
	a.redirectURI = "http://" + a.redirectHost + redirectPath
	switch {
	case a.timeout == 0:
		a.timeout = DefaultTimeout
	case a.timeout < 0:
		return nil, configError("Timeout", "is negative")
	}
	a.scopes = []string{"openid", "offline_access"}
	for _, s := range cfg.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return nil, configError("Scopes", fmt.Sprintf("%q is not a scope", s))
		}
		if !slices.Contains(a.scopes, s) {
			a.scopes = append(a.scopes, s)
		}
	}
	if a.openBrowser == nil {
		a.openBrowser = openSystemBrowser
	}
	if a.out == nil {
		a.out = os.Stderr
	}
	if a.logger == nil {
		a.logger = client.Logger()
	}
	if a.pageFunc == nil {
		a.pageFunc = DefaultPage
	}
	return a, nil
}

// RedirectURI returns the redirect URI of the callback,
// http://127.0.0.1:<port><path> by default (see [Config.RedirectHost]), to
// register on the Fief client.
func (a *Auth) RedirectURI() string { return a.redirectURI }

// CheckOptions returns the options of [fief.Client.Check] for this
// program: its redirect URI, [Auth.RedirectURI]. A "doctor" command runs
//
//	report := client.Check(ctx, auth.CheckOptions())
func (a *Auth) CheckOptions() fief.CheckOptions {
	return fief.CheckOptions{RedirectURI: a.redirectURI}
}

// CredentialsPath returns the path of the credentials file.
func (a *Auth) CredentialsPath() string { return a.path }

func credentialsPath(cfg Config) (string, error) {
	if cfg.CredentialsPath != "" {
		return filepath.Clean(cfg.CredentialsPath), nil
	}
	name := cfg.AppName
	if name == "" {
		return "", configError("AppName", "is empty and so is CredentialsPath: set one of them")
	}
	if name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return "", configError("AppName", fmt.Sprintf("%q must be a single directory name", name))
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", configError("AppName", "no user configuration directory ("+err.Error()+"): set CredentialsPath")
	}
	return filepath.Join(dir, name, CredentialsFileName), nil
}

func checkRedirectPath(p string) error {
	u, err := url.Parse(p)
	if err != nil || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || u.RawQuery != "" || u.Fragment != "" || u.EscapedPath() != p {
		return configError("RedirectPath", fmt.Sprintf("%q must be a plain absolute path such as %q", p, DefaultRedirectPath))
	}
	return nil
}

func configError(field, reason string) error {
	return &fief.ConfigError{Field: "fiefcli.Config." + field, Reason: reason}
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = slices.Clone(vs)
	}
	return c
}
