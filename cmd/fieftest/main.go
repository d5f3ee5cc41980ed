// Command fieftest runs fieftest's in-process Fief server as a program: a
// local Fief for development and CI, whatever the language of the
// application, with no database and no other service. It answers as Fief
// 0.30.0 (-fief-version 0.26.3 for Fief 0.26.3). State is in memory and gone
// when the program stops, unless -state DIR keeps it across restarts.
//
// Usage:
//
//	fieftest [-addr 127.0.0.1:8000] [-config fieftest.json] [-admin-key-file FILE]
//	         [-client-id ID -client-secret-file FILE -redirect-uri URI...]
//	         [-user-file FILE] [-user EMAIL:PASSWORD...] [-permission EMAIL=CODENAME...] [-quiet]
//	         [-tls [-tls-dir DIR] | -tls-cert FILE -tls-key FILE] [-allow-remote]
//	         [-state DIR] [-fief-version 0.30.0|0.26.3] [-mail-dir DIR]
//	fieftest token EMAIL [-scope SCOPES] [-permission CODENAME...] [-acr 1] [-json]
//
// The admin key and the client secret may also come from the environment
// (FIEF_ADMIN_API_KEY, FIEF_CLIENT_SECRET): unlike flags, neither is visible
// to other local users in ps. "fieftest token" prints an access token of a
// user of the running server, found with FIEF_BASE_URL and
// FIEF_ADMIN_API_KEY; see the README.
//
// With -tls it serves https with a certificate of a development CA and
// prints the CA's certificate as FIEF_CA_FILE, so that the issuer is the
// URL served. An -addr other machines can reach needs -allow-remote.
//
// Once listening, it prints to standard output, in the shell's KEY=value
// form:
//
//	FIEF_BASE_URL=http://127.0.0.1:8000
//	FIEF_ADMIN_API_KEY=...
//	FIEF_CLIENT_ID=...       (the default tenant's first client, if any)
//	FIEF_CLIENT_SECRET=...
//
// and logs one line per request to standard error (method, path, status,
// duration; never a query string). It stops on SIGINT or SIGTERM.
//
// It sends no email: each email Fief would send (a verification code, a
// password-reset link, ...) is logged, listed at GET
// /admin/api/_fieftest/mail with the admin key, and written to -mail-dir;
// see the README section "Mail".
//
// The JSON file of -config describes tenants (with their clients and users),
// permissions, roles and the admin API key; see the README section
// "fieftest as a program". Flags add to it: -client-id and -user act on the
// default tenant.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/fief-dev/fief-go/fieftest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := run
	if len(os.Args) > 1 && os.Args[1] == "token" {
		cmd = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			return runToken(ctx, args[1:], stdout, stderr)
		}
	}
	if err := cmd(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(2)
	}
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// options are the command-line flags.
type options struct {
	configPath, addr, domain, adminKey string
	clientID, clientSecret             string
	adminKeyFile, clientSecretFile     string
	redirectURIs, users, grants        listFlag
	userFile                           string
	userSpecs                          []*userSpec
	public, quiet, secureCookies       bool
	allowRemote, tls                   bool
	tlsCert, tlsKey, tlsDir            string
	keySize                            int
	stateDir, fiefVersion              string
	mailDir                            string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	var o options
	fs := flag.NewFlagSet("fieftest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: fieftest [flags]         serve a local Fief\n       fieftest token EMAIL [flags]   print an access token of a user of the running server (fieftest token -h)\n\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.configPath, "config", "", "JSON file describing tenants, clients, users, permissions, roles and the admin API key")
	fs.StringVar(&o.addr, "addr", "", `address to listen on (default "127.0.0.1:8000"; port 0 picks a free port)`)
	fs.StringVar(&o.domain, "domain", "", `Fief's FIEF_DOMAIN: the issuer is "https://"+domain (default: the listening address)`)
	fs.StringVar(&o.adminKey, "admin-key", "", "admin API key (default: $FIEF_ADMIN_API_KEY, else random, printed; flags are visible in ps: prefer the variable or -admin-key-file)")
	fs.StringVar(&o.adminKeyFile, "admin-key-file", "", "a file holding the admin API key")
	fs.StringVar(&o.clientID, "client-id", "", "add a client to the default tenant with this client_id")
	fs.StringVar(&o.clientSecret, "client-secret", "", "the secret of -client-id (default: $FIEF_CLIENT_SECRET, else random, printed; prefer the variable or -client-secret-file)")
	fs.StringVar(&o.clientSecretFile, "client-secret-file", "", "a file holding the secret of -client-id")
	fs.Var(&o.redirectURIs, "redirect-uri", "a redirect URI of -client-id (repeatable)")
	fs.BoolVar(&o.public, "public", false, "make -client-id a public client (PKCE, no secret needed)")
	fs.Var(&o.users, "user", "add a verified user EMAIL:PASSWORD to the default tenant (repeatable; -user-file keeps passwords out of ps)")
	fs.StringVar(&o.userFile, "user-file", "", "a file of users to add to the default tenant, one EMAIL:PASSWORD a line (# starts a comment)")
	fs.Var(&o.grants, "permission", "give a user of -user or -user-file permissions: EMAIL=CODENAME[,CODENAME...] (repeatable; unknown codenames are created)")
	fs.BoolVar(&o.secureCookies, "secure-cookies", false, "set the Secure attribute on cookies, as Fief does (browsers then need https)")
	fs.IntVar(&o.keySize, "key-size", 0, "size in bits of the RSA keys generated (default 2048; Fief uses 4096)")
	fs.StringVar(&o.stateDir, "state", "", "a directory keeping the server's state (keys, tenants, clients, users, roles, webhooks, sessions, refresh tokens) across restarts")
	fs.StringVar(&o.fiefVersion, "fief-version", fieftest.FiefVersion030, "the Fief version to answer as: "+fieftest.FiefVersion030+" or "+fieftest.FiefVersion026)
	fs.BoolVar(&o.quiet, "quiet", false, "do not log requests nor emails")
	fs.StringVar(&o.mailDir, "mail-dir", "", "also write every email the server sends (verification codes, reset links, ...) to this directory, one .eml file each; created if missing")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow an -addr other machines can reach (every interface, or a non-loopback one)")
	fs.BoolVar(&o.tls, "tls", false, "serve https, with a certificate signed by a development CA whose certificate is printed as FIEF_CA_FILE (the issuer is then the URL served)")
	fs.StringVar(&o.tlsDir, "tls-dir", "", "with -tls, the directory keeping the development CA (ca.pem, ca-key.pem), reused at each start (default: DIR/tls of -state, else a temporary directory removed at exit)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "serve https with this certificate (PEM, chain included) instead of one of the development CA; implies -tls")
	fs.StringVar(&o.tlsKey, "tls-key", "", "the private key (PEM) of -tls-cert")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("fieftest: unexpected argument %q", fs.Arg(0))
	}
	if o.clientID == "" && (o.clientSecret != "" || o.clientSecretFile != "" || len(o.redirectURIs) > 0 || o.public) {
		return nil, errors.New("fieftest: -client-secret, -client-secret-file, -redirect-uri and -public need -client-id")
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return nil, errTLSFlags
	}
	if o.tlsCert != "" {
		if o.tlsDir != "" {
			return nil, errors.New("fieftest: -tls-dir keeps the development CA, unused with -tls-cert")
		}
		o.tls = true
	}
	var err error
	if o.adminKey, err = secretOption(o.adminKey, o.adminKeyFile, "FIEF_ADMIN_API_KEY", "the admin API key"); err != nil {
		return nil, err
	}
	if o.clientID != "" {
		if o.clientSecret, err = secretOption(o.clientSecret, o.clientSecretFile, "FIEF_CLIENT_SECRET", "the client secret"); err != nil {
			return nil, err
		}
		if o.clientSecret == "" && !o.public {
			o.clientSecret = randomSecret()
		}
	}
	if err := o.readUsers(); err != nil {
		return nil, err
	}
	if o.keySize != 0 && o.keySize < 2048 {
		return nil, fmt.Errorf("fieftest: -key-size %d is below 2048", o.keySize)
	}
	if err := fieftest.CheckVersion(o.fiefVersion); err != nil {
		return nil, fmt.Errorf("fieftest: -fief-version: %w", err)
	}
	return &o, nil
}

// redactUser keeps the email of an EMAIL:PASSWORD flag value for an error
// message.
func redactUser(u string) string {
	email, _, found := strings.Cut(u, ":")
	if found {
		return email + ":…"
	}
	return email
}

// run starts the server described by args, prints its coordinates to
// stdout and serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	cfg := &config{}
	if o.configPath != "" {
		if cfg, err = readConfig(o.configPath); err != nil {
			return err
		}
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	srv := fieftest.NewUnstartedServer()
	srv.Addr = cmp.Or(o.addr, cfg.Addr, "127.0.0.1:8000")
	srv.Domain = cmp.Or(o.domain, cfg.Domain)
	srv.KeySize = cmp.Or(o.keySize, cfg.KeySize)
	if srv.KeySize != 0 && srv.KeySize < 2048 {
		return fmt.Errorf("fieftest: key size %d is below 2048", srv.KeySize)
	}
	srv.SecureCookies = o.secureCookies
	srv.Version = o.fiefVersion
	if o.mailDir != "" {
		if err := os.MkdirAll(o.mailDir, 0o700); err != nil {
			return fmt.Errorf("fieftest: -mail-dir: %w", err)
		}
		srv.MailDir = o.mailDir
	}
	if !o.quiet {
		srv.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	restored, err := restoreState(srv, o.stateDir, stderr)
	if err != nil {
		return err
	}
	if !restored {
		if err := cfg.apply(srv); err != nil {
			return err
		}
		if err := applyFlags(srv, o); err != nil {
			return err
		}
	}
	switch {
	case o.adminKey != "":
		if err := srv.SetAdminAPIKey(o.adminKey); err != nil {
			return err
		}
	case cfg.AdminAPIKey == "" && !restored:
		if err := srv.SetAdminAPIKey(randomSecret()); err != nil {
			return err
		}
	}
	return serve(ctx, srv, o, stdout, stderr)
}

// applyFlags adds the client and users of the flags to the default tenant.
func applyFlags(srv *fieftest.Server, o *options) error {
	if o.clientID != "" {
		if _, err := srv.AddClient(fieftest.ClientConfig{ClientID: o.clientID, ClientSecret: o.clientSecret, Public: o.public, RedirectURIs: o.redirectURIs}); err != nil {
			return err
		}
	}
	for _, u := range o.userSpecs {
		if _, err := srv.AddUser(fieftest.UserConfig{Email: u.email, Password: u.password, Permissions: u.permissions}); err != nil {
			return err
		}
	}
	return nil
}
