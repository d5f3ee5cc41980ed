package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fief-dev/fief-go"
)

// trusting returns an HTTP client that trusts only the certificates of
// the PEM file caFile.
func trusting(t *testing.T, caFile string) *http.Client {
	t.Helper()
	b, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// checkStrictDiscovery does what strict OpenID Connect clients (go-oidc's
// NewProvider among them) do before trusting a provider: fetch the
// discovery document over https, with certificate verification, from
// base, and require its issuer to be base itself and its endpoints to be
// https URLs of that issuer.
func checkStrictDiscovery(t *testing.T, hc *http.Client, base string) {
	t.Helper()
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("base URL %q is not https", base)
	}
	resp, err := hc.Get(base + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatalf("discovery over https: %v", err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("discovery: %d %v", resp.StatusCode, err)
	}
	if doc["issuer"] != base {
		t.Errorf("issuer %v, want the discovery URL's %s", doc["issuer"], base)
	}
	for _, k := range []string{"authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"} {
		if v, _ := doc[k].(string); !strings.HasPrefix(v, base+"/") {
			t.Errorf("%s %q is not under the issuer", k, v)
		}
	}
}

// TestTLS starts the built command with -tls: the discovery document
// passes a strict OIDC check over https with the printed CA, the fief
// client validates a token of "fieftest token" over https, a client that
// does not trust the CA is refused, and a restart with the same -tls-dir
// keeps the CA, so that a client trusting it trusts the new server too.
func TestTLS(t *testing.T) {
	binDir := buildBinary(t)
	dir := t.TempDir()
	tlsDir := filepath.Join(dir, "tls")
	users := filepath.Join(dir, "users.txt")
	os.WriteFile(users, []byte("anne@bretagne.duchy:Herm1ne-Tincture!\n"), 0o600)
	const key = "tls-test-admin-key-0123456789"
	env := []string{"FIEF_ADMIN_API_KEY=" + key, "FIEF_CLIENT_SECRET="}
	args := []string{"-addr", "127.0.0.1:0", "-tls", "-tls-dir", tlsDir, "-client-id", "web",
		"-redirect-uri", "http://localhost:3000/callback", "-user-file", users,
		"-permission", "anne@bretagne.duchy=castles:read"}
	vars, logs, stop := startBinaryEnv(t, binDir, env, args...)
	base, caFile := vars["FIEF_BASE_URL"], vars["FIEF_CA_FILE"]
	if !strings.HasPrefix(base, "https://127.0.0.1:") || caFile != filepath.Join(tlsDir, "ca.pem") {
		t.Fatalf("printed %v", vars)
	}
	hc := trusting(t, caFile)
	checkStrictDiscovery(t, hc, base)

	// Without the CA: refused.
	_, err := http.Get(base + "/healthz")
	var unknown x509.UnknownAuthorityError
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &unknown) && !errors.As(err, &verr) {
		t.Errorf("a client without the CA: %v, want a certificate error", err)
	}

	// "fieftest token" over https with FIEF_CA_FILE, and the fief client
	// validating the token with the key set fetched over https.
	cmd := exec.Command(filepath.Join(binDir, "fieftest"), "token", "anne@bretagne.duchy")
	cmd.Env = append(os.Environ(), "FIEF_BASE_URL="+base, "FIEF_ADMIN_API_KEY="+key, "FIEF_CA_FILE="+caFile)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("fieftest token over https: %v %s", err, errOut.String())
	}
	client, err := fief.New(fief.Config{BaseURL: base, ClientID: "web", ClientSecret: vars["FIEF_CLIENT_SECRET"], HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	info, err := client.ValidateAccessToken(t.Context(), strings.TrimSpace(out.String()), fief.Requirements{Permissions: []string{"castles:read"}})
	if err != nil || info.ID == "" {
		t.Fatalf("the fief client over https: %+v %v", info, err)
	}

	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for _, want := range []string{"NODE_EXTRA_CA_CERTS=" + caFile, "SSL_CERT_FILE=" + caFile, "REQUESTS_CA_BUNDLE=" + caFile} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, logs)
		}
	}
	ca1, _ := os.ReadFile(caFile)
	if st, err := os.Stat(filepath.Join(tlsDir, "ca-key.pem")); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o600 {
		t.Errorf("the CA key's mode %v, want 0600", st.Mode().Perm())
	}

	// Restart with the same -tls-dir: same CA, trusted by the same client.
	vars, _, _ = startBinaryEnv(t, binDir, env, args...)
	ca2, _ := os.ReadFile(caFile)
	if vars["FIEF_CA_FILE"] != caFile || !bytes.Equal(ca1, ca2) {
		t.Errorf("after a restart: CA file %s changed: %v", vars["FIEF_CA_FILE"], !bytes.Equal(ca1, ca2))
	}
	checkStrictDiscovery(t, hc, vars["FIEF_BASE_URL"])
}

// TestTLSGivenCertificate: -tls-cert and -tls-key serve https with the
// certificate given, and print no CA file.
func TestTLSGivenCertificate(t *testing.T) {
	dir := t.TempDir()
	ca, err := loadOrCreateCA(filepath.Join(dir, "ca"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.serverCertificate([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, certFile, "CERTIFICATE", cert.Certificate[0])
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)

	vars := runPrinted(t, []string{"-addr", "127.0.0.1:0", "-tls-cert", certFile, "-tls-key", keyFile, "-client-id", "web", "-quiet"},
		func(base string) { checkStrictDiscovery(t, trusting(t, ca.certPath), base) })
	if _, ok := vars["FIEF_CA_FILE"]; ok || !strings.HasPrefix(vars["FIEF_BASE_URL"], "https://") {
		t.Errorf("printed %v", vars)
	}
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTLSWithState: with -state and -tls, the development CA is kept in
// the state directory, so that an application that trusts it, and its
// fief client, notice nothing of a restart: same CA, and a token issued
// before the restart still validates.
func TestTLSWithState(t *testing.T) {
	binDir := buildBinary(t)
	state := filepath.Join(t.TempDir(), "state")
	addr := freeAddr(t)
	const key = "tls-state-admin-key-0123456789"
	env := []string{"FIEF_ADMIN_API_KEY=" + key, "FIEF_CLIENT_SECRET=web-secret-0123456789"}
	args := []string{"-addr", addr, "-tls", "-state", state, "-client-id", "web", "-quiet"}
	vars, _, stop := startBinaryEnv(t, binDir, env, args...)
	base, caFile := vars["FIEF_BASE_URL"], vars["FIEF_CA_FILE"]
	if caFile != filepath.Join(state, "tls", "ca.pem") || base != "https://"+addr {
		t.Fatalf("printed %v", vars)
	}
	hc := trusting(t, caFile)
	client, err := fief.New(fief.Config{BaseURL: base, ClientID: "web", ClientSecret: "web-secret-0123456789", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	// A user and a token through the admin API, over https.
	api := &adminAPI{origin: base, key: key, hc: hc}
	var tenants page[struct {
		ID string `json:"id"`
	}]
	if err := api.call(t.Context(), "GET", "/tenants/", nil, &tenants); err != nil || len(tenants.Results) == 0 {
		t.Fatalf("tenants: %v", err)
	}
	var user adminUser
	if err := api.call(t.Context(), "POST", "/users/", map[string]any{"email": "anne@bretagne.duchy", "password": "Herm1ne-Tincture!",
		"email_verified": true, "tenant_id": tenants.Results[0].ID, "fields": map[string]any{}}, &user); err != nil {
		t.Fatal(err)
	}
	webClient, err := api.findClient(t.Context(), tenants.Results[0].ID, "web")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := api.call(t.Context(), "POST", "/users/"+user.ID+"/access-token", map[string]any{"client_id": webClient.ID, "scopes": []string{"openid"}}, &tok); err != nil {
		t.Fatal(err)
	}
	if _, err := client.ValidateAccessToken(t.Context(), tok.AccessToken, fief.Requirements{}); err != nil {
		t.Fatalf("before the restart: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	ca1, _ := os.ReadFile(caFile)

	vars, _, _ = startBinaryEnv(t, binDir, env, args...)
	ca2, _ := os.ReadFile(caFile)
	if vars["FIEF_CA_FILE"] != caFile || !bytes.Equal(ca1, ca2) {
		t.Fatalf("after the restart: CA %s, changed: %v", vars["FIEF_CA_FILE"], !bytes.Equal(ca1, ca2))
	}
	checkStrictDiscovery(t, hc, base)
	if _, err := client.ValidateAccessToken(t.Context(), tok.AccessToken, fief.Requirements{}); err != nil {
		t.Errorf("after the restart, the same client object and token: %v", err)
	}
}
