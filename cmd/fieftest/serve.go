package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"

	"github.com/fief-dev/fief-go/fieftest"
)

// serve listens on srv.Addr (with TLS if asked), prints the server's
// coordinates to stdout, then serves until ctx is done.
func serve(ctx context.Context, srv *fieftest.Server, o *options, stdout, stderr io.Writer) error {
	ln, host, err := listen(srv.Addr, o.allowRemote, stderr)
	if err != nil {
		return err
	}
	scheme, caPath := "http", ""
	if o.tls {
		cfg, ca, cleanup, err := o.serverTLS(host, srv.Domain)
		if err != nil {
			ln.Close()
			return err
		}
		defer cleanup()
		ln, scheme, caPath = tls.NewListener(ln, cfg), "https", ca
	}
	if srv.Domain == "" {
		// The issuer is "https://"+Domain: with -tls, the URL served.
		srv.Domain = host
	}
	srv.Listener = ln
	fmt.Fprintf(stdout, "FIEF_BASE_URL=%s://%s\n", scheme, host)
	fmt.Fprintf(stdout, "FIEF_ADMIN_API_KEY=%s\n", srv.AdminAPIKey())
	if caPath != "" {
		fmt.Fprintf(stdout, "FIEF_CA_FILE=%s\n", caPath)
	}
	if cs := srv.DefaultTenant().Clients(); len(cs) > 0 {
		fmt.Fprintf(stdout, "FIEF_CLIENT_ID=%s\n", cs[0].ClientID)
		fmt.Fprintf(stdout, "FIEF_CLIENT_SECRET=%s\n", cs[0].ClientSecret)
	}
	if caPath != "" {
		printTrust(stderr, caPath)
	}
	srv.Start()
	if o.stateDir != "" {
		// Deferred before Close, so run after it: the last save sees the
		// requests Close waits for.
		defer keepState(ctx, srv, o.stateDir, stderr)()
	}
	defer srv.Close()
	<-ctx.Done()
	return nil
}

// serverTLS returns the TLS configuration of -tls: the certificate of
// -tls-cert and -tls-key, or one made for host (and domain, localhost and
// the loopback addresses) and signed by the development CA of -tls-dir
// (by default DIR/tls of -state), whose certificate's path it returns. cleanup removes a temporary CA.
func (o *options) serverTLS(host, domain string) (cfg *tls.Config, caPath string, cleanup func(), err error) {
	cleanup = func() {}
	if o.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return nil, "", cleanup, fmt.Errorf("fieftest: -tls-cert and -tls-key: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, "", cleanup, nil
	}
	dir := o.tlsDir
	if dir == "" && o.stateDir != "" {
		dir = filepath.Join(o.stateDir, "tls")
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "fieftest-tls-"); err != nil {
			return nil, "", cleanup, fmt.Errorf("fieftest: a directory for the CA: %w", err)
		}
		cleanup = func() { os.RemoveAll(dir) }
	}
	ca, err := loadOrCreateCA(dir)
	if err != nil {
		cleanup()
		return nil, "", func() {}, err
	}
	hosts := []string{hostOnly(host)}
	if domain != "" {
		hosts = append(hosts, hostOnly(domain))
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	cert, err := ca.serverCertificate(hosts)
	if err != nil {
		cleanup()
		return nil, "", func() {}, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, ca.certPath, cleanup, nil
}

// hostOnly drops the port of host:port, if any.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

var errTLSFlags = errors.New("fieftest: -tls-cert and -tls-key go together")
