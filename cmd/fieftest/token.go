package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

const tokenUsage = `usage: fieftest token EMAIL [flags]

Prints an access token of the user EMAIL of a running fieftest server,
asked for through its admin API (ACR "0"), or through its login form with
-acr 1. The server is $FIEF_BASE_URL and its admin key $FIEF_ADMIN_API_KEY,
as the server printed them; -permission grants permissions first.

`

// tokenOptions are the flags of "fieftest token".
type tokenOptions struct {
	email, baseURL, adminKeyFile, caFile string
	tenant, clientID, scope, acr         string
	passwordFile                         string
	permissions                          listFlag
	tenantSet, asJSON                    bool
}

func parseTokenFlags(args []string, stderr io.Writer) (*tokenOptions, error) {
	o := tokenOptions{}
	fs := flag.NewFlagSet("fieftest token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), tokenUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.baseURL, "url", "", "the server's base URL (default $FIEF_BASE_URL, else http://127.0.0.1:8000)")
	fs.StringVar(&o.adminKeyFile, "admin-key-file", "", "a file holding the admin API key (default: $FIEF_ADMIN_API_KEY)")
	fs.StringVar(&o.caFile, "cacert", "", "a PEM file of certificates to trust besides the system's, for a server started with -tls (default $FIEF_CA_FILE)")
	fs.StringVar(&o.tenant, "tenant", "", "the slug of the user's tenant, when the email is a user of several (\"\" for the default tenant)")
	fs.StringVar(&o.clientID, "client", "", "the client_id of the client the token is for (default: the first client of the user's tenant)")
	fs.StringVar(&o.scope, "scope", "openid", "the scopes of the token, space-separated")
	fs.Var(&o.permissions, "permission", "grant the user this permission (codename) before minting, creating it if needed (repeatable)")
	fs.StringVar(&o.acr, "acr", "0", `"0": minted by the admin API; "1": a sign-in through the login form, which needs the password`)
	fs.StringVar(&o.passwordFile, "password-file", "", "a file holding the user's password, for -acr 1 (default: $FIEF_USER_PASSWORD)")
	fs.BoolVar(&o.asJSON, "json", false, "print the token endpoint's whole JSON answer instead of the access token alone")
	// Flags may come before or after EMAIL.
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		o.email = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return nil, err
		}
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("fieftest token: unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) { o.tenantSet = o.tenantSet || f.Name == "tenant" })
	if o.email == "" {
		fs.Usage()
		return nil, errors.New("fieftest token: which user? Give an EMAIL")
	}
	if o.acr != "0" && o.acr != "1" {
		return nil, fmt.Errorf("fieftest token: -acr %q: Fief's levels are 0 and 1", o.acr)
	}
	return &o, nil
}

// runToken is "fieftest token": it prints an access token of a user of a
// running server.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseTokenFlags(args, stderr)
	if err != nil {
		return err
	}
	base := firstOf(o.baseURL, os.Getenv("FIEF_BASE_URL"), "http://127.0.0.1:8000")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("fieftest token: %q is not the server's http(s) URL", base)
	}
	key, err := secretFrom(o.adminKeyFile, "FIEF_ADMIN_API_KEY", "the admin API key")
	if err != nil {
		return err
	}
	if key == "" {
		return errors.New("fieftest token: no admin API key: set FIEF_ADMIN_API_KEY (the server prints it) or give -admin-key-file")
	}
	hc, err := httpClient(firstOf(o.caFile, os.Getenv("FIEF_CA_FILE")))
	if err != nil {
		return err
	}
	api := &adminAPI{origin: u.Scheme + "://" + u.Host, key: key, hc: hc}

	var tenant *string
	if o.tenantSet {
		tenant = &o.tenant
	}
	user, err := api.findUser(ctx, o.email, tenant)
	if err != nil {
		return err
	}
	client, err := api.findClient(ctx, user.Tenant.ID, o.clientID)
	if err != nil {
		return err
	}
	for _, p := range o.permissions {
		if err := api.grantPermission(ctx, user.ID, p); err != nil {
			return err
		}
	}
	scopes := strings.Fields(o.scope)
	var answer json.RawMessage
	if o.acr == "0" {
		err = api.call(ctx, "POST", "/users/"+user.ID+"/access-token", map[string]any{"client_id": client.ID, "scopes": scopes}, &answer)
	} else {
		var password string
		if password, err = secretFrom(o.passwordFile, "FIEF_USER_PASSWORD", "the password"); err != nil {
			return err
		}
		if password == "" {
			return errors.New("fieftest token: -acr 1 signs the user in through the login form: give the password in FIEF_USER_PASSWORD or with -password-file")
		}
		tenantBase := api.origin
		if !user.Tenant.Default {
			tenantBase += "/" + user.Tenant.Slug
		}
		answer, err = signIn(ctx, hc, tenantBase, client, user.Email, password, scopes)
	}
	if err != nil {
		return err
	}
	if o.asJSON {
		_, err = fmt.Fprintf(stdout, "%s\n", answer)
		return err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(answer, &tok); err != nil || tok.AccessToken == "" {
		return fmt.Errorf("fieftest token: the server answered no access token: %s", answer)
	}
	_, err = fmt.Fprintln(stdout, tok.AccessToken)
	return err
}

// firstOf returns the first non-empty string.
func firstOf(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// httpClient returns an HTTP client that trusts the system's certificates
// and those of the PEM file caFile, if given.
func httpClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("fieftest: reading the CA certificate: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("fieftest: %s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signIn runs the authorization code flow with PKCE through the server's
// login form, as a browser would, and returns the token endpoint's answer:
// a token of ACR "1", which the admin API cannot mint. Nothing is served
// at the redirect URI: the flow stops at the redirection to it.
func signIn(ctx context.Context, hc *http.Client, tenantBase string, c *adminClient, email, password string, scopes []string) (json.RawMessage, error) {
	if len(c.RedirectURIs) == 0 {
		return nil, fmt.Errorf("fieftest token: client %s has no redirect URI, which the sign-in needs (any URI: nothing is served there)", c.ClientID)
	}
	redirectURI := c.RedirectURIs[0]
	jar, _ := cookiejar.New(nil)
	var code string
	browser := &http.Client{Transport: hc.Transport, Jar: jar, Timeout: hc.Timeout,
		CheckRedirect: func(r *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(r.URL.String(), redirectURI) {
				code = r.URL.Query().Get("code")
				if code == "" {
					return fmt.Errorf("fieftest token: the sign-in ended without a code: %s", r.URL.Query().Get("error_description"))
				}
				return http.ErrUseLastResponse
			}
			return nil
		}}
	verifier := randomString()
	sum := sha256.Sum256([]byte(verifier))
	authorize := tenantBase + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {c.ClientID}, "redirect_uri": {redirectURI},
		"scope": {strings.Join(scopes, " ")}, "state": {randomString()},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}.Encode()
	resp, page, err := fetch(ctx, browser, "GET", authorize, nil)
	if err != nil {
		return nil, err
	}
	// The login form, then the consent page of a third-party client,
	// which the developer asking for the token grants.
	for _, step := range []struct {
		path   string
		fields url.Values
	}{{"/login", url.Values{"email": {email}, "password": {password}}}, {"/consent", url.Values{"allow": {"allow"}}}} {
		if code != "" {
			break
		}
		if !strings.HasSuffix(resp.Request.URL.Path, step.path) {
			continue
		}
		m := csrfInput.FindStringSubmatch(page)
		if m == nil {
			return nil, fmt.Errorf("fieftest token: no form at %s (%d)", resp.Request.URL.Path, resp.StatusCode)
		}
		step.fields.Set("csrf_token", m[1])
		if resp, page, err = fetch(ctx, browser, "POST", resp.Request.URL.String(), step.fields); err != nil {
			return nil, err
		}
	}
	if code == "" {
		if strings.HasSuffix(resp.Request.URL.Path, "/login") {
			return nil, fmt.Errorf("fieftest token: the login form refused %s: wrong password, or an inactive user", email)
		}
		return nil, fmt.Errorf("fieftest token: the sign-in stopped at %s (%d); a user who must verify their email first cannot sign in", resp.Request.URL.Path, resp.StatusCode)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {c.ClientID}, "code_verifier": {verifier}}
	if c.ClientType != "public" {
		form.Set("client_secret", c.ClientSecret)
	}
	resp, body, err := fetch(ctx, hc, "POST", tenantBase+"/api/token", form)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fieftest token: the token endpoint answered %d %s", resp.StatusCode, body)
	}
	return json.RawMessage(body), nil
}

// fetch sends a request (a form when form is not nil) and reads the
// answer.
func fetch(ctx context.Context, c *http.Client, method, target string, form url.Values) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("fieftest token: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, "", fmt.Errorf("fieftest token: %s %s: %w", method, resp.Request.URL.Path, err)
	}
	return resp, string(b), nil
}

// randomString returns 32 random bytes, base64url-encoded.
func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
